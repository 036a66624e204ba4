// GET: the session's case, as ciphertext for the reporter's browser to decrypt.
import { reporterSession } from "../.server/api-guards";
import { reporterCaseView } from "../.server/followup/followup";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { reporterCaseViewSchema } from "../intake/followup-wire";

export const api = apiRoute({
  summary: "The reporter's case",
  methods: {
    GET: endpoint({
      summary: "The session's case, as ciphertext for the reporter's browser to decrypt",
      guard: reporterSession,
      response: reporterCaseViewSchema,
      handler: ({ services, caller }) => reporterCaseView(services, caller.reportId),
    }),
  },
});
export const loader = api.loader;
