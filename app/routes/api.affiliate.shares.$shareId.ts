// GET: one share for a reviewer who holds its key, as ciphertext for the browser to open. Audited.
import { affiliateShareView } from "../.server/sharing/affiliate-shares";
import { affiliateReviewer } from "../.server/api-guards";
import { apiRoute, endpoint, uuidParam } from "../.server/platform/api-route";
import { affiliateShareResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "One share",
  params: { shareId: uuidParam("no such share", "The share") },
  methods: {
    GET: endpoint({
      summary: "The share as ciphertext, for a reviewer who holds its key",
      guard: affiliateReviewer,
      errors: [{ status: 404, code: "not_found" }],
      response: affiliateShareResponse,
      handler: ({ services, caller, params }) => affiliateShareView(services, caller, params.shareId!),
    }),
  },
});
export const loader = api.loader;
