// GET: the shares addressed to the reviewer's affiliate (active, within retention). Audited.
import { listAffiliateShares } from "../.server/sharing/affiliate-shares";
import { affiliateReviewer } from "../.server/api-guards";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { affiliateSharesResponse } from "../staff/wire";

export const api = apiRoute({
  summary: "Shares for a reviewer",
  methods: {
    GET: endpoint({
      summary: "The shares addressed to the reviewer's affiliate (active, within retention)",
      guard: affiliateReviewer,
      response: affiliateSharesResponse,
      handler: ({ services, caller }) => listAffiliateShares(services, caller),
    }),
  },
});
export const loader = api.loader;
