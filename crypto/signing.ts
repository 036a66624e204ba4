// Ed25519 signatures over short statements (the audit log's checkpoints,
// ADR 028). The key pair comes from a 32-byte seed that the server derives from
// its portal secret, so anyone holding the public key can check a statement
// without being able to make one.
import { CryptoError } from "./errors";
import { sodiumNow } from "./sodium";

export interface SigningKeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

/** The Ed25519 key pair of a 32-byte seed (deterministic). */
export function signingKeyPairFromSeed(seed: Uint8Array): SigningKeyPair {
  const sodium = sodiumNow();
  if (seed.length !== sodium.crypto_sign_SEEDBYTES) throw new CryptoError("bad_key", `a signing seed is ${sodium.crypto_sign_SEEDBYTES} bytes`);
  const kp = sodium.crypto_sign_seed_keypair(seed);
  return { publicKey: kp.publicKey, privateKey: kp.privateKey };
}

/** A detached Ed25519 signature (64 bytes). */
export function signDetached(message: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return sodiumNow().crypto_sign_detached(message, privateKey);
}

/** True when `signature` is `publicKey`'s signature of `message`; false for any malformed input. */
export function verifyDetached(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  const sodium = sodiumNow();
  if (signature.length !== sodium.crypto_sign_BYTES || publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES) return false;
  try {
    return sodium.crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}
