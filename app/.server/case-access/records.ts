// The shape check for every encrypted record a browser sends (report texts,
// messages, notes, answers, share parts): aead-v1 ciphertext of the padding
// block its purpose prescribes. The server never reads the content.
import { AEAD_OVERHEAD, PURPOSES, type RecordPurpose } from "../../../crypto/aead";
import { ApiError } from "../platform/http";

/** Refuses (400 bad_ciphertext, naming the field) what cannot be an aead-v1 record of this purpose. */
export function checkRecord(name: string, ct: Uint8Array, purpose: RecordPurpose): void {
  const block = PURPOSES[purpose].block;
  if (ct[0] !== 1) throw new ApiError(400, "bad_ciphertext", `${name}: unknown format version`, { [name]: "unknown format version" });
  if ((ct.length - AEAD_OVERHEAD) % block !== 0 || ct.length <= AEAD_OVERHEAD) {
    throw new ApiError(400, "bad_ciphertext", `${name}: not an aead-v1 ciphertext`, { [name]: "not an aead-v1 ciphertext" });
  }
}

/** Refuses (400 bad_ciphertext, naming the field) what cannot be an envelope-v1 of `bytes` bytes (docs/CRYPTO.md §4, §9.2). */
export function checkEnvelope(name: string, envelope: Uint8Array, bytes: number): void {
  if (envelope[0] !== 1) throw new ApiError(400, "bad_ciphertext", `${name}: unknown format version`, { [name]: "unknown format version" });
  if (envelope.length !== bytes) throw new ApiError(400, "bad_ciphertext", `${name}: not an envelope-v1`, { [name]: "not an envelope-v1" });
}
