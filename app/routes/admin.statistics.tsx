// Administration, statistics: counts and handling times of cases for a chosen period (caseStatistics);
// nothing about a person.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { caseStatistics, parseStatisticsRange } from "../.server/admin/statistics";
import { services } from "../.server/platform/services";
import { staffBadge } from "../.server/staff/badge";
import { ADMIN, requireStaffPage } from "../.server/staff/guards";
import { AdminPage, sectionTitle } from "../components/admin-page";
import { AdminStatistics } from "../components/admin-statistics";

export const handle = { title: sectionTitle("statistics") };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const s = services(context);
  const admin = await requireStaffPage(s, request, ADMIN);
  const range = parseStatisticsRange(new URL(request.url).searchParams);
  return {
    me: await staffBadge(s, admin),
    statistics: await caseStatistics(s, range ?? undefined),
    statsFilter: { from: range?.from ?? "", to: range?.to ?? "", invalid: range === null },
  };
}

export default function AdminStatisticsPage() {
  const { me, statistics, statsFilter } = useLoaderData<typeof loader>();
  return (
    <AdminPage me={me} section="statistics">
      <AdminStatistics stats={statistics} filter={statsFilter} />
    </AdminPage>
  );
}
