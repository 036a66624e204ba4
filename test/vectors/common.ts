// Helpers shared by the vector generator (test/vectors/generate.ts) and the
// tests in test/crypto/. Nothing here is part of any format.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const VECTORS_DIR = dirname(fileURLToPath(import.meta.url));

/** Lowercase hex, the encoding of every binary value in the vector files. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  if (!/^(?:[0-9a-f]{2})*$/.test(hex)) throw new Error(`not lowercase hex: ${hex.slice(0, 40)}`);
  return new Uint8Array(Buffer.from(hex, "hex"));
}

export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function sha256Hex(...parts: Uint8Array[]): string {
  return toHex(sha256(...parts));
}

/** Fixed test input: sha256(UTF-8 "cor-test-vector/" || label), cut to `length` (<= 32) bytes. */
export function labelBytes(label: string, length = 32): Uint8Array {
  if (length > 32) throw new Error("labelBytes gives at most 32 bytes");
  return sha256(new TextEncoder().encode(`cor-test-vector/${label}`)).slice(0, length);
}

/** A lower-case version-4 UUID made from labelBytes(label, 16). */
export function labelUuid(label: string): string {
  const b = labelBytes(label, 16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = toHex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The rule that makes the large stream plaintexts, as written in stream-v1.json. */
export const PATTERN_RULE = "byte[i] = (i * 7 + (i >> 8) + 13) mod 256, for i = 0 .. length-1 (i >> 8 is floor(i / 256))";

export function patternBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + (i >> 8) + 13) & 0xff;
  return out;
}

export function readVectorFile<T>(name: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, name), "utf8")) as T;
}

/** A small seeded PRNG (mulberry32) so property-style tests can be replayed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Shapes of the vector files.

export interface AeadCase {
  name: string;
  keyLabel: string;
  key: string;
  purpose: string;
  id: string;
  subId?: string;
  associatedData: string;
  block: number;
  plaintext: string;
  plaintextText?: string;
  padded: string;
  nonce: string;
  ciphertext: string;
}

export interface AeadInvalid {
  name: string;
  key: string;
  purpose: string;
  id: string;
  subId?: string;
  ciphertext: string;
  error: string;
}

/**
 * An authentic record whose plaintext a reader checks against its purpose's shape (docs/CRYPTO.md §3.3, §3.4 step 5):
 * either refused with `error`, or accepted as `decoded` (what the reader keeps: members it does not know are dropped).
 */
export interface AeadRecordCase {
  name: string;
  key: string;
  purpose: string;
  id: string;
  subId?: string;
  /** message and share-feedback: the author the stored row names. */
  expectedAuthor?: string;
  plaintext: string;
  nonce: string;
  ciphertext: string;
  error?: string;
  decoded?: unknown;
}

export interface AeadFile {
  format: "aead-v1";
  description: string;
  deterministic: true;
  cases: AeadCase[];
  invalid: AeadInvalid[];
  records: AeadRecordCase[];
}

export interface EnvelopeCase {
  name: string;
  recipientSecretKey: string;
  recipientPublicKey: string;
  reportId: string;
  reportIdBytes: string;
  reportKey: string;
  caseKey: string;
  inner: string;
  envelope: string;
}

export interface EnvelopeInvalid {
  name: string;
  recipientSecretKey: string;
  reportId: string;
  envelope: string;
  error: string;
}

/** Kind 0x02: a share key sealed to one affiliate reviewer. */
export interface ShareEnvelopeCase {
  name: string;
  recipientSecretKey: string;
  recipientPublicKey: string;
  shareId: string;
  shareIdBytes: string;
  shareKey: string;
  inner: string;
  envelope: string;
}

/** Opened with openShareKey (the entries of `invalid` are opened with openReportKeys). */
export interface ShareEnvelopeInvalid {
  name: string;
  recipientSecretKey: string;
  shareId: string;
  envelope: string;
  error: string;
}

/** Kind 0x03: an archive key sealed to one administrator. */
export interface ArchiveEnvelopeCase {
  name: string;
  recipientSecretKey: string;
  recipientPublicKey: string;
  archiveId: string;
  archiveIdBytes: string;
  archiveKey: string;
  inner: string;
  envelope: string;
}

/** Opened with openArchiveKey. */
export interface ArchiveEnvelopeInvalid {
  name: string;
  recipientSecretKey: string;
  archiveId: string;
  envelope: string;
  error: string;
}

export interface EnvelopeFile {
  format: "envelope-v1";
  description: string;
  deterministic: false;
  cases: EnvelopeCase[];
  invalid: EnvelopeInvalid[];
  shareCases: ShareEnvelopeCase[];
  shareInvalid: ShareEnvelopeInvalid[];
  archiveCases: ArchiveEnvelopeCase[];
  archiveInvalid: ArchiveEnvelopeInvalid[];
}

export interface StreamCase {
  name: string;
  plaintextLength: number;
  plaintext?: string;
  plaintextRule?: string;
  plaintextSha256: string;
  /** stream-v2: the padded body length, padme(plaintextLength). */
  paddedLength?: number;
  /** Chunks of the body (stream-v2: of the padded body, not counting the length chunk). */
  chunkCount: number;
  ciphertextLength: number;
  ciphertextSha256: string;
  /** Version byte and secretstream header (25 bytes). */
  header: string;
  /** stream-v2: the length chunk (bytes 25..49), LE64(plaintextLength) encrypted. */
  lengthChunk?: string;
  ciphertext: string;
}

/** One change to a stored stream vector's ciphertext, to make an invalid one without storing it whole. */
export type StreamEdit =
  /** XOR 0x01 into the byte at `at`. */
  | { op: "flip"; at: number }
  /** Set the byte at `at` to `value`. */
  | { op: "set"; at: number; value: number }
  /** Keep only the first `length` bytes. */
  | { op: "truncate"; length: number }
  /** Append the bytes (hex). */
  | { op: "append"; bytes: string }
  /** Exchange the `length` bytes at `a` with the `length` bytes at `b` (a + length ≤ b). */
  | { op: "swap"; a: number; b: number; length: number }
  /** Remove `length` bytes at `at`. */
  | { op: "remove"; at: number; length: number };

/**
 * A stream the decoder must refuse with `error`: either `ciphertext` itself (made for the purpose, with the file's
 * key and binding), or the ciphertext of case `from` changed by `edits` in order. Opened with the file's key and
 * binding, but with `attachmentId` when given.
 */
export interface StreamInvalid {
  name: string;
  ciphertext?: string;
  from?: string;
  edits?: StreamEdit[];
  attachmentId?: string;
  error: string;
}

/** crypto_secretstream_xchacha20poly1305 on its own, across a REKEY tag (docs/CRYPTO.md Appendix A). */
export interface SecretstreamRekey {
  description: string;
  key: string;
  header: string;
  associatedData: string;
  chunks: { tag: number; message: string; chunk: string }[];
}

export function applyStreamEdits(ciphertext: Uint8Array, edits: StreamEdit[]): Uint8Array {
  let out = ciphertext.slice();
  for (const e of edits) {
    if (e.op === "flip") out[e.at]! ^= 0x01;
    else if (e.op === "set") out[e.at] = e.value;
    else if (e.op === "truncate") out = out.slice(0, e.length);
    else if (e.op === "append") out = new Uint8Array([...out, ...fromHex(e.bytes)]);
    else if (e.op === "remove") out = new Uint8Array([...out.subarray(0, e.at), ...out.subarray(e.at + e.length)]);
    else {
      const a = out.slice(e.a, e.a + e.length);
      out.set(out.slice(e.b, e.b + e.length), e.a);
      out.set(a, e.b);
    }
  }
  return out;
}

/** The bytes of an invalid stream entry. */
export function invalidStreamBytes(file: StreamFile, v: StreamInvalid): Uint8Array {
  if (v.ciphertext !== undefined) return fromHex(v.ciphertext);
  const base = file.cases.find((c) => c.name === v.from);
  if (!base) throw new Error(`no stream case ${v.from}`);
  return applyStreamEdits(fromHex(base.ciphertext), v.edits ?? []);
}

export interface StreamFile {
  format: "stream-v1" | "stream-v2";
  description: string;
  deterministic: false;
  fileKey: string;
  reportId: string;
  attachmentId: string;
  associatedData: string;
  chunkBytes: number;
  patternRule: string;
  cases: StreamCase[];
  invalid: StreamInvalid[];
  /** stream-v2.json only. */
  rekey?: SecretstreamRekey;
  /** stream-v2.json only: how a file's stream is cut into upload parts (docs/CRYPTO.md §5.5). */
  uploadParts?: UploadPartsCase[];
}

export interface UploadPartsCase {
  size: number;
  partPlainBytes: number;
  paddedLength: number;
  ciphertextBytes: number;
  /** The length of each part, in order. */
  parts: number[];
}

export interface ReceiptCase {
  name: string;
  display: string;
  normalized: string;
  checkSymbol: string;
  master: string;
  lookup: string;
  wrapKey: string;
  serverLookupHash: string;
}

export interface ReceiptFile {
  format: "receipt-v1";
  description: string;
  deterministic: true;
  alphabet: string;
  masterKey: string;
  codes: ReceiptCase[];
  normalization: { input: string; normalized: string }[];
  invalid: { input: string; problem: string }[];
}

export interface StaffKdfCase {
  name: string;
  password: string;
  passwordNfkc: string;
  salt: string;
  master: string;
  authKey: string;
  wrapKey: string;
  userId: string;
  secretKey: string;
  publicKey: string;
  wrapNonce: string;
  wrappedSecretKey: string;
  recoveryKey: string;
  recoveryKeyText: string;
  recoveryWrapNonce: string;
  wrappedSecretKeyRecovery: string;
  /** crypto_kdf_derive_from_key(32, 3, "staffrcv", recoveryKey): sent at activation and recovery. */
  recoveryProof: string;
  /** SHA-256(recoveryProof): what the server stores (staff_users.recovery_verifier). */
  recoveryVerifier: string;
  /** The `keys` object of an activation request made of these values (binary fields unpadded base64url). */
  activationKeys: Record<string, string | number>;
}

/** The server's answers for an address without an account (docs/CRYPTO.md §7.3). */
export interface DecoyVectors {
  portalSecret: string;
  /** HKDF-SHA256(portal secret, empty salt, "clean-okestro-report/sign-in-decoy", 32). */
  key: string;
  cases: { email: string; salt: string; userIdBytes: string; userId: string; secretKeyRecoveryWrapped: string }[];
}

export interface StaffKdfFile {
  format: "staff-kdf-v1";
  description: string;
  deterministic: true;
  params: { algorithm: string; version: number; opslimit: number; memlimit: number; parallelism: number; saltBytes: number; outputBytes: number };
  cases: StaffKdfCase[];
  recoveryKeys: { key: string; text: string }[];
  recoveryKeyInputs: { input: string; key: string }[];
  recoveryKeyInvalid: { input: string; error: string }[];
  decoys: DecoyVectors;
}
