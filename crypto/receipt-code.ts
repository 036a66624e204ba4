// Receipt codes as people type them: alphabet, Luhn mod 32 check symbol,
// grouping and normalisation. Pure (no libsodium), so pages can check a typed
// code before the crypto library has loaded. Format: docs/CRYPTO.md, receipt-v1.
import { CryptoError } from "./errors";
import { normalizeTypedCode } from "./typed-code";

export const RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECEIPT_RANDOM_SYMBOLS = 19;
export const RECEIPT_LENGTH = RECEIPT_RANDOM_SYMBOLS + 1;
export const RECEIPT_ENTROPY_BITS = RECEIPT_RANDOM_SYMBOLS * 5;

const INDEX = new Map<string, number>([...RECEIPT_ALPHABET].map((c, i) => [c, i]));

/** Luhn mod N (N = 32) check symbol over the given symbols. */
export function receiptCheckSymbol(symbols: string): string {
  let factor = 2;
  let sum = 0;
  for (let i = symbols.length - 1; i >= 0; i--) {
    const v = INDEX.get(symbols[i]!);
    if (v === undefined) throw new CryptoError("bad_receipt", "character outside the receipt alphabet");
    let addend = factor * v;
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return RECEIPT_ALPHABET[(32 - (sum % 32)) % 32]!;
}

/** Groups of four separated by hyphens, for display. */
export function formatReceipt(normalized: string): string {
  return (normalized.match(/.{1,4}/g) ?? []).join("-");
}

export type ReceiptProblem = "empty" | "length" | "character" | "check";

/**
 * Normalizes what a person typed (normalizeTypedCode: case, full-width forms, spaces and dashes do
 * not matter, and the look-alikes O, I and L read as 0, 1 and 1, Crockford). Returns the 20
 * symbols, or the reason the code cannot be right, before any request is made.
 */
export function parseReceipt(input: string): { ok: true; code: string } | { ok: false; problem: ReceiptProblem } {
  const cleaned = normalizeTypedCode(input);
  if (cleaned.length === 0) return { ok: false, problem: "empty" };
  for (const c of cleaned) if (!INDEX.has(c)) return { ok: false, problem: "character" };
  if (cleaned.length !== RECEIPT_LENGTH) return { ok: false, problem: "length" };
  const body = cleaned.slice(0, RECEIPT_RANDOM_SYMBOLS);
  if (receiptCheckSymbol(body) !== cleaned[RECEIPT_RANDOM_SYMBOLS]) return { ok: false, problem: "check" };
  return { ok: true, code: cleaned };
}
