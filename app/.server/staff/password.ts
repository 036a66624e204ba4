// Changing a staff password (the browser re-wraps the same private key under
// the new password) and resetting it with the recovery key (the browser
// unwraps the private key with the recovery key and wraps it anew). Either
// way the key pair stays, so access to cases stays; other sessions end.
//
// Recovery is a sign-in by other means: a wrong recovery key counts in the
// same back-off as a wrong password (ADR 030), a right one forgets the pair's
// failures; the second factor stays as it is.
import { createHash, timingSafeEqual } from "node:crypto";
import argon2 from "argon2";
import { and, eq, ne } from "drizzle-orm";
import { fromBase64Url, toBase64Url } from "../../../crypto/encoding";
import { staffSessions, staffUsers } from "../../../db/schema";
import { appendAudit, type AuditAction } from "../audit/audit";
import { ApiError } from "../platform/http";
import type { SpentProof } from "../platform/proof-of-work";
import type { Services } from "../platform/services";
import { AUTH_HASH_OPTIONS } from "./accounts";
import type { StaffPrincipal } from "./auth";
import { recoveryDecoy } from "./decoys";
import { beginSignInAttempt, checkSignInWait, normaliseEmail, signInFailed, signInPassed } from "./sign-in-backoff";

export interface NewPasswordKeys {
  kdfSalt: string;
  authKey: string;
  secretKeyWrapped: string;
}

const bytes = (b: string, n: number, what: string) => {
  const v = fromBase64Url(b);
  if (v.length !== n) throw new ApiError(400, "bad_keys", `${what} has the wrong size`);
  return v;
};

async function storeNewPassword(s: Services, userId: string, keys: NewPasswordKeys, keepSession: Uint8Array | null, action: AuditAction): Promise<void> {
  const salt = bytes(keys.kdfSalt, 16, "kdfSalt");
  const authHash = await argon2.hash(Buffer.from(bytes(keys.authKey, 32, "authKey")), AUTH_HASH_OPTIONS);
  const wrapped = bytes(keys.secretKeyWrapped, 89, "secretKeyWrapped");
  await s.db.transaction(async (tx) => {
    await tx.update(staffUsers).set({ kdfSalt: salt, authHash, secretKeyWrapped: wrapped, updatedAt: s.now() }).where(eq(staffUsers.id, userId));
    await tx
      .delete(staffSessions)
      .where(keepSession ? and(eq(staffSessions.staffUserId, userId), ne(staffSessions.tokenHash, keepSession)) : eq(staffSessions.staffUserId, userId));
    await appendAudit(tx, s, { actorType: "staff", actorId: userId, action }, s.now());
  });
}

export async function changePassword(s: Services, staff: StaffPrincipal, currentAuthKey: Uint8Array, keys: NewPasswordKeys): Promise<void> {
  const [user] = await s.db.select().from(staffUsers).where(eq(staffUsers.id, staff.id));
  if (!user || !(await argon2.verify(user.authHash, Buffer.from(currentAuthKey)).catch(() => false))) {
    throw new ApiError(401, "invalid_credentials", "the current password is not right");
  }
  await storeNewPassword(s, staff.id, keys, staff.tokenHash, "auth.password_changed");
}

/**
 * The recovery-wrapped private key for an email. Unknown addresses get a
 * stable decoy of the same shape, so the answer does not reveal accounts;
 * the blob is useless without the recovery key anyway. Refused (429) while
 * the address and client are in back-off, unless a proof of work was spent
 * (ADR 035); not itself counted.
 */
export async function recoveryMaterial(
  s: Services,
  email: string,
  clientKey: string,
  proof?: SpentProof,
): Promise<{ userId: string; secretKeyRecoveryWrapped: string }> {
  await checkSignInWait(s, email, clientKey, proof);
  const normal = normaliseEmail(email);
  // Made for every address alike, so both cases take the same time.
  const decoy = recoveryDecoy(s.secret, normal);
  const [user] = await s.db.select().from(staffUsers).where(eq(staffUsers.email, normal));
  if (user) return { userId: user.id, secretKeyRecoveryWrapped: toBase64Url(user.secretKeyRecoveryWrapped) };
  return { userId: decoy.userId, secretKeyRecoveryWrapped: toBase64Url(decoy.secretKeyRecoveryWrapped) };
}

export async function resetWithRecoveryKey(
  s: Services,
  email: string,
  recoveryProof: Uint8Array,
  keys: NewPasswordKeys,
  clientKey: string,
  pow?: SpentProof,
): Promise<void> {
  const attempt = await beginSignInAttempt(s, email, clientKey, pow);
  const [user] = await s.db
    .select()
    .from(staffUsers)
    .where(eq(staffUsers.email, normaliseEmail(email)));
  const presented = new Uint8Array(createHash("sha256").update(recoveryProof).digest());
  if (!user || !timingSafeEqual(Buffer.from(user.recoveryVerifier), Buffer.from(presented))) {
    await signInFailed(s, attempt, user?.id ?? null);
    throw new ApiError(401, "invalid_recovery", "the email address or recovery key is not right");
  }
  await signInPassed(s, attempt, true);
  await storeNewPassword(s, user.id, keys, null, "auth.password_recovered");
}
