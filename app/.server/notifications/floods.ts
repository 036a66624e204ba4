// What staff are told about a flood of reports (ADR 034): "N reports in M
// minutes", N from the cases still marked with the flood, M from the windows
// it spanned; and the check that records `report_flood_ended` once a whole
// window has passed without a flood report, to the staff who were told of its
// start, with the final count.
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { queryRows } from "../../../db/client";
import { reportFloods, reports, staffNotifications } from "../../../db/schema";
import type { Services } from "../platform/services";
import { notifyStaff } from "./record";

export interface FloodSummary {
  reports: number;
  minutes: number;
  over: boolean;
}

/** The summary of each flood named (missing when its rows are gone). */
export async function floodSummaries(s: Services, floodIds: readonly string[], now = s.now()): Promise<Map<string, FloodSummary>> {
  const ids = [...new Set(floodIds)];
  const out = new Map<string, FloodSummary>();
  if (ids.length === 0) return out;
  const ms = s.config.FLOOD_WINDOW_MINUTES * 60_000;
  const [windows, counted] = await Promise.all([
    s.db
      .select({ floodId: reportFloods.floodId, first: sql<string>`min(${reportFloods.windowStart})`, last: sql<string>`max(${reportFloods.windowStart})` })
      .from(reportFloods)
      .where(inArray(reportFloods.floodId, ids))
      .groupBy(reportFloods.floodId),
    s.db
      .select({ floodId: reports.floodId, n: sql<number>`count(*)::int` })
      .from(reports)
      .where(inArray(reports.floodId, ids))
      .groupBy(reports.floodId),
  ]);
  const n = new Map(counted.map((c) => [c.floodId!, Number(c.n)]));
  for (const w of windows) {
    const first = new Date(w.first).getTime();
    const last = new Date(w.last).getTime();
    out.set(w.floodId, {
      reports: n.get(w.floodId) ?? 0,
      minutes: Math.max(1, Math.round((last + ms - first) / 60_000)),
      over: last + 2 * ms <= now.getTime(),
    });
  }
  return out;
}

/**
 * Records `report_flood_ended` for each flood whose latest window lies a whole window back (and not more than a
 * day beyond that: older ones were told already),
 * to those told of its start; the dedupe key makes it once per flood and person. Returns how many are new.
 */
export async function checkFloods(s: Services, now: Date): Promise<number> {
  const ms = s.config.FLOOD_WINDOW_MINUTES * 60_000;
  const ended = await queryRows<{ flood_id: string }>(
    s.db,
    sql`select flood_id from ${reportFloods} group by flood_id
        having max(window_start) <= ${new Date(now.getTime() - 2 * ms).toISOString()}::timestamptz
           and max(window_start) > ${new Date(now.getTime() - 2 * ms - 86_400_000).toISOString()}::timestamptz`,
  );
  let recorded = 0;
  for (const { flood_id: floodId } of ended) {
    const told = await s.db
      .selectDistinct({ id: staffNotifications.staffUserId })
      .from(staffNotifications)
      .where(and(eq(staffNotifications.floodId, floodId), eq(staffNotifications.event, "report_flood"), isNotNull(staffNotifications.floodId)));
    recorded += await notifyStaff(s.db, s, {
      event: "report_flood_ended",
      staffUserIds: told.map((t) => t.id),
      floodId,
      dedupeKey: `report_flood_ended:${floodId}`,
      at: now,
    });
  }
  return recorded;
}
