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
import { formatReceipt, parseReceipt, RECEIPT_ALPHABET, RECEIPT_RANDOM_SYMBOLS, receiptCheckSymbol } from "./receipt-code";
import { sodiumNow } from "./sodium";
import type { ReceiptLookup, ReceiptWrapKey } from "./types";

export * from "./receipt-code";

const MASTER_KEY = "clean-okestro-report/receipt-v1";

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
