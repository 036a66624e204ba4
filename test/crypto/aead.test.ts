// aead-v1: round trips, padding, binding by associated data, and every way a
// record ciphertext can be wrong.
import { beforeAll, describe, expect, it } from "vitest";
import {
  AEAD_NONCE_BYTES,
  AEAD_OVERHEAD,
  AEAD_TAG_BYTES,
  AEAD_V1,
  PURPOSES,
  associatedData,
  decryptJson,
  decryptRecord,
  encryptJson,
  encryptRecord,
  fromUtf8,
  loadSodium,
  utf8,
  type RecordBinding,
  type RecordKey,
  type RecordPurpose,
} from "../../crypto/index";
import type { Sodium } from "../../crypto/sodium";
import { concat, expectCryptoError, flipByte, hex } from "./helpers";

let sodium: Sodium;
let key: RecordKey;
const reportId = "3f2c8a4e-9b1d-4c7e-8a5f-0d6e2b1c9a7f";
const attachmentId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
const fileKey: RecordBinding = { purpose: "file-key", id: reportId, subId: attachmentId };

beforeAll(async () => {
  sodium = await loadSodium();
  key = sodium.randombytes_buf(32) as RecordKey;
});

describe("aead-v1 layout", () => {
  it("is version byte, nonce, then ciphertext and tag of the padded plaintext", () => {
    const nonce = sodium.randombytes_buf(AEAD_NONCE_BYTES);
    const pt = utf8("hello");
    const ct = encryptRecord(key, { purpose: "message", id: reportId, subId: attachmentId }, pt, nonce);
    expect(ct[0]).toBe(AEAD_V1);
    expect(hex(ct.subarray(1, 25))).toBe(hex(nonce));
    expect(ct.length).toBe(AEAD_OVERHEAD + 256);
    expect(AEAD_OVERHEAD).toBe(1 + 24 + AEAD_TAG_BYTES);
  });

  it("pads every purpose to a whole number of its blocks, always adding at least one byte", () => {
    for (const [purpose, { block }] of Object.entries(PURPOSES)) {
      for (const n of [0, 1, block - 1, block, block + 1, 3 * block]) {
        const binding: RecordBinding = { purpose: purpose as RecordPurpose, id: reportId };
        const pt = sodium.randombytes_buf(n);
        const ct = encryptRecord(key, binding, pt);
        const padded = ct.length - AEAD_OVERHEAD;
        expect(padded % block).toBe(0);
        expect(padded).toBe((Math.floor(n / block) + 1) * block);
        expect(hex(decryptRecord(key, binding, ct))).toBe(hex(pt));
      }
    }
  });

  it("builds associated data as cor/aead-v1/<purpose>/<id>[/<subId>]", () => {
    expect(fromUtf8(associatedData({ purpose: "report-body", id: reportId }))).toBe(`cor/aead-v1/report-body/${reportId}`);
    expect(fromUtf8(associatedData(fileKey))).toBe(`cor/aead-v1/file-key/${reportId}/${attachmentId}`);
  });

  it("draws a fresh nonce each time", () => {
    const a = encryptRecord(key, fileKey, new Uint8Array(32));
    const b = encryptRecord(key, fileKey, new Uint8Array(32));
    expect(hex(a.subarray(1, 25))).not.toBe(hex(b.subarray(1, 25)));
  });

  it("round-trips JSON values", () => {
    const value = { text: "제보 내용 ✓", n: 3, nested: [null, true] };
    const ct = encryptJson(key, { purpose: "message", id: reportId, subId: attachmentId }, value);
    expect(decryptJson(key, { purpose: "message", id: reportId, subId: attachmentId }, ct)).toEqual(value);
  });
});

describe("aead-v1 rejects", () => {
  const pt = new Uint8Array(32).fill(7);
  let ct: Uint8Array;
  beforeAll(() => {
    ct = encryptRecord(key, fileKey, pt);
  });

  it("a flipped nonce byte", () => {
    for (const i of [1, 12, 24]) expectCryptoError(() => decryptRecord(key, fileKey, flipByte(ct, i)), "decrypt_failed");
  });

  it("a flipped ciphertext body byte", () => {
    for (const i of [25, 40, ct.length - 17]) expectCryptoError(() => decryptRecord(key, fileKey, flipByte(ct, i)), "decrypt_failed");
  });

  it("a flipped tag byte", () => {
    for (const i of [ct.length - 16, ct.length - 1]) expectCryptoError(() => decryptRecord(key, fileKey, flipByte(ct, i)), "decrypt_failed");
  });

  it("another purpose, report id or sub id", () => {
    expectCryptoError(() => decryptRecord(key, { ...fileKey, purpose: "reporter-key" }, ct), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, { ...fileKey, purpose: "file-meta" }, ct), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, { ...fileKey, id: "00000000-0000-4000-8000-000000000000" }, ct), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, { ...fileKey, subId: "00000000-0000-4000-8000-000000000000" }, ct), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, { purpose: "file-key", id: reportId }, ct), "decrypt_failed");
  });

  it("another key", () => {
    expectCryptoError(() => decryptRecord(sodium.randombytes_buf(32) as RecordKey, fileKey, ct), "decrypt_failed");
  });

  it("a key of the wrong length, on both sides", () => {
    expectCryptoError(() => decryptRecord(new Uint8Array(31) as RecordKey, fileKey, ct), "bad_key");
    expectCryptoError(() => encryptRecord(new Uint8Array(33) as RecordKey, fileKey, pt), "bad_key");
  });

  it("a nonce of the wrong length", () => {
    expectCryptoError(() => encryptRecord(key, fileKey, pt, new Uint8Array(12)), "bad_format");
  });

  it("truncation: below the fixed overhead it is truncated, above it the tag fails", () => {
    expectCryptoError(() => decryptRecord(key, fileKey, new Uint8Array(0)), "truncated");
    expectCryptoError(() => decryptRecord(key, fileKey, ct.subarray(0, AEAD_OVERHEAD - 1)), "truncated");
    expectCryptoError(() => decryptRecord(key, fileKey, ct.subarray(0, AEAD_OVERHEAD)), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, fileKey, ct.subarray(0, ct.length - 1)), "decrypt_failed");
    expectCryptoError(() => decryptRecord(key, fileKey, concat(ct, Uint8Array.of(0))), "decrypt_failed");
  });

  it("a wrong version byte", () => {
    for (const v of [0x00, 0x02, 0x81, 0xff]) {
      expectCryptoError(() => decryptRecord(key, fileKey, concat(Uint8Array.of(v), ct.subarray(1))), "bad_version");
    }
  });

  it("an authentic plaintext without valid padding", () => {
    const nonce = sodium.randombytes_buf(24);
    for (const body of [new Uint8Array(16), new Uint8Array(16).fill(0x41), new Uint8Array(0)]) {
      const raw = concat(Uint8Array.of(1), nonce, sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(body, associatedData(fileKey), null, nonce, key));
      expectCryptoError(() => decryptRecord(key, fileKey, raw), "bad_format");
    }
  });

  it("plaintext that is not UTF-8 or not JSON, for the JSON helpers", () => {
    const binding: RecordBinding = { purpose: "message", id: reportId, subId: attachmentId };
    expectCryptoError(() => decryptJson(key, binding, encryptRecord(key, binding, Uint8Array.of(0xff, 0xfe))), "bad_format");
    expectCryptoError(() => decryptJson(key, binding, encryptRecord(key, binding, utf8("{not json"))), "bad_format");
  });
});
