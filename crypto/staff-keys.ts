// Staff key material ("staff-kdf-v1"):
//   master  = Argon2id13(password NFKC UTF-8, salt 16 bytes, opslimit 3, memlimit 64 MiB, 32 bytes)
//   authKey = crypto_kdf_derive_from_key(32, 1, "staffath", master)  -> sent to the server at login
//   wrapKey = crypto_kdf_derive_from_key(32, 2, "staffwrp", master)  -> wraps the X25519 secret key
// The server stores argon2(authKey) and the wrapped secret key; it never sees
// the password, the master or the wrapping key.
import { decryptRecord, encryptRecord } from "./aead";
import { CryptoError } from "./errors";
import { publicKeyOf } from "./envelope";
import { loadSodiumSumo } from "./sodium-sumo";
import { sodiumNow } from "./sodium";
import { normalizeTypedCode } from "./typed-code";
import type { PasswordAuthKey, PasswordWrapKey, RecordCiphertext, RecoveryKey, StaffKeyPair, StaffSecretKey } from "./types";

export const STAFF_KDF_V1 = Object.freeze({
  version: 1,
  algorithm: "argon2id13",
  opslimit: 3,
  memlimit: 64 * 1024 * 1024,
  saltBytes: 16,
});
export type StaffKdfParams = typeof STAFF_KDF_V1;

export interface StaffPasswordKeys {
  authKey: PasswordAuthKey;
  wrapKey: PasswordWrapKey;
}

export function generateKdfSalt(): Uint8Array {
  return sodiumNow().randombytes_buf(STAFF_KDF_V1.saltBytes);
}

export async function deriveStaffPasswordKeys(password: string, salt: Uint8Array, params: StaffKdfParams = STAFF_KDF_V1): Promise<StaffPasswordKeys> {
  if (params.version !== 1) throw new CryptoError("bad_version", `unknown staff KDF version ${params.version}`);
  if (salt.length !== params.saltBytes) throw new CryptoError("bad_format", "KDF salt must be 16 bytes");
  const sumo = await loadSodiumSumo();
  const master = sumo.crypto_pwhash(32, password.normalize("NFKC"), salt, params.opslimit, params.memlimit, sumo.crypto_pwhash_ALG_ARGON2ID13);
  const authKey = sumo.crypto_kdf_derive_from_key(32, 1, "staffath", master) as PasswordAuthKey;
  const wrapKey = sumo.crypto_kdf_derive_from_key(32, 2, "staffwrp", master) as PasswordWrapKey;
  sumo.memzero(master);
  return { authKey, wrapKey };
}

export function wrapStaffSecretKey(
  wrapKey: PasswordWrapKey | RecoveryKey,
  userId: string,
  secretKey: StaffSecretKey,
  kind: "password" | "recovery",
): RecordCiphertext {
  const purpose = kind === "password" ? "staff-secret-key" : "staff-secret-key-recovery";
  return encryptRecord(wrapKey, { purpose, id: userId }, secretKey);
}

export function unwrapStaffSecretKey(wrapKey: PasswordWrapKey | RecoveryKey, userId: string, wrapped: Uint8Array, kind: "password" | "recovery"): StaffKeyPair {
  const purpose = kind === "password" ? "staff-secret-key" : "staff-secret-key-recovery";
  const secretKey = decryptRecord(wrapKey, { purpose, id: userId }, wrapped) as StaffSecretKey;
  if (secretKey.length !== 32) throw new CryptoError("bad_key", "wrapped secret key has the wrong length");
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

const B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** What proves possession of a recovery key to the server ("staffrcv", id 3); the server keeps its hash. */
export function recoveryProof(key: RecoveryKey): Uint8Array {
  return sodiumNow().crypto_kdf_derive_from_key(32, 3, "staffrcv", key);
}

export function generateRecoveryKey(): RecoveryKey {
  return sodiumNow().randombytes_buf(32) as RecoveryKey;
}

/** 32 bytes as 52 Crockford base32 symbols in groups of four. */
export function formatRecoveryKey(key: RecoveryKey): string {
  if (key.length !== 32) throw new CryptoError("bad_key", "a recovery key is 32 bytes");
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const b of key) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out.match(/.{1,4}/g)!.join("-");
}

export function parseRecoveryKey(text: string): RecoveryKey {
  // The same reading as a receipt code (crypto/typed-code.ts, docs/CRYPTO.md §2.1), typographic dashes included.
  const clean = normalizeTypedCode(text);
  if (clean.length !== 52) throw new CryptoError("bad_format", "a recovery key has 52 symbols");
  const out = new Uint8Array(32);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of clean) {
    const v = B32.indexOf(c);
    if (v < 0) throw new CryptoError("bad_format", "character outside the recovery key alphabet");
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (o < 32) out[o++] = (acc >> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new CryptoError("bad_format", "non-canonical recovery key");
  return out as RecoveryKey;
}
