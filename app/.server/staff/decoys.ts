// What the sign-in steps answer for an address that has no account (docs/CRYPTO.md §7.3): bytes of the
// same shape as a real answer, stable per address and keyed by the portal secret (ADR 027, ADR 030), so
// the answer does not tell whether an account exists and nobody without the secret can tell it is a decoy.
import { uuidFromRandom } from "../../../crypto/encoding";
import type { PortalSecret } from "../platform/secrets";

/** The KDF salt of an unknown address: the first 16 bytes of HMAC(K, "salt" 0x00 || address). */
export function decoySalt(secret: PortalSecret, normalEmail: string): Uint8Array {
  return new Uint8Array(secret.mac("sign-in-decoy", "salt\0", normalEmail).subarray(0, 16));
}

/**
 * The recovery material of an unknown address: a user id and an 89-byte "wrapped key" (0x01 and 88 bytes) made of
 * independent HMAC outputs, one per label: HMAC(K, "recovery" 0x00 || label || 0x00 || address).
 */
export function recoveryDecoy(secret: PortalSecret, normalEmail: string): { userId: string; secretKeyRecoveryWrapped: Uint8Array } {
  const prf = (label: string) => secret.mac("sign-in-decoy", "recovery\0", label, "\0", normalEmail);
  const blob = new Uint8Array(89);
  blob[0] = 1;
  blob.set(Buffer.concat([prf("blob-0"), prf("blob-1"), prf("blob-2")]).subarray(0, 88), 1);
  return { userId: uuidFromRandom(prf("user-id").subarray(0, 16)), secretKeyRecoveryWrapped: blob };
}
