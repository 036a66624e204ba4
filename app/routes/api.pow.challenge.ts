// GET: a proof-of-work challenge for one anonymous action, at the difficulty
// the portal asks of this client now (ADR 032; how to solve it: docs/CRYPTO.md §13).
import { anyone } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { parseWith } from "../.server/platform/http";
import { powChallengeQuery, powChallengeResponse } from "../shared/pow-wire";

export const api = apiRoute({
  summary: "Proof-of-work challenges",
  methods: {
    GET: endpoint({
      summary:
        "A challenge for one anonymous action (report, upload, followup-session, followup-post), or for a staff sign-in past its back-off (staff-sign-in), at this client's current difficulty",
      guard: anyone,
      query: {
        action:
          "report, upload, followup-session, followup-post, or staff-sign-in (after a 429 that names it: ADR 035): the request the solution will be spent on",
      },
      response: powChallengeResponse,
      errors: [{ status: 400, code: "invalid_request" }],
      handler: ({ services, query, context }) => {
        const { action } = parseWith(powChallengeQuery, Object.fromEntries(query));
        return services.proofOfWork.challenge(context.clientKey, action);
      },
    }),
  },
});
export const loader = api.loader;
