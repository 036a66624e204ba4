// GET (administrators): statistics from workflow metadata only (counts and days; no case, title or person).
// ?from=YYYY-MM-DD&to=YYYY-MM-DD limits them to cases received, requests made, provisions and destructions in that span.
import { admin } from "../.server/api-guards";
import { ApiError } from "../.server/platform/http";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { caseStatistics, parseStatisticsRange } from "../.server/admin/statistics";
import { caseStatisticsResponse } from "../admin/wire";

export const api = apiRoute({
  summary: "Statistics",
  methods: {
    GET: endpoint({
      summary: "Statistics from workflow metadata only (counts and days; no case, title or person)",
      guard: admin,
      query: { from: "first day (YYYY-MM-DD), inclusive", to: "last day (YYYY-MM-DD), inclusive" },
      errors: [{ status: 400, code: "bad_range" }],
      response: caseStatisticsResponse,
      handler: async ({ services, query }) => {
        const range = parseStatisticsRange(query);
        if (range === null) throw new ApiError(400, "bad_range", "from and to must be calendar days (YYYY-MM-DD), from not after to");
        return caseStatistics(services, range);
      },
    }),
  },
});
export const loader = api.loader;
