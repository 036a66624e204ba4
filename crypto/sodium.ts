// The one place that loads libsodium's standard build. Everything else in the
// project goes through crypto/. The standard build has no crypto_pwhash
// (Argon2id); staff-only code loads the sumo build from ./sodium-sumo.ts.
import sodium from "libsodium-wrappers";
import { CryptoError } from "./errors";

export type Sodium = typeof sodium;

let readyPromise: Promise<Sodium> | null = null;

/** Resolves once libsodium's WebAssembly module is ready. Safe to call often. */
export function loadSodium(): Promise<Sodium> {
  readyPromise ??= sodium.ready.then(() => sodium);
  return readyPromise;
}

/** Synchronous access for code that runs after loadSodium() resolved. */
export function sodiumNow(): Sodium {
  if (!sodium.crypto_aead_xchacha20poly1305_ietf_encrypt) {
    throw new CryptoError("not_ready", "libsodium is not ready: await loadSodium() first");
  }
  return sodium;
}
