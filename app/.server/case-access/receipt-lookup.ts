// What the server keeps of a receipt: a hash of the look-up value the browser
// derived. A copy of the database therefore holds neither the receipt code nor
// the value a client presents.
import { createHash } from "node:crypto";

export function receiptLookupHash(lookup: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update("cor/receipt-lookup-v1\0").update(lookup).digest());
}
