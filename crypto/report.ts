// What a report is made of, cryptographically, and the operations the
// reporter's and the investigators' browsers perform on it. No I/O here.
import { decryptJson, decryptRecord, encryptJson, encryptRecord } from "./aead";
import { generateReportKeys, openReportKeys, sealReportKeys, type ReportKeys } from "./envelope";
import { uuidFromRandom } from "./encoding";
import { CryptoError } from "./errors";
import { parseIdentity, sealIdentity, type ReporterIdentity } from "./identity";
import { sodiumNow } from "./sodium";
import { deriveReceiptSecrets, generateReceiptCode } from "./receipt";
import type { FileKey, ReceiptLookup, ReceiptWrapKey, RecordCiphertext, ReportKey, SealedEnvelope, StaffKeyPair, StaffPublicKey } from "./types";

export interface ReportBody {
  description: string;
  details: string;
  periodFrom: string | null;
  periodTo: string | null;
}

export interface Recipient {
  staffUserId: string;
  publicKey: StaffPublicKey;
}

export interface SealedReport {
  reportId: string;
  receiptCode: string;
  receiptLookup: ReceiptLookup;
  keys: ReportKeys;
  title: RecordCiphertext;
  body: RecordCiphertext;
  /** The identity record under its own key (ADR 052), or null when none was given. */
  identity: RecordCiphertext | null;
  /** The identity key wrapped under the report key; null with `identity`. */
  identityKey: RecordCiphertext | null;
  /** The address for update e-mails under the report key, only when the reporter asked for them. */
  notifyAddress: RecordCiphertext | null;
  reporterKey: RecordCiphertext;
  envelopes: { staffUserId: string; envelope: SealedEnvelope }[];
}

export interface NewReportInput {
  reportId: string;
  title: string;
  body: ReportBody;
  identity: ReporterIdentity | null;
  recipients: Recipient[];
}

/** Makes the keys and receipt of a new report and encrypts its fields. */
export function sealNewReport(input: NewReportInput): SealedReport {
  if (input.recipients.length === 0) {
    throw new CryptoError("bad_key", "a report needs at least one investigator to seal its keys to");
  }
  const keys = generateReportKeys();
  const receiptCode = generateReceiptCode();
  const { lookup, wrapKey } = deriveReceiptSecrets(receiptCode);
  const id = input.reportId;
  const identity = input.identity ? sealIdentity(keys.reportKey, id, input.identity) : null;
  return {
    reportId: id,
    receiptCode,
    receiptLookup: lookup,
    keys,
    title: encryptJson(keys.reportKey, { purpose: "report-title", id }, input.title),
    body: encryptJson(keys.reportKey, { purpose: "report-body", id }, input.body),
    identity: identity?.identity ?? null,
    identityKey: identity?.identityKey ?? null,
    notifyAddress: identity?.notifyAddress ?? null,
    reporterKey: wrapReporterKey(wrapKey, id, keys.reportKey),
    envelopes: input.recipients.map((r) => ({
      staffUserId: r.staffUserId,
      envelope: sealReportKeys(keys, id, r.publicKey),
    })),
  };
}

export function wrapReporterKey(wrapKey: ReceiptWrapKey, reportId: string, reportKey: ReportKey): RecordCiphertext {
  return encryptRecord(wrapKey, { purpose: "reporter-key", id: reportId }, reportKey);
}

export function unwrapReporterKey(wrapKey: ReceiptWrapKey, reportId: string, wrapped: Uint8Array): ReportKey {
  const key = decryptRecord(wrapKey, { purpose: "reporter-key", id: reportId }, wrapped);
  if (key.length !== 32) throw new CryptoError("bad_key", "wrapped report key has the wrong length");
  return key as ReportKey;
}

export function openEnvelope(envelope: Uint8Array, reportId: string, keyPair: StaffKeyPair): ReportKeys {
  return openReportKeys(envelope, reportId, keyPair);
}

function expectString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new CryptoError("bad_format", `${what} is not text`);
  return value;
}

function expectNullableString(value: unknown, what: string): string | null {
  return value === null ? null : expectString(value, what);
}

function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CryptoError("bad_format", `${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

export function decryptTitle(reportKey: ReportKey, reportId: string, ct: Uint8Array): string {
  return expectString(decryptJson(reportKey, { purpose: "report-title", id: reportId }, ct), "title");
}

export function decryptBody(reportKey: ReportKey, reportId: string, ct: Uint8Array): ReportBody {
  const o = expectObject(decryptJson(reportKey, { purpose: "report-body", id: reportId }, ct), "report body");
  return {
    description: expectString(o.description, "description"),
    details: expectString(o.details, "details"),
    periodFrom: expectNullableString(o.periodFrom, "periodFrom"),
    periodTo: expectNullableString(o.periodTo, "periodTo"),
  };
}

/** A `report-identity` record of a report made before ADR 052 (under the report key); see openIdentity. */
export function decryptIdentity(reportKey: ReportKey, reportId: string, ct: Uint8Array): ReporterIdentity {
  return parseIdentity(decryptJson(reportKey, { purpose: "report-identity", id: reportId }, ct));
}

export interface AttachmentMeta {
  name: string;
  type: string;
  size: number;
}

export function wrapFileKey(reportKey: ReportKey, reportId: string, attachmentId: string, fileKey: FileKey): RecordCiphertext {
  return encryptRecord(reportKey, { purpose: "file-key", id: reportId, subId: attachmentId }, fileKey);
}

export function unwrapFileKey(reportKey: ReportKey, reportId: string, attachmentId: string, wrapped: Uint8Array): FileKey {
  const key = decryptRecord(reportKey, { purpose: "file-key", id: reportId, subId: attachmentId }, wrapped);
  if (key.length !== 32) throw new CryptoError("bad_key", "wrapped file key has the wrong length");
  return key as FileKey;
}

export function encryptFileMeta(reportKey: ReportKey, reportId: string, attachmentId: string, meta: AttachmentMeta): RecordCiphertext {
  return encryptJson(reportKey, { purpose: "file-meta", id: reportId, subId: attachmentId }, meta);
}

export function decryptFileMeta(reportKey: ReportKey, reportId: string, attachmentId: string, ct: Uint8Array): AttachmentMeta {
  const o = expectObject(decryptJson(reportKey, { purpose: "file-meta", id: reportId, subId: attachmentId }, ct), "attachment metadata");
  if (typeof o.size !== "number" || !Number.isSafeInteger(o.size) || o.size < 0) {
    throw new CryptoError("bad_format", "attachment size is not a whole number");
  }
  return { name: expectString(o.name, "file name"), type: expectString(o.type, "file type"), size: o.size };
}

/** A random v4 UUID from libsodium's CSPRNG (crypto.randomUUID needs a secure context). */
export function newRecordId(): string {
  return uuidFromRandom(sodiumNow().randombytes_buf(16));
}
