// Sharing parts of a case with an affiliate, from the investigators' side.
// The browser builds and encrypts the package (crypto/share.ts); the server
// checks what it can without reading it: the case is the investigator's, the
// envelopes go to exactly the active reviewers of the chosen affiliate and to
// nobody else, identity items only with the reporter's consent, files only of
// this case. Every version is recorded as a provision; every action is audited
// in the same transaction.
import { randomUUID } from "node:crypto";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { SHARE_ENVELOPE_BYTES } from "../../../crypto/envelope";
import { toBase64Url } from "../../../crypto/encoding";
import { hasReleasedIdentity, requireReleasedIdentity } from "../identity-access/identity-access";
import { IDENTITY_ITEMS, type ShareItem, type SharePurpose } from "../../../crypto/share";
import { affiliates, attachments, reports, shareAttachments, shareEnvelopes, shareFeedback, shareProvisions, shares, staffUsers } from "../../../db/schema";
import type { ShareFeedback } from "../../shared/wire";
import type { CaseProvision, CaseShare } from "../../staff/wire";
import { appendAudit, type AuditAction, type AuditEntry } from "../audit/audit";
import { requireCaseAccess } from "../case-access/case-access";
import { addMonths, today } from "../platform/dates";
import { ApiError } from "../platform/http";
import { checkRecord } from "../case-access/records";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";
import { kickStaffNotifications } from "../notifications/outbox";
import { notifyStaff } from "../notifications/record";

type Tx = Parameters<Parameters<Services["db"]["transaction"]>[0]>[0];
type Report = typeof reports.$inferSelect;
type Share = typeof shares.$inferSelect;

const NO_SHARE = () => new ApiError(404, "not_found", "no such share");

/** The last day a share may be read: the earlier of its own date and RETENTION_YEARS after the case closed. */
export function shareRetention(s: Services, retainUntil: string | null, closedOn: string | null): string | null {
  const byCase = closedOn ? addMonths(closedOn, 12 * s.config.RETENTION_YEARS) : null;
  if (retainUntil && byCase) return retainUntil < byCase ? retainUntil : byCase;
  return retainUntil ?? byCase;
}

export function shareExpired(s: Services, retainUntil: string | null, closedOn: string | null): boolean {
  const last = shareRetention(s, retainUntil, closedOn);
  return last !== null && last < today(s);
}

export async function affiliateBySlug(s: Services, slug: string) {
  // A slug is a short lower-case word; anything else (a NUL would be a database error) names no affiliate.
  if (!/^[a-z0-9-]{1,40}$/.test(slug)) throw new ApiError(400, "unknown_affiliate", "no such affiliate");
  const [row] = await s.db.select().from(affiliates).where(eq(affiliates.slug, slug));
  if (!row) throw new ApiError(400, "unknown_affiliate", "no such affiliate");
  return row;
}

/** Active reviewers of an affiliate: the people a share's key is sealed to. */
export async function activeReviewers(s: Services, affiliateId: string) {
  return s.db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, publicKey: staffUsers.publicKey })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "affiliate"), eq(staffUsers.affiliateId, affiliateId), eq(staffUsers.status, "active")))
    .orderBy(asc(staffUsers.displayName));
}

export async function reviewersForCase(s: Services, staff: StaffPrincipal, reportId: string, slug: string) {
  await requireCaseAccess(s, staff.id, { id: reportId });
  const affiliate = await affiliateBySlug(s, slug);
  return (await activeReviewers(s, affiliate.id)).map((r) => ({ id: r.id, displayName: r.displayName, publicKey: toBase64Url(r.publicKey) }));
}

export interface ShareVersionInput {
  shareId: string;
  purpose: SharePurpose;
  retainUntil: string | null;
  items: ShareItem[];
  package: Uint8Array;
  shareKey: Uint8Array;
  files: { attachmentId: string; fileKey: Uint8Array }[];
  envelopes: { staffUserId: string; envelope: Uint8Array }[];
}

/** Everything the server can check of a version without reading it; returns the legal basis. */
async function checkVersion(s: Services, staff: StaffPrincipal, report: Report, affiliateId: string, input: ShareVersionInput): Promise<"consent" | "policy"> {
  checkRecord("package", input.package, "share-package");
  checkRecord("shareKey", input.shareKey, "share-key");
  for (const [i, f] of input.files.entries()) checkRecord(`files.${i}.fileKey`, f.fileKey, "share-file-key");
  if (new Set(input.items).size !== input.items.length) throw new ApiError(400, "bad_items", "an item is listed twice");
  if (input.items.includes("attachments") !== input.files.length > 0) {
    throw new ApiError(400, "bad_items", "the attachments item and the list of files disagree");
  }
  const identity = input.items.some((i) => IDENTITY_ITEMS.includes(i));
  if (identity && !(report.consentAffiliateIdentity && report.identityCt)) {
    throw new ApiError(403, "no_identity_consent", "the reporter did not consent to sharing their identity with the affiliates");
  }
  // Consent is not enough: the investigator who shares it must have opened it with a recorded reason (ADR 052).
  if (identity) await requireReleasedIdentity(s, staff.id, report.id);
  const ids = input.files.map((f) => f.attachmentId);
  if (new Set(ids).size !== ids.length) throw new ApiError(400, "bad_files", "a file is listed twice");
  if (ids.length > 0) {
    const own = await s.db
      .select({ id: attachments.id })
      .from(attachments)
      .where(and(eq(attachments.reportId, report.id), inArray(attachments.id, ids)));
    if (own.length !== ids.length) throw new ApiError(400, "bad_files", "a file does not belong to this case");
  }
  const last = shareRetention(s, null, report.closedOn);
  if (input.retainUntil !== null && (input.retainUntil < today(s) || (last !== null && input.retainUntil > last))) {
    throw new ApiError(400, "bad_retention", "the retention date must be between today and the case's own retention date");
  }
  for (const e of input.envelopes) {
    if (e.envelope.length !== SHARE_ENVELOPE_BYTES || e.envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", "not a share envelope");
  }
  const reviewers = new Set((await activeReviewers(s, affiliateId)).map((r) => r.id));
  if (reviewers.size === 0) throw new ApiError(409, "no_reviewers", "this affiliate has no active reviewer to share with");
  const to = new Set(input.envelopes.map((e) => e.staffUserId));
  if (to.size !== input.envelopes.length) throw new ApiError(400, "bad_envelopes", "a reviewer is listed twice");
  // Never a key for anybody outside the affiliate, whatever the browser sent.
  if ([...to].some((id) => !reviewers.has(id)))
    throw new ApiError(400, "not_reviewer", "a key is addressed to somebody who is not an active reviewer of this affiliate");
  if (to.size !== reviewers.size) throw new ApiError(409, "reviewers_changed", "the affiliate's reviewers changed; seal the share again");
  return identity ? "consent" : "policy";
}

async function writeVersion(tx: Tx, s: Services, shareId: string, input: ShareVersionInput): Promise<void> {
  const day = today(s);
  await tx.insert(shareEnvelopes).values(input.envelopes.map((e) => ({ shareId, staffUserId: e.staffUserId, envelope: e.envelope, grantedOn: day })));
  if (input.files.length > 0) {
    await tx.insert(shareAttachments).values(input.files.map((f) => ({ shareId, attachmentId: f.attachmentId, fileKeyCt: f.fileKey })));
  }
}

async function recordProvision(
  tx: Tx,
  s: Services,
  share: { id: string; reportId: string; affiliateId: string; version: number },
  input: ShareVersionInput,
  legalBasis: "consent" | "policy",
  staff: StaffPrincipal,
) {
  await tx.insert(shareProvisions).values({
    id: randomUUID(),
    shareId: share.id,
    reportId: share.reportId,
    affiliateId: share.affiliateId,
    version: share.version,
    items: input.items,
    purpose: input.purpose,
    legalBasis,
    retainUntil: input.retainUntil,
    providedOn: today(s),
    providedBy: staff.id,
  });
}

async function endProvision(tx: Tx, s: Services, shareId: string, reason: "superseded" | "revoked") {
  await tx
    .update(shareProvisions)
    .set({ endedOn: today(s), endReason: reason })
    .where(and(eq(shareProvisions.shareId, shareId), sql`${shareProvisions.endedOn} is null`));
}

const shareAudit = (staff: StaffPrincipal, report: Report, action: AuditAction, details: AuditEntry["details"]): AuditEntry => ({
  actorType: "staff",
  actorId: staff.id,
  action,
  reportId: report.id,
  caseNumber: report.caseNumber,
  details,
});

export async function createShare(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: ShareVersionInput & { affiliate: "cloud" | "agi"; feedbackKey: Uint8Array },
) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  checkRecord("feedbackKey", input.feedbackKey, "share-feedback-key");
  const affiliate = await affiliateBySlug(s, input.affiliate);
  const legalBasis = await checkVersion(s, staff, report, affiliate.id, input);
  const day = today(s);
  await s.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(shares)
      .values({
        id: input.shareId,
        reportId,
        affiliateId: affiliate.id,
        version: 1,
        purpose: input.purpose,
        items: input.items,
        legalBasis,
        retainUntil: input.retainUntil,
        createdOn: day,
        createdBy: staff.id,
        updatedOn: day,
        packageCt: input.package,
        shareKeyCt: input.shareKey,
        feedbackKeyCt: input.feedbackKey,
      })
      .onConflictDoNothing()
      .returning({ id: shares.id });
    if (inserted.length === 0) throw new ApiError(409, "share_exists", "a share with this id exists already");
    await writeVersion(tx, s, input.shareId, input);
    await recordProvision(tx, s, { id: input.shareId, reportId, affiliateId: affiliate.id, version: 1 }, input, legalBasis, staff);
    await appendAudit(
      tx,
      s,
      shareAudit(staff, report, "share.created", { shareId: input.shareId, affiliate: input.affiliate, items: input.items.join(","), legalBasis }),
      s.now(),
    );
    const reviewers = input.envelopes.map((e) => e.staffUserId);
    await notifyStaff(tx, s, { event: "share_new", staffUserIds: reviewers, reportId, shareId: input.shareId, dedupeKey: `share_new:${input.shareId}` });
  });
  kickStaffNotifications(s);
  return { shareId: input.shareId, version: 1 };
}

async function requireOwnShare(s: Services, staff: StaffPrincipal, reportId: string, shareId: string) {
  const { report } = await requireCaseAccess(s, staff.id, { id: reportId });
  const [share] = await s.db
    .select()
    .from(shares)
    .where(and(eq(shares.id, shareId), eq(shares.reportId, reportId)));
  if (!share) throw NO_SHARE();
  return { report, share };
}

function requireActive(share: Share): void {
  if (share.state !== "active") throw new ApiError(409, "share_revoked", "this share was revoked");
}

/** A new version replaces the old one: its envelopes, file keys and package are destroyed in the same transaction. */
export async function updateShare(s: Services, staff: StaffPrincipal, reportId: string, input: ShareVersionInput & { version: number }) {
  const { report, share } = await requireOwnShare(s, staff, reportId, input.shareId);
  requireActive(share);
  const legalBasis = await checkVersion(s, staff, report, share.affiliateId, input);
  await s.db.transaction(async (tx) => {
    const done = await tx
      .update(shares)
      .set({
        version: input.version,
        purpose: input.purpose,
        items: input.items,
        legalBasis,
        retainUntil: input.retainUntil,
        updatedOn: today(s),
        packageCt: input.package,
        shareKeyCt: input.shareKey,
      })
      .where(and(eq(shares.id, share.id), eq(shares.state, "active"), eq(shares.version, input.version - 1)))
      .returning({ id: shares.id });
    if (done.length === 0) throw new ApiError(409, "changed", "the share changed meanwhile; reload the case");
    await tx.delete(shareEnvelopes).where(eq(shareEnvelopes.shareId, share.id));
    await tx.delete(shareAttachments).where(eq(shareAttachments.shareId, share.id));
    await writeVersion(tx, s, share.id, input);
    await endProvision(tx, s, share.id, "superseded");
    await recordProvision(tx, s, { ...share, version: input.version }, input, legalBasis, staff);
    await appendAudit(
      tx,
      s,
      shareAudit(staff, report, "share.updated", { shareId: share.id, version: input.version, items: input.items.join(","), legalBasis }),
      s.now(),
    );
    const reviewers = input.envelopes.map((e) => e.staffUserId);
    await notifyStaff(tx, s, {
      event: "share_updated",
      staffUserIds: reviewers,
      reportId,
      shareId: share.id,
      dedupeKey: `share_updated:${share.id}:${input.version}`,
    });
  });
  kickStaffNotifications(s);
  return { shareId: share.id, version: input.version };
}

/** Destroys what the affiliate could read (envelopes, file keys, package); the provision record and feedback stay for the investigators. */
export async function revokeShare(s: Services, staff: StaffPrincipal, reportId: string, shareId: string): Promise<void> {
  const { report, share } = await requireOwnShare(s, staff, reportId, shareId);
  requireActive(share);
  await s.db.transaction(async (tx) => {
    await tx.delete(shareEnvelopes).where(eq(shareEnvelopes.shareId, shareId));
    await tx.delete(shareAttachments).where(eq(shareAttachments.shareId, shareId));
    await tx
      .update(shares)
      .set({ state: "revoked", revokedOn: today(s), updatedOn: today(s), packageCt: null, shareKeyCt: null })
      .where(eq(shares.id, shareId));
    await endProvision(tx, s, shareId, "revoked");
    await appendAudit(tx, s, shareAudit(staff, report, "share.revoked", { shareId }), s.now());
  });
}

/** A reviewer who joined the affiliate after the share was made gets the key sealed by an investigator's browser. */
export async function grantShare(
  s: Services,
  staff: StaffPrincipal,
  reportId: string,
  input: { shareId: string; staffUserId: string; envelope: Uint8Array },
): Promise<void> {
  const { report, share } = await requireOwnShare(s, staff, reportId, input.shareId);
  requireActive(share);
  if (input.envelope.length !== SHARE_ENVELOPE_BYTES || input.envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", "not a share envelope");
  const reviewers = await activeReviewers(s, share.affiliateId);
  if (!reviewers.some((r) => r.id === input.staffUserId))
    throw new ApiError(400, "not_reviewer", "access can be given to active reviewers of the share's affiliate only");
  await s.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(shareEnvelopes)
      .values({ shareId: share.id, staffUserId: input.staffUserId, envelope: input.envelope, grantedOn: today(s) })
      .onConflictDoNothing()
      .returning({ id: shareEnvelopes.staffUserId });
    if (inserted.length === 0) throw new ApiError(409, "already_granted", "this reviewer already has access");
    await appendAudit(tx, s, shareAudit(staff, report, "share.granted", { shareId: share.id, granteeId: input.staffUserId }), s.now());
    // To the late reviewer the share is new.
    await notifyStaff(tx, s, { event: "share_new", staffUserIds: [input.staffUserId], reportId, shareId: share.id, dedupeKey: `share_new:${share.id}` });
  });
  kickStaffNotifications(s);
}

/** Appends feedback to a share's thread; ids come from the writer, who bound them into the ciphertext. */
export async function appendFeedback(
  s: Services,
  share: Share,
  report: Pick<Report, "id" | "caseNumber">,
  author: { role: "affiliate" | "investigator"; staffUserId: string },
  input: { id: string; body: Uint8Array },
): Promise<void> {
  checkRecord("body", input.body, "share-feedback");
  await s.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(shareFeedback)
      .values({ id: input.id, shareId: share.id, author: author.role, staffUserId: author.staffUserId, bodyCt: input.body, createdAt: s.now() })
      .onConflictDoNothing()
      .returning({ id: shareFeedback.id });
    if (inserted.length === 0) {
      const [existing] = await tx.select().from(shareFeedback).where(eq(shareFeedback.id, input.id));
      // A retry of the same post is fine; reusing an id for something else is not.
      if (existing?.shareId === share.id && existing.staffUserId === author.staffUserId) return;
      throw new ApiError(409, "id_taken", "this feedback id is taken");
    }
    await appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: author.staffUserId,
        action: "share.feedback",
        reportId: report.id,
        caseNumber: report.caseNumber,
        details: { shareId: share.id, author: author.role },
      },
      s.now(),
    );
  });
}

export async function investigatorFeedback(s: Services, staff: StaffPrincipal, reportId: string, input: { shareId: string; id: string; body: Uint8Array }) {
  const { report, share } = await requireOwnShare(s, staff, reportId, input.shareId);
  await appendFeedback(s, share, report, { role: "investigator", staffUserId: staff.id }, input);
}

export function feedbackView(rows: (typeof shareFeedback.$inferSelect)[]): ShareFeedback[] {
  return rows.map((f) => ({ id: f.id, author: f.author, staffUserId: f.staffUserId, body: toBase64Url(f.bodyCt), createdAt: f.createdAt.toISOString() }));
}

/** Whether a share's current version carries any of the reporter's contact details. */
const carriesIdentity = (items: readonly string[]) => items.some((i) => IDENTITY_ITEMS.includes(i as ShareItem));

/**
 * The shares of a case as one investigator sees them: state, keys (under the case key), who holds access, feedback.
 * A share carrying the identity keeps its package and key from a caller the identity was not released to (ADR 052):
 * the key is under the case key, so sending it would show the identity with no recorded reason.
 */
export async function caseShares(s: Services, callerId: string, report: Pick<Report, "id" | "closedOn">): Promise<CaseShare[]> {
  const rows = await s.db
    .select({ share: shares, affiliate: affiliates.slug })
    .from(shares)
    .innerJoin(affiliates, eq(affiliates.id, shares.affiliateId))
    .where(eq(shares.reportId, report.id))
    .orderBy(asc(shares.createdOn), asc(shares.id));
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.share.id);
  const [holders, files, feedback] = await Promise.all([
    s.db
      .select({ shareId: shareEnvelopes.shareId, id: staffUsers.id, displayName: staffUsers.displayName })
      .from(shareEnvelopes)
      .innerJoin(staffUsers, eq(staffUsers.id, shareEnvelopes.staffUserId))
      .where(inArray(shareEnvelopes.shareId, ids)),
    s.db
      .select({ shareId: shareAttachments.shareId, attachmentId: shareAttachments.attachmentId })
      .from(shareAttachments)
      .where(inArray(shareAttachments.shareId, ids)),
    s.db.select().from(shareFeedback).where(inArray(shareFeedback.shareId, ids)).orderBy(asc(shareFeedback.createdAt), asc(shareFeedback.id)),
  ]);
  const mayOpenIdentity = rows.some((r) => carriesIdentity(r.share.items)) && (await hasReleasedIdentity(s.db, callerId, report.id));
  const reviewersByAffiliate = new Map<string, Awaited<ReturnType<typeof activeReviewers>>>();
  for (const { share } of rows) {
    if (!reviewersByAffiliate.has(share.affiliateId)) reviewersByAffiliate.set(share.affiliateId, await activeReviewers(s, share.affiliateId));
  }
  return rows.map(({ share, affiliate }) => {
    const holding = holders.filter((h) => h.shareId === share.id);
    const retention = shareRetention(s, share.retainUntil, report.closedOn);
    const withheld = share.packageCt !== null && carriesIdentity(share.items) && !mayOpenIdentity;
    return {
      id: share.id,
      affiliate,
      version: share.version,
      state: share.state,
      expired: share.state === "active" && shareExpired(s, share.retainUntil, report.closedOn),
      purpose: share.purpose,
      items: share.items,
      legalBasis: share.legalBasis,
      retainUntil: share.retainUntil,
      retentionOn: retention,
      createdOn: share.createdOn,
      updatedOn: share.updatedOn,
      revokedOn: share.revokedOn,
      package: share.packageCt && !withheld ? toBase64Url(share.packageCt) : null,
      shareKey: share.shareKeyCt && !withheld ? toBase64Url(share.shareKeyCt) : null,
      identityWithheld: withheld,
      feedbackKey: toBase64Url(share.feedbackKeyCt),
      attachmentIds: files.filter((f) => f.shareId === share.id).map((f) => f.attachmentId),
      holders: holding.map((h) => ({ id: h.id, displayName: h.displayName })),
      awaiting:
        share.state === "active"
          ? (reviewersByAffiliate.get(share.affiliateId) ?? [])
              .filter((r) => !holding.some((h) => h.id === r.id))
              .map((r) => ({ id: r.id, displayName: r.displayName, publicKey: toBase64Url(r.publicKey) }))
          : [],
      feedback: feedbackView(feedback.filter((f) => f.shareId === share.id)),
    };
  });
}

/** Provision records of a case: what the reporter's right of access shows, and the investigators' record. */
export async function caseProvisions(s: Services, reportId: string): Promise<CaseProvision[]> {
  const rows = await s.db
    .select({ p: shareProvisions, affiliate: affiliates.slug })
    .from(shareProvisions)
    .innerJoin(affiliates, eq(affiliates.id, shareProvisions.affiliateId))
    .where(eq(shareProvisions.reportId, reportId))
    .orderBy(asc(shareProvisions.providedOn), asc(shareProvisions.version));
  return rows.map(({ p, affiliate }) => ({
    affiliate,
    version: p.version,
    items: p.items,
    purpose: p.purpose,
    legalBasis: p.legalBasis,
    retainUntil: p.retainUntil,
    providedOn: p.providedOn,
    providedBy: p.providedBy,
    endedOn: p.endedOn,
    endReason: p.endReason,
  }));
}
