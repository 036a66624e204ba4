// Format "envelope-v1": keys sealed to one staff member's X25519 public key
// with crypto_box_seal (anonymous sender).
//   byte 0  : 0x01 (format version)
//   bytes 1.: crypto_box_seal(inner, recipientPublicKey)    (48 bytes overhead)
// inner, kind 0x01 "report keys" (81 bytes, for investigators):
//   byte 0      : 0x01
//   bytes 1..16 : report id (UUID bytes), checked on opening
//   bytes 17..48: report key
//   bytes 49..80: case-internal key
// inner, kind 0x02 "share key" (49 bytes, for affiliate reviewers):
//   byte 0      : 0x02
//   bytes 1..16 : share id (UUID bytes), checked on opening
//   bytes 17..48: share key
// inner, kind 0x03 "archive key" (49 bytes, for administrators):
//   byte 0      : 0x03
//   bytes 1..16 : archive id (UUID bytes), checked on opening
//   bytes 17..48: archive key
// Sealed boxes take no associated data, so the record binding lives inside the
// authenticated plaintext instead.
import { concatBytes, uuidToBytes } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type {
  CaseKey,
  ReportKey,
  SealedEnvelope,
  SealedShareEnvelope,
  SealedArchiveEnvelope,
  ArchiveKey,
  ShareKey,
  StaffKeyPair,
  StaffPublicKey,
  StaffSecretKey,
} from "./types";

export const ENVELOPE_V1 = 0x01;
export const ENVELOPE_KIND_REPORT_KEYS = 0x01;
export const ENVELOPE_KIND_SHARE_KEY = 0x02;
export const ENVELOPE_KIND_ARCHIVE_KEY = 0x03;
const SEAL_OVERHEAD = 1 + 48;
export const ENVELOPE_BYTES = SEAL_OVERHEAD + 1 + 16 + 32 + 32;
export const SHARE_ENVELOPE_BYTES = SEAL_OVERHEAD + 1 + 16 + 32;
/** Kinds 0x02 and 0x03 hold one key and have the same length. */
export const ARCHIVE_ENVELOPE_BYTES = SHARE_ENVELOPE_BYTES;

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

const KIND_NAMES: Record<number, string> = {
  [ENVELOPE_KIND_REPORT_KEYS]: "report keys",
  [ENVELOPE_KIND_SHARE_KEY]: "a share key",
  [ENVELOPE_KIND_ARCHIVE_KEY]: "an archive key",
};

function seal(inner: Uint8Array, recipient: StaffPublicKey): Uint8Array {
  if (recipient.length !== 32) throw new CryptoError("bad_key", "a staff public key is 32 bytes");
  let sealed: Uint8Array;
  try {
    sealed = sodiumNow().crypto_box_seal(inner, recipient);
  } catch (cause) {
    // libsodium refuses public keys of small order (all-zero shared secret).
    throw new CryptoError("bad_key", "not a usable staff public key", { cause });
  }
  return concatBytes(Uint8Array.of(ENVELOPE_V1), sealed);
}

/** Opens an envelope of one kind and checks the record id inside; returns the key bytes after the id. */
function open(envelope: Uint8Array, bytes: number, kind: number, recordId: string, keyPair: StaffKeyPair): Uint8Array {
  if (envelope.length !== bytes) {
    throw new CryptoError(envelope.length < bytes ? "truncated" : "bad_format", "envelope has the wrong length");
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
  if (inner[0] !== kind) {
    throw new CryptoError("bad_format", `envelope does not hold ${KIND_NAMES[kind] ?? "this kind of key"}`);
  }
  if (!sodiumNow().memcmp(inner.subarray(1, 17), uuidToBytes(recordId))) {
    throw new CryptoError("wrong_record", "envelope belongs to another record");
  }
  return inner.slice(17);
}

export function sealReportKeys(keys: ReportKeys, reportId: string, recipient: StaffPublicKey): SealedEnvelope {
  const inner = concatBytes(Uint8Array.of(ENVELOPE_KIND_REPORT_KEYS), uuidToBytes(reportId), keys.reportKey, keys.caseKey);
  return seal(inner, recipient) as SealedEnvelope;
}

export function openReportKeys(envelope: Uint8Array, reportId: string, keyPair: StaffKeyPair): ReportKeys {
  const keys = open(envelope, ENVELOPE_BYTES, ENVELOPE_KIND_REPORT_KEYS, reportId, keyPair);
  return { reportKey: keys.slice(0, 32) as ReportKey, caseKey: keys.slice(32, 64) as CaseKey };
}

export function sealShareKey(shareKey: ShareKey, shareId: string, recipient: StaffPublicKey): SealedShareEnvelope {
  if (shareKey.length !== 32) throw new CryptoError("bad_key", "a share key is 32 bytes");
  return seal(concatBytes(Uint8Array.of(ENVELOPE_KIND_SHARE_KEY), uuidToBytes(shareId), shareKey), recipient) as SealedShareEnvelope;
}

export function openShareKey(envelope: Uint8Array, shareId: string, keyPair: StaffKeyPair): ShareKey {
  return open(envelope, SHARE_ENVELOPE_BYTES, ENVELOPE_KIND_SHARE_KEY, shareId, keyPair) as ShareKey;
}

export function sealArchiveKey(archiveKey: ArchiveKey, archiveId: string, recipient: StaffPublicKey): SealedArchiveEnvelope {
  if (archiveKey.length !== 32) throw new CryptoError("bad_key", "an archive key is 32 bytes");
  return seal(concatBytes(Uint8Array.of(ENVELOPE_KIND_ARCHIVE_KEY), uuidToBytes(archiveId), archiveKey), recipient) as SealedArchiveEnvelope;
}

export function openArchiveKey(envelope: Uint8Array, archiveId: string, keyPair: StaffKeyPair): ArchiveKey {
  return open(envelope, ARCHIVE_ENVELOPE_BYTES, ENVELOPE_KIND_ARCHIVE_KEY, archiveId, keyPair) as ArchiveKey;
}
