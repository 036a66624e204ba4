// What investigators do about a case's life: legal holds, decisions on a
// reporter's deletion request, and moving a closed case's records into the
// separate archive. Each checks the investigator holds the case (else 404)
// and is audited in the transaction of the change.
//
// The archive must be sealed to exactly the active administrators: anyone else
// is 400 `not_admin`, a missing one 409 `admins_changed` (the browser fetches
// the list and seals again).
import { requireReleasedIdentity } from "../identity-access/identity-access";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { ARCHIVE_ENVELOPE_BYTES } from "../../../crypto/envelope";
import { archiveEnvelopes, archiveFiles, archives, attachments, legalHolds, privacyRequests } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { activeAdmins } from "../notifications/record";
import { requireCaseAccess } from "../case-access/case-access";
import { addMonths, today } from "../platform/dates";
import { ApiError } from "../platform/http";
import { checkRecord } from "../case-access/records";
import { activeHolds, deleteBlobs, destroyCase, destroyCaseTx } from "./retention";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

export type HoldReason = "litigation" | "regulatory_inquiry" | "law_enforcement" | "internal_investigation";

/** The statutory retention periods of the privacy policy, in months. */
export const RETENTION_BASES = {
  ecommerce_transactions: 60,
  ecommerce_complaints: 36,
  ecommerce_advertising: 6,
  national_tax: 60,
  electronic_financial: 60,
  communications_secrets: 3,
  credit_information: 36,
  value_added_tax: 60,
} as const;
export type RetentionBasis = keyof typeof RETENTION_BASES;

export async function placeHold(s: Services, staff: StaffPrincipal, reportId: string, reason: HoldReason) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const id = randomUUID();
  await s.db.transaction(async (tx) => {
    await tx.insert(legalHolds).values({ id, reportId, reason, placedOn: today(s), placedBy: staff.id });
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "hold.placed", reportId, caseNumber: report.caseNumber, details: { holdId: id, reason } },
      s.now(),
    );
  });
  return { holdId: id };
}

export async function liftHold(s: Services, staff: StaffPrincipal, reportId: string, holdId: string): Promise<void> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  await s.db.transaction(async (tx) => {
    const done = await tx
      .update(legalHolds)
      .set({ liftedOn: today(s), liftedBy: staff.id })
      .where(and(eq(legalHolds.id, holdId), eq(legalHolds.reportId, reportId)))
      .returning({ liftedOn: legalHolds.liftedOn });
    if (done.length === 0) throw new ApiError(404, "not_found", "no such hold on this case");
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: staff.id, action: "hold.lifted", reportId, caseNumber: report.caseNumber, details: { holdId } },
      s.now(),
    );
  });
}

export async function caseHolds(s: Services, reportId: string) {
  return s.db.select().from(legalHolds).where(eq(legalHolds.reportId, reportId)).orderBy(legalHolds.placedOn);
}

/**
 * Decides a reporter's deletion request. Granting destroys the case at once,
 * unless a legal hold is active: then the request is answered as refused
 * because of the hold, which the reporter is shown. Refusing needs the statute
 * that requires keeping the records.
 */
export async function decideDeletion(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: { requestId: string; decision: "grant" | "refuse"; basis?: RetentionBasis },
): Promise<{ outcome: "granted" | "refused"; reason?: "legal_hold" | "legal_retention" }> {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const [request] = await s.db
    .select()
    .from(privacyRequests)
    .where(
      and(
        eq(privacyRequests.id, input.requestId),
        eq(privacyRequests.reportId, reportId),
        eq(privacyRequests.kind, "deletion"),
        eq(privacyRequests.state, "open"),
      ),
    );
  if (!request) throw new ApiError(404, "not_found", "no open deletion request with this id in this case");
  if (input.decision === "refuse" && !input.basis) throw new ApiError(400, "basis_required", "a refusal names the statute that requires keeping the records");
  const refuse = async (reason: "legal_hold" | "legal_retention", basis: string | null) => {
    await s.db.transaction(async (tx) => {
      await tx
        .update(privacyRequests)
        .set({ state: "answered", answeredOn: today(s), answeredBy: staff.id, outcome: "refused", refusalReason: reason, refusalBasis: basis })
        .where(eq(privacyRequests.id, request.id));
      await appendAudit(
        tx,
        s,
        {
          actorType: "staff",
          actorId: staff.id,
          action: "privacy.deletion_refused",
          reportId,
          caseNumber: report.caseNumber,
          details: { requestId: request.id, reason, basis },
        },
        s.now(),
      );
    });
    return { outcome: "refused" as const, reason };
  };
  if (input.decision === "refuse") return refuse("legal_retention", input.basis!);
  if ((await activeHolds(s, reportId)).length > 0) return refuse("legal_hold", null);
  // The decision is audited before the case (and the request with it) is gone.
  await s.db.transaction((tx) =>
    appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "privacy.deletion_granted",
        reportId,
        caseNumber: report.caseNumber,
        details: { requestId: request.id },
      },
      s.now(),
    ),
  );
  const destroyed = await destroyCase(s, report, "deletion_request", { type: "staff", id: staff.id });
  // A hold placed between the check and the destruction wins.
  if (!destroyed) return refuse("legal_hold", null);
  return { outcome: "granted" };
}

export interface ArchiveInput {
  archiveId: string;
  basis: RetentionBasis;
  package: Uint8Array;
  files: { attachmentId: string; fileKey: Uint8Array }[];
  envelopes: { staffUserId: string; envelope: Uint8Array }[];
}

/**
 * Moves a closed case into the archive: the package the investigator's browser
 * built, sealed to exactly the active administrators, kept until the statute's
 * period has passed; then the case itself is destroyed in the same transaction
 * (its files' blobs stay, now the archive's).
 */
export async function archiveCase(s: Services, staff: StaffPrincipal, reportId: string, input: ArchiveInput) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  if (report.status !== "closed") throw new ApiError(409, "not_closed", "only a closed case can be archived");
  if ((await activeHolds(s, reportId)).length > 0) throw new ApiError(409, "legal_hold", "a case under a legal hold stays in the workspace");
  checkRecord("package", input.package, "archive-package");
  for (const [i, f] of input.files.entries()) checkRecord(`files.${i}.fileKey`, f.fileKey, "archive-file-key");
  // The archive keeps the identity, so the archiver must have opened it with a recorded reason (ADR 052).
  await requireReleasedIdentity(s, staff.id, reportId);
  const caseFiles = await s.db.select().from(attachments).where(eq(attachments.reportId, reportId));
  const listed = new Set(input.files.map((f) => f.attachmentId));
  if (listed.size !== input.files.length || listed.size !== caseFiles.length || caseFiles.some((a) => !listed.has(a.id))) {
    throw new ApiError(400, "bad_files", "the archive must hold every file of the case, once");
  }
  const admins = new Set((await activeAdmins(s.db)).map((a) => a.id));
  if (admins.size === 0) throw new ApiError(409, "no_admins", "there is no active administrator to read the archive");
  const to = new Set(input.envelopes.map((e) => e.staffUserId));
  if ([...to].some((id) => !admins.has(id))) throw new ApiError(400, "not_admin", "an archive key is addressed to somebody who is not an active administrator");
  if (to.size !== admins.size || to.size !== input.envelopes.length)
    throw new ApiError(409, "admins_changed", "the administrators changed; seal the archive again");
  for (const e of input.envelopes)
    if (e.envelope.length !== ARCHIVE_ENVELOPE_BYTES || e.envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", "not an archive envelope");
  const day = today(s);
  const retainUntil = addMonths(day, RETENTION_BASES[input.basis]);
  const keys = await s.db.transaction(async (tx) => {
    await tx.insert(archives).values({
      id: input.archiveId,
      caseNumber: report.caseNumber,
      legalBasis: input.basis,
      archivedOn: day,
      archivedBy: staff.id,
      retainUntil,
      packageCt: input.package,
    });
    await tx
      .insert(archiveEnvelopes)
      .values(input.envelopes.map((e) => ({ archiveId: input.archiveId, staffUserId: e.staffUserId, envelope: e.envelope, grantedOn: day })));
    if (caseFiles.length > 0) {
      const byId = new Map(caseFiles.map((a) => [a.id, a]));
      await tx.insert(archiveFiles).values(
        input.files.map((f) => ({
          archiveId: input.archiveId,
          fileId: f.attachmentId,
          blobKey: byId.get(f.attachmentId)!.blobKey,
          ciphertextBytes: byId.get(f.attachmentId)!.ciphertextBytes,
          fileKeyCt: f.fileKey,
        })),
      );
    }
    await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: staff.id,
        action: "case.archived",
        reportId,
        caseNumber: report.caseNumber,
        details: { archiveId: input.archiveId, basis: input.basis, retainUntil },
      },
      s.now(),
    );
    return destroyCaseTx(tx, s, report, "archived", { type: "staff", id: staff.id });
  });
  await deleteBlobs(s, keys);
  return { archiveId: input.archiveId, retainUntil };
}
