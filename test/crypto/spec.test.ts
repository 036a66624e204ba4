// Checks docs/CRYPTO.md against the committed vectors with a second,
// independent implementation of each format built from lower-level parts:
// node:crypto (ChaCha20, ChaCha20-Poly1305, SHA-256), the argon2 package
// (Argon2id), a few lines of HChaCha20 written here, and only single
// libsodium primitives where Node has no equivalent (Poly1305, BLAKE2b,
// X25519 + XSalsa20-Poly1305). crypto/ itself is not used to decrypt here.
import { createCipheriv, createDecipheriv, createHash } from "node:crypto";
import argon2 from "argon2";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSodiumSumo } from "../../crypto/staff";
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
