// Format "aead-v1": versioned XChaCha20-Poly1305-IETF for structured records.
//   byte 0      : 0x01 (format version)
//   bytes 1..24 : random nonce
//   bytes 25..  : ciphertext || 16-byte tag of the ISO/IEC 7816-4 padded plaintext
// Associated data binds the ciphertext to its purpose and record (see
// associatedData), so it cannot be moved to another field or report.
import { concatBytes, fromUtf8, utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type {
  ArchiveKey,
  CaseKey,
  FeedbackKey,
  FileKey,
  IdentityKey,
  PasswordWrapKey,
  ReceiptWrapKey,
  RecordCiphertext,
  RecoveryKey,
  ReportKey,
  ShareKey,
} from "./types";

export const AEAD_V1 = 0x01;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;
export const AEAD_OVERHEAD = 1 + AEAD_NONCE_BYTES + AEAD_TAG_BYTES;

/** Which key may encrypt which purpose, and the padding block of each. Frozen for v1. */
export const PURPOSES = {
  "report-title": { block: 256 },
  "report-body": { block: 1024 },
  "report-identity": { block: 256 },
  identity: { block: 256 },
  "identity-key": { block: 16 },
  "notify-address": { block: 256 },
  "identity-reason": { block: 256 },
  "reporter-key": { block: 16 },
  "file-key": { block: 16 },
  "file-meta": { block: 256 },
  message: { block: 256 },
  "privacy-request": { block: 256 },
  "privacy-answer": { block: 256 },
  note: { block: 256 },
  labels: { block: 256 },
  mask: { block: 256 },
  "share-package": { block: 1024 },
  "share-key": { block: 16 },
  "share-file-key": { block: 16 },
  "share-feedback-key": { block: 16 },
  "share-feedback": { block: 256 },
  "archive-package": { block: 1024 },
  "archive-file-key": { block: 16 },
  "staff-secret-key": { block: 16 },
  "staff-secret-key-recovery": { block: 16 },
} as const;
export type RecordPurpose = keyof typeof PURPOSES;

export type RecordKey = ReportKey | CaseKey | IdentityKey | FileKey | ShareKey | FeedbackKey | ArchiveKey | ReceiptWrapKey | PasswordWrapKey | RecoveryKey;

export interface RecordBinding {
  purpose: RecordPurpose;
  /** The record's owner: a report id, a share or archive id, or a staff user id for staff key wraps. */
  id: string;
  /** The record within the owner, where there can be several (attachment, message). */
  subId?: string;
}

/** `cor/aead-v1/<purpose>/<id>[/<subId>]` as UTF-8. */
export function associatedData(binding: RecordBinding): Uint8Array {
  const suffix = binding.subId ? `/${binding.subId}` : "";
  return utf8(`cor/aead-v1/${binding.purpose}/${binding.id}${suffix}`);
}

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CryptoError("bad_key", "a record key is 32 bytes");
  }
}

export function encryptRecord(key: RecordKey, binding: RecordBinding, plaintext: Uint8Array, nonce?: Uint8Array): RecordCiphertext {
  checkKey(key);
  const sodium = sodiumNow();
  const padded = sodium.pad(plaintext, PURPOSES[binding.purpose].block);
  const n = nonce ?? sodium.randombytes_buf(AEAD_NONCE_BYTES);
  if (n.length !== AEAD_NONCE_BYTES) throw new CryptoError("bad_format", "nonce must be 24 bytes");
  const sealed = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, associatedData(binding), null, n, key);
  return concatBytes(Uint8Array.of(AEAD_V1), n, sealed) as RecordCiphertext;
}

export function decryptRecord(key: RecordKey, binding: RecordBinding, ciphertext: Uint8Array): Uint8Array {
  checkKey(key);
  if (ciphertext.length < AEAD_OVERHEAD) {
    throw new CryptoError("truncated", "record ciphertext is too short");
  }
  if (ciphertext[0] !== AEAD_V1) {
    throw new CryptoError("bad_version", `unknown record format version ${ciphertext[0]}`);
  }
  const sodium = sodiumNow();
  let padded: Uint8Array;
  try {
    padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      ciphertext.subarray(1 + AEAD_NONCE_BYTES),
      associatedData(binding),
      ciphertext.subarray(1, 1 + AEAD_NONCE_BYTES),
      key,
    );
  } catch (cause) {
    throw new CryptoError("decrypt_failed", "record does not decrypt with this key and binding", {
      cause,
    });
  }
  try {
    return sodium.unpad(padded, PURPOSES[binding.purpose].block);
  } catch (cause) {
    throw new CryptoError("bad_format", "record padding is invalid", { cause });
  }
}

export function encryptJson(key: RecordKey, binding: RecordBinding, value: unknown): RecordCiphertext {
  return encryptRecord(key, binding, utf8(JSON.stringify(value)));
}

export function decryptJson(key: RecordKey, binding: RecordBinding, ciphertext: Uint8Array): unknown {
  const text = fromUtf8(decryptRecord(key, binding, ciphertext));
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new CryptoError("bad_format", "record plaintext is not JSON", { cause });
  }
}
