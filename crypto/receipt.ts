// Receipt codes: 19 random Crockford base32 symbols (95 bits) and one Luhn
// mod 32 check symbol, shown as five groups of four: "7K3M-Q9PX-...".
// Derivations ("receipt-v1"):
//   master = BLAKE2b-256(message = normalized code (ASCII), key = "clean-okestro-report/receipt-v1")
//   lookup = crypto_kdf_derive_from_key(32, 1, "rcptlkup", master)   -> sent to the server
//   wrap   = crypto_kdf_derive_from_key(32, 2, "rcptwrap", master)   -> never leaves the browser
// The server cannot compute `wrap` from `lookup`: both are independent BLAKE2b
// outputs of a master it never sees.
import { utf8 } from "./encoding";
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";
import type { ReceiptLookup, ReceiptWrapKey } from "./types";

export const RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
export const RECEIPT_RANDOM_SYMBOLS = 19;
export const RECEIPT_LENGTH = RECEIPT_RANDOM_SYMBOLS + 1;
export const RECEIPT_ENTROPY_BITS = RECEIPT_RANDOM_SYMBOLS * 5;
const MASTER_KEY = "clean-okestro-report/receipt-v1";

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
  return normalized.match(/.{1,4}/g)!.join("-");
}

/** A fresh receipt code in display form. */
export function generateReceiptCode(): string {
  const bytes = sodiumNow().randombytes_buf(12); // 96 bits, 95 used
  let acc = 0n;
  for (const b of bytes) acc = (acc << 8n) | BigInt(b);
  let symbols = "";
  for (let i = 0; i < RECEIPT_RANDOM_SYMBOLS; i++) {
    symbols += RECEIPT_ALPHABET[Number(acc & 31n)];
    acc >>= 5n;
  }
  return formatReceipt(symbols + receiptCheckSymbol(symbols));
}

export type ReceiptProblem = "empty" | "length" | "character" | "check";

/**
 * Normalizes what a person typed: case, spaces and hyphens do not matter, and
 * the look-alikes O, I and L read as 0, 1 and 1 (Crockford). Returns the 20
 * symbols, or the reason the code cannot be right, before any request is made.
 */
export function parseReceipt(input: string): { ok: true; code: string } | { ok: false; problem: ReceiptProblem } {
  const cleaned = input
    .toUpperCase()
    .replace(/[\s\-‐‑–—]/g, "")
    .replace(/O/g, "0")
    .replace(/[IL]/g, "1");
  if (cleaned.length === 0) return { ok: false, problem: "empty" };
  for (const c of cleaned) if (!INDEX.has(c)) return { ok: false, problem: "character" };
  if (cleaned.length !== RECEIPT_LENGTH) return { ok: false, problem: "length" };
  const body = cleaned.slice(0, RECEIPT_RANDOM_SYMBOLS);
  if (receiptCheckSymbol(body) !== cleaned[RECEIPT_RANDOM_SYMBOLS]) return { ok: false, problem: "check" };
  return { ok: true, code: cleaned };
}

export interface ReceiptSecrets {
  lookup: ReceiptLookup;
  wrapKey: ReceiptWrapKey;
}

export function deriveReceiptSecrets(code: string): ReceiptSecrets {
  const parsed = parseReceipt(code);
  if (!parsed.ok) throw new CryptoError("bad_receipt", `receipt code is invalid (${parsed.problem})`);
  const sodium = sodiumNow();
  const master = sodium.crypto_generichash(32, utf8(parsed.code), utf8(MASTER_KEY));
  const lookup = sodium.crypto_kdf_derive_from_key(32, 1, "rcptlkup", master) as ReceiptLookup;
  const wrapKey = sodium.crypto_kdf_derive_from_key(32, 2, "rcptwrap", master) as ReceiptWrapKey;
  sodium.memzero(master);
  return { lookup, wrapKey };
}
