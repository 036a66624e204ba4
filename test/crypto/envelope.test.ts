// envelope-v1: a report's keys sealed to one staff member.
import { beforeAll, describe, expect, it } from "vitest";
import {
  ENVELOPE_BYTES,
  ENVELOPE_V1,
  generateReportKeys,
  generateStaffKeyPair,
  loadSodium,
  openReportKeys,
  publicKeyOf,
  sealReportKeys,
  uuidToBytes,
  type ReportKeys,
  type StaffKeyPair,
  type StaffPublicKey,
} from "../../crypto/index";
import type { Sodium } from "../../crypto/sodium";
import { concat, expectCryptoError, flipByte, hex } from "./helpers";

let sodium: Sodium;
let alice: StaffKeyPair;
let bob: StaffKeyPair;
let keys: ReportKeys;
let envelope: Uint8Array;
const reportId = "5b0f4c1e-2d3a-4e5f-9a6b-7c8d9e0f1a2b";
const otherReportId = "5b0f4c1e-2d3a-4e5f-9a6b-7c8d9e0f1a2c";

beforeAll(async () => {
  sodium = await loadSodium();
  alice = generateStaffKeyPair();
  bob = generateStaffKeyPair();
  keys = generateReportKeys();
  envelope = sealReportKeys(keys, reportId, alice.publicKey);
});

describe("envelope-v1", () => {
  it("has the fixed length and version byte", () => {
    expect(ENVELOPE_BYTES).toBe(1 + 32 + 16 + 81);
    expect(envelope.length).toBe(ENVELOPE_BYTES);
    expect(envelope[0]).toBe(ENVELOPE_V1);
  });

  it("opens to the same keys for each recipient it was sealed to", () => {
    const forBob = sealReportKeys(keys, reportId, bob.publicKey);
    for (const [env, kp] of [
      [envelope, alice],
      [forBob, bob],
    ] as const) {
      const opened = openReportKeys(env, reportId, kp);
      expect(hex(opened.reportKey)).toBe(hex(keys.reportKey));
      expect(hex(opened.caseKey)).toBe(hex(keys.caseKey));
    }
  });

  it("is randomized (fresh ephemeral key per seal)", () => {
    const again = sealReportKeys(keys, reportId, alice.publicKey);
    expect(hex(again)).not.toBe(hex(envelope));
  });

  it("carries kind 0x01, the report id bytes and both keys inside the sealed box", () => {
    const inner = sodium.crypto_box_seal_open(envelope.subarray(1), alice.publicKey, alice.secretKey);
    expect(hex(inner)).toBe(hex(concat(Uint8Array.of(1), uuidToBytes(reportId), keys.reportKey, keys.caseKey)));
  });

  it("makes report keys and case keys that are distinct 32-byte keys", () => {
    const k = generateReportKeys();
    expect(k.reportKey.length).toBe(32);
    expect(k.caseKey.length).toBe(32);
    expect(hex(k.reportKey)).not.toBe(hex(k.caseKey));
  });

  it("derives the staff public key from the secret key", () => {
    expect(hex(publicKeyOf(alice.secretKey))).toBe(hex(alice.publicKey));
  });
});

describe("envelope-v1 rejects", () => {
  it("opening for another report id with wrong_record", () => {
    expectCryptoError(() => openReportKeys(envelope, otherReportId, alice), "wrong_record");
  });

  it("a report id that is not a canonical UUID", () => {
    expectCryptoError(() => openReportKeys(envelope, reportId.toUpperCase(), alice), "bad_format");
    expectCryptoError(() => sealReportKeys(keys, "not-a-uuid", alice.publicKey), "bad_format");
  });

  it("another recipient's key pair", () => {
    expectCryptoError(() => openReportKeys(envelope, reportId, bob), "decrypt_failed");
    expectCryptoError(() => openReportKeys(envelope, reportId, { publicKey: alice.publicKey, secretKey: bob.secretKey }), "decrypt_failed");
  });

  it("a wrong version byte", () => {
    for (const v of [0x00, 0x02, 0xff]) expectCryptoError(() => openReportKeys(concat(Uint8Array.of(v), envelope.subarray(1)), reportId, alice), "bad_version");
  });

  it("a wrong length", () => {
    expectCryptoError(() => openReportKeys(new Uint8Array(0), reportId, alice), "truncated");
    expectCryptoError(() => openReportKeys(envelope.subarray(0, ENVELOPE_BYTES - 1), reportId, alice), "truncated");
    expectCryptoError(() => openReportKeys(concat(envelope, Uint8Array.of(0)), reportId, alice), "bad_format");
  });

  it("any flipped byte after the version byte", () => {
    for (let i = 1; i < ENVELOPE_BYTES; i += 7) expectCryptoError(() => openReportKeys(flipByte(envelope, i), reportId, alice), "decrypt_failed");
    expectCryptoError(() => openReportKeys(flipByte(envelope, -1), reportId, alice), "decrypt_failed");
  });

  it("an authentic sealed box of another kind", () => {
    const inner = concat(Uint8Array.of(2), uuidToBytes(reportId), keys.reportKey, keys.caseKey);
    const env = concat(Uint8Array.of(1), sodium.crypto_box_seal(inner, alice.publicKey));
    expectCryptoError(() => openReportKeys(env, reportId, alice), "bad_format");
  });

  it("sealing to a public key of the wrong length or of low order", () => {
    expectCryptoError(() => sealReportKeys(keys, reportId, new Uint8Array(31) as StaffPublicKey), "bad_key");
    // X25519 points of small order give an all-zero shared secret; libsodium refuses them.
    expectCryptoError(() => sealReportKeys(keys, reportId, new Uint8Array(32) as StaffPublicKey), "bad_key");
    const one = new Uint8Array(32);
    one[0] = 1;
    expectCryptoError(() => sealReportKeys(keys, reportId, one as StaffPublicKey), "bad_key");
  });
});
