// GET: categories and the investigators' public keys a new report is sealed to.
import { anyone } from "../.server/api-guards";
import { getIntakeInfo } from "../.server/intake/intake";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { intakeInfoSchema } from "../intake/wire";

export const api = apiRoute({
  summary: "What the report form needs",
  methods: {
    GET: endpoint({
      summary: "Categories and the investigators' public keys a new report is sealed to",
      guard: anyone,
      response: intakeInfoSchema,
      handler: ({ services }) => getIntakeInfo(services),
    }),
  },
});
export const loader = api.loader;
