// Telling a flood of reports from the normal rate (ADR 034). Every stored
// report is counted in the database per fixed window of FLOOD_WINDOW_MINUTES
// (`all` in submission_counters); the rate is the sliding estimate
// `this window + previous window × the part of it still inside the last
// FLOOD_WINDOW_MINUTES`. Above FLOOD_REPORTS the report belongs to a flood:
// its case is marked with the flood's id and staff get one `report_flood`
// notification for the whole flood instead of `new_case` for each report. A
// flood that goes on into the next window keeps its id (report_floods: one
// row per window, the id taken over from the previous window's row in the
// same atomic upsert, so concurrent requests on any instance agree).
//
// Nothing here knows who sent a report: the mark says only "arrived while
// reports came faster than the threshold". The reports that came before the
// threshold was crossed keep their own notification and no mark.
import { randomUUID } from "node:crypto";
import { and, lt, sql } from "drizzle-orm";
import { reportFloods, reports } from "../../../db/schema";
import { countOf, countOne, windowOf } from "../platform/counters";
import type { Services } from "../platform/services";

export const ALL_REPORTS = "all";

/** Counts a report about to be stored; returns its flood's id when reports are coming faster than FLOOD_REPORTS, else null. */
export async function floodOf(s: Services): Promise<string | null> {
  const now = s.now();
  const ms = s.config.FLOOD_WINDOW_MINUTES * 60_000;
  const w = windowOf(now, ms);
  const [count, previous] = await Promise.all([countOne(s.db, ALL_REPORTS, w), countOf(s.db, ALL_REPORTS, w.start)]);
  const stillInside = 1 - (now.getTime() - w.start.getTime()) / ms;
  if (count + previous * stillInside <= s.config.FLOOD_REPORTS) return null;
  const previousStart = new Date(w.start.getTime() - ms);
  const [row] = await s.db
    .insert(reportFloods)
    .values({
      windowStart: w.start,
      floodId: sql`coalesce((select flood_id from ${reportFloods} where window_start = ${previousStart.toISOString()}::timestamptz), ${randomUUID()}::uuid)`,
      reports: 1,
    })
    .onConflictDoUpdate({ target: reportFloods.windowStart, set: { reports: sql`${reportFloods.reports} + 1` } })
    .returning({ floodId: reportFloods.floodId });
  return row!.floodId;
}

/**
 * Forgets floods none of whose cases is left (destroyed by retention), a day after their last window: their
 * windows' times are no longer needed for "N reports in M minutes". Returns how many rows went.
 */
export async function sweepFloods(s: Services): Promise<number> {
  const before = new Date(s.now().getTime() - 86_400_000 - 2 * s.config.FLOOD_WINDOW_MINUTES * 60_000);
  const gone = await s.db
    .delete(reportFloods)
    .where(and(lt(reportFloods.windowStart, before), sql`not exists (select 1 from ${reports} where ${reports.floodId} = ${reportFloods.floodId})`))
    .returning({ w: reportFloods.windowStart });
  return gone.length;
}
