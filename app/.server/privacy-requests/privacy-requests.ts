// Privacy requests (access, correction, deletion, ...) a reporter makes about
// their own data: created in the follow-up, answered by an investigator,
// listed as tasks with a due date PRIVACY_DUE_DAYS after the request.
//
// Kinds: access, correction, deletion, suspension, with an optional encrypted
// detail; due 10 days after the request (`PRIVACY_DUE_DAYS`, shown on
// /privacy). A request bumps `activity_seq` and records `privacy_request` for
// the holders. Investigators answer with an aead-v1 `privacy-answer` under the
// report key; deletion requests are decided instead (ADR 015). The inbox shows
// open requests of every case the caller holds as tasks, soonest due first.
import { and, asc, eq } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { privacyRequests, reportKeyEnvelopes, reports } from "../../../db/schema";
import type { PrivacyKind } from "../../intake/followup-wire";
import { appendAudit, type AuditEntry } from "../audit/audit";
import { markReporterActivity } from "../case-access/case-access";
import { checkRecord } from "../case-access/records";
import { addDays, today } from "../platform/dates";
import { isUniqueViolation } from "../platform/db-errors";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { kickStaffNotifications } from "../notifications/outbox";
import { notifyCaseHolders } from "../notifications/record";

export const PRIVACY_DUE_DAYS = 10;
const b64 = toBase64Url;

/** A privacy request as both sides' browsers receive it (texts as ciphertext). */
export function privacyRequestView(p: typeof privacyRequests.$inferSelect) {
  return {
    id: p.id,
    kind: p.kind,
    state: p.state,
    detail: p.detailCt ? b64(p.detailCt) : null,
    requestedOn: p.requestedOn,
    dueOn: p.dueOn,
    answer: p.answerCt ? b64(p.answerCt) : null,
    answeredOn: p.answeredOn,
    outcome: p.outcome,
    refusalReason: p.refusalReason,
    refusalBasis: p.refusalBasis,
  };
}

export async function createPrivacyRequest(
  s: Services,
  reportId: string,
  input: { id: string; kind: PrivacyKind; detail: Uint8Array | null },
): Promise<{ id: string; dueOn: string }> {
  if (input.detail) checkRecord("detail", input.detail, "privacy-request");
  if (input.kind === "correction" && !input.detail) {
    throw new ApiError(400, "detail_required", "a correction request needs the corrected text", { detail: "required for a correction" });
  }
  const [existing] = await s.db.select().from(privacyRequests).where(eq(privacyRequests.id, input.id));
  if (existing) {
    if (existing.reportId !== reportId) throw new ApiError(409, "id_taken", "this request id is taken");
    return { id: existing.id, dueOn: existing.dueOn };
  }
  const requestedOn = today(s);
  const dueOn = addDays(requestedOn, PRIVACY_DUE_DAYS);
  try {
    await s.db.transaction(async (tx) => {
      await tx.insert(privacyRequests).values({ id: input.id, reportId, kind: input.kind, detailCt: input.detail, requestedOn, dueOn });
      await markReporterActivity(tx, reportId);
      await notifyCaseHolders(tx, s, { event: "privacy_request", reportId, dedupeKey: `privacy_request:${input.id}` });
    });
  } catch (error) {
    // The same request sent twice at once: the other copy was stored.
    if (isUniqueViolation(error, "privacy_requests_pkey")) return createPrivacyRequest(s, reportId, input);
    throw error;
  }
  kickStaffNotifications(s);
  return { id: input.id, dueOn };
}

/** The investigator's answer to a privacy request (encrypted under the report key in their browser). */
export async function answerPrivacyRequest(
  s: Services,
  reportId: string,
  requestId: string,
  staffUserId: string,
  answer: Uint8Array,
  auditEntry?: AuditEntry,
): Promise<void> {
  checkRecord("answer", answer, "privacy-answer");
  await s.db.transaction(async (tx) => {
    const done = await tx
      .update(privacyRequests)
      .set({ state: "answered", answerCt: answer, answeredOn: today(s), answeredBy: staffUserId })
      .where(and(eq(privacyRequests.id, requestId), eq(privacyRequests.reportId, reportId), eq(privacyRequests.state, "open")))
      .returning({ id: privacyRequests.id });
    if (done.length === 0) throw new ApiError(404, "not_found", "no open privacy request with this id in this case");
    await tx
      .update(reports)
      .set({ updatedOn: today(s) })
      .where(eq(reports.id, reportId));
    if (auditEntry) await appendAudit(tx, s, auditEntry, s.now());
  });
}

/**
 * Open privacy requests as tasks for one investigator: only cases they hold
 * an envelope for (an excluded investigator never sees them), soonest due first.
 */
export async function privacyTasksFor(s: Services, staffUserId: string) {
  return s.db
    .select({
      requestId: privacyRequests.id,
      reportId: privacyRequests.reportId,
      caseNumber: reports.caseNumber,
      kind: privacyRequests.kind,
      requestedOn: privacyRequests.requestedOn,
      dueOn: privacyRequests.dueOn,
    })
    .from(privacyRequests)
    .innerJoin(reports, eq(reports.id, privacyRequests.reportId))
    .innerJoin(reportKeyEnvelopes, and(eq(reportKeyEnvelopes.reportId, privacyRequests.reportId), eq(reportKeyEnvelopes.staffUserId, staffUserId)))
    .where(eq(privacyRequests.state, "open"))
    .orderBy(asc(privacyRequests.dueOn), asc(privacyRequests.id));
}
