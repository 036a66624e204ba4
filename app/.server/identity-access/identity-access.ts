// The reporter's identity behind a recorded reason (ADR 052). The case view
// carries no identity at all; an investigator who can read the case asks for
// it here with a reason code from the configured list and a free text their
// browser encrypted under the case key. The access is released at once, or,
// when administrators ask for approval, once a second investigator who can
// read the case approves it (they see the reason, never the identity). Only a
// caller with a released access gets the identity record and its key wrap.
//
// The server enforces this; it still cannot read the identity, the reason's
// free text, or anything the key wrap opens. Every step is audited in the
// step's transaction (`identity.requested|approved|refused|released`), and the
// reporter's follow-up view lists each release by day and reason code.
import { and, asc, eq, sql } from "drizzle-orm";
import { identityAccessSettings, identityAccesses, reports, type IdentityReason } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { requireCaseAccess } from "../case-access/case-access";
import { checkRecord } from "../case-access/records";
import { today } from "../platform/dates";
import { isUniqueViolation } from "../platform/db-errors";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

type Db = Services["db"];

/** The list until an administrator saves one: the grounds the Act and the EU Directive leave for disclosure. */
export const DEFAULT_REASONS: IdentityReason[] = [
  { code: "contact_reporter", ko: "제보자 연락", en: "Contacting the reporter", active: true },
  { code: "protection_measures", ko: "제보자 보호 조치", en: "Protection measures for the reporter", active: true },
  { code: "legal_obligation", ko: "법령상 의무", en: "A legal obligation", active: true },
  { code: "verify_facts", ko: "사실관계 확인", en: "Verifying facts", active: true },
  { code: "reporter_consent", ko: "제보자 동의에 따른 공유", en: "Sharing with the reporter's consent", active: true },
];

export interface IdentitySettingsValue {
  requireApproval: boolean;
  reasons: IdentityReason[];
}

export async function identitySettings(db: Db): Promise<IdentitySettingsValue> {
  const [row] = await db.select().from(identityAccessSettings).where(eq(identityAccessSettings.id, 1));
  return row ? { requireApproval: row.requireApproval, reasons: row.reasons } : { requireApproval: false, reasons: DEFAULT_REASONS };
}

/**
 * Administrators replace the list and the approval setting. A code that accesses already name cannot
 * disappear: it is kept (retired) so those accesses keep their words; retire it instead.
 */
export async function saveIdentitySettings(s: Services, admin: StaffPrincipal, input: IdentitySettingsValue): Promise<void> {
  await s.db.transaction(async (tx) => {
    const before = await identitySettings(tx as unknown as Db);
    const kept = new Set(input.reasons.map((r) => r.code));
    const dropped = before.reasons.filter((r) => !kept.has(r.code));
    const reasons = [...input.reasons, ...dropped.map((r) => ({ ...r, active: false }))];
    await tx
      .insert(identityAccessSettings)
      .values({ id: 1, requireApproval: input.requireApproval, reasons, updatedAt: s.now() })
      .onConflictDoUpdate({ target: identityAccessSettings.id, set: { requireApproval: input.requireApproval, reasons, updatedAt: s.now() } });
    await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: admin.id,
        action: "identity.settings_changed",
        details: { requireApproval: input.requireApproval, reasons: reasons.filter((r) => r.active).length },
      },
      s.now(),
    );
  });
}

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64url");

type AccessRow = typeof identityAccesses.$inferSelect;

function accessView(a: AccessRow) {
  return {
    id: a.id,
    staffUserId: a.staffUserId,
    reasonCode: a.reasonCode,
    reasonLabel: { ko: a.reasonLabelKo, en: a.reasonLabelEn },
    reason: b64(a.reasonCt),
    state: a.state,
    requestedAt: a.requestedAt.toISOString(),
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    releasedOn: a.releasedOn,
  };
}

/** Whether this investigator's access to the identity of the case was released. */
export async function hasReleasedIdentity(db: Db, staffUserId: string, reportId: string): Promise<boolean> {
  const rows = await db
    .select({ id: identityAccesses.id })
    .from(identityAccesses)
    .where(and(eq(identityAccesses.reportId, reportId), eq(identityAccesses.staffUserId, staffUserId), eq(identityAccesses.state, "released")))
    .limit(1);
  return rows.length > 0;
}

/** The case's identity accesses and, for a caller whose access was released, what opens the identity. */
export async function identityState(s: Services, staff: StaffPrincipal, reportId: string) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const [settings, accesses] = await Promise.all([
    identitySettings(s.db),
    s.db.select().from(identityAccesses).where(eq(identityAccesses.reportId, reportId)).orderBy(asc(identityAccesses.requestedAt), asc(identityAccesses.id)),
  ]);
  const mine = accesses.some((a) => a.staffUserId === staff.id && a.state === "released");
  return {
    hasIdentity: report.identityCt !== null,
    requireApproval: settings.requireApproval,
    reasons: settings.reasons.filter((r) => r.active).map(({ code, ko, en }) => ({ code, ko, en })),
    accesses: accesses.map(accessView),
    released:
      mine && report.identityCt ? { identity: b64(report.identityCt), identityKey: report.identityKeyWrapped ? b64(report.identityKeyWrapped) : null } : null,
  };
}

/** The partial unique index that allows one pending or released access per investigator and case. */
const OPEN_ACCESS_INDEX = "identity_accesses_open_idx";

/** The caller's accesses to the case, locked when in a transaction (an approval cannot slip in between). */
function openAccesses(db: Db, reportId: string, staffUserId: string) {
  return db
    .select({ state: identityAccesses.state })
    .from(identityAccesses)
    .where(and(eq(identityAccesses.reportId, reportId), eq(identityAccesses.staffUserId, staffUserId)))
    .for("update");
}

function refuseOpen(accesses: { state: string }[]): void {
  if (accesses.some((a) => a.state === "released")) throw new ApiError(409, "already_released", "the identity was already released to you");
  if (accesses.some((a) => a.state === "pending")) throw new ApiError(409, "request_pending", "your earlier request waits for approval");
}

/**
 * Records a reason and asks for the identity. Refused: no identity in the case (409 no_identity), a code
 * not offered now (400 bad_reason), a reason record of the wrong shape (400 bad_ciphertext), an access
 * of the caller's already released or waiting (409 already_released / request_pending).
 */
export async function requestIdentity(s: Services, staff: StaffPrincipal, reportId: string, input: { id: string; reasonCode: string; reason: Uint8Array }) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  if (!report.identityCt) throw new ApiError(409, "no_identity", "the reporter gave no contact details");
  checkRecord("reason", input.reason, "identity-reason");
  const settings = await identitySettings(s.db);
  const reason = settings.reasons.find((r) => r.active && r.code === input.reasonCode);
  if (!reason) throw new ApiError(400, "bad_reason", "choose one of the reasons offered", { reasonCode: "not one of the reasons offered" });
  const now = s.now();
  const state = settings.requireApproval ? "pending" : "released";
  try {
    await s.db.transaction(async (tx) => {
      const open = await openAccesses(tx as unknown as Db, reportId, staff.id);
      refuseOpen(open);
      const inserted = await tx
        .insert(identityAccesses)
        .values({
          id: input.id,
          reportId,
          staffUserId: staff.id,
          reasonCode: reason.code,
          reasonLabelKo: reason.ko,
          reasonLabelEn: reason.en,
          reasonCt: input.reason,
          state,
          requestedAt: now,
          releasedOn: state === "released" ? today(s, now) : null,
        })
        // Only a taken id is "nothing to do"; a second open access is refused by the index below.
        .onConflictDoNothing({ target: identityAccesses.id })
        .returning({ id: identityAccesses.id });
      if (inserted.length === 0) throw new ApiError(409, "id_taken", "this access id is taken");
      const base = { actorType: "staff" as const, actorId: staff.id, reportId, caseNumber: report.caseNumber };
      await appendAudit(tx, s, { ...base, action: "identity.requested", details: { accessId: input.id, reason: reason.code } }, now);
      if (state === "released") {
        await appendAudit(tx, s, { ...base, action: "identity.released", details: { accessId: input.id, reason: reason.code, staffUserId: staff.id } }, now);
      }
    });
  } catch (error) {
    // Two first requests at once: nothing existed to lock, so the partial unique index (migration 0016)
    // refuses the second insert; answer it as if it had come after the first.
    if (!isUniqueViolation(error, OPEN_ACCESS_INDEX)) throw error;
    refuseOpen(await openAccesses(s.db, reportId, staff.id));
    throw error;
  }
  return { state };
}

/**
 * A second investigator who can read the case approves or refuses a pending access. Not the requester
 * (403 own_request); only a pending one (409 not_pending, also when someone else decided first).
 */
export async function decideIdentity(s: Services, staff: StaffPrincipal, reportId: string, input: { accessId: string; decision: "approve" | "refuse" }) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const now = s.now();
  await s.db.transaction(async (tx) => {
    const [access] = await tx
      .select()
      .from(identityAccesses)
      .where(and(eq(identityAccesses.id, input.accessId), eq(identityAccesses.reportId, reportId)))
      .for("update");
    if (!access) throw new ApiError(404, "not_found", "no such request");
    if (access.staffUserId === staff.id) throw new ApiError(403, "own_request", "another investigator must decide your request");
    if (access.state !== "pending") throw new ApiError(409, "not_pending", "this request was decided already");
    const released = input.decision === "approve";
    await tx
      .update(identityAccesses)
      .set({ state: released ? "released" : "refused", decidedBy: staff.id, decidedAt: now, releasedOn: released ? today(s, now) : null })
      .where(eq(identityAccesses.id, access.id));
    const base = { actorType: "staff" as const, actorId: staff.id, reportId, caseNumber: report.caseNumber };
    const details = { accessId: access.id, reason: access.reasonCode, staffUserId: access.staffUserId };
    await appendAudit(tx, s, { ...base, action: released ? "identity.approved" : "identity.refused", details }, now);
    if (released) await appendAudit(tx, s, { ...base, action: "identity.released", details }, now);
  });
  return { state: input.decision === "approve" ? ("released" as const) : ("refused" as const) };
}

/** The releases the reporter is told of: the day and the reason code's words, never who or the free text. */
export async function reporterIdentityAccesses(db: Db, reportId: string) {
  const rows = await db
    .select({
      releasedOn: identityAccesses.releasedOn,
      reasonCode: identityAccesses.reasonCode,
      ko: identityAccesses.reasonLabelKo,
      en: identityAccesses.reasonLabelEn,
    })
    .from(identityAccesses)
    .where(and(eq(identityAccesses.reportId, reportId), eq(identityAccesses.state, "released")))
    .orderBy(asc(identityAccesses.releasedOn), asc(sql`coalesce(${identityAccesses.decidedAt}, ${identityAccesses.requestedAt})`));
  return rows.map((r) => ({ releasedOn: r.releasedOn!, reasonCode: r.reasonCode, label: { ko: r.ko, en: r.en } }));
}

/** Refuses (409 identity_not_accessed) an action that carries the identity by a caller it was not released to. */
export async function requireReleasedIdentity(s: Services, staffUserId: string, reportId: string): Promise<void> {
  const [report] = await s.db.select({ identity: reports.identityCt }).from(reports).where(eq(reports.id, reportId));
  if (report?.identity && !(await hasReleasedIdentity(s.db, staffUserId, reportId))) {
    throw new ApiError(409, "identity_not_accessed", "record a reason and open the reporter's identity first");
  }
}
