// Case handling by investigators. Every function first checks that the
// investigator holds the case's key envelope: without one (excluded, or never
// granted) the case does not exist for them and they get the same 404 as for
// a case that does not exist. Every action is written to the audit log in the
// same transaction as the change it records.
//
// - Case view: the case with the caller's envelope, the ciphertexts,
//   attachments, messages, notes, privacy requests, the case's latest 200 audit
//   entries and the envelope holders; in one transaction it sets the caller's
//   `case_views.seen_seq` to the case's `activity_seq` and audits
//   `case.opened`.
// - Workflow: `received → acknowledged | closed`; `acknowledged → in_review |
//   investigating | closed`; `in_review ⇄ investigating`, either `→ closed`;
//   `closed` is final. Other steps are 409 `bad_transition`; the update is
//   conditioned on the previous status (409 `changed` if another request moved
//   it). Acknowledging sets `acknowledged_on`, `feedback_due_on` (+
//   `FEEDBACK_DEADLINE_MONTHS`) and `next_due_on`. Closing needs an outcome and
//   a summary (400 `outcome_required`); the summary is stored first, as a
//   message to the reporter, so a failed status change can be retried with the
//   same message id. The reporter sees status and dates, not the outcome.
// - Assignment only to an investigator holding an envelope for the case.
// - Grants: candidates are active investigators with neither an envelope nor an
//   exclusion; the server accepts an envelope only for an active investigator
//   (400 `not_investigator`), never for one the reporter excluded (403
//   `excluded`), once (409 `already_granted`). Envelopes are never removed.
// - Downloads are the ciphertext as `application/octet-stream`,
//   `Content-Disposition: attachment; filename="{id}.cor"`, audited
//   `content.downloaded` by the server; `content.decrypted` is what the browser
//   reports.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { ENVELOPE_BYTES } from "../../../crypto/envelope";
import { toBase64Url } from "../../../crypto/encoding";
import {
  attachments,
  auditLog,
  caseNotes,
  caseViews,
  messages,
  privacyRequests,
  reportExclusions,
  reportKeyEnvelopes,
  reports,
  staffUsers,
} from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { attachmentView } from "../case-access/attachments";
import { requireCaseAccess } from "../case-access/case-access";
import { addMonths, today } from "../platform/dates";
import { appendMessage } from "../dialogue/dialogue";
import { activeMasks } from "./masks";
import { answerPrivacyRequest, privacyRequestView } from "../privacy-requests/privacy-requests";
import { ApiError } from "../platform/http";
import { checkRecord } from "../case-access/records";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";
import type { StaffCaseView } from "../../staff/wire";

export type CaseStatus = "received" | "acknowledged" | "in_review" | "investigating" | "closed";
export type CaseOutcome = "substantiated" | "partly_substantiated" | "not_substantiated" | "insufficient_information" | "referred";

const b64 = toBase64Url;

export async function staffCaseView(s: Services, staff: StaffPrincipal, caseNumber: string): Promise<StaffCaseView> {
  const { report: r, envelope } = await requireCaseAccess(s, staff.id, { caseNumber });
  const [files, dialogue, notes, requests, trail, team, masks] = await Promise.all([
    s.db.select().from(attachments).where(eq(attachments.reportId, r.id)).orderBy(asc(attachments.addedOn), asc(attachments.id)),
    s.db.select().from(messages).where(eq(messages.reportId, r.id)).orderBy(asc(messages.seq)),
    s.db.select().from(caseNotes).where(eq(caseNotes.reportId, r.id)).orderBy(asc(caseNotes.createdAt)),
    s.db.select().from(privacyRequests).where(eq(privacyRequests.reportId, r.id)).orderBy(asc(privacyRequests.dueOn)),
    s.db.select().from(auditLog).where(eq(auditLog.reportId, r.id)).orderBy(desc(auditLog.seq)).limit(200),
    s.db
      .select({ id: staffUsers.id, displayName: staffUsers.displayName })
      .from(reportKeyEnvelopes)
      .innerJoin(staffUsers, eq(staffUsers.id, reportKeyEnvelopes.staffUserId))
      .where(eq(reportKeyEnvelopes.reportId, r.id))
      .orderBy(asc(staffUsers.displayName)),
    activeMasks(s, r.id),
  ]);
  await s.db.transaction(async (tx) => {
    await tx
      .insert(caseViews)
      .values({ reportId: r.id, staffUserId: staff.id, seenSeq: r.activitySeq })
      .onConflictDoUpdate({ target: [caseViews.reportId, caseViews.staffUserId], set: { seenSeq: r.activitySeq } });
    await appendAudit(tx, s, { actorType: "staff", actorId: staff.id, action: "case.opened", reportId: r.id, caseNumber: r.caseNumber }, s.now());
  });
  return {
    id: r.id,
    caseNumber: r.caseNumber,
    categoryId: r.categoryId,
    status: r.status as CaseStatus,
    outcome: r.outcome,
    priority: r.priority,
    assigneeId: r.assigneeId,
    receivedOn: r.receivedOn,
    acknowledgedOn: r.acknowledgedOn,
    closedOn: r.closedOn,
    updatedOn: r.updatedOn,
    ackDueOn: r.ackDueOn,
    feedbackDueOn: r.feedbackDueOn,
    nextDueOn: r.nextDueOn,
    overdue: r.nextDueOn !== null && r.nextDueOn < today(s),
    consentAffiliateIdentity: r.consentAffiliateIdentity,
    serverSealed: r.serverSealed,
    envelope: b64(envelope),
    title: b64(r.titleCt),
    body: b64(r.bodyCt),
    // The identity itself only after a recorded reason (identity-access/, ADR 052).
    hasIdentity: r.identityCt !== null,
    notifyAddress: r.notifyAddressCt ? b64(r.notifyAddressCt) : null,
    labels: r.labelsCt ? b64(r.labelsCt) : null,
    attachments: files.map(attachmentView),
    messages: dialogue.map((m) => ({ id: m.id, seq: m.seq, author: m.author, staffUserId: m.staffUserId, body: b64(m.bodyCt), sentOn: m.sentOn })),
    notes: notes.map((n) => ({ id: n.id, staffUserId: n.staffUserId, body: b64(n.bodyCt), createdAt: n.createdAt.toISOString() })),
    masks,
    privacyRequests: requests.map((p) => ({ ...privacyRequestView(p), overdue: p.state === "open" && p.dueOn < today(s) })),
    team,
    auditTrail: trail.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actorId: e.actorId, action: e.action, details: e.details })),
  };
}

const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  received: ["acknowledged", "closed"],
  acknowledged: ["in_review", "investigating", "closed"],
  in_review: ["investigating", "closed"],
  investigating: ["in_review", "closed"],
  closed: [],
};

/**
 * Moves a case along the workflow. Acknowledging starts the feedback deadline
 * (FEEDBACK_DEADLINE_MONTHS); closing needs an outcome and sends the closing
 * summary to the reporter as a message (encrypted in the investigator's browser).
 */
export async function changeStatus(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: { to: CaseStatus; outcome?: CaseOutcome; summary?: { id: string; body: Uint8Array } },
): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const from = report.status as CaseStatus;
  if (!TRANSITIONS[from].includes(input.to)) throw new ApiError(409, "bad_transition", `a ${from} case cannot become ${input.to}`);
  if (input.to === "closed" && (!input.outcome || !input.summary)) {
    throw new ApiError(400, "outcome_required", "closing a case needs an outcome and a closing summary for the reporter");
  }
  const day = today(s);
  // The closing summary is stored (and audited) first: a failed status change can be retried with the same message id.
  if (input.summary) {
    await appendInvestigatorMessage(s, staff, report, input.summary);
  }
  await s.db.transaction(async (tx) => {
    const set: Partial<typeof reports.$inferInsert> = { status: input.to, updatedOn: day };
    if (input.to === "acknowledged") {
      set.acknowledgedOn = day;
      set.feedbackDueOn = addMonths(day, s.config.FEEDBACK_DEADLINE_MONTHS);
      set.nextDueOn = set.feedbackDueOn;
    }
    if (input.to === "closed") {
      set.closedOn = day;
      set.outcome = input.outcome;
      set.nextDueOn = null;
    }
    const done = await tx
      .update(reports)
      .set(set)
      .where(and(eq(reports.id, reportId), eq(reports.status, from)))
      .returning({ id: reports.id });
    if (done.length === 0) throw new ApiError(409, "changed", "the case changed meanwhile; reload it");
    await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "case.status",
        reportId,
        caseNumber: report.caseNumber,
        details: { from, to: input.to, outcome: input.outcome ?? null },
      },
      s.now(),
    );
  });
}

export async function assignCase(s: Services, staff: StaffPrincipal, reportId: string, assigneeId: string | null): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  if (assigneeId) {
    const [holder] = await s.db
      .select({ id: reportKeyEnvelopes.staffUserId })
      .from(reportKeyEnvelopes)
      .where(and(eq(reportKeyEnvelopes.reportId, reportId), eq(reportKeyEnvelopes.staffUserId, assigneeId)));
    if (!holder) throw new ApiError(400, "cannot_assign", "only an investigator who holds this case's key can be assigned");
  }
  await s.db.transaction(async (tx) => {
    await tx.update(reports).set({ assigneeId }).where(eq(reports.id, reportId));
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "case.assigned", reportId, caseNumber: report.caseNumber, details: { assigneeId } },
      s.now(),
    );
  });
}

export async function setPriority(s: Services, staff: StaffPrincipal, reportId: string, priority: "low" | "normal" | "high" | "urgent"): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction(async (tx) => {
    await tx.update(reports).set({ priority }).where(eq(reports.id, reportId));
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "case.priority", reportId, caseNumber: report.caseNumber, details: { priority } },
      s.now(),
    );
  });
}

/** Labels are free text, so they are encrypted under the case-internal key (purpose "labels"). */
export async function setLabels(s: Services, staff: StaffPrincipal, reportId: string, labels: Uint8Array): Promise<void> {
  checkRecord("labels", labels, "labels");
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction(async (tx) => {
    await tx.update(reports).set({ labelsCt: labels }).where(eq(reports.id, reportId));
    await appendAudit(tx, s, { actorType: "staff", actorId: staff.id, action: "case.labels", reportId, caseNumber: report.caseNumber }, s.now());
  });
}

export async function addNote(s: Services, staff: StaffPrincipal, reportId: string, note: { id: string; body: Uint8Array }): Promise<void> {
  checkRecord("body", note.body, "note");
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction(async (tx) => {
    await tx.insert(caseNotes).values({ id: note.id, reportId, staffUserId: staff.id, bodyCt: note.body, createdAt: s.now() }).onConflictDoNothing();
    await appendAudit(tx, s, { actorType: "staff", actorId: staff.id, action: "note.added", reportId, caseNumber: report.caseNumber }, s.now());
  });
}

export async function sendStaffMessage(s: Services, staff: StaffPrincipal, reportId: string, message: { id: string; body: Uint8Array }): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await appendInvestigatorMessage(s, staff, report, message);
}

/** A message from an investigator to the reporter, audited as `message.sent` (a closing summary is one too). */
function appendInvestigatorMessage(s: Services, staff: StaffPrincipal, report: { id: string; caseNumber: string }, message: { id: string; body: Uint8Array }) {
  return appendMessage(
    s,
    report.id,
    message,
    { author: "investigator", staffUserId: staff.id },
    { actorType: "staff", actorId: staff.id, action: "message.sent", reportId: report.id, caseNumber: report.caseNumber },
  );
}

export async function answerPrivacy(s: Services, staff: StaffPrincipal, reportId: string, requestId: string, answer: Uint8Array): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await answerPrivacyRequest(s, reportId, requestId, staff.id, answer, {
    actorType: "staff",
    actorId: staff.id,
    action: "privacy.answered",
    reportId,
    caseNumber: report.caseNumber,
    details: { requestId },
  });
}

/** What the browser reports it did with content (decrypted, downloaded, exported), for the audit log. */
export async function recordContentEvent(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  event: "decrypted" | "downloaded" | "exported",
  subject?: string,
): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction((tx) =>
    appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: `content.${event}`, reportId, caseNumber: report.caseNumber, details: { subject: subject ?? null } },
      s.now(),
    ),
  );
}

/**
 * Gives another investigator access: the granting investigator's browser has
 * opened its own envelope and sealed the same keys to the grantee's public key.
 * An investigator the reporter excluded can never be granted access.
 */
export async function grantAccess(s: Services, staff: StaffPrincipal, reportId: string, granteeId: string, envelope: Uint8Array): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  if (envelope.length !== ENVELOPE_BYTES || envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", "not an envelope-v1");
  const [grantee] = await s.db.select().from(staffUsers).where(eq(staffUsers.id, granteeId));
  if (!grantee || grantee.role !== "investigator" || grantee.status !== "active")
    throw new ApiError(400, "not_investigator", "access can be granted to active investigators only");
  const [excluded] = await s.db
    .select()
    .from(reportExclusions)
    .where(and(eq(reportExclusions.reportId, reportId), eq(reportExclusions.staffUserId, granteeId)));
  if (excluded) throw new ApiError(403, "excluded", "the reporter excluded this investigator from the case");
  await s.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(reportKeyEnvelopes)
      .values({ reportId, staffUserId: granteeId, envelope, grantedOn: today(s) })
      .onConflictDoNothing()
      .returning({ id: reportKeyEnvelopes.staffUserId });
    if (inserted.length === 0) throw new ApiError(409, "already_granted", "this investigator already has access");
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "access.granted", reportId, caseNumber: report.caseNumber, details: { granteeId } },
      s.now(),
    );
  });
}

/** Active investigators without access to the case who may be granted it (not excluded). */
export async function grantCandidates(s: Services, staff: StaffPrincipal, reportId: string) {
  await requireCaseAccess(s, staff.id, { id: reportId });
  return s.db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, publicKey: staffUsers.publicKey })
    .from(staffUsers)
    .where(
      and(
        eq(staffUsers.role, "investigator"),
        eq(staffUsers.status, "active"),
        sql`not exists (select 1 from ${reportKeyEnvelopes} e where e.report_id = ${reportId} and e.staff_user_id = ${staffUsers.id})`,
        sql`not exists (select 1 from ${reportExclusions} x where x.report_id = ${reportId} and x.staff_user_id = ${staffUsers.id})`,
      ),
    );
}
