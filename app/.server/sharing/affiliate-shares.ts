// What an affiliate reviewer can reach: shares addressed to their own
// affiliate that are active and within retention, and of those only the ones
// they hold a key envelope for. Anything else is the same 404 as a share that
// does not exist. Every access is audited.
import { and, asc, eq } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { attachments, reports, shareAttachments, shareEnvelopes, shareFeedback, shares } from "../../../db/schema";
import { appendAudit, audit } from "../audit/audit";
import { attachmentBlob } from "../case-access/attachments";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { appendFeedback, feedbackView, shareExpired, shareRetention } from "./sharing";
import type { StaffPrincipal } from "../staff/auth";

const NO_SHARE = () => new ApiError(404, "not_found", "no such share");

function affiliateOf(reviewer: StaffPrincipal): string {
  // The role check happened in requireStaff; a reviewer always has an affiliate (database constraint).
  if (reviewer.role !== "affiliate" || !reviewer.affiliateId) throw new ApiError(403, "forbidden", "for affiliate reviewers only");
  return reviewer.affiliateId;
}

/** Active, unexpired shares of the reviewer's affiliate, marked with whether this reviewer holds a key yet. */
export async function listAffiliateShares(s: Services, reviewer: StaffPrincipal) {
  const affiliateId = affiliateOf(reviewer);
  const rows = await s.db
    .select({ share: shares, caseNumber: reports.caseNumber, closedOn: reports.closedOn, envelope: shareEnvelopes.staffUserId })
    .from(shares)
    .innerJoin(reports, eq(reports.id, shares.reportId))
    .leftJoin(shareEnvelopes, and(eq(shareEnvelopes.shareId, shares.id), eq(shareEnvelopes.staffUserId, reviewer.id)))
    .where(and(eq(shares.affiliateId, affiliateId), eq(shares.state, "active")))
    .orderBy(asc(shares.createdOn), asc(shares.id));
  const visible = rows.filter((r) => !shareExpired(s, r.share.retainUntil, r.closedOn));
  await audit(s.db, s, { actorType: "staff", actorId: reviewer.id, action: "share.listed", details: { count: visible.length } }, s.now());
  return visible.map((r) => ({
    id: r.share.id,
    caseNumber: r.caseNumber,
    version: r.share.version,
    purpose: r.share.purpose,
    items: r.share.items,
    sharedOn: r.share.createdOn,
    updatedOn: r.share.updatedOn,
    retentionOn: shareRetention(s, r.share.retainUntil, r.closedOn),
    hasKey: r.envelope !== null,
  }));
}

/** The share, if it is addressed to the reviewer's affiliate, active, within retention and keyed to them; 404 otherwise. */
export async function requireShareAccess(s: Services, reviewer: StaffPrincipal, shareId: string) {
  const affiliateId = affiliateOf(reviewer);
  const [row] = await s.db
    .select({ share: shares, report: { id: reports.id, caseNumber: reports.caseNumber, closedOn: reports.closedOn }, envelope: shareEnvelopes.envelope })
    .from(shares)
    .innerJoin(reports, eq(reports.id, shares.reportId))
    .innerJoin(shareEnvelopes, and(eq(shareEnvelopes.shareId, shares.id), eq(shareEnvelopes.staffUserId, reviewer.id)))
    .where(and(eq(shares.id, shareId), eq(shares.affiliateId, affiliateId), eq(shares.state, "active")));
  if (!row || !row.share.packageCt || shareExpired(s, row.share.retainUntil, row.report.closedOn)) throw NO_SHARE();
  return { ...row, packageCt: row.share.packageCt };
}

/** One share for its reviewer: ciphertext only (the browser decrypts), with the plaintext record of the provision. */
export async function affiliateShareView(s: Services, reviewer: StaffPrincipal, shareId: string) {
  const { share, report, envelope, packageCt } = await requireShareAccess(s, reviewer, shareId);
  const [files, feedback] = await Promise.all([
    s.db
      .select({ id: attachments.id, fileKey: shareAttachments.fileKeyCt, ciphertextBytes: attachments.ciphertextBytes })
      .from(shareAttachments)
      .innerJoin(attachments, eq(attachments.id, shareAttachments.attachmentId))
      .where(eq(shareAttachments.shareId, share.id))
      .orderBy(asc(attachments.addedOn), asc(attachments.id)),
    s.db.select().from(shareFeedback).where(eq(shareFeedback.shareId, share.id)).orderBy(asc(shareFeedback.createdAt), asc(shareFeedback.id)),
  ]);
  await s.db.transaction((tx) =>
    appendAudit(
      tx,
      s,
      {
        actorType: "staff",
        actorId: reviewer.id,
        action: "share.opened",
        reportId: report.id,
        caseNumber: report.caseNumber,
        details: { shareId: share.id, version: share.version },
      },
      s.now(),
    ),
  );
  return {
    id: share.id,
    caseNumber: report.caseNumber,
    version: share.version,
    purpose: share.purpose,
    items: share.items,
    legalBasis: share.legalBasis,
    sharedOn: share.createdOn,
    updatedOn: share.updatedOn,
    retentionOn: shareRetention(s, share.retainUntil, report.closedOn),
    envelope: toBase64Url(envelope),
    package: toBase64Url(packageCt),
    files: files.map((f) => ({ id: f.id, fileKey: toBase64Url(f.fileKey), ciphertextBytes: f.ciphertextBytes })),
    // Investigators appear as the ethics team, not by name: the affiliate needs no more.
    feedback: feedbackView(feedback).map((f) => ({ ...f, staffUserId: f.author === "affiliate" ? f.staffUserId : null })),
  };
}

/** The ciphertext of a file listed in the share; any other file of the case is a 404. */
export async function affiliateAttachment(s: Services, reviewer: StaffPrincipal, shareId: string, attachmentId: string) {
  const { share, report } = await requireShareAccess(s, reviewer, shareId);
  const [listed] = await s.db
    .select({ id: shareAttachments.attachmentId })
    .from(shareAttachments)
    .where(and(eq(shareAttachments.shareId, share.id), eq(shareAttachments.attachmentId, attachmentId)));
  if (!listed) throw new ApiError(404, "not_found", "no such attachment");
  const blob = await attachmentBlob(s, report.id, attachmentId);
  await audit(
    s.db,
    s,
    {
      actorType: "staff",
      actorId: reviewer.id,
      action: "share.downloaded",
      reportId: report.id,
      caseNumber: report.caseNumber,
      details: { shareId: share.id, attachmentId },
    },
    s.now(),
  );
  return blob;
}

export async function affiliateFeedback(s: Services, reviewer: StaffPrincipal, shareId: string, input: { id: string; body: Uint8Array }) {
  const { share, report } = await requireShareAccess(s, reviewer, shareId);
  await appendFeedback(s, share, report, { role: "affiliate", staffUserId: reviewer.id }, input);
}
