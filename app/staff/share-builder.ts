// Building a share with an affiliate in the investigator's browser: only the
// selected fields (already redacted) go into the package, which is encrypted
// under a fresh share key; the selected files' keys are re-wrapped under it;
// the share key is sealed to every active reviewer of the affiliate and
// wrapped under the case key for the investigators. Platform-independent: the
// case page and the tests use the same code.
import {
  decryptSharePackage,
  encryptFeedback,
  encryptSharePackage,
  fromBase64Url,
  generateFeedbackKey,
  generateShareKey,
  itemsOf,
  newRecordId,
  sealShareKey,
  toBase64Url,
  unwrapFeedbackKeyForCase,
  unwrapFileKey,
  unwrapShareKeyForCase,
  wrapFeedbackKeyForCase,
  wrapFileKeyForShare,
  wrapShareKeyForCase,
  type FeedbackKey,
  type ReportKeys,
  type SharePackage,
  type SharePurpose,
  type StaffPublicKey,
} from "../../crypto";
import { IntakeError } from "../shared/transport";
import type { StaffClient } from "./staff-client";

export interface Reviewer {
  id: string;
  displayName: string;
  publicKey: string;
}

export interface ShareSelection {
  affiliate: "cloud" | "agi";
  purpose: SharePurpose;
  purposeNote: string | null;
  retainUntil: string | null;
  fields: SharePackage["fields"];
  redacted: SharePackage["redacted"];
  /** Selected attachments with their metadata and file key as the case holds them (wrapped under the report key). */
  files: { id: string; name: string; type: string; size: number; fileKeyWrapped: string }[];
}

interface CaseRef {
  id: string;
  caseNumber: string;
}

/** An existing share being replaced by a new version: its id, version and feedback key (under the case key) stay. */
export interface ShareRef {
  id: string;
  version: number;
  feedbackKey: string;
}

function sealVersion(c: CaseRef, keys: ReportKeys, shareId: string, version: number, feedbackKey: FeedbackKey, sel: ShareSelection, reviewers: Reviewer[]) {
  const shareKey = generateShareKey();
  const pkg: SharePackage = {
    reportId: c.id,
    caseNumber: c.caseNumber,
    affiliate: sel.affiliate,
    version,
    purpose: sel.purpose,
    purposeNote: sel.purposeNote,
    fields: sel.fields,
    redacted: sel.redacted,
    files: sel.files.map(({ id, name, type, size }) => ({ id, name, type, size })),
    feedbackKey,
  };
  const body = {
    shareId,
    purpose: sel.purpose,
    retainUntil: sel.retainUntil,
    items: itemsOf(pkg),
    package: toBase64Url(encryptSharePackage(shareKey, shareId, pkg)),
    shareKey: toBase64Url(wrapShareKeyForCase(keys.caseKey, c.id, shareId, shareKey)),
    files: sel.files.map((f) => ({
      attachmentId: f.id,
      fileKey: toBase64Url(wrapFileKeyForShare(shareKey, shareId, f.id, unwrapFileKey(keys.reportKey, c.id, f.id, fromBase64Url(f.fileKeyWrapped)))),
    })),
    envelopes: reviewers.map((r) => ({
      staffUserId: r.id,
      envelope: toBase64Url(sealShareKey(shareKey, shareId, fromBase64Url(r.publicKey) as StaffPublicKey)),
    })),
  };
  shareKey.fill(0);
  return body;
}

const reviewersOf = (client: StaffClient, reportId: string, affiliate: string) =>
  client.get<Reviewer[]>(`/api/staff/cases/${reportId}/reviewers?affiliate=${affiliate}`);

/**
 * Seals with the current reviewer list; if it changed between fetching and posting, fetches it again once. An
 * affiliate without a reviewer is refused here, as the server would (409 no_reviewers): the request's schema takes
 * at least one envelope, so an empty list would come back only as a 400 that tells the investigator nothing.
 */
async function withReviewers<T>(client: StaffClient, reportId: string, affiliate: string, post: (reviewers: Reviewer[]) => Promise<T>): Promise<T> {
  const sealed = async () => {
    const reviewers = await reviewersOf(client, reportId, affiliate);
    if (reviewers.length === 0) throw new IntakeError("no_reviewers", "this affiliate has no active reviewer to share with", 409);
    return post(reviewers);
  };
  try {
    return await sealed();
  } catch (error) {
    if ((error as { code?: string }).code !== "reviewers_changed") throw error;
    return sealed();
  }
}

export function createShare(client: StaffClient, c: CaseRef, keys: ReportKeys, sel: ShareSelection): Promise<{ shareId: string; version: number }> {
  const shareId = newRecordId();
  const feedbackKey = generateFeedbackKey();
  const feedbackKeyCt = toBase64Url(wrapFeedbackKeyForCase(keys.caseKey, c.id, shareId, feedbackKey));
  return withReviewers(client, c.id, sel.affiliate, (reviewers) =>
    client.caseOp(c.id, "shares", { ...sealVersion(c, keys, shareId, 1, feedbackKey, sel, reviewers), affiliate: sel.affiliate, feedbackKey: feedbackKeyCt }),
  );
}

export function updateShare(
  client: StaffClient,
  c: CaseRef,
  keys: ReportKeys,
  share: ShareRef,
  sel: ShareSelection,
): Promise<{ shareId: string; version: number }> {
  const feedbackKey = unwrapFeedbackKeyForCase(keys.caseKey, c.id, share.id, fromBase64Url(share.feedbackKey));
  const version = share.version + 1;
  return withReviewers(client, c.id, sel.affiliate, (reviewers) =>
    client.caseOp(c.id, "share-update", { ...sealVersion(c, keys, share.id, version, feedbackKey, sel, reviewers), version }),
  );
}

/** What the investigators shared, read back with the share key they hold under the case key. */
export function openSharedPackage(
  keys: ReportKeys,
  reportId: string,
  share: { id: string; version: number; shareKey: string | null; package: string | null },
): SharePackage | null {
  if (!share.shareKey || !share.package) return null;
  const shareKey = unwrapShareKeyForCase(keys.caseKey, reportId, share.id, fromBase64Url(share.shareKey));
  return decryptSharePackage(shareKey, share.id, share.version, fromBase64Url(share.package));
}

/** Seals the current share key to a reviewer who joined the affiliate later. */
export function grantShare(client: StaffClient, reportId: string, keys: ReportKeys, share: { id: string; shareKey: string | null }, reviewer: Reviewer) {
  if (!share.shareKey) throw new Error("a revoked share cannot be granted");
  const shareKey = unwrapShareKeyForCase(keys.caseKey, reportId, share.id, fromBase64Url(share.shareKey));
  const envelope = sealShareKey(shareKey, share.id, fromBase64Url(reviewer.publicKey) as StaffPublicKey);
  shareKey.fill(0);
  return client.caseOp(reportId, "share-grant", { shareId: share.id, staffUserId: reviewer.id, envelope: toBase64Url(envelope) });
}

export function replyToFeedback(client: StaffClient, reportId: string, keys: ReportKeys, share: { id: string; feedbackKey: string }, text: string) {
  const feedbackKey = unwrapFeedbackKeyForCase(keys.caseKey, reportId, share.id, fromBase64Url(share.feedbackKey));
  const id = newRecordId();
  const body = toBase64Url(encryptFeedback(feedbackKey, share.id, id, { author: "investigator", text }));
  return client.caseOp(reportId, "share-feedback", { shareId: share.id, id, body });
}
