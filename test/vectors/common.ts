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

export interface AeadFile {
  format: "aead-v1";
  description: string;
  deterministic: true;
  cases: AeadCase[];
  invalid: AeadInvalid[];
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
}
