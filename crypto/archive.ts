// The separate archive for records a law requires to keep after a case ends:
// the investigator's browser copies the case's records into one package under
// a fresh archive key, re-wraps the files' keys under it, and seals the key to
// each administrator (envelope kind 0x03). Investigators' keys and the case's
// own ciphertexts are destroyed with the case; only administrators can read
// the archive, until its own retention date.
import { decryptJson, decryptRecord, encryptJson, encryptRecord } from "./aead";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { ArchiveKey, FileKey, RecordCiphertext } from "./types";

export interface ArchivePackage {
  caseNumber: string;
  reportId: string;
  category: { ko: string; en: string } | null;
  outcome: string | null;
  dates: { receivedOn: string; acknowledgedOn: string | null; closedOn: string | null };
  title: string | null;
  body: { description: string; details: string; periodFrom: string | null; periodTo: string | null } | null;
  identity: { name: string | null; email: string | null; phone: string | null } | null;
  messages: { author: string; kind: string; text: string | null; sentOn: string }[];
  notes: { text: string | null; createdAt: string }[];
  privacyRequests: { kind: string; requestedOn: string; answeredOn: string | null; detail: string | null; answer: string | null }[];
  provisions: { affiliate: string; items: string[]; purpose: string; legalBasis: string; providedOn: string; endedOn: string | null }[];
  files: { id: string; name: string; type: string; size: number }[];
}

export function generateArchiveKey(): ArchiveKey {
  return sodiumNow().crypto_aead_xchacha20poly1305_ietf_keygen() as ArchiveKey;
}

export function encryptArchivePackage(key: ArchiveKey, archiveId: string, pkg: ArchivePackage): RecordCiphertext {
  return encryptJson(key, { purpose: "archive-package", id: archiveId }, pkg);
}

export function decryptArchivePackage(key: ArchiveKey, archiveId: string, ct: Uint8Array): ArchivePackage {
  const o = decryptJson(key, { purpose: "archive-package", id: archiveId }, ct) as Partial<ArchivePackage> | null;
  const lists = [o?.messages, o?.notes, o?.privacyRequests, o?.provisions, o?.files];
  if (
    !o ||
    typeof o.caseNumber !== "string" ||
    typeof o.reportId !== "string" ||
    typeof o.dates !== "object" ||
    o.dates === null ||
    Array.isArray(o.dates) ||
    !lists.every(Array.isArray)
  ) {
    throw new CryptoError("bad_format", "archive package has the wrong shape");
  }
  if (!o.files!.every((f) => typeof f?.id === "string" && typeof f.name === "string" && Number.isSafeInteger(f.size))) {
    throw new CryptoError("bad_format", "archived file list has the wrong shape");
  }
  return o as ArchivePackage;
}

export function wrapFileKeyForArchive(key: ArchiveKey, archiveId: string, fileId: string, fileKey: FileKey): RecordCiphertext {
  return encryptRecord(key, { purpose: "archive-file-key", id: archiveId, subId: fileId }, fileKey);
}

export function unwrapFileKeyForArchive(key: ArchiveKey, archiveId: string, fileId: string, ct: Uint8Array): FileKey {
  const fileKey = decryptRecord(key, { purpose: "archive-file-key", id: archiveId, subId: fileId }, ct);
  if (fileKey.length !== 32) throw new CryptoError("bad_key", "file key has the wrong length");
  return fileKey as FileKey;
}
