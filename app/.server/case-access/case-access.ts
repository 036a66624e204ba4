// Finding a case and checking who may read it, shared by every domain that
// acts on a case for an investigator: the case exists for them only if they
// hold its key envelope (an excluded investigator, or one never granted,
// gets the same 404 as for a case that does not exist). Also the mark that a
// reporter added something, which makes the case unread for investigators.
//
// The rule is the case joined with the caller's row in `report_key_envelopes`.
// The inbox, its count and case-number filter, the case page, every case action
// and every download go through it or the same join. Envelopes come from intake
// (every active investigator the reporter did not exclude) or from a grant;
// administrators and affiliate reviewers never hold one.
import { and, eq, sql } from "drizzle-orm";
import { reportKeyEnvelopes, reports } from "../../../db/schema";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";

type Tx = Parameters<Parameters<Services["db"]["transaction"]>[0]>[0];

const NOT_FOUND = () => new ApiError(404, "not_found", "no such case");

/** The case by id or case number, if this investigator holds its envelope; 404 otherwise. */
export async function requireCaseAccess(s: Services, staffUserId: string, ref: { id?: string; caseNumber?: string }) {
  const where = ref.id ? eq(reports.id, ref.id) : eq(reports.caseNumber, ref.caseNumber ?? "");
  const [row] = await s.db
    .select({ report: reports, envelope: reportKeyEnvelopes.envelope })
    .from(reports)
    .innerJoin(reportKeyEnvelopes, and(eq(reportKeyEnvelopes.reportId, reports.id), eq(reportKeyEnvelopes.staffUserId, staffUserId)))
    .where(where);
  if (!row) throw NOT_FOUND();
  return row;
}

/** Marks that the reporter added something: investigators see the case as unread again. */
export async function markReporterActivity(tx: Tx, reportId: string): Promise<void> {
  await tx
    .update(reports)
    .set({ activitySeq: sql`${reports.activitySeq} + 1` })
    .where(eq(reports.id, reportId));
}
