// Wire encodings: unpadded base64url, UUIDs, UTF-8.
import { describe, expect, it } from "vitest";
import { bytesToUuid, fromBase64Url, fromUtf8, isUuid, toBase64Url, utf8, uuidFromRandom, uuidToBytes } from "../../crypto/index";
import { seededRandom } from "../vectors/common";
import { expectCryptoError, hex } from "./helpers";

describe("base64url", () => {
  it("matches RFC 4648 section 5 without padding for every length 0..100", () => {
    const rand = seededRandom(64);
    for (let n = 0; n <= 100; n++) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const text = toBase64Url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString("base64url"));
      expect(text).not.toMatch(/[=+/]/);
      expect(hex(fromBase64Url(text))).toBe(hex(bytes));
    }
  });

  it("decodes the RFC 4648 test vectors", () => {
    const cases: [string, string][] = [
      ["", ""],
      ["f", "Zg"],
      ["fo", "Zm8"],
      ["foo", "Zm9v"],
      ["foob", "Zm9vYg"],
      ["fooba", "Zm9vYmE"],
      ["foobar", "Zm9vYmFy"],
    ];
    for (const [plain, b64] of cases) {
      expect(toBase64Url(utf8(plain))).toBe(b64);
      expect(fromUtf8(fromBase64Url(b64))).toBe(plain);
    }
    expect(hex(fromBase64Url("-_8"))).toBe("fbff");
  });

  it("rejects padding", () => {
    for (const t of ["Zg==", "Zm8=", "Zg=", "=", "Zm9v===="]) expectCryptoError(() => fromBase64Url(t), "bad_format");
  });

  it("rejects the standard alphabet's + and /, white space and other characters", () => {
    for (const t of ["+_8", "-/8", "Zm9v Yg", "Zm9v\nYg", "Zm9v.g", "Zm9vYé", "Zm9v\u0000"]) expectCryptoError(() => fromBase64Url(t), "bad_format");
  });

  it("rejects a length of 1 mod 4", () => {
    for (const t of ["A", "AAAAA", "Zm9vY"]) expectCryptoError(() => fromBase64Url(t), "bad_format");
  });

  it("rejects non-canonical tails (unused low bits set)", () => {
    // "Zg" is canonical for "f"; "Zh".."Zv" carry the same byte with non-zero spare bits.
    expect(fromUtf8(fromBase64Url("Zg"))).toBe("f");
    for (const t of ["Zh", "Zi", "Zv"]) expectCryptoError(() => fromBase64Url(t), "bad_format");
    // "Zm8" is canonical for "fo"; "Zm9" sets a spare bit.
    expect(fromUtf8(fromBase64Url("Zm8"))).toBe("fo");
    expectCryptoError(() => fromBase64Url("Zm9"), "bad_format");
    for (const t of ["AB", "AAB", "AAC", "AAD", "AP", "A_"]) expectCryptoError(() => fromBase64Url(t), "bad_format");
  });

  it("accepts every canonical 2- and 3-character tail", () => {
    for (let b = 0; b < 256; b++) {
      const one = Uint8Array.of(b);
      expect(hex(fromBase64Url(toBase64Url(one)))).toBe(hex(one));
      const two = Uint8Array.of(b, 255 - b);
      expect(hex(fromBase64Url(toBase64Url(two)))).toBe(hex(two));
    }
  });
});

describe("UUIDs", () => {
  const id = "3f2c8a4e-9b1d-4c7e-8a5f-0d6e2b1c9a7f";

  it("convert to 16 raw bytes and back", () => {
    expect(hex(uuidToBytes(id))).toBe("3f2c8a4e9b1d4c7e8a5f0d6e2b1c9a7f");
    expect(bytesToUuid(uuidToBytes(id))).toBe(id);
  });

  it("accept only the canonical lower-case form", () => {
    for (const bad of [id.toUpperCase(), `{${id}}`, id.replace(/-/g, ""), `${id} `, id.slice(0, 35), `urn:uuid:${id}`]) {
      expect(isUuid(bad)).toBe(false);
      expectCryptoError(() => uuidToBytes(bad), "bad_format");
    }
    expectCryptoError(() => bytesToUuid(new Uint8Array(15)), "bad_format");
  });

  it("made from random bytes are version 4, variant 10", () => {
    const rand = seededRandom(4);
    for (let i = 0; i < 100; i++) {
      const u = uuidFromRandom(Uint8Array.from({ length: 16 }, () => Math.floor(rand() * 256)));
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});

describe("UTF-8", () => {
  it("rejects invalid UTF-8 with bad_format", () => {
    for (const b of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xe0, 0x80, 0x80]]) expectCryptoError(() => fromUtf8(Uint8Array.from(b)), "bad_format");
  });
});
