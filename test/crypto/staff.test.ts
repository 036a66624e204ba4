// staff-kdf-v1 and the staff key wraps. Argon2id with 64 MiB is slow-ish:
// this file runs one derivation (vectors.test.ts and spec.test.ts one each).
import { beforeAll, describe, expect, it } from "vitest";
import { encryptRecord, generateStaffKeyPair, loadSodium, type PasswordWrapKey, type RecoveryKey, type StaffSecretKey } from "../../crypto/index";
import {
  STAFF_KDF_V1,
  deriveStaffPasswordKeys,
  formatRecoveryKey,
  generateKdfSalt,
  generateRecoveryKey,
  parseRecoveryKey,
  unwrapStaffSecretKey,
  wrapStaffSecretKey,
  type StaffKdfParams,
} from "../../crypto/staff";
import { fromHex, readVectorFile, type StaffKdfFile } from "../vectors/common";
import { expectCryptoError, expectCryptoErrorAsync, flipByte, hex } from "./helpers";

const vector = readVectorFile<StaffKdfFile>("staff-kdf-v1.json").cases[0]!;
const userId = "c0ffee00-1234-4abc-8def-0123456789ab";

beforeAll(async () => {
  await loadSodium();
});

describe("staff-kdf-v1", () => {
  it("has the frozen v1 parameters", () => {
    expect(STAFF_KDF_V1).toEqual({ version: 1, algorithm: "argon2id13", opslimit: 3, memlimit: 67108864, saltBytes: 16 });
    expect(Object.isFrozen(STAFF_KDF_V1)).toBe(true);
    expect(generateKdfSalt().length).toBe(16);
  });

  it("normalizes the password with NFKC (a decomposed spelling gives the same keys)", async () => {
    const decomposed = vector.password.normalize("NFD");
    expect(decomposed).not.toBe(vector.password);
    const keys = await deriveStaffPasswordKeys(decomposed, fromHex(vector.salt));
    expect(hex(keys.authKey)).toBe(vector.authKey);
    expect(hex(keys.wrapKey)).toBe(vector.wrapKey);
  });

  it("refuses another parameter version and a salt of the wrong length, before deriving", async () => {
    const v2 = { ...STAFF_KDF_V1, version: 2 } as unknown as StaffKdfParams;
    await expectCryptoErrorAsync(() => deriveStaffPasswordKeys("pw", generateKdfSalt(), v2), "bad_version");
    await expectCryptoErrorAsync(() => deriveStaffPasswordKeys("pw", new Uint8Array(15)), "bad_format");
    await expectCryptoErrorAsync(() => deriveStaffPasswordKeys("pw", new Uint8Array(32)), "bad_format");
  });
});

describe("staff secret key wraps", () => {
  const wrapKey = fromHex(vector.wrapKey) as PasswordWrapKey;

  it("round-trip under the password wrap key and the recovery key", () => {
    const pair = generateStaffKeyPair();
    const recovery = generateRecoveryKey();
    const w1 = wrapStaffSecretKey(wrapKey, userId, pair.secretKey, "password");
    const w2 = wrapStaffSecretKey(recovery, userId, pair.secretKey, "recovery");
    for (const [k, w, kind] of [
      [wrapKey, w1, "password"],
      [recovery, w2, "recovery"],
    ] as const) {
      const opened = unwrapStaffSecretKey(k, userId, w, kind);
      expect(hex(opened.secretKey)).toBe(hex(pair.secretKey));
      expect(hex(opened.publicKey)).toBe(hex(pair.publicKey));
    }
  });

  it("reject another user id, the other kind, a wrong key and tampering", () => {
    const sk = fromHex(vector.secretKey) as StaffSecretKey;
    const w = wrapStaffSecretKey(wrapKey, userId, sk, "password");
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, vector.userId, w, "password"), "decrypt_failed");
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, userId, w, "recovery"), "decrypt_failed");
    expectCryptoError(() => unwrapStaffSecretKey(generateRecoveryKey(), userId, w, "password"), "decrypt_failed");
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, userId, flipByte(w, -3), "password"), "decrypt_failed");
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, userId, w.subarray(0, 20), "password"), "truncated");
  });

  it("reject a wrapped value that is not 32 bytes", () => {
    const w = encryptRecord(wrapKey, { purpose: "staff-secret-key", id: userId }, new Uint8Array(31));
    expectCryptoError(() => unwrapStaffSecretKey(wrapKey, userId, w, "password"), "bad_key");
  });
});

describe("recovery keys", () => {
  it("format as 52 Crockford symbols in 13 groups and parse back", () => {
    for (let i = 0; i < 200; i++) {
      const key = generateRecoveryKey();
      const text = formatRecoveryKey(key);
      expect(text).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){12}$/);
      expect(hex(parseRecoveryKey(text))).toBe(hex(key));
      expect(hex(parseRecoveryKey(text.toLowerCase().replace(/-/g, " ")))).toBe(hex(key));
    }
  });

  it("read O as 0 and I, L as 1", () => {
    const key = fromHex(vector.recoveryKey) as RecoveryKey;
    const text = formatRecoveryKey(new Uint8Array(32) as RecoveryKey);
    expect(hex(parseRecoveryKey(text.replace(/0/g, "O")))).toBe("00".repeat(32));
    const ones = `11${text.slice(2)}`;
    expect(hex(parseRecoveryKey(ones))).toBe("0840" + "00".repeat(30));
    expect(hex(parseRecoveryKey(ones.replace(/1/g, "I")))).toBe(hex(parseRecoveryKey(ones)));
    expect(hex(parseRecoveryKey(ones.replace(/1/g, "l")))).toBe(hex(parseRecoveryKey(ones)));
    expect(hex(parseRecoveryKey(vector.recoveryKeyText))).toBe(hex(key));
  });

  it("reject a wrong length, foreign characters and non-canonical padding bits", () => {
    const text = formatRecoveryKey(generateRecoveryKey()).replace(/-/g, "");
    expectCryptoError(() => parseRecoveryKey(text.slice(0, 51)), "bad_format");
    expectCryptoError(() => parseRecoveryKey(text + "0"), "bad_format");
    expectCryptoError(() => parseRecoveryKey(`U${text.slice(1)}`), "bad_format");
    expectCryptoError(() => parseRecoveryKey(`${text.slice(0, 20)}=${text.slice(21)}`), "bad_format");
    // The last symbol carries 1 key bit and 4 zero bits: only 0 and G are canonical there.
    const last = text[51]!;
    expect(["0", "G"]).toContain(last);
    for (const s of "123456789ABCDEFHJKMNPQRSTVWXYZ") expectCryptoError(() => parseRecoveryKey(text.slice(0, 51) + s), "bad_format");
  });
});
