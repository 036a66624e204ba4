// An affiliate reviewer's browser: opens a share with the reviewer's private
// key (envelope -> share key -> package, file keys), decrypts its files as they
// stream and reads and writes the feedback thread. Nothing else of the case
// can be opened from here: the share key is the only key a reviewer gets.
import {
  AttachmentDecryptor,
  decryptFeedback,
  decryptSharePackage,
  encryptFeedback,
  fromBase64Url,
  isCryptoError,
  newRecordId,
  openShareKey,
  toBase64Url,
  unwrapFileKeyForShare,
  type FileKey,
  type ShareFeedback,
  type SharePackage,
  type StaffKeyPair,
} from "../../crypto";
import type { StaffCalls } from "../shared/transport";

/** What GET /api/affiliate/shares/:shareId returns (app/.server/sharing/affiliate-shares.ts). */
export interface AffiliateShareWire {
  id: string;
  caseNumber: string;
  version: number;
  purpose: string;
  items: string[];
  legalBasis: "consent" | "policy";
  sharedOn: string;
  updatedOn: string;
  retentionOn: string | null;
  envelope: string;
  package: string;
  files: { id: string; fileKey: string; ciphertextBytes: number }[];
  feedback: { id: string; author: "affiliate" | "investigator"; staffUserId: string | null; body: string; createdAt: string }[];
}

export interface OpenedShare {
  wire: AffiliateShareWire;
  pkg: SharePackage;
  fileKeys: Map<string, FileKey>;
  feedback: { id: string; author: "affiliate" | "investigator"; staffUserId: string | null; createdAt: string; text: string | null }[];
}

/** Opens a share; a damaged feedback entry shows as unreadable instead of hiding the rest. */
export function openShare(wire: AffiliateShareWire, keys: StaffKeyPair): OpenedShare {
  const shareKey = openShareKey(fromBase64Url(wire.envelope), wire.id, keys);
  const pkg = decryptSharePackage(shareKey, wire.id, wire.version, fromBase64Url(wire.package));
  const fileKeys = new Map(wire.files.map((f) => [f.id, unwrapFileKeyForShare(shareKey, wire.id, f.id, fromBase64Url(f.fileKey))]));
  shareKey.fill(0);
  const feedback = wire.feedback.map((f) => {
    let text: string | null = null;
    try {
      text = decryptFeedback(pkg.feedbackKey, wire.id, f.id, fromBase64Url(f.body), f.author).text;
    } catch (error) {
      if (!isCryptoError(error)) throw error;
    }
    return { id: f.id, author: f.author, staffUserId: f.staffUserId, createdAt: f.createdAt, text };
  });
  return { wire, pkg, fileKeys, feedback };
}

export function fetchShare(client: StaffCalls, shareId: string): Promise<AffiliateShareWire> {
  return client.get<AffiliateShareWire>(`/api/affiliate/shares/${shareId}`);
}

export function sendFeedback(client: StaffCalls, opened: OpenedShare, text: string) {
  const id = newRecordId();
  const feedback: ShareFeedback = { author: "affiliate", text };
  const body = toBase64Url(encryptFeedback(opened.pkg.feedbackKey, opened.wire.id, id, feedback));
  return client.post(`/api/affiliate/shares/${opened.wire.id}/feedback`, { id, body });
}

/** A shared file's decryptor; the stream's associated data binds it to its report and attachment. */
export function fileDecryptor(opened: OpenedShare, attachmentId: string): AttachmentDecryptor {
  const key = opened.fileKeys.get(attachmentId);
  if (!key) throw new Error("this file is not part of the share");
  return new AttachmentDecryptor(key, { reportId: opened.pkg.reportId, attachmentId });
}

export function downloadShared(client: StaffCalls, shareId: string, attachmentId: string): Promise<Response> {
  return client.raw(`/api/affiliate/shares/${shareId}/attachments/${attachmentId}`);
}
