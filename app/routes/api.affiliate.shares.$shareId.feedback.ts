// POST: a reviewer's feedback on a share, encrypted in their browser under the share's feedback key.
import { affiliateFeedback } from "../.server/sharing/affiliate-shares";
import { affiliateReviewer } from "../.server/api-guards";
import { apiRoute, endpoint, jsonBody, uuidParam } from "../.server/platform/api-route";
import { affiliateFeedbackRequest, okResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Feedback on a share",
  params: { shareId: uuidParam("no such share", "The share") },
  methods: {
    POST: endpoint({
      summary: "A reviewer's feedback, encrypted in their browser under the share's feedback key",
      guard: affiliateReviewer,
      body: jsonBody(128 * 1024, affiliateFeedbackRequest),
      response: okResponse,
      errors: [{ status: 404, code: "not_found" }],
      handler: async ({ services, caller, params, body }) => {
        await affiliateFeedback(services, caller, params.shareId!, body);
        return { ok: true };
      },
    }),
  },
});
export const action = api.action;
