// Format "envelope-v1": a report's keys sealed to one staff member's X25519
// public key with crypto_box_seal (anonymous sender).
//   byte 0  : 0x01 (format version)
//   bytes 1.: crypto_box_seal(inner, recipientPublicKey)    (48 bytes overhead)
// inner (81 bytes):
//   byte 0      : 0x01 (kind: report keys)
//   bytes 1..16 : report id (UUID bytes), checked on opening
//   bytes 17..48: report key
//   bytes 49..80: case-internal key
// Sealed boxes take no associated data, so the record binding lives inside the
// authenticated plaintext instead.
import { concatBytes, uuidToBytes } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type {
  CaseKey,
  ReportKey,
  SealedEnvelope,
  StaffKeyPair,
  StaffPublicKey,
  StaffSecretKey,
} from "./types";

export const ENVELOPE_V1 = 0x01;
export const ENVELOPE_KIND_REPORT_KEYS = 0x01;
const INNER_BYTES = 1 + 16 + 32 + 32;
export const ENVELOPE_BYTES = 1 + 48 + INNER_BYTES;

export interface ReportKeys {
  reportKey: ReportKey;
  caseKey: CaseKey;
}

export function generateReportKeys(): ReportKeys {
  const sodium = sodiumNow();
  return {
    reportKey: sodium.crypto_aead_xchacha20poly1305_ietf_keygen() as ReportKey,
    caseKey: sodium.crypto_aead_xchacha20poly1305_ietf_keygen() as CaseKey,
  };
}

export function generateStaffKeyPair(): StaffKeyPair {
  const { publicKey, privateKey } = sodiumNow().crypto_box_keypair();
  return { publicKey: publicKey as StaffPublicKey, secretKey: privateKey as StaffSecretKey };
}

export function publicKeyOf(secretKey: StaffSecretKey): StaffPublicKey {
  return sodiumNow().crypto_scalarmult_base(secretKey) as StaffPublicKey;
}

export function sealReportKeys(
  keys: ReportKeys,
  reportId: string,
  recipient: StaffPublicKey,
): SealedEnvelope {
  if (recipient.length !== 32) throw new CryptoError("bad_key", "a staff public key is 32 bytes");
  const inner = concatBytes(
    Uint8Array.of(ENVELOPE_KIND_REPORT_KEYS),
    uuidToBytes(reportId),
    keys.reportKey,
    keys.caseKey,
  );
  let sealed: Uint8Array;
  try {
    sealed = sodiumNow().crypto_box_seal(inner, recipient);
  } catch (cause) {
    // libsodium refuses public keys of small order (all-zero shared secret).
    throw new CryptoError("bad_key", "not a usable staff public key", { cause });
  }
  return concatBytes(Uint8Array.of(ENVELOPE_V1), sealed) as SealedEnvelope;
}

export function openReportKeys(
  envelope: Uint8Array,
  reportId: string,
  keyPair: StaffKeyPair,
): ReportKeys {
  if (envelope.length !== ENVELOPE_BYTES) {
    throw new CryptoError(envelope.length < ENVELOPE_BYTES ? "truncated" : "bad_format", "envelope has the wrong length");
  }
  if (envelope[0] !== ENVELOPE_V1) {
    throw new CryptoError("bad_version", `unknown envelope version ${envelope[0]}`);
  }
  let inner: Uint8Array;
  try {
    inner = sodiumNow().crypto_box_seal_open(envelope.subarray(1), keyPair.publicKey, keyPair.secretKey);
  } catch (cause) {
    throw new CryptoError("decrypt_failed", "envelope does not open with this key pair", { cause });
  }
  if (inner[0] !== ENVELOPE_KIND_REPORT_KEYS) {
    throw new CryptoError("bad_format", "envelope does not hold report keys");
  }
  const expected = uuidToBytes(reportId);
  if (!sodiumNow().memcmp(inner.subarray(1, 17), expected)) {
    throw new CryptoError("wrong_record", "envelope belongs to another report");
  }
  return {
    reportKey: inner.slice(17, 49) as ReportKey,
    caseKey: inner.slice(49, 81) as CaseKey,
  };
}
