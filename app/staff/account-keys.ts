// Key material of a new staff account, made where the account is activated:
// in the browser (invitation, first-run setup) or in the operator's CLI. The
// same code in both places; the server receives no password and no secret key.
import { generateStaffKeyPair, loadSodium, toBase64Url } from "../../crypto";
import {
  deriveStaffPasswordKeys,
  formatRecoveryKey,
  generateKdfSalt,
  generateRecoveryKey,
  recoveryProof,
  STAFF_KDF_V1,
  wrapStaffSecretKey,
} from "../../crypto/staff";

/** What the server stores about an account's keys (binary fields as base64url on the wire). */
export interface AccountKeyMaterial {
  kdfVersion: number;
  kdfSalt: string;
  authKey: string;
  publicKey: string;
  secretKeyWrapped: string;
  secretKeyRecoveryWrapped: string;
  recoveryProof: string;
}

export async function makeAccountKeys(userId: string, password: string): Promise<{ material: AccountKeyMaterial; recoveryKey: string }> {
  await loadSodium();
  const keyPair = generateStaffKeyPair();
  const salt = generateKdfSalt();
  const { authKey, wrapKey } = await deriveStaffPasswordKeys(password, salt);
  const recovery = generateRecoveryKey();
  const material: AccountKeyMaterial = {
    kdfVersion: STAFF_KDF_V1.version,
    kdfSalt: toBase64Url(salt),
    authKey: toBase64Url(authKey),
    publicKey: toBase64Url(keyPair.publicKey),
    secretKeyWrapped: toBase64Url(wrapStaffSecretKey(wrapKey, userId, keyPair.secretKey, "password")),
    secretKeyRecoveryWrapped: toBase64Url(wrapStaffSecretKey(recovery, userId, keyPair.secretKey, "recovery")),
    recoveryProof: toBase64Url(recoveryProof(recovery)),
  };
  wrapKey.fill(0);
  keyPair.secretKey.fill(0);
  return { material, recoveryKey: formatRecoveryKey(recovery) };
}
