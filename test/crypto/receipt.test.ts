// receipt-v1: code generation, check symbol, normalisation and derivations.
import { beforeAll, describe, expect, it } from "vitest";
import {
  RECEIPT_ALPHABET,
  RECEIPT_ENTROPY_BITS,
  RECEIPT_LENGTH,
  RECEIPT_RANDOM_SYMBOLS,
  deriveReceiptSecrets,
  formatReceipt,
  generateReceiptCode,
  loadSodium,
  parseReceipt,
  receiptCheckSymbol,
} from "../../crypto/index";
import { seededRandom } from "../vectors/common";
import { expectCryptoError, hex } from "./helpers";

beforeAll(async () => {
  await loadSodium();
});

const DISPLAY = /^[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){4}$/;

/** Deterministic sample codes (normalized), plus a few with the symbols 0 and Z next to each other. */
function sampleCodes(count: number): string[] {
  const rand = seededRandom(0xc0de);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let body = "";
    for (let j = 0; j < RECEIPT_RANDOM_SYMBOLS; j++) body += RECEIPT_ALPHABET[Math.floor(rand() * 32)];
    out.push(body + receiptCheckSymbol(body));
  }
  for (const body of ["0Z0Z0Z0Z0Z0Z0Z0Z0Z0", "Z0123456789ABCDEFGH", "ABCDEFGH0ZJKMNPQRST"]) {
    const b = body.slice(0, 19);
    out.push(b + receiptCheckSymbol(b));
  }
  return out;
}

describe("receipt codes", () => {
  it("carry at least 80 bits of entropy (95)", () => {
    expect(RECEIPT_ENTROPY_BITS).toBe(95);
    expect(RECEIPT_ENTROPY_BITS).toBeGreaterThanOrEqual(80);
    expect(RECEIPT_RANDOM_SYMBOLS * Math.log2(RECEIPT_ALPHABET.length)).toBe(95);
    expect(new Set(RECEIPT_ALPHABET).size).toBe(32);
    expect(RECEIPT_ALPHABET).toBe("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
  });

  it("are five groups of four valid symbols, all distinct, every symbol at every position", () => {
    const seen = new Set<string>();
    const perPosition = Array.from({ length: RECEIPT_RANDOM_SYMBOLS }, () => new Set<string>());
    for (let i = 0; i < 2000; i++) {
      const code = generateReceiptCode();
      expect(code).toMatch(DISPLAY);
      const parsed = parseReceipt(code);
      expect(parsed.ok).toBe(true);
      const n = code.replace(/-/g, "");
      expect(n.length).toBe(RECEIPT_LENGTH);
      for (let p = 0; p < RECEIPT_RANDOM_SYMBOLS; p++) perPosition[p]!.add(n[p]!);
      seen.add(n);
    }
    expect(seen.size).toBe(2000);
    // P(some symbol missing at some position) < 19 * 32 * (31/32)^2000, about 1e-25.
    for (const s of perPosition) expect(s.size).toBe(32);
  });

  it("format as groups of four", () => {
    expect(formatReceipt("ABCDEFGHJKMNPQRSTVWX")).toBe("ABCD-EFGH-JKMN-PQRS-TVWX");
  });
});

describe("Luhn mod 32 check symbol", () => {
  it("is the Luhn mod N check character over the 19 symbols", () => {
    // Independent implementation of Luhn mod N (N = 32), generating side.
    const luhn = (body: string): string => {
      let sum = 0;
      for (let i = 0; i < body.length; i++) {
        const v = RECEIPT_ALPHABET.indexOf(body[body.length - 1 - i]!);
        const a = (i % 2 === 0 ? 2 : 1) * v;
        sum += Math.floor(a / 32) + (a % 32);
      }
      return RECEIPT_ALPHABET[(32 - (sum % 32)) % 32]!;
    };
    for (const code of sampleCodes(200)) expect(receiptCheckSymbol(code.slice(0, 19))).toBe(luhn(code.slice(0, 19)));
    expect(receiptCheckSymbol("0".repeat(19))).toBe("0");
  });

  it("validates: the weighted sum over all 20 symbols is 0 mod 32", () => {
    for (const code of sampleCodes(100)) {
      let sum = 0;
      for (let i = 0; i < 20; i++) {
        const v = RECEIPT_ALPHABET.indexOf(code[19 - i]!);
        const a = (i % 2 === 1 ? 2 : 1) * v;
        sum += Math.floor(a / 32) + (a % 32);
      }
      expect(sum % 32).toBe(0);
    }
  });

  it("catches every single-symbol substitution", () => {
    let checked = 0;
    for (const code of sampleCodes(40)) {
      for (let pos = 0; pos < RECEIPT_LENGTH; pos++) {
        for (const s of RECEIPT_ALPHABET) {
          if (s === code[pos]) continue;
          const typo = code.slice(0, pos) + s + code.slice(pos + 1);
          expect(parseReceipt(typo), typo).toEqual({ ok: false, problem: "check" });
          checked++;
        }
      }
    }
    expect(checked).toBe(43 * 20 * 31);
  });

  it("catches every adjacent transposition except of the pair 0 and Z, which Luhn mod 32 cannot", () => {
    let caught = 0;
    let blind = 0;
    for (const code of sampleCodes(200)) {
      for (let pos = 0; pos + 1 < RECEIPT_LENGTH; pos++) {
        const a = code[pos]!;
        const b = code[pos + 1]!;
        if (a === b) continue;
        const swapped = code.slice(0, pos) + b + a + code.slice(pos + 2);
        const result = parseReceipt(swapped);
        if ((a === "0" && b === "Z") || (a === "Z" && b === "0")) {
          expect(result, swapped).toEqual({ ok: true, code: swapped });
          blind++;
        } else {
          expect(result, swapped).toEqual({ ok: false, problem: "check" });
          caught++;
        }
      }
    }
    expect(caught).toBeGreaterThan(3000);
    expect(blind).toBeGreaterThan(0);
  });
});

describe("receipt normalisation", () => {
  const code = "10ZX7K3M0Q9PXA1B2C3";
  const full = code + receiptCheckSymbol(code);
  const display = formatReceipt(full);

  it.each([
    ["lower case", display.toLowerCase()],
    ["spaces instead of hyphens", display.replace(/-/g, " ")],
    ["no separators", full],
    ["surrounding and inner white space", ` \t${display.replace(/-/g, "\n")}  `],
    ["O for 0", display.replace(/0/g, "O")],
    ["o for 0", display.replace(/0/g, "o")],
    ["I for 1", display.replace(/1/g, "I")],
    ["L for 1", display.replace(/1/g, "L")],
    ["i and l for 1", display.replace(/1/, "i").replace(/1/, "l")],
    ["typographic hyphens and dashes", display.replace("-", "\u2010").replace("-", "\u2011").replace("-", "\u2013").replace("-", "\u2014")],
    ["hyphens in odd places", `${full.slice(0, 3)}-${full.slice(3, 11)}--${full.slice(11)}`],
  ])("accepts %s", (_what, input) => {
    expect(parseReceipt(input)).toEqual({ ok: true, code: full });
    expect(hex(deriveReceiptSecrets(input).lookup)).toBe(hex(deriveReceiptSecrets(full).lookup));
  });

  it.each([
    ["", "empty"],
    [" \t- ", "empty"],
    [full.slice(0, 19), "length"],
    [full + "0", "length"],
    [display.slice(0, 14), "length"],
    [full.slice(0, 5) + "U" + full.slice(6), "character"],
    [full.slice(0, 5) + "*" + full.slice(6), "character"],
    [full.slice(0, 5) + "." + full.slice(6), "character"],
    [full.slice(0, 5) + "\u0417" + full.slice(6), "character"], // Cyrillic Ze looks like 3
  ])("rejects %j as %s before any request", (input, problem) => {
    expect(parseReceipt(input)).toEqual({ ok: false, problem });
    expectCryptoError(() => deriveReceiptSecrets(input), "bad_receipt");
  });

  it("reports a bad character before a bad length", () => {
    expect(parseReceipt("U")).toEqual({ ok: false, problem: "character" });
  });

  it("check symbol of non-alphabet input is a bad_receipt CryptoError", () => {
    expectCryptoError(() => receiptCheckSymbol("ABCU"), "bad_receipt");
  });
});

describe("receipt derivations", () => {
  it("give independent lookup and wrap keys, the same for every spelling of a code", () => {
    const code = generateReceiptCode();
    const a = deriveReceiptSecrets(code);
    const b = deriveReceiptSecrets(code.toLowerCase().replace(/-/g, " "));
    expect(hex(a.lookup)).toBe(hex(b.lookup));
    expect(hex(a.wrapKey)).toBe(hex(b.wrapKey));
    expect(a.lookup.length).toBe(32);
    expect(a.wrapKey.length).toBe(32);
    expect(hex(a.lookup)).not.toBe(hex(a.wrapKey));
    const other = deriveReceiptSecrets(generateReceiptCode());
    expect(hex(other.lookup)).not.toBe(hex(a.lookup));
  });
});
