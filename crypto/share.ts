// Sharing parts of a case with an affiliate (OKESTRO Cloud, OKESTRO AGI).
// The investigator's browser copies the selected, already redacted fields into
// a share package and encrypts it under a fresh share key; the keys of the
// selected files are wrapped under the same key; the share key is sealed to
// each reviewer of the affiliate (envelope kind 0x02) and wrapped under the
// case-internal key for investigators. A reviewer's keys reach nothing else:
// not the report key, not the case key, not unselected fields or files.
// Feedback has its own key, stable across versions of the share, carried in
// every package and wrapped under the case key.
import { decryptJson, decryptRecord, encryptJson, encryptRecord } from "./aead";
import { fromBase64Url, toBase64Url } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { CaseKey, FeedbackKey, FileKey, RecordCiphertext, ShareKey } from "./types";

/** What a share can hold; identity items only with the reporter's consent. */
export const SHARE_ITEMS = ["title", "category", "description", "details", "period", "attachments", "name", "email", "phone"] as const;
export type ShareItem = (typeof SHARE_ITEMS)[number];
export const IDENTITY_ITEMS: readonly ShareItem[] = ["name", "email", "phone"];

export const SHARE_PURPOSES = ["fact_finding", "corrective_action", "legal_review", "related_matter"] as const;
export type SharePurpose = (typeof SHARE_PURPOSES)[number];

export interface SharedFile {
  id: string;
  name: string;
  type: string;
  size: number;
}

/** The decrypted package as a reviewer reads it. Absent fields were not shared. */
export interface SharePackage {
  reportId: string;
  caseNumber: string;
  affiliate: string;
  version: number;
  purpose: SharePurpose;
  purposeNote: string | null;
  fields: {
    title?: string;
    category?: { ko: string; en: string };
    description?: string;
    details?: string;
    period?: { from: string | null; to: string | null };
    name?: string | null;
    email?: string | null;
    phone?: string | null;
  };
  /** Text fields in which the investigator redacted passages before encrypting. */
  redacted: ("title" | "description" | "details")[];
  files: SharedFile[];
  feedbackKey: FeedbackKey;
}

export type FeedbackAuthor = "affiliate" | "investigator";
export interface ShareFeedback {
  author: FeedbackAuthor;
  text: string;
}

export function generateShareKey(): ShareKey {
  return sodiumNow().crypto_aead_xchacha20poly1305_ietf_keygen() as ShareKey;
}

export function generateFeedbackKey(): FeedbackKey {
  return sodiumNow().crypto_aead_xchacha20poly1305_ietf_keygen() as FeedbackKey;
}

/** The items a package holds, in SHARE_ITEMS order: what the provision record lists. */
export function itemsOf(pkg: Pick<SharePackage, "fields" | "files">): ShareItem[] {
  return SHARE_ITEMS.filter((item) => (item === "attachments" ? pkg.files.length > 0 : pkg.fields[item] !== undefined));
}

export function encryptSharePackage(key: ShareKey, shareId: string, pkg: SharePackage): RecordCiphertext {
  return encryptJson(key, { purpose: "share-package", id: shareId, subId: String(pkg.version) }, { ...pkg, feedbackKey: toBase64Url(pkg.feedbackKey) });
}

const isText = (v: unknown): v is string => typeof v === "string";
const isNullableText = (v: unknown): v is string | null => v === null || typeof v === "string";

/** Decrypts and checks the shape of a package; version is bound by the associated data. */
export function decryptSharePackage(key: ShareKey, shareId: string, version: number, ct: Uint8Array): SharePackage {
  const o = decryptJson(key, { purpose: "share-package", id: shareId, subId: String(version) }, ct) as Record<string, unknown> | null;
  const fields = (o?.fields ?? null) as Record<string, unknown> | null;
  const files = o?.files;
  const ok =
    o !== null &&
    isText(o.reportId) &&
    isText(o.caseNumber) &&
    isText(o.affiliate) &&
    o.version === version &&
    (SHARE_PURPOSES as readonly unknown[]).includes(o.purpose) &&
    isNullableText(o.purposeNote) &&
    isText(o.feedbackKey) &&
    Array.isArray(o.redacted) &&
    o.redacted.every((r) => r === "title" || r === "description" || r === "details") &&
    fields !== null &&
    typeof fields === "object" &&
    !Array.isArray(fields) &&
    Object.keys(fields).every((k) => (SHARE_ITEMS as readonly string[]).includes(k) && k !== "attachments") &&
    ["title", "description", "details"].every((k) => fields[k] === undefined || isText(fields[k])) &&
    ["name", "email", "phone"].every((k) => fields[k] === undefined || isNullableText(fields[k])) &&
    Array.isArray(files) &&
    files.every((f: Record<string, unknown>) => isText(f?.id) && isText(f.name) && isText(f.type) && Number.isSafeInteger(f.size));
  if (!ok) throw new CryptoError("bad_format", "share package has the wrong shape");
  const feedbackKey = fromBase64Url(o.feedbackKey as string);
  if (feedbackKey.length !== 32) throw new CryptoError("bad_key", "feedback key has the wrong length");
  return { ...(o as unknown as SharePackage), feedbackKey: feedbackKey as FeedbackKey };
}

function expect32<K extends Uint8Array>(key: Uint8Array, what: string): K {
  if (key.length !== 32) throw new CryptoError("bad_key", `${what} has the wrong length`);
  return key as K;
}

/** The share key for investigators, under the case-internal key: they re-seal it for late reviewers. */
export function wrapShareKeyForCase(caseKey: CaseKey, reportId: string, shareId: string, key: ShareKey): RecordCiphertext {
  return encryptRecord(caseKey, { purpose: "share-key", id: reportId, subId: shareId }, key);
}

export function unwrapShareKeyForCase(caseKey: CaseKey, reportId: string, shareId: string, ct: Uint8Array): ShareKey {
  return expect32<ShareKey>(decryptRecord(caseKey, { purpose: "share-key", id: reportId, subId: shareId }, ct), "share key");
}

export function wrapFeedbackKeyForCase(caseKey: CaseKey, reportId: string, shareId: string, key: FeedbackKey): RecordCiphertext {
  return encryptRecord(caseKey, { purpose: "share-feedback-key", id: reportId, subId: shareId }, key);
}

export function unwrapFeedbackKeyForCase(caseKey: CaseKey, reportId: string, shareId: string, ct: Uint8Array): FeedbackKey {
  return expect32<FeedbackKey>(decryptRecord(caseKey, { purpose: "share-feedback-key", id: reportId, subId: shareId }, ct), "feedback key");
}

/** A selected attachment's file key, re-wrapped under the share key (the report key never leaves the investigators). */
export function wrapFileKeyForShare(key: ShareKey, shareId: string, attachmentId: string, fileKey: FileKey): RecordCiphertext {
  return encryptRecord(key, { purpose: "share-file-key", id: shareId, subId: attachmentId }, fileKey);
}

export function unwrapFileKeyForShare(key: ShareKey, shareId: string, attachmentId: string, ct: Uint8Array): FileKey {
  return expect32<FileKey>(decryptRecord(key, { purpose: "share-file-key", id: shareId, subId: attachmentId }, ct), "file key");
}

export function encryptFeedback(key: FeedbackKey, shareId: string, feedbackId: string, feedback: ShareFeedback): RecordCiphertext {
  return encryptJson(key, { purpose: "share-feedback", id: shareId, subId: feedbackId }, feedback);
}

/** The author is inside the authenticated plaintext, so the server cannot relabel who wrote it. */
export function decryptFeedback(key: FeedbackKey, shareId: string, feedbackId: string, ct: Uint8Array, expectedAuthor: FeedbackAuthor): ShareFeedback {
  const o = decryptJson(key, { purpose: "share-feedback", id: shareId, subId: feedbackId }, ct) as Partial<ShareFeedback> | null;
  if (!o || typeof o.text !== "string") throw new CryptoError("bad_format", "feedback has the wrong shape");
  if (o.author !== expectedAuthor) throw new CryptoError("wrong_record", "feedback author does not match its record");
  return { author: o.author, text: o.text };
}
