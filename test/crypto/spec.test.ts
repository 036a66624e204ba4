// Checks docs/CRYPTO.md against the committed vectors with a second,
// independent implementation of each format built from lower-level parts:
// node:crypto (ChaCha20, ChaCha20-Poly1305, SHA-256), the argon2 package
// (Argon2id), a few lines of HChaCha20 written here, and only single
// libsodium primitives where Node has no equivalent (Poly1305, BLAKE2b,
// X25519 + XSalsa20-Poly1305). crypto/ itself is not used to decrypt here; where
// the document states lists (typed codes, error codes), the code is checked against
// the lists as the document writes them.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync } from "node:crypto";
import { readFileSync } from "node:fs";
import argon2 from "argon2";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSodiumSumo } from "../../crypto/staff";
import { normalizeTypedCode } from "../../crypto/typed-code";
import {
  fromHex,
  patternBytes,
  readVectorFile,
  sha256Hex,
  toHex,
  type AeadCase,
  type AeadFile,
  type EnvelopeFile,
  type ReceiptFile,
  type StaffKdfFile,
  type StreamFile,
} from "../vectors/common";
import { concat } from "./helpers";

// The sumo build: the standard build leaves out some of the low-level primitives used here.
let sodium: Awaited<ReturnType<typeof loadSodiumSumo>>;
beforeAll(async () => {
  sodium = await loadSodiumSumo();
});

const utf8 = (s: string) => new TextEncoder().encode(s);

// ---- primitives written from their specifications

function rotl(v: number, n: number): number {
  return ((v << n) | (v >>> (32 - n))) >>> 0;
}

/** HChaCha20 (draft-irtf-cfrg-xchacha section 2.2). */
function hchacha20(key: Uint8Array, input16: Uint8Array): Uint8Array {
  const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const k = dv(key);
  const n = dv(input16);
  const s = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574];
  for (let i = 0; i < 8; i++) s.push(k.getUint32(4 * i, true));
  for (let i = 0; i < 4; i++) s.push(n.getUint32(4 * i, true));
  const qr = (a: number, b: number, c: number, d: number) => {
    s[a] = (s[a]! + s[b]!) >>> 0;
    s[d] = rotl(s[d]! ^ s[a]!, 16);
    s[c] = (s[c]! + s[d]!) >>> 0;
    s[b] = rotl(s[b]! ^ s[c]!, 12);
    s[a] = (s[a]! + s[b]!) >>> 0;
    s[d] = rotl(s[d]! ^ s[a]!, 8);
    s[c] = (s[c]! + s[d]!) >>> 0;
    s[b] = rotl(s[b]! ^ s[c]!, 7);
  };
  for (let i = 0; i < 10; i++) {
    qr(0, 4, 8, 12);
    qr(1, 5, 9, 13);
    qr(2, 6, 10, 14);
    qr(3, 7, 11, 15);
    qr(0, 5, 10, 15);
    qr(1, 6, 11, 12);
    qr(2, 7, 8, 13);
    qr(3, 4, 9, 14);
  }
  const out = new Uint8Array(32);
  const o = new DataView(out.buffer);
  [0, 1, 2, 3, 12, 13, 14, 15].forEach((w, i) => o.setUint32(4 * i, s[w]!, true));
  return out;
}

/** ChaCha20 (RFC 8439) keystream XOR, starting at block `counter`, via node:crypto. */
function chacha20Xor(key: Uint8Array, nonce12: Uint8Array, counter: number, data: Uint8Array): Uint8Array {
  const iv = new Uint8Array(16);
  new DataView(iv.buffer).setUint32(0, counter, true);
  iv.set(nonce12, 4);
  return new Uint8Array(createCipheriv("chacha20", key, iv).update(data));
}

function le64(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}

/** ISO/IEC 7816-4 unpadding with a block size (as sodium_unpad). */
function unpad(padded: Uint8Array, block: number): Uint8Array {
  if (padded.length === 0 || padded.length % block !== 0) throw new Error("padded length is not a multiple of the block");
  let i = padded.length - 1;
  while (i >= 0 && padded.length - i <= block && padded[i] === 0) i--;
  if (i < 0 || padded.length - i > block || padded[i] !== 0x80) throw new Error("bad padding");
  return padded.subarray(0, i);
}

function pad(plain: Uint8Array, block: number): Uint8Array {
  const out = new Uint8Array((Math.floor(plain.length / block) + 1) * block);
  out.set(plain);
  out[plain.length] = 0x80;
  return out;
}

/** crypto_kdf_derive_from_key: BLAKE2b(key = master, salt = LE64(id) || 0^8, personal = ctx || 0^8, empty message). */
function kdf(master: Uint8Array, id: number, ctx: string): Uint8Array {
  const salt = concat(le64(id), new Uint8Array(8));
  const personal = concat(utf8(ctx), new Uint8Array(8));
  expect(personal.length).toBe(16);
  return sodium.crypto_generichash_blake2b_salt_personal(32, master, salt, personal);
}

/** aead-v1 decryption per §3: XChaCha20-Poly1305 from HChaCha20 + node's ChaCha20-Poly1305, then unpadding. */
function aeadOpen(key: Uint8Array, ad: string, block: number, ct: Uint8Array): Uint8Array {
  expect(ct[0]).toBe(0x01);
  const nonce = ct.subarray(1, 25);
  const d = createDecipheriv("chacha20-poly1305", hchacha20(key, nonce.subarray(0, 16)), concat(new Uint8Array(4), nonce.subarray(16, 24)), {
    authTagLength: 16,
  });
  const body = ct.subarray(25, ct.length - 16);
  d.setAAD(utf8(ad), { plaintextLength: body.length });
  d.setAuthTag(ct.subarray(ct.length - 16));
  return unpad(new Uint8Array(Buffer.concat([d.update(body), d.final()])), block);
}

/** A libsodium sealed box opened from its construction: epk || crypto_box(m, nonce = BLAKE2b-192(epk || pk)). Throws if it does not open. */
function sealedBoxOpen(sealed: Uint8Array, pk: Uint8Array, sk: Uint8Array): Uint8Array {
  const epk = sealed.subarray(0, 32);
  const nonce = sodium.crypto_generichash(24, concat(epk, pk), null);
  const shared = sodium.crypto_box_beforenm(epk, sk); // HSalsa20(X25519(sk, epk), 0^16)
  return sodium.crypto_secretbox_open_easy(sealed.subarray(32), nonce, shared); // XSalsa20-Poly1305, tag first
}

/** envelope-v1 decoding per §4, for any kind: the key bytes after the id, or the error code of the first failed step. */
function envelopeOpen(env: Uint8Array, kind: 0x01 | 0x02 | 0x03, id: string, sk: Uint8Array): { keys: Uint8Array } | { error: string } {
  const length = kind === 0x01 ? 130 : 98;
  if (env.length !== length) return { error: env.length < length ? "truncated" : "bad_format" };
  if (env[0] !== 0x01) return { error: "bad_version" };
  let inner: Uint8Array;
  try {
    inner = sealedBoxOpen(env.subarray(1), sodium.crypto_scalarmult_base(sk), sk);
  } catch {
    return { error: "decrypt_failed" };
  }
  if (inner[0] !== kind) return { error: "bad_format" };
  if (toHex(inner.subarray(1, 17)) !== id.replace(/-/g, "")) return { error: "wrong_record" };
  return { keys: inner.subarray(17) };
}

// ---- formats, per docs/CRYPTO.md

describe("aead-v1 per the specification", () => {
  const file = readVectorFile<AeadFile>("aead-v1.json");

  it("an XChaCha20-Poly1305 built from HChaCha20 + node ChaCha20-Poly1305 reproduces every vector", () => {
    // Cross-check the hand-written HChaCha20 against libsodium once.
    const k = fromHex(file.cases[0]!.key);
    const n = fromHex(file.cases[0]!.nonce).subarray(0, 16);
    expect(toHex(hchacha20(k, n))).toBe(toHex(sodium.crypto_core_hchacha20(n, k, null)));

    for (const c of file.cases) {
      const ct = fromHex(c.ciphertext);
      expect(ct[0]).toBe(0x01);
      const nonce = ct.subarray(1, 25);
      const body = ct.subarray(25, ct.length - 16);
      const tag = ct.subarray(ct.length - 16);
      const subkey = hchacha20(fromHex(c.key), nonce.subarray(0, 16));
      const nonce12 = concat(new Uint8Array(4), nonce.subarray(16, 24));
      const ad = utf8(`cor/aead-v1/${c.purpose}/${c.id}${c.subId ? `/${c.subId}` : ""}`);
      expect(new TextDecoder().decode(ad)).toBe(c.associatedData);

      const d = createDecipheriv("chacha20-poly1305", subkey, nonce12, { authTagLength: 16 });
      d.setAAD(ad, { plaintextLength: body.length });
      d.setAuthTag(tag);
      const padded = new Uint8Array(Buffer.concat([d.update(body), d.final()]));
      expect(toHex(padded), c.name).toBe(c.padded);
      expect(toHex(unpad(padded, c.block)), c.name).toBe(c.plaintext);

      const e = createCipheriv("chacha20-poly1305", subkey, nonce12, { authTagLength: 16 });
      e.setAAD(ad, { plaintextLength: padded.length });
      const again = concat(Uint8Array.of(1), nonce, e.update(pad(fromHex(c.plaintext), c.block)), e.final(), e.getAuthTag());
      expect(toHex(again), c.name).toBe(c.ciphertext);
    }
  });

  it("has a vector for every sharing purpose, with the key, ids and block of the purposes table", () => {
    const one = (purpose: string): AeadCase => {
      const c = file.cases.find((x) => x.purpose === purpose);
      expect(c, purpose).toBeDefined();
      return c!;
    };
    const pkg = one("share-package");
    const shareKey = one("share-key");
    const fileKey = one("share-file-key");
    const feedbackKey = one("share-feedback-key");
    const feedback = one("share-feedback");
    expect([pkg, shareKey, fileKey, feedbackKey, feedback].map((c) => c.block)).toEqual([1024, 16, 16, 16, 256]);
    // share-package: key = share key, id = share id, subId = the version in decimal.
    expect(pkg.subId).toMatch(/^[1-9][0-9]*$/);
    expect(pkg.key).toBe(shareKey.plaintext);
    // share-key and share-feedback-key: under the case key, id = report id, subId = share id.
    const labels = one("labels");
    for (const c of [shareKey, feedbackKey]) {
      expect(c.key).toBe(labels.key);
      expect(c.id).toBe(labels.id);
      expect(c.subId).toBe(pkg.id);
    }
    // share-file-key: under the share key, id = share id, subId = attachment id; the same file key as under the report key.
    expect(fileKey.key).toBe(pkg.key);
    expect(fileKey.id).toBe(pkg.id);
    expect(fileKey.plaintext).toBe(one("file-key").plaintext);
    // share-feedback: under the feedback key, id = share id.
    expect(feedback.key).toBe(feedbackKey.plaintext);
    expect(feedback.id).toBe(pkg.id);
  });

  it("a share package is JSON with its version and the feedback key as base64url", () => {
    const c = file.cases.find((x) => x.purpose === "share-package")!;
    const pkg = JSON.parse(new TextDecoder().decode(aeadOpen(fromHex(c.key), c.associatedData, c.block, fromHex(c.ciphertext)))) as Record<string, unknown>;
    expect(pkg.version).toBe(Number(c.subId));
    expect(Object.keys(pkg).sort()).toEqual([
      "affiliate",
      "caseNumber",
      "feedbackKey",
      "fields",
      "files",
      "purpose",
      "purposeNote",
      "redacted",
      "reportId",
      "version",
    ]);
    const feedbackKey = Buffer.from(pkg.feedbackKey as string, "base64url");
    expect(feedbackKey.length).toBe(32);
    for (const f of file.cases.filter((x) => x.purpose === "share-feedback")) {
      const fb = JSON.parse(new TextDecoder().decode(aeadOpen(feedbackKey, f.associatedData, f.block, fromHex(f.ciphertext)))) as Record<string, unknown>;
      expect(Object.keys(fb).sort()).toEqual(["author", "text"]);
      expect(["affiliate", "investigator"]).toContain(fb.author);
    }
  });

  it("has a vector for both archive purposes, with the key, ids and block of the purposes table", () => {
    const pkg = file.cases.find((x) => x.purpose === "archive-package");
    const fileKey = file.cases.find((x) => x.purpose === "archive-file-key");
    expect(pkg).toBeDefined();
    expect(fileKey).toBeDefined();
    expect([pkg!.block, fileKey!.block]).toEqual([1024, 16]);
    // archive-package: key = archive key, id = archive id, no subId.
    expect(pkg!.subId).toBeUndefined();
    expect(pkg!.associatedData).toBe(`cor/aead-v1/archive-package/${pkg!.id}`);
    // archive-file-key: under the same archive key, id = archive id, subId = attachment id; a 32-byte file key.
    expect(fileKey!.key).toBe(pkg!.key);
    expect(fileKey!.id).toBe(pkg!.id);
    expect(fileKey!.associatedData).toBe(`cor/aead-v1/archive-file-key/${pkg!.id}/${fileKey!.subId}`);
    expect(fileKey!.plaintext.length).toBe(64);
  });

  it("an archive package is JSON with the records of the closed case", () => {
    const c = file.cases.find((x) => x.purpose === "archive-package")!;
    const pkg = JSON.parse(new TextDecoder().decode(aeadOpen(fromHex(c.key), c.associatedData, c.block, fromHex(c.ciphertext)))) as Record<string, unknown>;
    expect(Object.keys(pkg).sort()).toEqual(
      [
        "body",
        "caseNumber",
        "category",
        "dates",
        "files",
        "identity",
        "messages",
        "notes",
        "outcome",
        "privacyRequests",
        "provisions",
        "reportId",
        "title",
      ].sort(),
    );
    expect(Object.keys(pkg.dates as object).sort()).toEqual(["acknowledgedOn", "closedOn", "receivedOn"]);
    for (const list of ["messages", "notes", "privacyRequests", "provisions", "files"]) expect(Array.isArray(pkg[list]), list).toBe(true);
    for (const f of pkg.files as Record<string, unknown>[]) {
      expect(Object.keys(f).sort()).toEqual(["id", "name", "size", "type"]);
      expect(Number.isSafeInteger(f.size)).toBe(true);
    }
    expect(pkg).toEqual(JSON.parse(c.plaintextText!));
  });
});

describe("envelope-v1 per the specification", () => {
  const file = readVectorFile<EnvelopeFile>("envelope-v1.json");

  it("opens as a libsodium sealed box: epk || crypto_box(inner, nonce = BLAKE2b-192(epk || pk))", () => {
    for (const c of file.cases) {
      const env = fromHex(c.envelope);
      expect(env.length).toBe(130);
      expect(env[0]).toBe(0x01);
      const epk = env.subarray(1, 33);
      const boxed = env.subarray(33);
      const pk = fromHex(c.recipientPublicKey);
      const sk = fromHex(c.recipientSecretKey);
      expect(toHex(sodium.crypto_scalarmult_base(sk))).toBe(c.recipientPublicKey);
      const nonce = sodium.crypto_generichash(24, concat(epk, pk), null);
      const shared = sodium.crypto_box_beforenm(epk, sk); // HSalsa20(X25519(sk, epk), 0^16)
      const inner = sodium.crypto_secretbox_open_easy(boxed, nonce, shared); // XSalsa20-Poly1305, tag first
      expect(toHex(inner)).toBe(c.inner);
      expect(inner.length).toBe(81);
      expect(inner[0]).toBe(0x01);
      expect(toHex(inner.subarray(1, 17))).toBe(c.reportId.replace(/-/g, ""));
      expect(toHex(inner.subarray(17, 49))).toBe(c.reportKey);
      expect(toHex(inner.subarray(49, 81))).toBe(c.caseKey);
    }
  });

  it("kind 0x02: 0x01 || sealed box of 0x02 || shareId (16) || shareKey (32), 98 bytes", () => {
    expect(file.shareCases.length).toBeGreaterThan(0);
    for (const c of file.shareCases) {
      const env = fromHex(c.envelope);
      expect(env.length).toBe(98);
      expect(env[0]).toBe(0x01);
      const pk = fromHex(c.recipientPublicKey);
      const sk = fromHex(c.recipientSecretKey);
      expect(toHex(sodium.crypto_scalarmult_base(sk))).toBe(c.recipientPublicKey);
      const inner = sealedBoxOpen(env.subarray(1), pk, sk);
      expect(toHex(sodium.crypto_box_seal_open(env.subarray(1), pk, sk))).toBe(toHex(inner));
      expect(toHex(inner)).toBe(c.inner);
      expect(inner.length).toBe(49);
      expect(inner[0]).toBe(0x02);
      expect(toHex(inner.subarray(1, 17))).toBe(c.shareId.replace(/-/g, ""));
      expect(c.shareIdBytes).toBe(c.shareId.replace(/-/g, ""));
      expect(toHex(inner.subarray(17, 49))).toBe(c.shareKey);
      expect(envelopeOpen(env, 0x02, c.shareId, sk)).toEqual({ keys: inner.subarray(17) });
    }
  });

  it("the decoding steps reject every invalid entry with its recorded code, for both kinds", () => {
    for (const v of file.invalid) {
      expect(envelopeOpen(fromHex(v.envelope), 0x01, v.reportId, fromHex(v.recipientSecretKey)), v.name).toEqual({ error: v.error });
    }
    for (const v of file.shareInvalid) {
      expect(envelopeOpen(fromHex(v.envelope), 0x02, v.shareId, fromHex(v.recipientSecretKey)), v.name).toEqual({ error: v.error });
    }
    for (const v of file.archiveInvalid) {
      expect(envelopeOpen(fromHex(v.envelope), 0x03, v.archiveId, fromHex(v.recipientSecretKey)), v.name).toEqual({ error: v.error });
    }
  });

  it("kind 0x03: 0x01 || sealed box of 0x03 || archiveId (16) || archiveKey (32), 98 bytes", () => {
    expect(file.archiveCases.length).toBeGreaterThan(0);
    for (const c of file.archiveCases) {
      const env = fromHex(c.envelope);
      expect(env.length).toBe(98);
      expect(env[0]).toBe(0x01);
      const pk = fromHex(c.recipientPublicKey);
      const sk = fromHex(c.recipientSecretKey);
      expect(toHex(sodium.crypto_scalarmult_base(sk))).toBe(c.recipientPublicKey);
      const inner = sealedBoxOpen(env.subarray(1), pk, sk);
      expect(toHex(sodium.crypto_box_seal_open(env.subarray(1), pk, sk))).toBe(toHex(inner));
      expect(toHex(inner)).toBe(c.inner);
      expect(inner.length).toBe(49);
      expect(inner[0]).toBe(0x03);
      expect(toHex(inner.subarray(1, 17))).toBe(c.archiveId.replace(/-/g, ""));
      expect(c.archiveIdBytes).toBe(c.archiveId.replace(/-/g, ""));
      expect(toHex(inner.subarray(17, 49))).toBe(c.archiveKey);
      expect(envelopeOpen(env, 0x03, c.archiveId, sk)).toEqual({ keys: inner.subarray(17) });
      // Same length as kind 0x02: opened as a share key for the same id, only the kind byte refuses it.
      expect(envelopeOpen(env, 0x02, c.archiveId, sk)).toEqual({ error: "bad_format" });
    }
    for (const c of file.shareCases) {
      expect(envelopeOpen(fromHex(c.envelope), 0x03, c.shareId, fromHex(c.recipientSecretKey))).toEqual({ error: "bad_format" });
    }
  });

  it("the archive key chain: administrator secret key -> archive key -> package and file key -> the kept stream-v1 blob's key", () => {
    const aead = readVectorFile<AeadFile>("aead-v1.json");
    const stream = readVectorFile<StreamFile>("stream-v1.json");
    const admin = file.archiveCases.find((c) => c.name === "administrator A")!;
    const opened = envelopeOpen(fromHex(admin.envelope), 0x03, admin.archiveId, fromHex(admin.recipientSecretKey));
    expect("keys" in opened).toBe(true);
    const archiveKey = (opened as { keys: Uint8Array }).keys;
    const at = (purpose: string) => aead.cases.find((c) => c.purpose === purpose)!;

    const p = at("archive-package");
    expect(p.id).toBe(admin.archiveId);
    const pkg = JSON.parse(new TextDecoder().decode(aeadOpen(archiveKey, `cor/aead-v1/archive-package/${admin.archiveId}`, 1024, fromHex(p.ciphertext)))) as {
      reportId: string;
      files: { id: string; size: number }[];
    };
    const w = at("archive-file-key");
    expect(pkg.files.map((x) => x.id)).toContain(w.subId);
    const fileKey = aeadOpen(archiveKey, `cor/aead-v1/archive-file-key/${admin.archiveId}/${w.subId}`, 16, fromHex(w.ciphertext));
    expect(fileKey.length).toBe(32);
    // The blob is the case's own stream-v1 ciphertext, still bound to the case's report id and attachment id.
    expect(toHex(fileKey)).toBe(stream.fileKey);
    expect(pkg.reportId).toBe(stream.reportId);
    expect(w.subId).toBe(stream.attachmentId);

    // The archive key opens nothing of the live case or of a share.
    for (const purpose of ["labels", "report-title", "file-key", "share-package", "share-key"]) {
      const c = at(purpose);
      expect(() => aeadOpen(archiveKey, c.associatedData, c.block, fromHex(c.ciphertext)), purpose).toThrow();
    }
  });

  it("the key chain: reviewer secret key -> share key -> package -> feedback key and file keys, never the report or case key", () => {
    const aead = readVectorFile<AeadFile>("aead-v1.json");
    const reviewer = file.shareCases.find((c) => c.name === "reviewer A")!;
    const opened = envelopeOpen(fromHex(reviewer.envelope), 0x02, reviewer.shareId, fromHex(reviewer.recipientSecretKey));
    expect("keys" in opened).toBe(true);
    const shareKey = (opened as { keys: Uint8Array }).keys;
    const at = (purpose: string) => aead.cases.find((c) => c.purpose === purpose)!;

    const p = at("share-package");
    expect(p.id).toBe(reviewer.shareId);
    const pkg = JSON.parse(
      new TextDecoder().decode(aeadOpen(shareKey, `cor/aead-v1/share-package/${reviewer.shareId}/${p.subId}`, 1024, fromHex(p.ciphertext))),
    ) as {
      feedbackKey: string;
      files: { id: string }[];
    };
    const feedbackKey = Buffer.from(pkg.feedbackKey, "base64url");
    const f = at("share-feedback");
    expect(
      JSON.parse(new TextDecoder().decode(aeadOpen(feedbackKey, `cor/aead-v1/share-feedback/${reviewer.shareId}/${f.subId}`, 256, fromHex(f.ciphertext)))),
    ).toEqual(JSON.parse(f.plaintextText!));

    const w = at("share-file-key");
    expect(pkg.files.map((x) => x.id)).toContain(w.subId);
    const fileKey = aeadOpen(shareKey, `cor/aead-v1/share-file-key/${reviewer.shareId}/${w.subId}`, 16, fromHex(w.ciphertext));
    expect(toHex(fileKey)).toBe(at("file-key").plaintext);

    // Nothing the reviewer can reach opens the case-key wraps or report-key records.
    const caseWrap = at("share-key");
    for (const k of [shareKey, feedbackKey, fileKey]) {
      expect(() => aeadOpen(k, caseWrap.associatedData, 16, fromHex(caseWrap.ciphertext))).toThrow();
      expect(() => aeadOpen(k, at("report-title").associatedData, 256, fromHex(at("report-title").ciphertext))).toThrow();
    }
  });
});

const TAG_FINAL = 0x03;
const TAG_REKEY = 0x02;

/**
 * crypto_secretstream_xchacha20poly1305 pull, written from its construction. stream-v1: the
 * plaintext. stream-v2 (§5): the 25-byte length chunk first, then the padded body; returns the
 * stated size and the body.
 */
function pullChunks(key: Uint8Array, ct: Uint8Array, ad: Uint8Array): { lengthChunk: Uint8Array | null; body: Uint8Array } {
  const v2 = ct[0] === 0x02;
  if (!v2) expect(ct[0]).toBe(0x01);
  const header = ct.subarray(1, 25);
  let k = hchacha20(key, header.subarray(0, 16));
  const nonce = new Uint8Array(12); // counter (LE32) || inonce (8)
  new DataView(nonce.buffer).setUint32(0, 1, true);
  nonce.set(header.subarray(16, 24), 4);
  const out: Uint8Array[] = [];
  let lengthChunk: Uint8Array | null = null;
  let o = 25;
  let finished = false;
  while (o < ct.length) {
    expect(finished, "data after the final chunk").toBe(false);
    const isLength = v2 && lengthChunk === null;
    const len = isLength ? 8 + 17 : Math.min(65536 + 17, ct.length - o);
    const chunk = ct.subarray(o, o + len);
    o += len;
    const c = chunk.subarray(1, chunk.length - 16);
    const mac = chunk.subarray(chunk.length - 16);
    const polyKey = chacha20Xor(k, nonce, 0, new Uint8Array(64)).subarray(0, 32);
    const block = chacha20Xor(k, nonce, 1, new Uint8Array(64));
    const tag = block[0]! ^ chunk[0]!;
    block[0] = chunk[0]!;
    const macInput = concat(
      ad,
      new Uint8Array((16 - ad.length) & 15),
      block,
      c,
      new Uint8Array((16 - 64 + c.length) & 15), // libsodium pads by (0x10 - 64 + mlen) & 0xf
      le64(ad.length),
      le64(64 + c.length),
    );
    expect(toHex(sodium.crypto_onetimeauth(macInput, polyKey))).toBe(toHex(mac));
    const m = chacha20Xor(k, nonce, 2, c);
    for (let i = 0; i < 8; i++) nonce[4 + i]! ^= mac[i]!;
    const counter = (new DataView(nonce.buffer).getUint32(0, true) + 1) >>> 0;
    new DataView(nonce.buffer).setUint32(0, counter, true);
    if ((tag & TAG_REKEY) !== 0 || counter === 0) {
      const next = chacha20Xor(k, nonce, 0, concat(k, nonce.subarray(4)));
      k = next.subarray(0, 32);
      nonce.set(next.subarray(32, 40), 4);
      new DataView(nonce.buffer).setUint32(0, 1, true);
    }
    if (isLength) {
      expect(tag, "the length chunk is TAG_MESSAGE").toBe(0x00);
      lengthChunk = m;
      continue;
    }
    out.push(m);
    if (tag === TAG_FINAL) finished = true;
    else expect(tag).toBe(0x00);
    if (!finished) expect(len).toBe(65536 + 17);
  }
  expect(finished, "final chunk seen").toBe(true);
  return { lengthChunk, body: concat(...out) };
}

/** Either version's plaintext: stream-v2's body cut at the stated size, after checking that the padding is zeros. */
function decryptStream(key: Uint8Array, ct: Uint8Array, ad: Uint8Array): Uint8Array {
  const { lengthChunk, body } = pullChunks(key, ct, ad);
  if (lengthChunk === null) return body;
  const size = Number(new DataView(lengthChunk.buffer, lengthChunk.byteOffset, 8).getBigUint64(0, true));
  expect(body.length).toBeGreaterThanOrEqual(size);
  expect(body.subarray(size).every((b) => b === 0)).toBe(true);
  return body.subarray(0, size);
}

/** Padmé as §5.1 states it, with BigInt bit operations. */
function padmeSpec(length: number): number {
  if (length < 2) return length;
  const e = BigInt(length).toString(2).length - 1;
  const s = Math.floor(Math.log2(e)) + 1;
  const lastBits = e - s;
  if (lastBits <= 0) return length;
  const mask = (1n << BigInt(lastBits)) - 1n;
  return Number((BigInt(length) + mask) & ~mask);
}

describe("stream-v1 per the specification", () => {
  const file = readVectorFile<StreamFile>("stream-v1.json");

  it("an archived file's blob decrypts with the file key unwrapped from the archive (§8.2)", () => {
    const aead = readVectorFile<AeadFile>("aead-v1.json");
    const p = aead.cases.find((c) => c.purpose === "archive-package")!;
    const w = aead.cases.find((c) => c.purpose === "archive-file-key")!;
    const archiveKey = fromHex(p.key);
    const pkg = JSON.parse(new TextDecoder().decode(aeadOpen(archiveKey, p.associatedData, 1024, fromHex(p.ciphertext)))) as {
      reportId: string;
      files: { id: string; size: number }[];
    };
    const f = pkg.files.find((x) => x.id === w.subId)!;
    const fileKey = aeadOpen(archiveKey, w.associatedData, 16, fromHex(w.ciphertext));
    const c = file.cases.find((x) => x.plaintextLength === f.size)!;
    expect(c).toBeDefined();
    const plain = decryptStream(fileKey, fromHex(c.ciphertext), utf8(`cor/stream-v1/attachment/${pkg.reportId}/${f.id}`));
    expect(plain.length).toBe(f.size);
    expect(sha256Hex(plain)).toBe(c.plaintextSha256);
  });

  it("every vector decrypts with a secretstream written from the construction", () => {
    const ad = utf8(`cor/stream-v1/attachment/${file.reportId}/${file.attachmentId}`);
    expect(new TextDecoder().decode(ad)).toBe(file.associatedData);
    for (const c of file.cases) {
      const ct = fromHex(c.ciphertext);
      expect(ct.length).toBe(25 + c.plaintextLength + 17 * (c.plaintextLength === 0 ? 1 : Math.ceil(c.plaintextLength / 65536)));
      const plain = decryptStream(fromHex(file.fileKey), ct, ad);
      expect(sha256Hex(plain), c.name).toBe(c.plaintextSha256);
      if (c.plaintext === undefined) expect(toHex(plain)).toBe(toHex(patternBytes(c.plaintextLength)));
    }
  });
});

describe("stream-v2 per the specification", () => {
  const file = readVectorFile<StreamFile>("stream-v2.json");

  it("every vector decrypts from the construction, its length chunk states the size, and its body is padded to padme(size) with zeros", () => {
    const ad = utf8(`cor/stream-v2/attachment/${file.reportId}/${file.attachmentId}`);
    expect(new TextDecoder().decode(ad)).toBe(file.associatedData);
    for (const c of file.cases) {
      const ct = fromHex(c.ciphertext);
      const padded = padmeSpec(c.plaintextLength);
      expect(c.paddedLength, c.name).toBe(padded);
      expect(ct.length, c.name).toBe(50 + padded + 17 * (padded === 0 ? 1 : Math.ceil(padded / 65536)));
      const { lengthChunk, body } = pullChunks(fromHex(file.fileKey), ct, ad);
      expect(toHex(lengthChunk!), c.name).toBe(toHex(le64(c.plaintextLength)));
      expect(body.length, c.name).toBe(padded);
      const plain = decryptStream(fromHex(file.fileKey), ct, ad);
      expect(sha256Hex(plain), c.name).toBe(c.plaintextSha256);
      if (c.plaintext === undefined) expect(toHex(plain)).toBe(toHex(patternBytes(c.plaintextLength)));
    }
  });
});

describe("receipt-v1 per the specification", () => {
  const file = readVectorFile<ReceiptFile>("receipt-v1.json");

  it("master, lookup, wrap key and the server's hash follow from the normalized code", () => {
    for (const c of file.codes) {
      const master = sodium.crypto_generichash(32, utf8(c.normalized), utf8(file.masterKey));
      expect(toHex(master)).toBe(c.master);
      expect(toHex(kdf(master, 1, "rcptlkup"))).toBe(c.lookup);
      expect(toHex(kdf(master, 2, "rcptwrap"))).toBe(c.wrapKey);
      const h = createHash("sha256").update("cor/receipt-lookup-v1\0").update(fromHex(c.lookup)).digest("hex");
      expect(h).toBe(c.serverLookupHash);
    }
  });
});

describe("staff-kdf-v1 per the specification", () => {
  const file = readVectorFile<StaffKdfFile>("staff-kdf-v1.json");

  it("an independent Argon2id (argon2 package) gives the same master and keys", async () => {
    const c = file.cases[0]!;
    const password = Buffer.from(c.password.normalize("NFKC"), "utf8");
    expect(password.toString("hex")).toBe(c.passwordNfkc);
    const master = await argon2.hash(password, {
      type: argon2.argon2id,
      version: 0x13,
      timeCost: file.params.opslimit,
      memoryCost: file.params.memlimit / 1024,
      parallelism: 1,
      hashLength: 32,
      salt: Buffer.from(fromHex(c.salt)),
      raw: true,
    });
    expect(master.toString("hex")).toBe(c.master);
    expect(toHex(kdf(new Uint8Array(master), 1, "staffath"))).toBe(c.authKey);
    expect(toHex(kdf(new Uint8Array(master), 2, "staffwrp"))).toBe(c.wrapKey);
    expect(toHex(sodium.crypto_scalarmult_base(fromHex(c.secretKey)))).toBe(c.publicKey);
  });

  it("recovery keys are big-endian base32 of the 32 bytes with 4 zero bits appended", () => {
    const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    for (const r of file.recoveryKeys) {
      let bits = "";
      for (const b of fromHex(r.key)) bits += b.toString(2).padStart(8, "0");
      bits += "0000";
      let text = "";
      for (let i = 0; i < bits.length; i += 5) text += alphabet[parseInt(bits.slice(i, i + 5), 2)];
      expect(text.match(/.{4}/g)!.join("-")).toBe(r.text);
    }
  });
});

// ---- what an independent client once had to guess (issue 22, "The spec, complete"), from the text

const SPEC = readFileSync(new URL("../../docs/CRYPTO.md", import.meta.url), "utf8");

/** The text of one section of docs/CRYPTO.md, from its heading to the next heading of any level. */
function section(heading: string): string {
  const start = SPEC.indexOf(`\n${heading}`);
  expect(start, heading).toBeGreaterThan(0);
  const rest = SPEC.slice(start + 1);
  const end = rest.slice(1).search(/\n#{2,3} /);
  return end < 0 ? rest : rest.slice(0, end + 1);
}

/** Code points listed as `U+XXXX` and `U+XXXX..U+YYYY` in a line of the spec. */
function codePoints(listing: string): Set<number> {
  const out = new Set<number>();
  for (const m of listing.matchAll(/U\+([0-9A-F]{4,6})(?:\.\.U\+([0-9A-F]{4,6}))?/g)) {
    const from = parseInt(m[1]!, 16);
    for (let c = from; c <= parseInt(m[2] ?? m[1]!, 16); c++) out.add(c);
  }
  return out;
}

/** §2.1, built from the lists as the document writes them. */
function typedCodeRules(): { spaces: Set<number>; dashes: Set<number>; normalize: (input: string) => string } {
  const text = section("### 2.1").replace(/\n\s+/g, " ");
  const spaces = codePoints(/white space, 25 code points: ([^;]*)\(U\+0085/.exec(text)![1]!);
  const dashes = codePoints(/hyphens and dashes, 8 code points: (.*?U\+[0-9A-F]{4,6})\.\s/.exec(text)![1]!);
  const normalize = (input: string) => {
    let out = "";
    for (const ch of input) {
      let cp = ch.codePointAt(0)!;
      if (cp >= 0xff01 && cp <= 0xff5e) cp -= 0xfee0;
      if (cp >= 0x61 && cp <= 0x7a) cp -= 0x20;
      if (spaces.has(cp) || dashes.has(cp)) continue;
      const c = String.fromCodePoint(cp);
      out += c === "O" ? "0" : c === "I" || c === "L" ? "1" : c;
    }
    return out;
  };
  return { spaces, dashes, normalize };
}

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

describe("typed codes per §2.1", () => {
  const rules = typedCodeRules();

  it("lists 25 white-space and 8 dash code points, and the code reads every BMP code point as the lists say", () => {
    expect(rules.spaces.size).toBe(25);
    expect(rules.dashes.size).toBe(8);
    for (let cp = 0; cp <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (normalizeTypedCode(ch) !== rules.normalize(ch)) expect.fail(`U+${cp.toString(16)}: code ${normalizeTypedCode(ch)}, spec ${rules.normalize(ch)}`);
    }
    for (const cp of [0x1d400, 0x1f600, 0x10ffff]) expect(normalizeTypedCode(String.fromCodePoint(cp))).toBe(rules.normalize(String.fromCodePoint(cp)));
  });

  it("receipt-v1: every normalisation and invalid vector, with a Luhn mod 32 written from §6", () => {
    const file = readVectorFile<ReceiptFile>("receipt-v1.json");
    const check = (symbols: string) => {
      let sum = 0;
      let factor = 2;
      for (let i = symbols.length - 1; i >= 0; i--) {
        const a = factor * ALPHABET.indexOf(symbols[i]!);
        sum += Math.floor(a / 32) + (a % 32);
        factor = factor === 2 ? 1 : 2;
      }
      return ALPHABET[(32 - (sum % 32)) % 32]!;
    };
    const parse = (input: string) => {
      const code = rules.normalize(input);
      if (code.length === 0) return { problem: "empty" };
      if ([...code].some((c) => !ALPHABET.includes(c))) return { problem: "character" };
      if (code.length !== 20) return { problem: "length" };
      if (check(code.slice(0, 19)) !== code[19]) return { problem: "check" };
      return { code };
    };
    for (const n of file.normalization) expect(parse(n.input), JSON.stringify(n.input)).toEqual({ code: n.normalized });
    for (const v of file.invalid) expect(parse(v.input), JSON.stringify(v.input)).toEqual({ problem: v.problem });
  });

  it("staff-kdf-v1: every recovery-key input and invalid input, with base32 written from §7", () => {
    const file = readVectorFile<StaffKdfFile>("staff-kdf-v1.json");
    const parse = (input: string): string | null => {
      const clean = rules.normalize(input);
      if (clean.length !== 52 || [...clean].some((c) => !ALPHABET.includes(c))) return null;
      const bits = [...clean].map((c) => ALPHABET.indexOf(c).toString(2).padStart(5, "0")).join("");
      if (!bits.endsWith("0000")) return null;
      return Buffer.from(
        bits
          .slice(0, 256)
          .match(/.{8}/g)!
          .map((b) => parseInt(b, 2)),
      ).toString("hex");
    };
    for (const r of [...file.recoveryKeyInputs, ...file.recoveryKeys.map((k) => ({ input: k.text, key: k.key }))]) expect(parse(r.input), r.input).toBe(r.key);
    for (const r of file.recoveryKeyInvalid) {
      expect(parse(r.input), r.input).toBeNull();
      expect(r.error).toBe("bad_format");
    }
  });
});

/** §3.5: what a reader keeps of a record's plaintext, or the error it gives; written from the table. */
function readShape(purpose: string, value: unknown, expectedAuthor?: string): { value: unknown } | { error: string } {
  const bad = { error: "bad_format" };
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const str = (v: unknown) => typeof v === "string";
  const strOrNull = (v: unknown) => typeof v === "string" || v === null;
  const pick = (o: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((k) => [k, o[k]]));
  switch (purpose) {
    case "report-title":
      return str(value) ? { value } : bad;
    case "report-body": {
      if (!isObject(value) || !str(value.description) || !str(value.details) || !strOrNull(value.periodFrom) || !strOrNull(value.periodTo)) return bad;
      return { value: pick(value, ["description", "details", "periodFrom", "periodTo"]) };
    }
    case "report-identity": {
      if (!isObject(value) || !strOrNull(value.name) || !strOrNull(value.email) || !strOrNull(value.phone)) return bad;
      const out = pick(value, ["name", "email", "phone"]);
      if ("notify" in value) {
        const n = value.notify;
        if (!isObject(n) || typeof n.email !== "boolean" || (n.language !== "ko" && n.language !== "en")) return bad;
        out.notify = { email: n.email, language: n.language };
      }
      return { value: out };
    }
    case "file-meta": {
      if (!isObject(value) || !str(value.name) || !str(value.type) || !Number.isSafeInteger(value.size) || (value.size as number) < 0) return bad;
      return { value: pick(value, ["name", "type", "size"]) };
    }
    case "message":
    case "share-feedback": {
      const authors = purpose === "message" ? ["reporter", "investigator"] : ["affiliate", "investigator"];
      if (!isObject(value) || !str(value.text)) return bad;
      if (purpose === "message" && value.kind !== "message" && value.kind !== "question") return bad;
      if (value.author !== expectedAuthor || !authors.includes(value.author as string)) return { error: "wrong_record" };
      return { value: pick(value, purpose === "message" ? ["author", "kind", "text"] : ["author", "text"]) };
    }
    case "privacy-request":
    case "privacy-answer":
    case "note":
      return isObject(value) && str(value.text) ? { value: { text: value.text } } : bad;
    case "labels":
      return Array.isArray(value) && value.every(str) ? { value } : bad;
    default:
      throw new Error(`§3.5 gives no shape for ${purpose}`);
  }
}

/** A record's plaintext per §2 and §3.5: strict UTF-8 (a BOM kept, so JSON refuses it), JSON, then the shape. */
function readRecordSpec(purpose: string, plaintext: Uint8Array, expectedAuthor?: string): { value: unknown } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(plaintext));
  } catch {
    return { error: "bad_format" };
  }
  return readShape(purpose, value, expectedAuthor);
}

describe("record plaintexts per §3.5", () => {
  const file = readVectorFile<AeadFile>("aead-v1.json");

  it("every record-shape vector is refused or kept as the table says", () => {
    for (const r of file.records) {
      const ad = `cor/aead-v1/${r.purpose}/${r.id}${r.subId ? `/${r.subId}` : ""}`;
      const block = r.purpose === "report-body" ? 1024 : 256;
      const plain = aeadOpen(fromHex(r.key), ad, block, fromHex(r.ciphertext));
      expect(toHex(plain), r.name).toBe(r.plaintext);
      expect(readRecordSpec(r.purpose, plain, r.expectedAuthor), r.name).toEqual(r.error ? { error: r.error } : { value: r.decoded });
    }
  });

  it("every JSON record case of a listed purpose has its shape, messages with author and kind", () => {
    const shaped = [
      "report-title",
      "report-body",
      "report-identity",
      "file-meta",
      "message",
      "privacy-request",
      "privacy-answer",
      "note",
      "labels",
      "share-feedback",
    ];
    for (const c of file.cases.filter((x) => shaped.includes(x.purpose) && x.plaintextText !== undefined)) {
      const value = JSON.parse(c.plaintextText!) as { author?: string };
      expect(readRecordSpec(c.purpose, fromHex(c.plaintext), value.author), c.name).toEqual({ value });
    }
    const dated = file.cases.filter((x) => x.purpose === "report-body").map((x) => JSON.parse(x.plaintextText!) as { periodFrom: string | null });
    for (const b of dated) if (b.periodFrom !== null) expect(b.periodFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

// ---- stream decoding per §5.2, with a secretstream pull per Appendix A that reports instead of asserting

interface PullState {
  k: Uint8Array;
  nonce: Uint8Array;
}

function pullInit(key: Uint8Array, header: Uint8Array): PullState {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(0, 1, true);
  nonce.set(header.subarray(16, 24), 4);
  return { k: hchacha20(key, header.subarray(0, 16)), nonce };
}

/** One chunk per Appendix A; null when the MAC does not hold (the state is then unchanged). */
function pull(st: PullState, chunk: Uint8Array, ad: Uint8Array): { m: Uint8Array; tag: number } | null {
  const c = chunk.subarray(1, chunk.length - 16);
  const mac = chunk.subarray(chunk.length - 16);
  const polyKey = chacha20Xor(st.k, st.nonce, 0, new Uint8Array(64)).subarray(0, 32);
  const block = chacha20Xor(st.k, st.nonce, 1, new Uint8Array(64));
  const tag = block[0]! ^ chunk[0]!;
  block[0] = chunk[0]!;
  const macInput = concat(ad, new Uint8Array((16 - ad.length) & 15), block, c, new Uint8Array((16 - 64 + c.length) & 15), le64(ad.length), le64(64 + c.length));
  if (toHex(sodium.crypto_onetimeauth(macInput, polyKey)) !== toHex(mac)) return null;
  const m = chacha20Xor(st.k, st.nonce, 2, c);
  for (let i = 0; i < 8; i++) st.nonce[4 + i]! ^= mac[i]!;
  const counter = (new DataView(st.nonce.buffer).getUint32(0, true) + 1) >>> 0;
  new DataView(st.nonce.buffer).setUint32(0, counter, true);
  if ((tag & TAG_REKEY) !== 0 || counter === 0) {
    const next = chacha20Xor(st.k, st.nonce, 0, concat(st.k, st.nonce.subarray(4)));
    st.k = next.subarray(0, 32);
    st.nonce.set(next.subarray(32, 40), 4);
    new DataView(st.nonce.buffer).setUint32(0, 1, true);
  }
  return { m, tag };
}

/** §5.2 "Decoding", steps 1 to 7 in order, for both versions: the file's bytes or the error code. */
function decodeStream(key: Uint8Array, ct: Uint8Array, reportId: string, attachmentId: string): { plain: Uint8Array } | { error: string } {
  if (ct.length < 25) return { error: "truncated" };
  const version = ct[0]!;
  if (version !== 1 && version !== 2) return { error: "bad_version" };
  const ad = utf8(`cor/stream-v${version}/attachment/${reportId}/${attachmentId}`);
  const st = pullInit(key, ct.subarray(1, 25));
  let o = 25;
  let size: number | null = null;
  if (version === 2) {
    if (ct.length - o < 25) return { error: "truncated" };
    const r = pull(st, ct.subarray(o, o + 25), ad);
    if (!r) return { error: "decrypt_failed" };
    if (r.tag !== 0 || r.m.length !== 8) return { error: "bad_format" };
    const stated = new DataView(r.m.buffer, r.m.byteOffset, 8).getBigUint64(0, true);
    if (stated > BigInt(Number.MAX_SAFE_INTEGER)) return { error: "bad_format" };
    size = Number(stated);
    o += 25;
  }
  const body: Uint8Array[] = [];
  let bodyLength = 0;
  let finished = false;
  while (o < ct.length) {
    const piece = ct.subarray(o, Math.min(ct.length, o + 65553));
    o += piece.length;
    if (finished) return { error: "bad_format" };
    if (piece.length < 17) return { error: "truncated" };
    const r = pull(st, piece, ad);
    if (!r) return { error: "decrypt_failed" };
    if (r.tag === TAG_FINAL) finished = true;
    else if (r.tag !== 0) return { error: "bad_format" };
    else if (piece.length < 65553) return { error: "truncated" };
    if (size !== null) for (let i = Math.max(0, size - bodyLength); i < r.m.length; i++) if (r.m[i] !== 0) return { error: "bad_format" };
    body.push(r.m);
    bodyLength += r.m.length;
  }
  if (!finished) return { error: "truncated" };
  if (size !== null && bodyLength < size) return { error: "bad_format" };
  const all = concat(...body);
  return { plain: size === null ? all : all.subarray(0, size) };
}

describe.each(["stream-v1.json", "stream-v2.json"])("%s decoding per §5.2", (name) => {
  const file = readVectorFile<StreamFile>(name);
  const key = fromHex(file.fileKey);

  it("opens every case", () => {
    for (const c of file.cases) {
      const r = decodeStream(key, fromHex(c.ciphertext), file.reportId, file.attachmentId);
      expect("plain" in r && sha256Hex(r.plain), c.name).toBe(c.plaintextSha256);
    }
  });

  it("refuses every invalid entry with its code, the edits applied as §5.2 describes them", () => {
    expect(file.invalid.length).toBeGreaterThan(10);
    for (const v of file.invalid) {
      let bytes: Uint8Array;
      if (v.ciphertext !== undefined) bytes = fromHex(v.ciphertext);
      else {
        // The edit operations, from their description in §5.2.
        let b = Buffer.from(file.cases.find((c) => c.name === v.from)!.ciphertext, "hex");
        for (const e of v.edits!) {
          if (e.op === "flip") b[e.at]! ^= 0x01;
          else if (e.op === "set") b[e.at] = e.value;
          else if (e.op === "truncate") b = b.subarray(0, e.length);
          else if (e.op === "append") b = Buffer.concat([b, Buffer.from(e.bytes, "hex")]);
          else if (e.op === "remove") b = Buffer.concat([b.subarray(0, e.at), b.subarray(e.at + e.length)]);
          else
            b = Buffer.concat([
              b.subarray(0, e.a),
              b.subarray(e.b, e.b + e.length),
              b.subarray(e.a + e.length, e.b),
              b.subarray(e.a, e.a + e.length),
              b.subarray(e.b + e.length),
            ]);
        }
        bytes = new Uint8Array(b);
      }
      expect(decodeStream(key, bytes, file.reportId, v.attachmentId ?? file.attachmentId), v.name).toEqual({ error: v.error });
    }
  });
});

describe("secretstream re-keying per Appendix A", () => {
  it("the rekey vector opens chunk by chunk, the chunks after REKEY only under the re-keyed state", () => {
    const r = readVectorFile<StreamFile>("stream-v2.json").rekey!;
    const ad = utf8(r.associatedData);
    const st = pullInit(fromHex(r.key), fromHex(r.header));
    for (const [i, c] of r.chunks.entries()) {
      const before = { k: st.k.slice(), nonce: st.nonce.slice() };
      const out = pull(st, fromHex(c.chunk), ad);
      expect(out && [toHex(out.m), out.tag], `chunk ${i}`).toEqual([c.message, c.tag]);
      if (c.tag === TAG_REKEY) {
        // With only the update every chunk gets (inonce XOR mac, counter + 1) and no re-key, the next chunk does not open.
        const mac = fromHex(c.chunk).subarray(-16);
        const nonce = before.nonce.slice();
        for (let j = 0; j < 8; j++) nonce[4 + j]! ^= mac[j]!;
        new DataView(nonce.buffer).setUint32(0, new DataView(before.nonce.buffer).getUint32(0, true) + 1, true);
        expect(pull({ k: before.k, nonce }, fromHex(r.chunks[i + 1]!.chunk), ad)).toBeNull();
      }
    }
  });
});

describe("upload parts per §5.5", () => {
  it("gives every recorded part length from the formulas", () => {
    const file = readVectorFile<StreamFile>("stream-v2.json");
    expect(file.uploadParts!.length).toBeGreaterThan(3);
    for (const u of file.uploadParts!) {
      const B = padmeSpec(u.size);
      const chunks = (b: number) => (b === 0 ? 1 : Math.ceil(b / 65536));
      const P = u.partPlainBytes - (u.partPlainBytes % 65536);
      const N = Math.max(1, Math.ceil(B / P));
      const parts = Array.from({ length: N }, (_, n) => {
        const b = Math.min(B, (n + 1) * P) - n * P;
        return (n === 0 ? 50 : 0) + b + 17 * chunks(b);
      });
      expect(parts, String(u.size)).toEqual(u.parts);
      expect(u.ciphertextBytes).toBe(50 + B + 17 * chunks(B));
      const maxPart = u.partPlainBytes + (17 * u.partPlainBytes) / 65536 + 50;
      if (u.partPlainBytes % 65536 === 0) for (const l of parts) expect(l).toBeLessThanOrEqual(maxPart);
    }
  });
});

describe("staff-kdf-v1 server side per §7.2 and §7.3", () => {
  const file = readVectorFile<StaffKdfFile>("staff-kdf-v1.json");

  it("recovery proof and verifier", () => {
    const c = file.cases[0]!;
    const proof = kdf(fromHex(c.recoveryKey), 3, "staffrcv");
    expect(toHex(proof)).toBe(c.recoveryProof);
    expect(createHash("sha256").update(proof).digest("hex")).toBe(c.recoveryVerifier);
    const keys = c.activationKeys;
    expect(Object.keys(keys).sort()).toEqual([
      "authKey",
      "kdfSalt",
      "kdfVersion",
      "publicKey",
      "recoveryProof",
      "secretKeyRecoveryWrapped",
      "secretKeyWrapped",
    ]);
    expect(
      [keys.kdfSalt, keys.authKey, keys.publicKey, keys.secretKeyWrapped, keys.recoveryProof].map((v) => Buffer.from(v as string, "base64url").toString("hex")),
    ).toEqual([c.salt, c.authKey, c.publicKey, c.wrappedSecretKey, c.recoveryProof]);
    expect([keys.kdfSalt, keys.authKey, keys.secretKeyWrapped].map((v) => (v as string).length)).toEqual([22, 43, 119]);
  });

  it("decoys from HKDF and HMAC with node:crypto", () => {
    const K = Buffer.from(hkdfSync("sha256", fromHex(file.decoys.portalSecret), new Uint8Array(0), "clean-okestro-report/sign-in-decoy", 32));
    expect(K.toString("hex")).toBe(file.decoys.key);
    const hmac = (...parts: (string | Uint8Array)[]) => {
      const h = createHmac("sha256", K);
      for (const p of parts) h.update(p);
      return h.digest();
    };
    for (const d of file.decoys.cases) {
      expect(hmac("salt\0", d.email).subarray(0, 16).toString("hex"), d.email).toBe(d.salt);
      const prf = (label: string) => hmac("recovery\0", label, "\0", d.email);
      const id = prf("user-id").subarray(0, 16);
      expect(id.toString("hex")).toBe(d.userIdBytes);
      id[6] = (id[6]! & 0x0f) | 0x40;
      id[8] = (id[8]! & 0x3f) | 0x80;
      const h = id.toString("hex");
      expect(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`).toBe(d.userId);
      expect(
        "01" +
          Buffer.concat([prf("blob-0"), prf("blob-1"), prf("blob-2")])
            .subarray(0, 88)
            .toString("hex"),
      ).toBe(d.secretKeyRecoveryWrapped);
    }
  });
});

describe("error codes per §9", () => {
  it("§9.1 lists exactly the codes crypto/ can throw, and every vector's code is among them", () => {
    const listed = [...section("### 9.1").matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    const source = readFileSync(new URL("../../crypto/errors.ts", import.meta.url), "utf8");
    const union = [...(/export type CryptoErrorCode = ([^;]+);/.exec(source)![1]!.matchAll(/"([a-z_]+)"/g) ?? [])].map((m) => m[1]);
    expect(listed.sort()).toEqual(union.sort());
    const used = [
      ...readVectorFile<AeadFile>("aead-v1.json").invalid.map((v) => v.error),
      ...readVectorFile<AeadFile>("aead-v1.json").records.flatMap((v) => (v.error ? [v.error] : [])),
      ...readVectorFile<StreamFile>("stream-v2.json").invalid.map((v) => v.error),
      ...readVectorFile<StreamFile>("stream-v1.json").invalid.map((v) => v.error),
      ...readVectorFile<EnvelopeFile>("envelope-v1.json").invalid.map((v) => v.error),
    ];
    for (const code of used) expect(listed).toContain(code);
  });

  it("§9.2 names only HTTP codes the server answers, and none of §9.1's", () => {
    const listed = [...section("### 9.2").matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    expect(listed).toEqual(["invalid_request", "bad_ciphertext", "bad_keys"]);
    const server = ["app/.server/platform/http.ts", "app/.server/case-access/records.ts", "app/.server/staff/password.ts", "app/.server/staff/invitations.ts"]
      .map((f) => readFileSync(new URL(`../../${f}`, import.meta.url), "utf8"))
      .join("\n");
    for (const code of listed) expect(server, code).toContain(`ApiError(400, "${code}"`);
    const local = [...section("### 9.1").matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    for (const code of listed) expect(local).not.toContain(code);
  });
});
