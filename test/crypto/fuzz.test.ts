// Fuzz suite for every parser and decoder in crypto/ (issue 8, "Hostile input").
//
// Three kinds of input:
//   (a) random bytes and strings of random lengths, from empty to a few MiB;
//   (b) mutations of the committed vectors in test/vectors/ (bit flips,
//       truncations, extensions, byte swaps, version bytes, splices of two valid
//       inputs, reordered, dropped and foreign stream chunks);
//   (c) authentic inputs with hostile contents, made with the right key and
//       binding so that the checks after decryption run: JSON of the wrong shape
//       and types, __proto__ and constructor keys, deep nesting, huge strings,
//       NaN-like tokens, invalid UTF-8 and BOMs, broken padding, envelopes with
//       wrong kinds, lengths and ids, streams with wrong tags and chunk sizes.
//
// Every call must return a well-formed value or throw a CryptoError with a code
// its format documents, stay within CALL_BOUND_MS, and leave the built-in
// prototypes alone. Where docs/CRYPTO.md decides the outcome exactly, an oracle
// written from the document (plus single libsodium primitives, as in
// spec.test.ts) must agree with crypto/ on the outcome: the same error code, or
// the same value. In particular a mutated ciphertext that does not equal an
// authentic one must be refused, so it can never decrypt to anything new.
//
// Deterministic: the seed is fixed; FUZZ_SEED=<n> runs another one, and every
// failure message names the seed and the input. FUZZ_REPORT=1 prints counts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AttachmentDecryptor,
  STREAM_V1,
  PURPOSES,
  RECEIPT_ALPHABET,
  SHARE_ITEMS,
  SHARE_PURPOSES,
  associatedData,
  bytesToUuid,
  decryptArchivePackage,
  decryptBody,
  decryptFeedback,
  decryptFileMeta,
  decryptIdentity,
  decryptJson,
  decryptLabels,
  decryptMessage,
  decryptNote,
  decryptPrivacyText,
  decryptRecord,
  decryptSharePackage,
  decryptTitle,
  deriveReceiptSecrets,
  encryptRecord,
  formatReceipt,
  fromBase64Url,
  fromUtf8,
  isCryptoError,
  isUuid,
  itemsOf,
  loadSodium,
  openArchiveKey,
  openReportKeys,
  openShareKey,
  parseReceipt,
  publicKeyOf,
  receiptCheckSymbol,
  streamAssociatedData,
  toBase64Url,
  unwrapFeedbackKeyForCase,
  unwrapFileKey,
  unwrapFileKeyForArchive,
  unwrapFileKeyForShare,
  unwrapReporterKey,
  unwrapShareKeyForCase,
  utf8,
  uuidFromRandom,
  uuidToBytes,
  type ArchiveKey,
  type CaseKey,
  type CryptoErrorCode,
  type FeedbackKey,
  type FileKey,
  type PasswordWrapKey,
  type ReceiptWrapKey,
  type RecordBinding,
  type RecordKey,
  type RecordPurpose,
  type ReportKey,
  type ShareKey,
  type StaffKeyPair,
  type StaffSecretKey,
  type StreamBinding,
} from "../../crypto/index";
import { STAFF_KDF_V1, deriveStaffPasswordKeys, type StaffKdfParams, formatRecoveryKey, parseRecoveryKey, unwrapStaffSecretKey } from "../../crypto/staff";
import type { Sodium } from "../../crypto/sodium";
import {
  fromHex,
  patternBytes,
  readVectorFile,
  seededRandom,
  type AeadFile,
  type EnvelopeFile,
  type ReceiptFile,
  type StaffKdfFile,
  type StreamFile,
} from "../vectors/common";
import { concat, hex } from "./helpers";

// ---------------------------------------------------------------------------
// Seed, bounds, bookkeeping

const DEFAULT_SEED = 0x5eed_f022;
const SEED = parseSeed(process.env.FUZZ_SEED);
/** One call (one decode, one push or finish) must not take longer than this. */
const CALL_BOUND_MS = 200;
const MAX_FAILURES_SHOWN = 8;
/** §5: plaintext bytes per stream-v1 chunk. */
const STREAM_CHUNK = 65536;

function parseSeed(text: string | undefined): number {
  if (text === undefined || text === "") return DEFAULT_SEED;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`FUZZ_SEED must be an integer, got ${text}`);
  return n >>> 0;
}

/** Each test draws from its own stream, so adding a test does not change the others' inputs. */
function subSeed(name: string): number {
  let h = 0x811c9dc5 ^ SEED;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  float(): number {
    return this.next();
  }
  /** 0 .. n-1 */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** lo .. hi, both included */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) words[i] = (this.next() * 4294967296) >>> 0;
    return new Uint8Array(words.buffer, 0, n).slice();
  }
  /** Random UTF-16 code units, lone surrogates included. */
  codeUnits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) {
      const r = this.next();
      s += String.fromCharCode(r < 0.5 ? 0x20 + this.int(0x5f) : r < 0.8 ? this.int(0x800) : this.int(0x10000));
    }
    return s;
  }
}

type Outcome<T> = { ok: true; value: T } | { ok: false; code: CryptoErrorCode };
type What = string | (() => string);

interface Tally {
  name: string;
  inputs: number;
  calls: number;
  ms: number;
  slowestMs: number;
  slowestWhat: string;
}
const tallies: Tally[] = [];

const PROTOTYPES: [string, object][] = [
  ["Object.prototype", Object.prototype],
  ["Array.prototype", Array.prototype],
  ["String.prototype", String.prototype],
  ["Function.prototype", Function.prototype],
  ["Uint8Array.prototype", Uint8Array.prototype],
];
const PROTOTYPE_KEYS = new Map(PROTOTYPES.map(([name, p]) => [name, Reflect.ownKeys(p).length]));

function pollution(): string | null {
  for (const [name, proto] of PROTOTYPES) {
    if (Reflect.ownKeys(proto).length !== PROTOTYPE_KEYS.get(name)) return `${name} gained or lost properties`;
  }
  const probe = {} as Record<string, unknown>;
  if (probe.polluted !== undefined || probe.__fuzz_polluted__ !== undefined) return "({}).polluted is defined";
  return null;
}

function describeError(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}`.slice(0, 300);
  return `non-Error ${typeof e}: ${String(e).slice(0, 100)}`;
}

function preview(v: Uint8Array | string): string {
  if (typeof v === "string") return `string(${v.length}) ${JSON.stringify(v.slice(0, 80))}${v.length > 80 ? "…" : ""}`;
  return `${v.length} B ${hex(v.subarray(0, 48))}${v.length > 48 ? "…" : ""}`;
}

/**
 * Runs calls, checks the rules every call shares, and collects failures.
 * A call is "slow" only if both its wall-clock time and the process CPU time it
 * used exceed the bound: a real hang burns CPU, while a test process that is
 * merely descheduled on a busy two-core machine does not.
 */
class Fuzz {
  readonly rng: Rng;
  readonly seed: number;
  inputs = 0;
  calls = 0;
  slowestMs = 0;
  slowestWhat = "";
  private readonly started = performance.now();
  private readonly failures: string[] = [];
  private failureCount = 0;

  constructor(readonly name: string) {
    this.seed = subSeed(name);
    this.rng = new Rng(this.seed);
  }

  fail(what: What, problem: string): void {
    this.failureCount++;
    if (this.failures.length < MAX_FAILURES_SHOWN) {
      this.failures.push(`- ${typeof what === "string" ? what : what()}\n    ${problem}`);
    }
  }

  /** One call that must return or throw a CryptoError with one of `codes`; null if it broke a rule. */
  run<T>(what: What, codes: readonly CryptoErrorCode[], fn: () => T): Outcome<T> | null {
    this.calls++;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: fn() };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const ms = performance.now() - t0;
    if (ms > this.slowestMs) {
      this.slowestMs = ms;
      if (process.env.FUZZ_REPORT) this.slowestWhat = (typeof what === "string" ? what : what()).slice(0, 160);
    }
    if (ms > CALL_BOUND_MS) {
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      if (cpuMs > CALL_BOUND_MS) this.fail(what, `took ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU), bound ${CALL_BOUND_MS} ms`);
    }
    const polluted = pollution();
    if (polluted) this.fail(what, `prototype pollution: ${polluted}`);
    if (outcome.ok) return outcome;
    const error = outcome.error;
    if (!isCryptoError(error)) {
      this.fail(what, `threw ${describeError(error)}, not a CryptoError`);
      return null;
    }
    if (!codes.includes(error.code)) {
      this.fail(what, `threw CryptoError "${error.code}" (${error.message}); documented here: ${codes.join(", ")}`);
      return null;
    }
    return { ok: false, code: error.code };
  }

  async runAsync<T>(what: What, codes: readonly CryptoErrorCode[], fn: () => Promise<T>): Promise<Outcome<T> | null> {
    this.calls++;
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      if (!isCryptoError(error)) {
        this.fail(what, `threw ${describeError(error)}, not a CryptoError`);
        return null;
      }
      if (!codes.includes(error.code)) {
        this.fail(what, `threw CryptoError "${error.code}"; documented here: ${codes.join(", ")}`);
        return null;
      }
      return { ok: false, code: error.code };
    }
  }

  /** Compares an outcome with what the oracle expects. */
  verdict<T>(what: What, got: Outcome<T> | null, want: Verdict): void {
    if (got === null) return;
    if ("reject" in want) {
      if (got.ok) this.fail(what, `returned a value, expected CryptoError "${want.reject}"`);
      else if (got.code !== want.reject) this.fail(what, `threw "${got.code}", expected "${want.reject}"`);
      return;
    }
    if (!got.ok) {
      this.fail(what, `threw "${got.code}", expected a value`);
      return;
    }
    const problem = want.accept(got.value);
    if (problem) this.fail(what, `returned a wrong value: ${problem}`);
  }

  done(): void {
    const ms = performance.now() - this.started;
    tallies.push({ name: this.name, inputs: this.inputs, calls: this.calls, ms, slowestMs: this.slowestMs, slowestWhat: this.slowestWhat });
    if (this.failureCount > 0) {
      expect.fail(
        `fuzz "${this.name}": ${this.failureCount} failure(s) in ${this.inputs} inputs; ` +
          `seed ${SEED} (rerun: FUZZ_SEED=${SEED} npx vitest run test/crypto/fuzz.test.ts), test seed ${this.seed}\n` +
          this.failures.join("\n"),
      );
    }
  }
}

afterAll(() => {
  if (!process.env.FUZZ_REPORT) return;
  const total = tallies.reduce((a, t) => ({ inputs: a.inputs + t.inputs, calls: a.calls + t.calls, ms: a.ms + t.ms }), { inputs: 0, calls: 0, ms: 0 });
  const lines = tallies.map(
    (t) =>
      `  ${t.name.padEnd(52)} ${String(t.inputs).padStart(7)} inputs ${String(t.calls).padStart(7)} calls ${t.ms.toFixed(0).padStart(6)} ms  slowest call ${t.slowestMs.toFixed(1)} ms: ${t.slowestWhat}`,
  );
  console.log(`fuzz seed ${SEED}: ${total.inputs} inputs, ${total.calls} calls, ${total.ms.toFixed(0)} ms\n${lines.join("\n")}`);
});

// ---------------------------------------------------------------------------
// Oracles written from docs/CRYPTO.md

type Verdict = { reject: CryptoErrorCode } | { accept: (value: unknown) => string | null };
const reject = (code: CryptoErrorCode): Verdict => ({ reject: code });
const accept = (check: (value: unknown) => string | null): Verdict => ({ accept: check });

function sameBytes(a: unknown, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of JSON-like values (and byte arrays); gives up (true) below depth 200. */
function sameJson(a: unknown, b: unknown, depth = 0): boolean {
  if (depth > 200) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) return b instanceof Uint8Array && sameBytes(a, b);
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => sameJson(ra[k], rb[k], depth + 1));
}

const same = (expected: unknown) => (value: unknown) => (sameJson(value, expected) ? null : `expected ${short(expected)}, got ${short(value)}`);

function short(v: unknown): string {
  if (v instanceof Uint8Array) return preview(v);
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 160 ? `${s.slice(0, 160)}…` : s;
  } catch {
    return `[${typeof v}]`;
  }
}

/** RFC 3629 well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). */
function wellFormedUtf8(b: Uint8Array): boolean {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c === 0xe0) [n, lo] = [2, 0xa0];
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) n = 2;
    else if (c === 0xed) [n, hi] = [2, 0x9f];
    else if (c === 0xf0) [n, lo] = [3, 0x90];
    else if (c >= 0xf1 && c <= 0xf3) n = 3;
    else if (c === 0xf4) [n, hi] = [3, 0x8f];
    else return false;
    if (i + n >= b.length) return false;
    if (b[i + 1]! < lo || b[i + 1]! > hi) return false;
    for (let k = 2; k <= n; k++) if (b[i + k]! < 0x80 || b[i + k]! > 0xbf) return false;
    i += n + 1;
  }
  return true;
}

/** §2 "Text: UTF-8 without BOM" then JSON.parse; null where a reader must say bad_format. */
function strictJson(bytes: Uint8Array): { value: unknown } | null {
  if (!wellFormedUtf8(bytes)) return null;
  try {
    return { value: JSON.parse(new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes)) as unknown };
  } catch {
    return null;
  }
}

/** §3.1 unpadding, as sodium_unpad: a buffer shorter than one block is refused. */
function unpadSpec(padded: Uint8Array, block: number): Uint8Array | null {
  if (padded.length < block) return null;
  for (let i = padded.length - 1; i >= padded.length - block; i--) {
    if (padded[i] === 0x00) continue;
    return padded[i] === 0x80 ? padded.slice(0, i) : null;
  }
  return null;
}

/** §2 strict unpadded base64url. */
function base64UrlSpec(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const bytes = new Uint8Array(Buffer.from(text, "base64url"));
  return Buffer.from(bytes).toString("base64url") === text ? bytes : null;
}

/** §2 canonical lower-case UUID text to its 16 bytes. */
function uuidSpec(text: string): Uint8Array | null {
  if (text.length !== 36) return null;
  let digits = "";
  for (let i = 0; i < 36; i++) {
    const c = text[i]!;
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== "-") return null;
    } else if ("0123456789abcdef".includes(c)) digits += c;
    else return null;
  }
  return fromHex(digits);
}

/** §2.1: full-width forms to ASCII, ASCII a-z upper-cased (nothing else), the listed white space and dashes removed, O I L read as 0 1 1. */
function typedCodeSpec(input: string): string {
  const spaces = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff];
  for (let c = 0x2000; c <= 0x200a; c++) spaces.push(c);
  const dashes = [0x2d, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212];
  let out = "";
  for (const ch of input) {
    let cp = ch.codePointAt(0)!;
    if (cp >= 0xff01 && cp <= 0xff5e) cp -= 0xfee0;
    if (cp >= 0x61 && cp <= 0x7a) cp -= 0x20;
    if (spaces.includes(cp) || dashes.includes(cp)) continue;
    const c = String.fromCodePoint(cp);
    out += c === "O" ? "0" : c === "I" || c === "L" ? "1" : c;
  }
  return out;
}

/** §6 normalisation and check symbol. */
function receiptSpec(input: string): { ok: true; code: string } | { ok: false; problem: string } {
  const cleaned = typedCodeSpec(input);
  if (cleaned === "") return { ok: false, problem: "empty" };
  for (const c of cleaned) if (!RECEIPT_ALPHABET.includes(c) || c.length !== 1) return { ok: false, problem: "character" };
  if (cleaned.length !== 20) return { ok: false, problem: "length" };
  return luhnSpec(cleaned.slice(0, 19)) === cleaned[19] ? { ok: true, code: cleaned } : { ok: false, problem: "check" };
}

function luhnSpec(symbols: string): string {
  let sum = 0;
  let factor = 2;
  for (let i = symbols.length - 1; i >= 0; i--) {
    const a = factor * RECEIPT_ALPHABET.indexOf(symbols[i]!);
    sum += Math.floor(a / 32) + (a % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return RECEIPT_ALPHABET[(32 - (sum % 32)) % 32]!;
}

/** §7 recovery key text: 52 symbols, 256 bits most-significant first, then 4 zero bits. */
function recoverySpec(text: string): Uint8Array | null {
  const clean = typedCodeSpec(text);
  if (clean.length !== 52) return null;
  let n = 0n;
  for (const c of clean) {
    const v = c.length === 1 ? RECEIPT_ALPHABET.indexOf(c) : -1;
    if (v < 0) return null;
    n = (n << 5n) | BigInt(v);
  }
  if ((n & 15n) !== 0n) return null;
  n >>= 4n;
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(n & 255n);
    n >>= 8n;
  }
  return out;
}

// Small shape helpers (JSON values only ever have plain objects and arrays).
type Rec = Record<string, unknown>;
const isObject = (v: unknown): v is Rec => typeof v === "object" && v !== null && !Array.isArray(v);
const isObjectLike = (v: unknown): v is Rec => typeof v === "object" && v !== null;
const isNullableString = (v: unknown) => v === null || typeof v === "string";
const isPlainObject = (v: unknown): v is Rec => isObject(v) && Object.getPrototypeOf(v) === Object.prototype;

function exactKeys(v: unknown, required: string[], optional: string[] = []): string | null {
  if (!isPlainObject(v)) return `not a plain object: ${short(v)}`;
  for (const k of required) if (!Object.prototype.hasOwnProperty.call(v, k)) return `missing key ${k}`;
  for (const k of Object.keys(v)) if (!required.includes(k) && !optional.includes(k)) return `unexpected key ${k}`;
  return null;
}

// ---------------------------------------------------------------------------
// aead-v1 record decoders: every purpose through decryptRecord and decryptJson,
// and every typed decoder built on them.

interface Ids {
  id: string;
  subId?: string;
}

interface RecordDecoder {
  name: string;
  purpose: RecordPurpose;
  codes: readonly CryptoErrorCode[];
  /** What hostile plaintexts to make for it. */
  plain: "bytes" | "key" | "json";
  binding(ids: Ids): RecordBinding;
  decode(key: Uint8Array, ids: Ids, ct: Uint8Array): unknown;
  /** The outcome the spec gives for an authentic ciphertext of `plaintext` (already unpadded). */
  expect(plaintext: Uint8Array, ids: Ids): Verdict;
  /** A problem with a returned value, or null if it is well-formed. */
  check(value: unknown, ids: Ids): string | null;
}

const AEAD_CODES: readonly CryptoErrorCode[] = ["bad_key", "truncated", "bad_version", "decrypt_failed", "bad_format"];
const AUTHOR_CODES: readonly CryptoErrorCode[] = [...AEAD_CODES, "wrong_record"];

const subOf = (ids: Ids) => ids.subId ?? "";
const versionOf = (ids: Ids) => Number(ids.subId ?? "");

function jsonVerdict(shape: (v: unknown, ids: Ids) => Verdict) {
  return (pt: Uint8Array, ids: Ids): Verdict => {
    const parsed = strictJson(pt);
    return parsed ? shape(parsed.value, ids) : reject("bad_format");
  };
}

const keyVerdict = (pt: Uint8Array): Verdict => (pt.length === 32 ? accept((v) => (sameBytes(v, pt) ? null : "not the wrapped key")) : reject("bad_key"));
const checkKey32 = (v: unknown) => (v instanceof Uint8Array && v.length === 32 ? null : `not a 32-byte key: ${short(v)}`);

const SHARE_FIELD_KEYS = SHARE_ITEMS.filter((k) => k !== "attachments") as string[];

function sharePackageShape(v: unknown, ids: Ids): Verdict {
  if (!isObjectLike(v)) return reject("bad_format");
  const fields = v.fields;
  const files = v.files;
  const ok =
    typeof v.reportId === "string" &&
    typeof v.caseNumber === "string" &&
    typeof v.affiliate === "string" &&
    v.version === versionOf(ids) &&
    (SHARE_PURPOSES as readonly unknown[]).includes(v.purpose) &&
    isNullableString(v.purposeNote) &&
    typeof v.feedbackKey === "string" &&
    Array.isArray(v.redacted) &&
    v.redacted.every((r) => r === "title" || r === "description" || r === "details") &&
    isObject(fields) &&
    Object.keys(fields).every((k) => SHARE_FIELD_KEYS.includes(k)) &&
    ["title", "description", "details"].every((k) => fields[k] === undefined || typeof fields[k] === "string") &&
    ["name", "email", "phone"].every((k) => fields[k] === undefined || isNullableString(fields[k])) &&
    Array.isArray(files) &&
    files.every((f) => isObjectLike(f) && typeof f.id === "string" && typeof f.name === "string" && typeof f.type === "string" && Number.isSafeInteger(f.size));
  if (!ok) return reject("bad_format");
  const feedbackKey = base64UrlSpec(v.feedbackKey as string);
  if (!feedbackKey) return reject("bad_format");
  if (feedbackKey.length !== 32) return reject("bad_key");
  return accept(same({ ...v, feedbackKey }));
}

function checkSharePackage(value: unknown, ids: Ids): string | null {
  if (!isPlainObject(value)) return "not a plain object";
  const p = value;
  if (!(p.feedbackKey instanceof Uint8Array) || p.feedbackKey.length !== 32) return "feedbackKey is not 32 bytes";
  if (p.version !== versionOf(ids)) return "version differs from the one asked for";
  const shape = sharePackageShape({ ...p, feedbackKey: toBase64Url(p.feedbackKey) }, ids);
  if ("reject" in shape) return "returned package does not have the documented shape";
  try {
    itemsOf(p as never);
  } catch (e) {
    return `itemsOf() fails on it: ${describeError(e)}`;
  }
  return null;
}

function archiveShape(v: unknown): Verdict {
  if (!v || !isObjectLike(v)) return reject("bad_format");
  const lists = [v.messages, v.notes, v.privacyRequests, v.provisions, v.files];
  if (typeof v.caseNumber !== "string" || typeof v.reportId !== "string" || !isObject(v.dates) || !lists.every(Array.isArray)) {
    return reject("bad_format");
  }
  const files = v.files as unknown[];
  if (!files.every((f) => isObjectLike(f) && typeof f.id === "string" && typeof f.name === "string" && Number.isSafeInteger(f.size))) {
    return reject("bad_format");
  }
  return accept(same(v));
}

function messageShape(expected: string) {
  return (v: unknown): Verdict => {
    if (!isObjectLike(v) || typeof v.text !== "string" || (v.kind !== "message" && v.kind !== "question")) return reject("bad_format");
    if (v.author !== expected) return reject("wrong_record");
    return accept(same({ author: v.author, kind: v.kind, text: v.text }));
  };
}

function feedbackShape(expected: string) {
  return (v: unknown): Verdict => {
    if (!isObjectLike(v) || typeof v.text !== "string") return reject("bad_format");
    if (v.author !== expected) return reject("wrong_record");
    return accept(same({ author: v.author, text: v.text }));
  };
}

function identityShape(v: unknown): Verdict {
  if (!isObject(v) || !isNullableString(v.name) || !isNullableString(v.email) || !isNullableString(v.phone)) return reject("bad_format");
  const expected: Rec = { name: v.name, email: v.email, phone: v.phone };
  if (v.notify !== undefined) {
    const n = v.notify;
    if (!isObject(n) || typeof n.email !== "boolean" || (n.language !== "ko" && n.language !== "en")) return reject("bad_format");
    expected.notify = { email: n.email, language: n.language };
  }
  return accept(same(expected));
}

function checkIdentity(v: unknown): string | null {
  const keys = exactKeys(v, ["name", "email", "phone"], ["notify"]);
  if (keys) return keys;
  const o = v as Rec;
  if (!isNullableString(o.name) || !isNullableString(o.email) || !isNullableString(o.phone)) return "a field is not text or null";
  if (o.notify !== undefined) {
    const n = o.notify as Rec;
    const nk = exactKeys(n, ["email", "language"]);
    if (nk) return `notify: ${nk}`;
    if (typeof n.email !== "boolean" || (n.language !== "ko" && n.language !== "en")) return "notify has the wrong types";
  }
  return null;
}

function recordDecoders(sodium: Sodium): RecordDecoder[] {
  const list: RecordDecoder[] = [];
  for (const purpose of Object.keys(PURPOSES) as RecordPurpose[]) {
    const binding = (ids: Ids): RecordBinding => ({ purpose, id: ids.id, subId: ids.subId });
    list.push({
      name: `decryptRecord(${purpose})`,
      purpose,
      codes: AEAD_CODES,
      plain: "bytes",
      binding,
      decode: (k, ids, ct) => decryptRecord(k as RecordKey, binding(ids), ct),
      expect: (pt) => accept((v) => (sameBytes(v, pt) ? null : `not the plaintext: ${short(v)}`)),
      check: (v) => (v instanceof Uint8Array ? null : "not bytes"),
    });
    list.push({
      name: `decryptJson(${purpose})`,
      purpose,
      codes: AEAD_CODES,
      plain: "json",
      binding,
      decode: (k, ids, ct) => decryptJson(k as RecordKey, binding(ids), ct),
      expect: jsonVerdict((v) => accept(same(v))),
      check: (v) => (["string", "number", "boolean", "object"].includes(typeof v) ? null : `not a JSON value: ${typeof v}`),
    });
  }

  const typed = (
    name: string,
    purpose: RecordPurpose,
    codes: readonly CryptoErrorCode[],
    plain: RecordDecoder["plain"],
    withSubId: boolean,
    decode: RecordDecoder["decode"],
    expect: RecordDecoder["expect"],
    check: RecordDecoder["check"],
  ) =>
    list.push({
      name,
      purpose,
      codes,
      plain,
      binding: (ids) => ({ purpose, id: ids.id, ...(withSubId ? { subId: purpose === "share-package" ? String(versionOf(ids)) : subOf(ids) } : {}) }),
      decode,
      expect,
      check,
    });

  typed(
    "decryptTitle",
    "report-title",
    AEAD_CODES,
    "json",
    false,
    (k, ids, ct) => decryptTitle(k as ReportKey, ids.id, ct),
    jsonVerdict((v) => (typeof v === "string" ? accept(same(v)) : reject("bad_format"))),
    (v) => (typeof v === "string" ? null : "title is not text"),
  );
  typed(
    "decryptBody",
    "report-body",
    AEAD_CODES,
    "json",
    false,
    (k, ids, ct) => decryptBody(k as ReportKey, ids.id, ct),
    jsonVerdict((v) =>
      isObject(v) && typeof v.description === "string" && typeof v.details === "string" && isNullableString(v.periodFrom) && isNullableString(v.periodTo)
        ? accept(same({ description: v.description, details: v.details, periodFrom: v.periodFrom, periodTo: v.periodTo }))
        : reject("bad_format"),
    ),
    (v) => {
      const keys = exactKeys(v, ["description", "details", "periodFrom", "periodTo"]);
      if (keys) return keys;
      const o = v as Rec;
      return typeof o.description === "string" && typeof o.details === "string" && isNullableString(o.periodFrom) && isNullableString(o.periodTo)
        ? null
        : "wrong types";
    },
  );
  typed(
    "decryptIdentity",
    "report-identity",
    AEAD_CODES,
    "json",
    false,
    (k, ids, ct) => decryptIdentity(k as ReportKey, ids.id, ct),
    jsonVerdict(identityShape),
    checkIdentity,
  );
  typed(
    "unwrapReporterKey",
    "reporter-key",
    AEAD_CODES,
    "key",
    false,
    (k, ids, ct) => unwrapReporterKey(k as ReceiptWrapKey, ids.id, ct),
    keyVerdict,
    checkKey32,
  );
  typed("unwrapFileKey", "file-key", AEAD_CODES, "key", true, (k, ids, ct) => unwrapFileKey(k as ReportKey, ids.id, subOf(ids), ct), keyVerdict, checkKey32);
  typed(
    "decryptFileMeta",
    "file-meta",
    AEAD_CODES,
    "json",
    true,
    (k, ids, ct) => decryptFileMeta(k as ReportKey, ids.id, subOf(ids), ct),
    jsonVerdict((v) =>
      isObject(v) && typeof v.size === "number" && Number.isSafeInteger(v.size) && v.size >= 0 && typeof v.name === "string" && typeof v.type === "string"
        ? accept(same({ name: v.name, type: v.type, size: v.size }))
        : reject("bad_format"),
    ),
    (v) => {
      const keys = exactKeys(v, ["name", "type", "size"]);
      if (keys) return keys;
      const o = v as Rec;
      return typeof o.name === "string" && typeof o.type === "string" && Number.isSafeInteger(o.size) && (o.size as number) >= 0 ? null : "wrong types";
    },
  );
  for (const author of ["reporter", "investigator"] as const) {
    typed(
      `decryptMessage(${author})`,
      "message",
      AUTHOR_CODES,
      "json",
      true,
      (k, ids, ct) => decryptMessage(k as ReportKey, ids.id, subOf(ids), ct, author),
      jsonVerdict(messageShape(author)),
      (v) => exactKeys(v, ["author", "kind", "text"]) ?? ((v as Rec).author === author ? null : "author differs from the expected one"),
    );
  }
  for (const part of ["request", "answer"] as const) {
    typed(
      `decryptPrivacyText(${part})`,
      part === "request" ? "privacy-request" : "privacy-answer",
      AEAD_CODES,
      "json",
      true,
      (k, ids, ct) => decryptPrivacyText(k as ReportKey, ids.id, subOf(ids), part, ct),
      jsonVerdict((v) => (isObjectLike(v) && typeof v.text === "string" ? accept(same(v.text)) : reject("bad_format"))),
      (v) => (typeof v === "string" ? null : "not text"),
    );
  }
  typed(
    "decryptNote",
    "note",
    AEAD_CODES,
    "json",
    true,
    (k, ids, ct) => decryptNote(k as CaseKey, ids.id, subOf(ids), ct),
    jsonVerdict((v) => (isObjectLike(v) && typeof v.text === "string" ? accept(same(v.text)) : reject("bad_format"))),
    (v) => (typeof v === "string" ? null : "not text"),
  );
  typed(
    "decryptLabels",
    "labels",
    AEAD_CODES,
    "json",
    false,
    (k, ids, ct) => decryptLabels(k as CaseKey, ids.id, ct),
    jsonVerdict((v) => (Array.isArray(v) && v.every((l) => typeof l === "string") ? accept(same(v)) : reject("bad_format"))),
    (v) => (Array.isArray(v) && v.every((l) => typeof l === "string") ? null : "not a list of text"),
  );
  typed(
    "decryptSharePackage",
    "share-package",
    AEAD_CODES,
    "json",
    true,
    (k, ids, ct) => decryptSharePackage(k as ShareKey, ids.id, versionOf(ids), ct),
    jsonVerdict(sharePackageShape),
    checkSharePackage,
  );
  typed(
    "unwrapShareKeyForCase",
    "share-key",
    AEAD_CODES,
    "key",
    true,
    (k, ids, ct) => unwrapShareKeyForCase(k as CaseKey, ids.id, subOf(ids), ct),
    keyVerdict,
    checkKey32,
  );
  typed(
    "unwrapFeedbackKeyForCase",
    "share-feedback-key",
    AEAD_CODES,
    "key",
    true,
    (k, ids, ct) => unwrapFeedbackKeyForCase(k as CaseKey, ids.id, subOf(ids), ct),
    keyVerdict,
    checkKey32,
  );
  typed(
    "unwrapFileKeyForShare",
    "share-file-key",
    AEAD_CODES,
    "key",
    true,
    (k, ids, ct) => unwrapFileKeyForShare(k as ShareKey, ids.id, subOf(ids), ct),
    keyVerdict,
    checkKey32,
  );
  for (const author of ["affiliate", "investigator"] as const) {
    typed(
      `decryptFeedback(${author})`,
      "share-feedback",
      AUTHOR_CODES,
      "json",
      true,
      (k, ids, ct) => decryptFeedback(k as FeedbackKey, ids.id, subOf(ids), ct, author),
      jsonVerdict(feedbackShape(author)),
      (v) => exactKeys(v, ["author", "text"]) ?? ((v as Rec).author === author ? null : "author differs from the expected one"),
    );
  }
  typed(
    "decryptArchivePackage",
    "archive-package",
    AEAD_CODES,
    "json",
    false,
    (k, ids, ct) => decryptArchivePackage(k as ArchiveKey, ids.id, ct),
    jsonVerdict(archiveShape),
    (v) => ("reject" in archiveShape(v) ? "returned package does not have the documented shape" : isPlainObject(v) ? null : "not a plain object"),
  );
  typed(
    "unwrapFileKeyForArchive",
    "archive-file-key",
    AEAD_CODES,
    "key",
    true,
    (k, ids, ct) => unwrapFileKeyForArchive(k as ArchiveKey, ids.id, subOf(ids), ct),
    keyVerdict,
    checkKey32,
  );
  for (const kind of ["password", "recovery"] as const) {
    typed(
      `unwrapStaffSecretKey(${kind})`,
      kind === "password" ? "staff-secret-key" : "staff-secret-key-recovery",
      AEAD_CODES,
      "key",
      false,
      (k, ids, ct) => unwrapStaffSecretKey(k as PasswordWrapKey, ids.id, ct, kind),
      (pt) => (pt.length === 32 ? accept(same({ secretKey: pt, publicKey: sodium.crypto_scalarmult_base(pt) })) : reject("bad_key")),
      (v) => {
        const keys = exactKeys(v, ["secretKey", "publicKey"]);
        if (keys) return keys;
        const p = v as Rec;
        if (checkKey32(p.secretKey) || checkKey32(p.publicKey)) return "keys are not 32 bytes";
        return sameBytes(p.publicKey, sodium.crypto_scalarmult_base(p.secretKey as Uint8Array)) ? null : "public key does not match the secret key";
      },
    );
  }
  return list;
}

/** An authentic aead-v1 record with exactly these padded bytes (for padding the encoder would never write). */
function sealPadded(sodium: Sodium, key: Uint8Array, binding: RecordBinding, padded: Uint8Array, nonce: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0x01), nonce, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(padded, associatedData(binding), null, nonce, key));
}

/** Authentic records known to the oracle: ciphertext hex -> (key, associated data, padded plaintext). */
type AuthMap = Map<string, { key: string; ad: string; padded: Uint8Array }[]>;

/** §3.4 decoding order, for any input under any key and binding. */
function recordVerdict(auth: AuthMap, d: RecordDecoder, key: Uint8Array, ids: Ids, ct: Uint8Array): Verdict {
  if (key.length !== 32) return reject("bad_key");
  if (ct.length < 41) return reject("truncated");
  if (ct[0] !== 0x01) return reject("bad_version");
  const binding = d.binding(ids);
  const ad = hex(associatedData(binding));
  const known = auth.get(hex(ct))?.find((a) => a.key === hex(key) && a.ad === ad);
  if (!known) return reject("decrypt_failed");
  const pt = unpadSpec(known.padded, PURPOSES[binding.purpose].block);
  return pt ? d.expect(pt, ids) : reject("bad_format");
}

// ---------------------------------------------------------------------------
// Byte mutations

interface Mutated {
  bytes: Uint8Array;
  how: string;
}

function mutateBytes(rng: Rng, src: Uint8Array, pool: readonly Uint8Array[]): Mutated {
  const n = src.length;
  const at = () => rng.int(Math.max(n, 1));
  switch (rng.int(17)) {
    case 0: {
      const i = at();
      const bit = 1 << rng.int(8);
      const b = src.slice();
      if (n > 0) b[i] = b[i]! ^ bit;
      return { bytes: b, how: `flip bit 0x${bit.toString(16)} of byte ${i}` };
    }
    case 1: {
      const b = src.slice();
      const k = rng.between(2, 24);
      for (let j = 0; j < k && n > 0; j++) {
        const x = at();
        b[x] = b[x]! ^ (1 << rng.int(8));
      }
      return { bytes: b, how: `flip ${k} random bits` };
    }
    case 2: {
      const i = at();
      const v = rng.int(256);
      const b = src.slice();
      if (n > 0) b[i] = v;
      return { bytes: b, how: `set byte ${i} to 0x${v.toString(16)} (may be a no-op)` };
    }
    case 3: {
      const len = rng.int(n);
      return { bytes: src.slice(0, len), how: `truncate to ${len} bytes` };
    }
    case 4: {
      const k = rng.between(1, 20);
      return { bytes: src.slice(0, Math.max(0, n - k)), how: `cut ${k} bytes off the end` };
    }
    case 5: {
      const k = rng.between(1, 64);
      return { bytes: concat(src, rng.bytes(k)), how: `append ${k} random bytes` };
    }
    case 6: {
      const k = rng.pick([1, 15, 16, 17, 256, 1024]);
      return { bytes: concat(src, new Uint8Array(k)), how: `append ${k} zero bytes` };
    }
    case 7: {
      const i = at();
      const j = at();
      const b = src.slice();
      [b[i], b[j]] = [b[j]!, b[i]!];
      return { bytes: b, how: `swap bytes ${i} and ${j}` };
    }
    case 8: {
      const v = rng.chance(0.3) ? rng.pick([0x00, 0x02, 0x7f, 0x80, 0xff]) : rng.int(256);
      const b = src.slice();
      if (n > 0) b[0] = v;
      return { bytes: b, how: `version byte 0x${v.toString(16)}` };
    }
    case 9: {
      const o = rng.pick(pool);
      const i = rng.int(n + 1);
      const j = rng.int(o.length + 1);
      return { bytes: concat(src.subarray(0, i), o.subarray(j)), how: `splice: first ${i} bytes + another input from byte ${j}` };
    }
    case 10: {
      const o = rng.pick(pool);
      const i = rng.int(Math.min(n, o.length) + 1);
      return { bytes: concat(src.subarray(0, i), o.subarray(i)), how: `splice at byte ${i} with another input` };
    }
    case 11: {
      const o = rng.pick(pool);
      return rng.chance(0.5) ? { bytes: concat(src, o), how: "followed by another input" } : { bytes: concat(o, src), how: "preceded by another input" };
    }
    case 12: {
      const i = at();
      const k = rng.between(1, 32);
      return { bytes: concat(src.subarray(0, i), src.subarray(i + k)), how: `delete ${k} bytes at ${i}` };
    }
    case 13: {
      const i = at();
      const k = rng.between(1, 32);
      return { bytes: concat(src.subarray(0, i + k), src.subarray(i, i + k), src.subarray(i + k)), how: `duplicate ${k} bytes at ${i}` };
    }
    case 14: {
      const i = at();
      const k = rng.between(1, 48);
      return { bytes: concat(src.subarray(0, i), rng.bytes(k), src.subarray(i)), how: `insert ${k} random bytes at ${i}` };
    }
    case 15: {
      const i = at();
      const k = rng.between(1, 48);
      const b = src.slice();
      b.set(rng.bytes(Math.min(k, Math.max(0, n - i))), i);
      return { bytes: b, how: `overwrite ${k} bytes at ${i} with random bytes` };
    }
    default:
      return { bytes: src.slice(), how: "unchanged" };
  }
}

/** Random lengths: empty, tiny, around the format's interesting lengths, up to a few MiB. */
function randomLength(rng: Rng, interesting: readonly number[]): number {
  const r = rng.float();
  if (r < 0.04) return 0;
  if (r < 0.35) return Math.max(0, rng.pick(interesting) + rng.between(-2, 2));
  if (r < 0.7) return rng.int(128);
  if (r < 0.96) return rng.int(4096);
  if (r < 0.995) return rng.int(200_000);
  return rng.between(1 << 20, 3 << 20);
}

// ---------------------------------------------------------------------------
// Hostile JSON

class Raw {
  constructor(readonly text: string) {}
}
class Obj {
  constructor(readonly entries: [string, J][]) {}
}
type J = null | boolean | number | string | Raw | Obj | J[];

function toJ(v: unknown): J {
  if (Array.isArray(v)) return v.map(toJ);
  if (v !== null && typeof v === "object") return new Obj(Object.entries(v).map(([k, x]) => [k, toJ(x)]));
  return v as J;
}

function ser(v: J): string {
  if (v instanceof Raw) return v.text;
  if (v instanceof Obj) return `{${v.entries.map(([k, x]) => `${JSON.stringify(k)}:${ser(x)}`).join(",")}}`;
  if (Array.isArray(v)) return `[${v.map(ser).join(",")}]`;
  return JSON.stringify(v) ?? "null";
}

const RAW_TOKENS = [
  "NaN",
  "-NaN",
  "Infinity",
  "-Infinity",
  "undefined",
  "1e999",
  "-1e999",
  "1e-400",
  "-0",
  "0.0",
  "1E+2",
  "-1",
  "1.5",
  "9007199254740993",
  "-9007199254740993",
  "123456789012345678901234567890",
  "0x10",
  "01",
  "+1",
  ".5",
  "1.",
  "'x'",
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"\\u0000"',
  '"\\u12"',
  '"\\x41"',
  '"a\tb"',
  '"\\/"',
  "[,]",
  "{,}",
  "[1,]",
  '{"a":1,}',
  "/*c*/1",
  "tru",
  "nul",
  '"unterminated',
  '{"a" 1}',
  "{a:1}",
  "[1 2]",
  "\u00a01",
  "1 2",
  "{}",
  "[]",
  "true",
  "null",
];
const HOSTILE_STRINGS = [
  "",
  " ",
  "null",
  "NaN",
  "undefined",
  "true",
  "0",
  "-0",
  "1e999",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "ko",
  "en",
  "reporter",
  "investigator",
  "affiliate",
  "message",
  "question",
  "title",
  "details",
  "attachments",
  "fact_finding",
  "legal_review",
  "<script>alert(1)</script>",
  "\u0000",
  "\u202e\u202d",
  "\ud800",
  "\udfff",
  "\ufeff",
  "😀",
  "a\u0301",
  "../../etc/passwd",
  "\r\n",
  "2024-02-30",
  "9007199254740993",
  "AAAA",
  "A".repeat(43),
];
const HOSTILE_KEYS = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "valueOf",
  "hasOwnProperty",
  "__defineGetter__",
  "length",
  "0",
  "",
  "polluted",
  "attachments",
  "category",
  "period",
  "title",
  "name",
  "email",
  "notify",
  "text",
  "author",
  "kind",
  "size",
  "version",
  "feedbackKey",
  "files",
  "fields",
  "redacted",
  "dates",
  "messages",
];

const pollutionPayload = (rng: Rng): J =>
  rng.chance(0.5)
    ? new Obj([
        [
          "__proto__",
          new Obj([
            ["polluted", "yes"],
            ["__fuzz_polluted__", true],
          ]),
        ],
      ])
    : new Obj([["constructor", new Obj([["prototype", new Obj([["polluted", "yes"]])]])]]);

function hostileString(rng: Rng): string {
  const r = rng.float();
  if (r < 0.5) return rng.pick(HOSTILE_STRINGS);
  if (r < 0.8) return rng.codeUnits(rng.int(40));
  return toBase64Url(rng.bytes(rng.pick([0, 16, 31, 32, 33, 64])));
}

/** One big value: a string of up to 512 KiB of UTF-8, or 100,000 levels of nesting, or 100,000 elements. */
function bigValue(rng: Rng, kind: number): J {
  switch (kind % 3) {
    case 0:
      return rng.pick(["x", "가", "😀", "\\", "\u0000"]).repeat(rng.between(1 << 16, 1 << 17));
    case 1:
      return new Raw(rng.chance(0.5) ? "[".repeat(100_000) + "]".repeat(100_000) : '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000));
    default:
      return new Raw(`[${"0,".repeat(99_999)}0]`);
  }
}

function hostileValue(rng: Rng, depth: number): J {
  switch (rng.int(depth > 0 ? 12 : 8)) {
    case 0:
      return rng.pick([null, true, false, 0, 1, -1, 0.5, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1e308, 5e-324, 183211]);
    case 1:
    case 2:
      return new Raw(rng.pick(RAW_TOKENS));
    case 3:
    case 4:
      return hostileString(rng);
    case 5:
      return pollutionPayload(rng);
    case 6: {
      // Nesting (the deepest, 100,000 levels, comes from bigValue).
      const d = rng.pick([2, 64, 1000]);
      return new Raw(rng.chance(0.5) ? "[".repeat(d) + "]".repeat(d) : '{"a":'.repeat(d) + "1" + "}".repeat(d));
    }
    case 7: {
      const n = rng.pick([1, 10, 1000]);
      return new Raw(`[${"0,".repeat(n - 1)}0]`);
    }
    case 8:
    case 9:
      return Array.from({ length: rng.int(5) }, () => hostileValue(rng, depth - 1));
    default:
      return new Obj(
        Array.from({ length: rng.int(5) }, () => [rng.chance(0.6) ? rng.pick(HOSTILE_KEYS) : hostileString(rng), hostileValue(rng, depth - 1)] as [string, J]),
      );
  }
}

interface Slot {
  get(): J;
  set(v: J): void;
  remove?(): void;
}

function slotsOf(root: { v: J }): Slot[] {
  const out: Slot[] = [{ get: () => root.v, set: (v) => (root.v = v) }];
  const walk = (v: J, depth: number) => {
    if (depth > 8) return;
    if (v instanceof Obj) {
      v.entries.forEach((entry, i) => {
        out.push({ get: () => entry[1], set: (x) => (entry[1] = x), remove: () => v.entries.splice(i, 1) });
        walk(entry[1], depth + 1);
      });
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push({ get: () => v[i]!, set: (y) => (v[i] = y), remove: () => v.splice(i, 1) });
        walk(x, depth + 1);
      });
    }
  };
  walk(root.v, 0);
  return out;
}

/** A valid value of the right shape with one to three hostile edits (the first may put `inject` somewhere), as JSON text. */
function mutateTemplate(rng: Rng, template: unknown, inject?: J): string {
  const root = { v: toJ(template) };
  if (inject !== undefined) rng.pick(slotsOf(root)).set(inject);
  // Mostly one edit, so that each hostile edit is also seen on its own.
  const edits = inject !== undefined && rng.chance(0.5) ? 0 : rng.pick([1, 1, 1, 2, 3]);
  for (let e = 0; e < edits; e++) {
    const slots = slotsOf(root);
    const slot = rng.pick(slots);
    const value = slot.get();
    switch (rng.int(8)) {
      case 0:
      case 1:
        slot.set(hostileValue(rng, 2));
        break;
      case 6:
        // An empty container of the other kind: {} for [], [] for {} (and for anything else).
        slot.set(value instanceof Obj ? [] : Array.isArray(value) ? new Obj([]) : rng.pick([[], new Obj([])]));
        break;
      case 2:
        if (slot.remove) slot.remove();
        else slot.set(hostileValue(rng, 1));
        break;
      case 3:
        if (value instanceof Obj) value.entries.push([rng.pick(HOSTILE_KEYS), hostileValue(rng, 2)]);
        else if (Array.isArray(value)) value.push(hostileValue(rng, 2));
        else slot.set([value]);
        break;
      case 4:
        // A duplicate key: JSON.parse keeps the last one.
        if (value instanceof Obj && value.entries.length > 0) value.entries.push([rng.pick(value.entries)[0], hostileValue(rng, 1)]);
        else slot.set(pollutionPayload(rng));
        break;
      case 5:
        if (value instanceof Obj) value.entries.push(...(pollutionPayload(rng) as Obj).entries);
        else slot.set(pollutionPayload(rng));
        break;
      default:
        // Swap containers: an object becomes an array of its values and the other way round.
        if (value instanceof Obj) slot.set(value.entries.map(([, x]) => x));
        else if (Array.isArray(value)) slot.set(new Obj(value.map((x, i) => [String(i), x])));
        else slot.set(new Obj([["value", value]]));
    }
  }
  return ser(root.v);
}

const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xed, 0xbf, 0xbf],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
  [0xbf],
  [0xc3],
  [0xf0, 0x9f, 0x98],
];

/** Byte-level damage to a JSON text: BOM, invalid UTF-8, cuts, garbage, NULs. */
function damageText(rng: Rng, text: string): { bytes: Uint8Array; how: string } {
  const b = utf8(text);
  const i = rng.int(b.length + 1);
  switch (rng.int(8)) {
    case 0:
      return { bytes: concat(Uint8Array.of(0xef, 0xbb, 0xbf), b), how: "UTF-8 BOM before the JSON" };
    case 1: {
      const seq = rng.pick(INVALID_UTF8);
      return { bytes: concat(b.subarray(0, i), Uint8Array.from(seq), b.subarray(i)), how: `invalid UTF-8 ${hex(Uint8Array.from(seq))} at ${i}` };
    }
    case 2:
      return { bytes: b.slice(0, i), how: `JSON text cut at byte ${i}` };
    case 3:
      return { bytes: concat(b, utf8(rng.pick(["x", "}", "]", ",", " 1", "\u0000", "{}"]))), how: "trailing garbage" };
    case 4:
      return { bytes: concat(utf8(" \t\n\r"), b, utf8("\r\n ")), how: "JSON white space around (valid)" };
    case 5:
      return { bytes: concat(b.subarray(0, i), Uint8Array.of(0), b.subarray(i)), how: `NUL at ${i}` };
    case 6:
      return { bytes: new Uint8Array(0), how: "empty plaintext" };
    default:
      return { bytes: rng.bytes(rng.int(300)), how: "random bytes" };
  }
}

// ---------------------------------------------------------------------------
// Fixtures

const aeadVectors = readVectorFile<AeadFile>("aead-v1.json");
const envelopeVectors = readVectorFile<EnvelopeFile>("envelope-v1.json");
const streamVectors = readVectorFile<StreamFile>("stream-v1.json");
const receiptVectors = readVectorFile<ReceiptFile>("receipt-v1.json");
const staffVectors = readVectorFile<StaffKdfFile>("staff-kdf-v1.json");

const REPORT_ID = "0c3e5a7b-9d1f-4a2b-8c4d-6e8f0a1b2c3d";
const SHARE_ID = "1d4f6b8c-0e2a-4b3c-9d5e-7f9a1b2c3d4e";
const ARCHIVE_ID = "5a7c9e1f-3b5d-4f6a-8b9c-1d3e5f7a9b2c";
const USER_ID = "6b8d0f2a-4c6e-4a7b-9c0d-2e4f6a8b0c3d";
const SUB_ID = "2e5a7c9d-1f3b-4c4d-8e6f-8a0b2c3d4e5f";

/** The ids each purpose is decrypted under in the hostile-plaintext tests. */
function idsFor(purpose: RecordPurpose): Ids {
  if (purpose === "share-package") return { id: SHARE_ID, subId: "2" };
  if (purpose.startsWith("share-file") || purpose === "share-feedback") return { id: SHARE_ID, subId: SUB_ID };
  if (purpose === "archive-package") return { id: ARCHIVE_ID };
  if (purpose === "archive-file-key") return { id: ARCHIVE_ID, subId: SUB_ID };
  if (purpose.startsWith("staff-secret-key")) return { id: USER_ID };
  if (["report-title", "report-body", "report-identity", "reporter-key", "labels"].includes(purpose)) return { id: REPORT_ID };
  return { id: REPORT_ID, subId: SUB_ID };
}

function vectorPlaintext(purpose: RecordPurpose): unknown {
  const c = aeadVectors.cases.find((v) => v.purpose === purpose && v.plaintextText !== undefined && v.plaintextText !== "");
  return c ? (JSON.parse(c.plaintextText!) as unknown) : undefined;
}

/** A well-formed plaintext of each JSON purpose, for the hostile edits to start from. */
function templateFor(purpose: RecordPurpose, decoderName: string, rng: Rng): unknown {
  switch (purpose) {
    case "report-title":
      return "Invoices for services that were never delivered";
    case "report-body":
      return { description: "Three invoices without delivery.", details: "March to May.", periodFrom: "2024-03-01", periodTo: null };
    case "report-identity":
      return { name: "홍길동", email: "gildong@example.com", phone: null, notify: { email: true, language: "ko" } };
    case "file-meta":
      return { name: "invoice-2024-03.pdf", type: "application/pdf", size: 183211 };
    case "message":
      return { author: decoderName.includes("investigator") ? "investigator" : "reporter", kind: "question", text: "Who approved it?" };
    case "share-feedback":
      return { author: decoderName.includes("investigator") ? "investigator" : "affiliate", text: "No delivery record." };
    case "share-package":
      return { ...(vectorPlaintext(purpose) as Rec), version: 2, feedbackKey: toBase64Url(rng.bytes(32)) };
    case "labels":
      return ["urgent", "finance"];
    default:
      return vectorPlaintext(purpose) ?? { text: "Cross-check with the ERP export." };
  }
}

let sodium: Sodium;
let decoders: RecordDecoder[];

beforeAll(async () => {
  sodium = await loadSodium();
  decoders = recordDecoders(sodium);
});

// ---------------------------------------------------------------------------
// aead-v1

describe("fuzz: aead-v1 records (decryptRecord, decryptJson, every typed decoder)", () => {
  interface Sample {
    label: string;
    key: Uint8Array;
    purpose: RecordPurpose;
    ids: Ids;
    ct: Uint8Array;
  }
  let samples: Sample[];
  let auth: AuthMap;

  beforeAll(() => {
    // Every committed ciphertext (valid and invalid ones) with its stated key and binding.
    samples = [...aeadVectors.cases, ...aeadVectors.invalid].map((v) => ({
      label: v.name,
      key: fromHex(v.key),
      purpose: v.purpose as RecordPurpose,
      ids: { id: v.id, ...(v.subId ? { subId: v.subId } : {}) },
      ct: fromHex(v.ciphertext),
    }));
    // The oracle learns which of them are authentic, and their padded plaintexts, from libsodium alone.
    auth = new Map();
    for (const s of samples) {
      const binding: RecordBinding = { purpose: s.purpose, id: s.ids.id, subId: s.ids.subId };
      if (s.ct.length < 41) continue;
      let padded: Uint8Array;
      try {
        padded = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(null, s.ct.subarray(25), associatedData(binding), s.ct.subarray(1, 25), s.key);
      } catch {
        continue;
      }
      const k = hex(s.ct);
      const entry = { key: hex(s.key), ad: hex(associatedData(binding)), padded };
      if (!auth.get(k)?.some((a) => a.key === entry.key && a.ad === entry.ad)) auth.set(k, [...(auth.get(k) ?? []), entry]);
    }
    expect(auth.size).toBeGreaterThanOrEqual(aeadVectors.cases.length);
  });

  it("(a) random bytes of random lengths, and keys of the wrong length, are refused with the documented code", () => {
    const fz = new Fuzz("aead random bytes");
    const rng = fz.rng;
    const huge = rng.bytes(4 << 20);
    huge[0] = 0x01;
    const lengths = [0, 1, 24, 25, 40, 41, 42, 57, 89, 297, 1065, 2089];
    for (const d of decoders) {
      const ids = idsFor(d.purpose);
      const key = rng.bytes(32);
      for (let i = 0; i < 110; i++) {
        let ct = rng.bytes(randomLength(rng, lengths));
        if (ct.length > 0 && rng.chance(0.6)) ct[0] = 0x01;
        // Random bytes behind a real version byte and nonce.
        if (rng.chance(0.15)) ct = concat(rng.pick(samples).ct.subarray(0, 25), ct);
        const k = rng.chance(0.03) ? rng.bytes(rng.pick([0, 16, 31, 33, 64])) : key;
        fz.inputs++;
        const what = () => `${d.name} #${i}: random ${preview(ct)}, key ${k.length} B`;
        fz.verdict(
          what,
          fz.run(what, d.codes, () => d.decode(k, ids, ct)),
          recordVerdict(auth, d, k, ids, ct),
        );
      }
      fz.inputs++;
      const what = `${d.name}: 4 MiB of random bytes after a version byte`;
      fz.verdict(
        what,
        fz.run(what, d.codes, () => d.decode(key, ids, huge)),
        reject("decrypt_failed"),
      );
    }
    fz.done();
  });

  it("(b) mutated vectors never decrypt to anything but their original, under their own and every other decoder", () => {
    const fz = new Fuzz("aead mutated vectors");
    const rng = fz.rng;
    const pool = samples.map((s) => s.ct);
    for (const s of samples) {
      const own = decoders.filter((d) => d.purpose === s.purpose);
      for (let i = 0; i < 160; i++) {
        const m = mutateBytes(rng, s.ct, pool);
        for (const d of [...own, rng.pick(decoders), rng.pick(decoders)]) {
          fz.inputs++;
          const what = () => `${d.name} #${i} on "${s.label}" mutated (${m.how}): ${preview(m.bytes)}`;
          const got = fz.run(what, d.codes, () => d.decode(s.key, s.ids, m.bytes));
          fz.verdict(what, got, recordVerdict(auth, d, s.key, s.ids, m.bytes));
          if (got?.ok) {
            const problem = d.check(got.value, s.ids);
            if (problem) fz.fail(what, `returned a malformed value: ${problem}`);
          }
        }
      }
    }
    fz.done();
  });

  it("(c) authentic records of hostile plaintexts: only the documented shapes are accepted, nothing leaks to prototypes", () => {
    const fz = new Fuzz("aead hostile plaintexts");
    const rng = fz.rng;
    for (const d of decoders) {
      const ids = idsFor(d.purpose);
      const key = rng.bytes(32);
      const binding = d.binding(ids);
      const block = PURPOSES[d.purpose].block;
      const typedJson = d.plain === "json" && !d.name.startsWith("decryptJson");
      const rounds = typedJson ? 260 : 60;
      // The first rounds each hold one big value: a typed decoder gets all three kinds, decryptJson one.
      const bigRounds = typedJson ? 3 : d.plain === "json" ? 1 : 0;
      const template = templateFor(d.purpose, d.name, rng);
      for (let i = 0; i < rounds; i++) {
        let pt: Uint8Array;
        let how: string;
        if (d.plain === "key") {
          const len = rng.chance(0.4) ? 32 : rng.pick([0, 1, 16, 31, 33, 48, 64, rng.int(300)]);
          pt = rng.bytes(len);
          how = `${len}-byte key`;
        } else if (i < bigRounds) {
          const kind = typedJson ? i : rng.int(3);
          pt = utf8(mutateTemplate(rng, template, bigValue(rng, kind)));
          how = `hostile JSON with ${["a long string", "100,000 levels of nesting", "100,000 array elements"][kind]}`;
        } else if (d.plain === "bytes" || rng.chance(0.12)) {
          const r = rng.int(3);
          pt = r === 0 ? rng.bytes(rng.int(3000)) : r === 1 ? utf8(rng.codeUnits(rng.int(200))) : new Uint8Array(rng.int(2 * block + 2));
          how = ["random bytes", "random text", "zero bytes"][r]!;
        } else {
          const text = rng.chance(0.8) ? mutateTemplate(rng, template) : ser(hostileValue(rng, 3));
          if (rng.chance(0.15)) ({ bytes: pt, how } = damageText(rng, text));
          else [pt, how] = [utf8(text), "hostile JSON"];
        }
        // Mostly the encoder's own padding; sometimes padding it would never write.
        let ct: Uint8Array;
        let want: Verdict;
        const nonce = rng.bytes(24);
        if (rng.chance(0.12)) {
          const padded = hostilePadding(rng, pt, block);
          ct = sealPadded(sodium, key, binding, padded.bytes, nonce);
          how += `, ${padded.how}`;
          const unpadded = unpadSpec(padded.bytes, block);
          want = unpadded ? d.expect(unpadded, ids) : reject("bad_format");
        } else {
          ct = encryptRecord(key as RecordKey, binding, pt, nonce);
          want = d.expect(pt, ids);
        }
        fz.inputs++;
        const what = () => `${d.name} #${i} (${how}): plaintext ${preview(pt)}`;
        const got = fz.run(what, d.codes, () => d.decode(key, ids, ct));
        fz.verdict(what, got, want);
        if (got?.ok) {
          const problem = d.check(got.value, ids);
          if (problem) fz.fail(what, `returned a malformed value: ${problem}`);
        }
      }
    }
    fz.done();
  });
});

function hostilePadding(rng: Rng, pt: Uint8Array, block: number): { bytes: Uint8Array; how: string } {
  const fill = (n: number) => new Uint8Array(Math.max(0, n));
  const toBlock = (len: number) => block - (len % block);
  switch (rng.int(7)) {
    case 0:
      return { bytes: concat(pt, fill(toBlock(pt.length))), how: "zeros without the 0x80 marker" };
    case 1:
      return { bytes: concat(pt, Uint8Array.of(0x80), fill(toBlock(pt.length + 1) + block)), how: "0x80 more than a block before the end" };
    case 2:
      return { bytes: concat(pt, Uint8Array.of(0x80, 0x01), fill(toBlock(pt.length + 2))), how: "non-zero byte after 0x80" };
    case 3:
      return { bytes: concat(pt.subarray(0, block - 2), Uint8Array.of(0x80)), how: "shorter than one block" };
    case 4:
      return { bytes: concat(pt, Uint8Array.of(0x80)), how: "0x80 marker, not a whole number of blocks" };
    case 5:
      return { bytes: rng.bytes(rng.int(3 * block)), how: "random padded bytes" };
    default:
      return { bytes: concat(pt, Uint8Array.of(0x80), fill(toBlock(pt.length + 1) % block)), how: "correct padding, built by hand" };
  }
}

// ---------------------------------------------------------------------------
// envelope-v1

describe("fuzz: envelope-v1 (openReportKeys, openShareKey, openArchiveKey)", () => {
  interface Opener {
    name: string;
    kind: number;
    length: number;
    open(env: Uint8Array, id: string, kp: StaffKeyPair): unknown;
  }
  const openers: Opener[] = [
    { name: "openReportKeys", kind: 0x01, length: 130, open: (e, id, kp) => openReportKeys(e, id, kp) },
    { name: "openShareKey", kind: 0x02, length: 98, open: (e, id, kp) => openShareKey(e, id, kp) },
    { name: "openArchiveKey", kind: 0x03, length: 98, open: (e, id, kp) => openArchiveKey(e, id, kp) },
  ];
  const ENVELOPE_CODES: readonly CryptoErrorCode[] = ["truncated", "bad_format", "bad_version", "decrypt_failed", "wrong_record"];

  interface Context {
    label: string;
    kind: number;
    id: string;
    keyPair: StaffKeyPair;
    envelope: Uint8Array;
  }
  let contexts: Context[];
  let pool: Uint8Array[];
  /** envelope hex -> public key hex -> inner plaintext (learned with crypto_box_seal_open alone). */
  let inners: Map<string, Map<string, Uint8Array>>;

  beforeAll(() => {
    const kp = (sk: string): StaffKeyPair => ({ secretKey: fromHex(sk) as StaffSecretKey, publicKey: publicKeyOf(fromHex(sk) as StaffSecretKey) });
    contexts = [
      ...envelopeVectors.cases.map((c) => ({ label: c.name, kind: 1, id: c.reportId, keyPair: kp(c.recipientSecretKey), envelope: fromHex(c.envelope) })),
      ...envelopeVectors.shareCases.map((c) => ({ label: c.name, kind: 2, id: c.shareId, keyPair: kp(c.recipientSecretKey), envelope: fromHex(c.envelope) })),
      ...envelopeVectors.archiveCases.map((c) => ({
        label: c.name,
        kind: 3,
        id: c.archiveId,
        keyPair: kp(c.recipientSecretKey),
        envelope: fromHex(c.envelope),
      })),
    ];
    const invalid = [...envelopeVectors.invalid, ...envelopeVectors.shareInvalid, ...envelopeVectors.archiveInvalid].map((v) => fromHex(v.envelope));
    pool = [...contexts.map((c) => c.envelope), ...invalid];
    inners = new Map();
    for (const env of pool) {
      for (const c of contexts) {
        try {
          const inner = sodium.crypto_box_seal_open(env.subarray(1), c.keyPair.publicKey, c.keyPair.secretKey);
          const byKey = inners.get(hex(env)) ?? new Map<string, Uint8Array>();
          byKey.set(hex(c.keyPair.publicKey), inner);
          inners.set(hex(env), byKey);
        } catch {
          // not sealed to this key pair
        }
      }
    }
  });

  /** §4 decoding order. */
  function envelopeVerdict(o: Opener, env: Uint8Array, id: string, kp: StaffKeyPair): Verdict {
    if (env.length < o.length) return reject("truncated");
    if (env.length > o.length) return reject("bad_format");
    if (env[0] !== 0x01) return reject("bad_version");
    const inner = inners.get(hex(env))?.get(hex(kp.publicKey));
    if (!inner) return reject("decrypt_failed");
    return innerVerdict(o, inner, id);
  }

  function innerVerdict(o: Opener, inner: Uint8Array, id: string): Verdict {
    if (inner[0] !== o.kind) return reject("bad_format");
    const idBytes = uuidSpec(id);
    if (!idBytes) return reject("bad_format");
    if (!sameBytes(inner.subarray(1, 17), idBytes)) return reject("wrong_record");
    const keys = inner.slice(17);
    return accept(same(o.kind === 1 ? { reportKey: keys.slice(0, 32), caseKey: keys.slice(32, 64) } : keys));
  }

  function seal(inner: Uint8Array, kp: StaffKeyPair, version = 0x01): Uint8Array {
    return concat(Uint8Array.of(version), sodium.crypto_box_seal(inner, kp.publicKey));
  }

  it("(a) random bytes of random lengths are refused with the documented code", () => {
    const fz = new Fuzz("envelope random bytes");
    const rng = fz.rng;
    for (let i = 0; i < 900; i++) {
      const o = rng.pick(openers);
      const c = rng.pick(contexts);
      const env = rng.bytes(randomLength(rng, [0, 1, 48, 49, 97, 98, 99, 129, 130, 131]));
      if (env.length > 0 && rng.chance(0.7)) env[0] = 0x01;
      const id = rng.chance(0.9) ? c.id : hostileString(rng);
      fz.inputs++;
      const what = () => `${o.name} #${i}: random ${preview(env)}, id ${JSON.stringify(id.slice(0, 40))}`;
      fz.verdict(
        what,
        fz.run(what, ENVELOPE_CODES, () => o.open(env, id, c.keyPair)),
        envelopeVerdict(o, env, id, c.keyPair),
      );
    }
    fz.done();
  });

  it("(b) mutated vectors never open to anything but their original", () => {
    const fz = new Fuzz("envelope mutated vectors");
    const rng = fz.rng;
    for (const c of contexts) {
      const own = openers.find((o) => o.kind === c.kind)!;
      for (let i = 0; i < 110; i++) {
        const m = mutateBytes(rng, c.envelope, pool);
        const other = rng.pick(contexts);
        const runs: [Opener, Context][] = [
          [own, c],
          [rng.pick(openers), c],
          [own, other],
        ];
        for (const [o, ctx] of runs) {
          fz.inputs++;
          const what = () => `${o.name} (${ctx.label}) #${i} on "${c.label}" mutated (${m.how}): ${preview(m.bytes)}`;
          fz.verdict(
            what,
            fz.run(what, ENVELOPE_CODES, () => o.open(m.bytes, ctx.id, ctx.keyPair)),
            envelopeVerdict(o, m.bytes, ctx.id, ctx.keyPair),
          );
        }
      }
    }
    fz.done();
  });

  it("(c) authentic envelopes with hostile contents: wrong kinds, lengths and ids", () => {
    const fz = new Fuzz("envelope hostile inner");
    const rng = fz.rng;
    for (let i = 0; i < 500; i++) {
      const c = rng.pick(contexts);
      const o = rng.pick(openers);
      const kind = rng.chance(0.6) ? o.kind : rng.pick([0x00, 0x01, 0x02, 0x03, 0x04, 0x80, 0xff]);
      const innerLength = rng.chance(0.6) ? o.length - 49 : rng.pick([0, 1, 16, 17, 48, 49, 50, 80, 81, 82, rng.int(200)]);
      const idBytes = rng.chance(0.7) ? uuidSpec(c.id)! : rng.chance(0.5) ? rng.bytes(16) : flipBit(uuidSpec(c.id)!, rng.int(128));
      const inner = concat(Uint8Array.of(kind), idBytes, rng.bytes(Math.max(0, innerLength - 17))).slice(0, innerLength);
      const version = rng.chance(0.9) ? 0x01 : rng.pick([0x00, 0x02, 0xff]);
      const env = seal(inner, c.keyPair, version);
      const id = rng.chance(0.85) ? c.id : rng.pick([c.id.toUpperCase(), `{${c.id}}`, c.id.replace(/-/g, ""), `${c.id}\n`, hostileString(rng)]);
      const want: Verdict =
        env.length < o.length
          ? reject("truncated")
          : env.length > o.length
            ? reject("bad_format")
            : version !== 0x01
              ? reject("bad_version")
              : innerVerdict(o, inner, id);
      fz.inputs++;
      const what = () => `${o.name} #${i}: sealed inner ${preview(inner)} (version 0x${version.toString(16)}), id ${JSON.stringify(id.slice(0, 40))}`;
      fz.verdict(
        what,
        fz.run(what, ENVELOPE_CODES, () => o.open(env, id, c.keyPair)),
        want,
      );
    }
    fz.done();
  });
});

function flipBit(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3] = out[bit >> 3]! ^ (1 << (bit & 7));
  return out;
}

// ---------------------------------------------------------------------------
// stream-v1

describe("fuzz: stream-v1 AttachmentDecryptor (push/finish with random slicing)", () => {
  const STREAM_CODES: readonly CryptoErrorCode[] = ["truncated", "bad_version", "decrypt_failed", "bad_format"];
  const PIECE = STREAM_CHUNK + 17;
  let key: FileKey;
  let binding: StreamBinding;
  let ad: Uint8Array;
  /** §5 associated data, from the document. */
  const adOf = (b: StreamBinding) => utf8(`cor/stream-v1/attachment/${b.reportId}/${b.attachmentId}`);
  let streams: { label: string; ct: Uint8Array; pt: Uint8Array }[];

  beforeAll(() => {
    key = fromHex(streamVectors.fileKey) as FileKey;
    binding = { reportId: streamVectors.reportId, attachmentId: streamVectors.attachmentId };
    ad = adOf(binding);
    expect(streamAssociatedData(binding, STREAM_V1)).toEqual(ad);
    streams = streamVectors.cases.map((c) => ({
      label: c.name,
      ct: fromHex(c.ciphertext),
      pt: c.plaintext !== undefined ? fromHex(c.plaintext) : patternBytes(c.plaintextLength),
    }));
  });

  type StreamResult = { ok: true; plaintext: Uint8Array } | { ok: false; code: CryptoErrorCode; emitted: Uint8Array };

  /**
   * §5 decoding, written from the document with single secretstream calls: stream-v1, and
   * stream-v2 (a mutated version byte sends these v1-shaped inputs down its path).
   */
  function referenceStream(bytes: Uint8Array, k: Uint8Array, streamAd: Uint8Array): StreamResult {
    const emitted: Uint8Array[] = [];
    const fail = (code: CryptoErrorCode): StreamResult => ({ ok: false, code, emitted: concat(...emitted) });
    if (bytes.length < 25) return fail("truncated");
    const v2 = bytes[0] === 0x02;
    if (bytes[0] !== 0x01 && !v2) return fail("bad_version");
    // stream-v2's associated data names its version: "cor/stream-v2/…" for the same binding.
    const chunkAd = v2 ? utf8(new TextDecoder().decode(streamAd).replace(/^cor\/stream-v1\//, "cor/stream-v2/")) : streamAd;
    const state = sodium.crypto_secretstream_xchacha20poly1305_init_pull(bytes.subarray(1, 25), k);
    const pull = (piece: Uint8Array) => {
      try {
        return sodium.crypto_secretstream_xchacha20poly1305_pull(state, piece, chunkAd);
      } catch {
        return false;
      }
    };
    let start = 25;
    let size: number | null = null;
    if (v2) {
      if (bytes.length < 50) return fail("truncated");
      const r = pull(bytes.subarray(25, 50));
      if (!r) return fail("decrypt_failed");
      if (r.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE || r.message.length !== 8) return fail("bad_format");
      const n = new DataView(r.message.buffer, r.message.byteOffset, 8).getBigUint64(0, true);
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) return fail("bad_format");
      size = Number(n);
      start = 50;
    }
    let body = 0;
    let finished = false;
    for (let o = start; o < bytes.length; o += PIECE) {
      const piece = bytes.subarray(o, o + PIECE);
      if (finished) return fail("bad_format");
      if (piece.length < 17) return fail("truncated");
      const r = pull(piece);
      if (!r) return fail("decrypt_failed");
      if (r.tag === sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL) finished = true;
      else if (r.tag !== sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) return fail("bad_format");
      else if (piece.length !== PIECE) return fail("truncated");
      if (size === null) emitted.push(r.message);
      else {
        const keep = Math.max(0, Math.min(r.message.length, size - body));
        body += r.message.length;
        if (r.message.subarray(keep).some((b) => b !== 0)) return fail("bad_format");
        emitted.push(r.message.subarray(0, keep));
      }
    }
    if (!finished) return fail("truncated");
    if (size !== null && body < size) return fail("bad_format");
    return { ok: true, plaintext: concat(...emitted) };
  }

  function sliceSizes(rng: Rng, total: number): number[] {
    const mode = rng.int(10);
    const sizes: number[] = [];
    let left = total;
    while (left > 0) {
      let n: number;
      if (mode === 0) n = left;
      else if (mode === 1 && total <= 70_000) n = rng.between(1, 40);
      else {
        const r = rng.float();
        n = r < 0.05 ? 0 : r < 0.2 ? rng.between(1, 40) : r < 0.7 ? rng.between(1, PIECE) : rng.between(1, 3 * PIECE);
      }
      n = Math.min(n, left);
      sizes.push(n);
      left -= n;
      if (rng.chance(0.05)) sizes.push(0);
    }
    return sizes;
  }

  /** Feeds the decryptor in random slices and checks it against the reference; returns its result. */
  function decryptInSlices(fz: Fuzz, what: () => string, rng: Rng, k: Uint8Array, b: StreamBinding, bytes: Uint8Array): StreamResult | null {
    const want = referenceStream(bytes, k, adOf(b));
    const created = fz.run(
      () => `${what()}: constructor`,
      ["bad_key"],
      () => new AttachmentDecryptor(k as FileKey, b),
    );
    if (!created?.ok) return null;
    const d = created.value;
    const out: Uint8Array[] = [];
    let error: CryptoErrorCode | null = null;
    let o = 0;
    for (const n of sliceSizes(rng, bytes.length)) {
      const slice = bytes.subarray(o, o + n);
      o += n;
      const got = fz.run(
        () => `${what()}: push(${n} bytes at ${o - n})`,
        STREAM_CODES,
        () => d.push(slice),
      );
      if (got === null) return null;
      if (!got.ok) {
        error = got.code;
        break;
      }
      out.push(...got.value);
    }
    if (error === null) {
      const got = fz.run(
        () => `${what()}: finish()`,
        STREAM_CODES,
        () => d.finish(),
      );
      if (got === null) return null;
      if (got.ok) out.push(...got.value);
      else error = got.code;
    }
    if (error !== null) {
      // A caller that ignores the error must not get a result later.
      const again = fz.run(
        () => `${what()}: finish() after "${error}"`,
        STREAM_CODES,
        () => d.finish(),
      );
      if (again?.ok) fz.fail(what, `finish() returned after the decryptor had thrown "${error}"`);
    }
    for (const chunk of out) if (chunk.length > STREAM_CHUNK) fz.fail(what, `emitted a ${chunk.length}-byte chunk`);
    const emitted = concat(...out);
    if (error === null) {
      if (!want.ok) fz.fail(what, `decrypted, expected "${want.code}"`);
      else if (!sameBytes(emitted, want.plaintext)) fz.fail(what, "decrypted to something else than the reference");
      return { ok: true, plaintext: emitted };
    }
    if (want.ok) fz.fail(what, `threw "${error}", expected the plaintext`);
    else if (want.code !== error) fz.fail(what, `threw "${error}", expected "${want.code}"`);
    if (!want.ok && !sameBytes(emitted, want.emitted.subarray(0, emitted.length))) {
      fz.fail(what, "emitted plaintext that the reference does not (before its error)");
    }
    return { ok: false, code: error, emitted };
  }

  it("(a) random bytes in random slices, and wrong keys and bindings, are refused", () => {
    const fz = new Fuzz("stream random bytes");
    const rng = fz.rng;
    for (let i = 0; i < 260; i++) {
      const bytes = rng.bytes(randomLength(rng, [0, 1, 24, 25, 26, 41, 42, 65553, 65578, 65579]));
      if (bytes.length > 0 && rng.chance(0.7)) bytes[0] = 0x01;
      fz.inputs++;
      decryptInSlices(fz, () => `#${i}: random ${preview(bytes)}`, rng, key, binding, bytes);
    }
    // A valid stream under another key or binding.
    for (let i = 0; i < 30; i++) {
      const s = rng.pick(streams);
      const otherKey = rng.chance(0.5) ? rng.bytes(32) : key;
      const otherBinding =
        otherKey === key
          ? rng.pick([
              { ...binding, attachmentId: SUB_ID },
              { ...binding, reportId: REPORT_ID },
              { reportId: "", attachmentId: "" },
            ])
          : binding;
      fz.inputs++;
      const what = () => `#${i}: "${s.label}" under another ${otherKey === key ? `binding ${JSON.stringify(otherBinding)}` : "key"}`;
      const r = decryptInSlices(fz, what, rng, otherKey, otherBinding, s.ct);
      if (r?.ok) fz.fail(what, "decrypted");
    }
    for (const len of [0, 16, 31, 33, 64]) {
      fz.inputs++;
      fz.verdict(
        `constructor with a ${len}-byte key`,
        fz.run(`constructor with a ${len}-byte key`, ["bad_key"], () => new AttachmentDecryptor(rng.bytes(len) as FileKey, binding)),
        reject("bad_key"),
      );
    }
    fz.done();
  });

  it("(b) mutated vectors (bytes and whole chunks) never decrypt to anything but their original", () => {
    const fz = new Fuzz("stream mutated vectors");
    const rng = fz.rng;
    const pool = streams.map((s) => s.ct);
    for (const s of streams) {
      for (let i = 0; i < 70; i++) {
        const m = rng.chance(0.35) ? mutateChunks(rng, s.ct, pool) : mutateBytes(rng, s.ct, pool);
        fz.inputs++;
        const what = () => `#${i} on "${s.label}" mutated (${m.how}): ${preview(m.bytes)}`;
        const r = decryptInSlices(fz, what, rng, key, binding, m.bytes);
        if (r?.ok) {
          // Authenticity: only an unchanged vector decrypts, to its own plaintext.
          const original = streams.find((x) => sameBytes(m.bytes, x.ct));
          if (!original) fz.fail(what, "a changed stream decrypted");
          else if (!sameBytes(r.plaintext, original.pt)) fz.fail(what, "decrypted to another plaintext than the vector's");
        }
      }
    }
    fz.done();
  });

  it("(c) authentic streams of hostile structure: wrong tags, chunk sizes, order and trailing data", () => {
    const fz = new Fuzz("stream hostile structure");
    const rng = fz.rng;
    const T = {
      MESSAGE: sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE,
      PUSH: sodium.crypto_secretstream_xchacha20poly1305_TAG_PUSH,
      REKEY: sodium.crypto_secretstream_xchacha20poly1305_TAG_REKEY,
      FINAL: sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    };
    for (let i = 0; i < 160; i++) {
      const k = rng.bytes(32);
      const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(k);
      const count = rng.int(5);
      const parts: Uint8Array[] = [];
      const plain: Uint8Array[] = [];
      const plan: string[] = [];
      let valid = true;
      for (let c = 0; c < count; c++) {
        const last = c === count - 1;
        const size = rng.chance(0.6)
          ? last
            ? rng.pick([0, 1, 100, 65535, STREAM_CHUNK])
            : STREAM_CHUNK
          : rng.pick([0, 1, 100, 65535, 65536, 65537, rng.int(70_000)]);
        const tag = rng.chance(0.75) ? (last ? T.FINAL : T.MESSAGE) : rng.pick([T.MESSAGE, T.PUSH, T.REKEY, T.FINAL]);
        const chunkAd = rng.chance(0.04) ? utf8("cor/stream-v1/attachment/other") : ad;
        const msg = rng.bytes(size);
        parts.push(sodium.crypto_secretstream_xchacha20poly1305_push(state, msg, chunkAd, tag));
        plain.push(msg);
        plan.push(`${size}/${Object.entries(T).find(([, v]) => v === tag)![0]}${chunkAd === ad ? "" : "/other-ad"}`);
        const fits = last ? tag === T.FINAL && size <= STREAM_CHUNK : tag === T.MESSAGE && size === STREAM_CHUNK;
        if (!fits || chunkAd !== ad) valid = false;
      }
      if (count === 0) valid = false;
      let version = 0x01;
      if (rng.chance(0.05)) {
        version = rng.pick([0x00, 0x02, 0x03, 0xff]);
        valid = false;
      }
      const trailing = rng.chance(0.06) ? rng.bytes(rng.between(1, 40)) : new Uint8Array(0);
      if (trailing.length > 0) valid = false;
      const bytes = concat(Uint8Array.of(version), header, ...parts, trailing);
      fz.inputs++;
      const what = () => `#${i}: chunks [${plan.join(", ")}], version 0x${version.toString(16)}, ${trailing.length} trailing bytes`;
      const want = referenceStream(bytes, k, ad);
      if (want.ok !== valid) fz.fail(what, `the reference decoder ${want.ok ? "accepts" : "refuses"} it, the format ${valid ? "allows" : "forbids"} it`);
      const r = decryptInSlices(fz, what, rng, k, binding, bytes);
      if (r?.ok && valid && !sameBytes(r.plaintext, concat(...plain))) fz.fail(what, "decrypted to another plaintext");
    }
    fz.done();
  });

  function mutateChunks(rng: Rng, src: Uint8Array, pool: readonly Uint8Array[]): Mutated {
    const header = src.subarray(0, 25);
    const pieces: Uint8Array[] = [];
    for (let o = 25; o < src.length; o += PIECE) pieces.push(src.subarray(o, o + PIECE));
    const n = pieces.length;
    const i = rng.int(n);
    const j = rng.int(n);
    switch (rng.int(7)) {
      case 0: {
        const p = pieces.slice();
        [p[i], p[j]] = [p[j]!, p[i]!];
        return { bytes: concat(header, ...p), how: `swap chunks ${i} and ${j}` };
      }
      case 1:
        return { bytes: concat(header, ...pieces.filter((_, x) => x !== i)), how: `drop chunk ${i}` };
      case 2:
        return { bytes: concat(header, ...pieces.slice(0, i + 1), pieces[i]!, ...pieces.slice(i + 1)), how: `duplicate chunk ${i}` };
      case 3:
        return { bytes: concat(header, ...pieces.slice(0, i)), how: `stop before chunk ${i}` };
      case 4: {
        const other = rng.pick(pool);
        return { bytes: concat(other.subarray(0, 25), ...pieces), how: "another stream's header" };
      }
      case 5: {
        const other = rng.pick(pool);
        const p = pieces.slice();
        p[i] = other.subarray(25 + i * PIECE, 25 + (i + 1) * PIECE);
        return { bytes: concat(header, ...p), how: `chunk ${i} from another stream` };
      }
      default:
        return { bytes: concat(src, rng.pick(pool)), how: "another whole stream appended" };
    }
  }
});

// ---------------------------------------------------------------------------
// Text codes and encodings

describe("fuzz: receipt codes (parseReceipt, receiptCheckSymbol, deriveReceiptSecrets, formatReceipt)", () => {
  const SEPARATORS = [
    " ",
    "-",
    "\t",
    "\n",
    "\u00a0",
    "\u2010",
    "\u2011",
    "\u2013",
    "\u2014",
    "\u3000",
    "\ufeff",
    "\u2028",
    "\u2012",
    "_",
    ".",
    "\u200b",
    "\u2212",
    "\u2015",
    "\uff0d",
    "\u00ad",
    "\u0085",
  ];
  const LOOKALIKES = ["o", "O", "i", "I", "l", "L", "u", "U", "ı", "ſ", "ß", "ﬀ", "Ｏ", "０", "İ", "K", "ｌ", "Ｚ", "ｚ"];

  function randomCode(rng: Rng): string {
    let body = "";
    for (let i = 0; i < 19; i++) body += rng.pick([...RECEIPT_ALPHABET]);
    return body + luhnSpec(body);
  }

  /** A spelling or a corruption of a code; mustFail when §6 promises the check catches it. */
  function mutateCode(rng: Rng, code: string): { text: string; how: string; mustFail?: boolean } {
    const chars = [...code];
    const i = rng.int(chars.length);
    switch (rng.int(10)) {
      case 0: {
        const c = rng.pick([...RECEIPT_ALPHABET].filter((x) => x !== chars[i]));
        chars[i] = c;
        return { text: chars.join(""), how: `substitute symbol ${i}`, mustFail: true };
      }
      case 1: {
        const j = Math.min(i + 1, chars.length - 1);
        const pair = [chars[i], chars[j]].sort().join("");
        [chars[i], chars[j]] = [chars[j]!, chars[i]!];
        return { text: chars.join(""), how: `transpose symbols ${i} and ${j}`, mustFail: i !== j && chars[i] !== chars[j] && pair !== "0Z" };
      }
      case 2:
        chars.splice(i, 1);
        return { text: chars.join(""), how: `delete symbol ${i}` };
      case 3:
        chars.splice(i, 0, rng.pick([...RECEIPT_ALPHABET]));
        return { text: chars.join(""), how: `insert a symbol at ${i}` };
      case 4:
        chars.splice(i, 0, rng.pick(SEPARATORS));
        return { text: chars.join(""), how: `insert a separator at ${i}` };
      case 5:
        chars[i] = rng.pick(LOOKALIKES);
        return { text: chars.join(""), how: `look-alike at ${i}` };
      case 6:
        return { text: rng.chance(0.5) ? code.toLowerCase() : formatReceipt(code).toLowerCase(), how: "lower case" };
      case 7:
        chars.splice(i, 0, rng.codeUnits(rng.between(1, 3)));
        return { text: chars.join(""), how: `random characters at ${i}` };
      case 8:
        return { text: formatReceipt(code).replace(/-/g, () => rng.pick(SEPARATORS)), how: "grouped with other separators" };
      default:
        return { text: code, how: "unchanged" };
    }
  }

  it("parses every string to a valid code or a documented problem, exactly as the spec says", () => {
    const fz = new Fuzz("receipt parsing");
    const rng = fz.rng;
    const codes = [...receiptVectors.codes.map((c) => c.normalized), ...Array.from({ length: 40 }, () => randomCode(rng))];
    const inputs: { text: string; how: string; mustFail?: boolean }[] = [
      ...receiptVectors.normalization.map((n) => ({ text: n.input, how: "vector" })),
      ...receiptVectors.invalid.map((n) => ({ text: n.input, how: "invalid vector" })),
      { text: "0".repeat(1 << 20), how: "1 Mi zeros" },
      { text: " -".repeat(1 << 19), how: "1 Mi separators" },
      { text: rng.codeUnits(1 << 18), how: "random code units" },
    ];
    for (let i = 0; i < 6000; i++) {
      const r = rng.float();
      if (r < 0.6) inputs.push(mutateCode(rng, rng.pick(codes)));
      else if (r < 0.8)
        inputs.push({
          text: Array.from({ length: rng.int(30) }, () => rng.pick([...RECEIPT_ALPHABET, ...SEPARATORS, ...LOOKALIKES])).join(""),
          how: "random symbols",
        });
      else inputs.push({ text: rng.codeUnits(rng.int(40)), how: "random code units" });
    }
    for (const [i, { text, how, mustFail }] of inputs.entries()) {
      fz.inputs++;
      const what = () => `#${i} (${how}): ${preview(text)}`;
      const want = receiptSpec(text);
      const got = fz.run(what, [], () => parseReceipt(text));
      if (got?.ok) {
        const p = got.value;
        if (p.ok !== want.ok || (p.ok ? p.code !== (want as { code: string }).code : p.problem !== (want as { problem: string }).problem)) {
          fz.fail(what, `parseReceipt gave ${JSON.stringify(p)}, the spec ${JSON.stringify(want)}`);
        }
        if (p.ok && (p.code.length !== 20 || [...p.code].some((c) => !RECEIPT_ALPHABET.includes(c)) || luhnSpec(p.code.slice(0, 19)) !== p.code[19])) {
          fz.fail(what, `accepted a code that is not 20 alphabet symbols with a valid check symbol: ${p.code}`);
        }
        if (mustFail && p.ok) fz.fail(what, `${how} passed the check symbol`);
      }
      // The same decision when deriving the secrets.
      const derived = fz.run(
        () => `deriveReceiptSecrets ${what()}`,
        ["bad_receipt"],
        () => deriveReceiptSecrets(text),
      );
      if (derived !== null) {
        if (derived.ok !== want.ok)
          fz.fail(what, `deriveReceiptSecrets ${derived.ok ? "accepted" : "refused"} it, parseReceipt ${want.ok ? "accepts" : "refuses"} it`);
        if (derived.ok && want.ok) {
          const canonical = deriveReceiptSecrets(formatReceipt(want.code));
          if (derived.value.lookup.length !== 32 || derived.value.wrapKey.length !== 32) fz.fail(what, "derived values are not 32 bytes");
          if (!sameBytes(derived.value.lookup, canonical.lookup) || !sameBytes(derived.value.wrapKey, canonical.wrapKey)) {
            fz.fail(what, "a spelling of a code derived other secrets than the code itself");
          }
        }
      }
    }
    fz.done();
  });

  it("receiptCheckSymbol and formatReceipt take any string", () => {
    const fz = new Fuzz("receipt check symbol and format");
    const rng = fz.rng;
    for (let i = 0; i < 4000; i++) {
      const text = rng.chance(0.5)
        ? Array.from({ length: rng.int(40) }, () => rng.pick([...RECEIPT_ALPHABET])).join("")
        : rng.chance(0.5)
          ? rng.codeUnits(rng.int(40))
          : Array.from({ length: rng.int(40) }, () => rng.pick([...RECEIPT_ALPHABET, "O", "I", "L", "U", "a", "-", " ", "😀"])).join("");
      const inAlphabet = [...text].every((c) => c.length === 1 && RECEIPT_ALPHABET.includes(c));
      fz.inputs++;
      const what = () => `receiptCheckSymbol #${i}: ${preview(text)}`;
      fz.verdict(
        what,
        fz.run(what, ["bad_receipt"], () => receiptCheckSymbol(text)),
        inAlphabet ? accept(same(luhnSpec(text))) : reject("bad_receipt"),
      );
      fz.inputs++;
      const fwhat = () => `formatReceipt #${i}: ${preview(text)}`;
      const formatted = fz.run(fwhat, ["bad_receipt", "bad_format"], () => formatReceipt(text));
      // (formatReceipt is for normalized codes; "." in its grouping skips line terminators, so leave those out here.)
      if (formatted?.ok && !/[-\n\r\u2028\u2029]/.test(text) && formatted.value.replace(/-/g, "") !== text) {
        fz.fail(fwhat, `formatReceipt lost or changed symbols: ${formatted.value}`);
      }
    }
    fz.done();
  });
});

describe("fuzz: staff keys (parseRecoveryKey, formatRecoveryKey, deriveStaffPasswordKeys parameters)", () => {
  it("parseRecoveryKey takes any string to the spec's key or bad_format", () => {
    const fz = new Fuzz("recovery key parsing");
    const rng = fz.rng;
    const texts = [
      ...staffVectors.recoveryKeys.map((r) => r.text),
      ...staffVectors.cases.map((c) => c.recoveryKeyText),
      ...Array.from({ length: 40 }, () => formatRecoveryKey(rng.bytes(32) as never)),
    ];
    const inputs: string[] = [
      ...staffVectors.recoveryKeyInputs.map((r) => r.input),
      ...staffVectors.recoveryKeyInvalid.map((r) => r.input),
      "0".repeat(1 << 20),
      rng.codeUnits(1 << 18),
    ];
    for (let i = 0; i < 5000; i++) {
      const base = rng.pick(texts);
      const chars = [...(rng.chance(0.3) ? base.toLowerCase() : base)];
      const k = rng.int(chars.length);
      switch (rng.int(8)) {
        case 0:
          chars[k] = rng.pick([...RECEIPT_ALPHABET]);
          break;
        case 1:
          chars.splice(k, 1);
          break;
        case 2:
          chars.splice(k, 0, rng.pick([...RECEIPT_ALPHABET, "-", " ", "\t", "\u00a0"]));
          break;
        case 3:
          chars[k] = rng.pick(["O", "o", "I", "i", "L", "l", "U", "u", "ß", "ı", "ſ", "😀", "\u0000"]);
          break;
        case 4:
          chars[chars.length - 1] = rng.pick([...RECEIPT_ALPHABET]);
          break;
        case 5:
          inputs.push(rng.codeUnits(rng.int(70)));
          continue;
        case 6:
          inputs.push(Array.from({ length: rng.between(48, 56) }, () => rng.pick([...RECEIPT_ALPHABET])).join(""));
          continue;
        default:
          break;
      }
      inputs.push(chars.join(""));
    }
    for (const [i, text] of inputs.entries()) {
      fz.inputs++;
      const what = () => `#${i}: ${preview(text)}`;
      const want = recoverySpec(text);
      const got = fz.run(what, ["bad_format"], () => parseRecoveryKey(text));
      fz.verdict(what, got, want ? accept((v) => (sameBytes(v, want) ? null : "another key than the spec's")) : reject("bad_format"));
      if (got?.ok && parseRecoveryKey(formatRecoveryKey(got.value)).some((b, j) => b !== got.value[j])) fz.fail(what, "format/parse round trip differs");
    }
    // formatRecoveryKey of keys of every length: a text, or bad_key.
    for (let i = 0; i < 200; i++) {
      const len = rng.chance(0.5) ? 32 : rng.int(70);
      const keyBytes = rng.bytes(len);
      fz.inputs++;
      const what = () => `formatRecoveryKey #${i}: ${len}-byte key`;
      const got = fz.run(what, ["bad_key"], () => formatRecoveryKey(keyBytes as never));
      if (len === 32 && !got?.ok) fz.fail(what, "refused a 32-byte key");
      if (got?.ok && len === 32 && !sameBytes(recoverySpec(got.value), keyBytes)) fz.fail(what, "the text does not parse back to the key");
    }
    fz.done();
  });

  it("deriveStaffPasswordKeys refuses bad parameters with bad_version or bad_format before any work", async () => {
    const fz = new Fuzz("staff KDF parameters");
    const rng = fz.rng;
    for (let i = 0; i < 60; i++) {
      const saltLength = rng.chance(0.5) ? rng.pick([0, 1, 15, 17, 32]) : rng.int(64);
      const version = rng.chance(0.7) ? 1 : rng.pick([0, 2, -1, 1.5, Number.NaN, 2 ** 31]);
      if (saltLength === 16 && version === 1) continue;
      // Parameters as a stored row could hold them, which the type does not allow.
      const params = { ...STAFF_KDF_V1, version } as unknown as StaffKdfParams;
      fz.inputs++;
      const what = `#${i}: version ${version}, ${saltLength}-byte salt`;
      const got = await fz.runAsync(what, ["bad_version", "bad_format"], () =>
        deriveStaffPasswordKeys(rng.codeUnits(rng.int(20)), rng.bytes(saltLength), params),
      );
      fz.verdict(what, got, version !== 1 ? reject("bad_version") : reject("bad_format"));
    }
    fz.done();
  });
});

describe("fuzz: encodings (fromBase64Url, uuid helpers, fromUtf8)", () => {
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

  it("fromBase64Url decodes exactly the canonical unpadded base64url strings", () => {
    const fz = new Fuzz("base64url");
    const rng = fz.rng;
    const inputs: string[] = [
      "",
      "A",
      "AA",
      "AAA",
      "AAAA",
      "Zg",
      "Zh",
      "Zm8",
      "Zm9",
      "Zg==",
      "Zg=",
      "+/",
      "\u0000",
      "A".repeat(1 << 21),
      "A".repeat((1 << 20) + 1),
    ];
    for (let i = 0; i < 8000; i++) {
      const r = rng.float();
      if (r < 0.35) {
        const valid = toBase64Url(rng.bytes(rng.int(80)));
        const chars = [...valid];
        const k = rng.int(chars.length + 1);
        switch (rng.int(6)) {
          case 0:
            chars[k] = rng.pick([...B64]);
            break;
          case 1:
            chars.splice(k, 1);
            break;
          case 2:
            chars.splice(k, 0, rng.pick(["=", "+", "/", " ", "\n", ".", "é", "\u0000", "😀", ...B64]));
            break;
          case 3:
            chars.push("=".repeat(rng.between(1, 2)));
            break;
          default:
            break;
        }
        inputs.push(chars.join(""));
      } else if (r < 0.75) {
        inputs.push(Array.from({ length: rng.int(60) }, () => rng.pick([...B64, ...B64, "=", "+", "/", " ", "\u00ff", "Ａ"])).join(""));
      } else inputs.push(rng.codeUnits(rng.int(60)));
    }
    for (const [i, text] of inputs.entries()) {
      fz.inputs++;
      const what = () => `#${i}: ${preview(text)}`;
      const want = base64UrlSpec(text);
      const got = fz.run(what, ["bad_format"], () => fromBase64Url(text));
      fz.verdict(what, got, want ? accept((v) => (sameBytes(v, want) ? null : `decoded to ${short(v)}`)) : reject("bad_format"));
      if (got?.ok && toBase64Url(got.value) !== text) fz.fail(what, "decoded a non-canonical string");
    }
    fz.done();
  });

  it("uuidToBytes, isUuid, bytesToUuid and uuidFromRandom accept exactly canonical UUIDs and 16 bytes", () => {
    const fz = new Fuzz("uuid");
    const rng = fz.rng;
    const valid = () => bytesToUuid(rng.bytes(16));
    const inputs: string[] = ["", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "x".repeat(1 << 20)];
    for (let i = 0; i < 6000; i++) {
      const u = valid();
      const chars = [...u];
      const k = rng.int(chars.length);
      switch (rng.int(9)) {
        case 0:
          chars[k] = chars[k]!.toUpperCase();
          break;
        case 1:
          chars[k] = rng.pick(["g", "-", " ", "٣", "０", "\u0000", "é", "A", "F"]);
          break;
        case 2:
          chars.splice(k, 1);
          break;
        case 3:
          chars.splice(k, 0, rng.pick(["0", "-", "a"]));
          break;
        case 4:
          inputs.push(rng.pick([`{${u}}`, `${u}\n`, `\n${u}`, ` ${u}`, u.replace(/-/g, ""), `urn:uuid:${u}`, u.toUpperCase()]));
          continue;
        case 5:
          inputs.push(rng.codeUnits(rng.pick([36, rng.int(50)])));
          continue;
        case 6: {
          // Move one hyphen.
          const h = [8, 13, 18, 23][rng.int(4)]!;
          const t = rng.int(36);
          [chars[h], chars[t]] = [chars[t]!, chars[h]!];
          break;
        }
        default:
          break;
      }
      inputs.push(chars.join(""));
    }
    for (const [i, text] of inputs.entries()) {
      fz.inputs++;
      const what = () => `#${i}: ${preview(text)}`;
      const want = uuidSpec(text);
      const got = fz.run(what, ["bad_format"], () => uuidToBytes(text));
      fz.verdict(what, got, want ? accept((v) => (sameBytes(v, want) ? null : "other bytes")) : reject("bad_format"));
      const is = fz.run(
        () => `isUuid ${what()}`,
        [],
        () => isUuid(text),
      );
      if (is?.ok && is.value !== (want !== null)) fz.fail(what, `isUuid says ${is.value}`);
      if (got?.ok && bytesToUuid(got.value) !== text) fz.fail(what, "bytesToUuid(uuidToBytes(x)) !== x");
    }
    for (let i = 0; i < 1000; i++) {
      const bytes = rng.bytes(rng.chance(0.5) ? 16 : rng.int(40));
      fz.inputs++;
      const what = () => `bytesToUuid #${i}: ${preview(bytes)}`;
      fz.verdict(
        what,
        fz.run(what, ["bad_format"], () => bytesToUuid(bytes)),
        bytes.length === 16
          ? accept((v) => (typeof v === "string" && sameBytes(uuidSpec(v), bytes) ? null : `not the UUID of the bytes: ${short(v)}`))
          : reject("bad_format"),
      );
      fz.inputs++;
      const rwhat = () => `uuidFromRandom #${i}: ${preview(bytes)}`;
      fz.verdict(
        rwhat,
        fz.run(rwhat, ["bad_format"], () => uuidFromRandom(bytes)),
        bytes.length >= 16
          ? accept((v) =>
              typeof v === "string" && uuidSpec(v) !== null && v[14] === "4" && "89ab".includes(v[19]!) ? null : `not a version-4 UUID: ${short(v)}`,
            )
          : reject("bad_format"),
      );
    }
    fz.done();
  });

  it("fromUtf8 decodes exactly well-formed UTF-8, and only round-trips", () => {
    const fz = new Fuzz("utf8");
    const rng = fz.rng;
    const inputs: Uint8Array[] = [new Uint8Array(0), Uint8Array.of(0xef, 0xbb, 0xbf), Uint8Array.of(0xef, 0xbb, 0xbf, 0x31), rng.bytes(1 << 20)];
    for (let i = 0; i < 6000; i++) {
      const r = rng.float();
      if (r < 0.3) inputs.push(rng.bytes(rng.int(64)));
      else {
        const b = utf8(rng.codeUnits(rng.int(40)));
        const k = rng.int(b.length + 1);
        if (r < 0.7) inputs.push(concat(b.subarray(0, k), Uint8Array.from(rng.pick(INVALID_UTF8)), b.subarray(k)));
        else if (r < 0.8) inputs.push(concat(Uint8Array.of(0xef, 0xbb, 0xbf), b));
        else if (r < 0.9) inputs.push(b.slice(0, k));
        else inputs.push(b);
      }
    }
    for (const [i, bytes] of inputs.entries()) {
      fz.inputs++;
      const what = () => `#${i}: ${preview(bytes)}`;
      const got = fz.run(what, ["bad_format"], () => fromUtf8(bytes));
      fz.verdict(
        what,
        got,
        wellFormedUtf8(bytes)
          ? accept((v) => (typeof v === "string" && sameBytes(utf8(v), bytes) ? null : "does not encode back to the same bytes"))
          : reject("bad_format"),
      );
    }
    fz.done();
  });
});

// ---------------------------------------------------------------------------
// What this suite found in crypto/, pinned so that no seed is needed to see it again.

describe("fuzz: regressions found by this suite", () => {
  const code = (fn: () => unknown): string => {
    try {
      fn();
      return "returned";
    } catch (e) {
      return isCryptoError(e) ? e.code : describeError(e);
    }
  };

  it("a BOM before a JSON plaintext is bad_format, and fromUtf8 keeps it", () => {
    const key = new Uint8Array(32).fill(7) as ReportKey;
    const ct = encryptRecord(key, { purpose: "report-title", id: REPORT_ID }, concat(Uint8Array.of(0xef, 0xbb, 0xbf), utf8('"title"')));
    expect(code(() => decryptTitle(key, REPORT_ID, ct))).toBe("bad_format");
    expect(fromUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x31))).toBe("\ufeff1");
  });

  it("an array where the share package's fields or the archive's dates object belongs is bad_format", () => {
    const key = new Uint8Array(32).fill(9);
    const pkg = { ...(vectorPlaintext("share-package") as Rec), version: 2, fields: [] };
    expect(
      code(() =>
        decryptSharePackage(
          key as ShareKey,
          SHARE_ID,
          2,
          encryptRecord(key as ShareKey, { purpose: "share-package", id: SHARE_ID, subId: "2" }, utf8(JSON.stringify(pkg))),
        ),
      ),
    ).toBe("bad_format");
    const archive = { ...(vectorPlaintext("archive-package") as Rec), dates: [] };
    expect(
      code(() =>
        decryptArchivePackage(
          key as ArchiveKey,
          ARCHIVE_ID,
          encryptRecord(key as ArchiveKey, { purpose: "archive-package", id: ARCHIVE_ID }, utf8(JSON.stringify(archive))),
        ),
      ),
    ).toBe("bad_format");
  });

  it("formatReceipt and formatRecoveryKey throw no TypeError on empty input", () => {
    expect(formatReceipt("")).toBe("");
    expect(code(() => formatRecoveryKey(new Uint8Array(0) as never))).toBe("bad_key");
    expect(code(() => formatRecoveryKey(new Uint8Array(16) as never))).toBe("bad_key");
  });

  it("finish() after a failed push does not decrypt an over-long final chunk", () => {
    // An authentic stream whose only chunk is FINAL with 65,537 bytes: push refuses it,
    // and finish() must not then accept it as one oversized chunk.
    const k = new Uint8Array(32).fill(3);
    const b: StreamBinding = { reportId: REPORT_ID, attachmentId: SUB_ID };
    const { state, header } = sodium.crypto_secretstream_xchacha20poly1305_init_push(k);
    const chunk = sodium.crypto_secretstream_xchacha20poly1305_push(
      state,
      new Uint8Array(STREAM_CHUNK + 1),
      streamAssociatedData(b),
      sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL,
    );
    const d = new AttachmentDecryptor(k as FileKey, b);
    expect(code(() => d.push(concat(Uint8Array.of(0x01), header, chunk)))).toBe("decrypt_failed");
    expect(code(() => d.finish())).toBe("decrypt_failed");
  });
});
