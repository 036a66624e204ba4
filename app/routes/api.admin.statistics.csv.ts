// GET (administrators): the statistics as a CSV file (RFC 4180, UTF-8 with a byte order mark, formulas neutralised),
// the same figures and period filter as GET /api/admin/statistics; ?lang=ko|en picks the labels.
import { admin } from "../.server/api-guards";
import { ApiError } from "../.server/platform/http";
import { apiRoute, endpoint } from "../.server/platform/api-route";
import { caseStatistics, parseStatisticsRange } from "../.server/admin/statistics";
import { statisticsCsv, statisticsCsvName } from "../.server/admin/statistics-csv";
import { resolveLocale } from "../i18n";

export const api = apiRoute({
  summary: "Statistics as CSV",
  methods: {
    GET: endpoint({
      summary: "The statistics as a CSV download (text/csv, UTF-8 with a byte order mark): table, row, column, value",
      guard: admin,
      query: { from: "first day (YYYY-MM-DD), inclusive", to: "last day (YYYY-MM-DD), inclusive", lang: "ko or en (else Accept-Language)" },
      response: "binary",
      errors: [{ status: 400, code: "bad_range" }],
      handler: async ({ services, query, request }) => {
        const range = parseStatisticsRange(query);
        if (range === null) throw new ApiError(400, "bad_range", "from and to must be calendar days (YYYY-MM-DD), from not after to");
        const stats = await caseStatistics(services, range);
        return new Response(statisticsCsv(stats, resolveLocale(request)), {
          headers: {
            "Content-Type": "text/csv; charset=utf-8; header=present",
            "Content-Disposition": `attachment; filename="${statisticsCsvName(stats)}"`,
            "Cache-Control": "no-store",
          },
        });
      },
    }),
  },
});
export const loader = api.loader;
