// GET (administrators): statistics from workflow metadata only (counts and days; no case, title or person).
// ?from=YYYY-MM-DD&to=YYYY-MM-DD limits them to cases received, requests made, provisions and destructions in that span.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { ApiError, handleApi, json } from "../.server/platform/http";
import { services } from "../.server/platform/services";
import { ADMIN } from "../.server/staff/guards";
import { requireStaff } from "../.server/staff/auth";
import { caseStatistics, parseStatisticsRange } from "../.server/admin/statistics";

export async function loader({ request, context }: LoaderFunctionArgs) {
  return handleApi(async () => {
    const s = services(context);
    await requireStaff(s, request, ADMIN);
    const range = parseStatisticsRange(new URL(request.url).searchParams);
    if (range === null) throw new ApiError(400, "bad_range", "from and to must be calendar days (YYYY-MM-DD), from not after to");
    return json(await caseStatistics(s, range));
  });
}
