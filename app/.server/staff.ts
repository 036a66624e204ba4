// Staff accounts. Key material is made by crypto/, the same module the
// browser uses; the server keeps argon2(authKey) and wrapped secret keys only.
import { randomBytes } from "node:crypto";
import argon2 from "argon2";
import { and, eq } from "drizzle-orm";
import { loadSodium, uuidFromRandom } from "../../crypto";
import {
  STAFF_KDF_V1,
  deriveStaffPasswordKeys,
  formatRecoveryKey,
  generateKdfSalt,
  generateRecoveryKey,
  wrapStaffSecretKey,
} from "../../crypto/staff";
import { generateStaffKeyPair } from "../../crypto/envelope";
import type { Db } from "../../db/client";
import { affiliates, staffUsers } from "../../db/schema";
import type { AffiliateSlug } from "./org";
import { appendAudit } from "./audit";
import { checkPasswordStrength } from "./password-policy";

export type StaffRole = "admin" | "investigator" | "affiliate";

export class StaffInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StaffInputError";
  }
}

/** argon2id parameters for hashing the browser-derived auth key (OWASP's 19 MiB, t=2 floor, raised). */
export const AUTH_HASH_OPTIONS = { type: argon2.argon2id, memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 } as const;

export interface CreateStaffInput {
  role: StaffRole;
  email: string;
  password: string;
  displayName?: string;
  affiliate?: AffiliateSlug;
}

export interface CreatedStaff {
  id: string;
  email: string;
  role: StaffRole;
  /** Shown once to the operator; the server keeps only what it wraps. */
  recoveryKey: string;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function createStaffUser(db: Db, input: CreateStaffInput): Promise<CreatedStaff> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email) || email.length > 254) throw new StaffInputError(`not an email address: ${input.email}`);
  if (input.role === "affiliate" && !input.affiliate) throw new StaffInputError("an affiliate reviewer needs --affiliate cloud|agi");
  if (input.role !== "affiliate" && input.affiliate) throw new StaffInputError("--affiliate is only for the affiliate role");
  const weak = checkPasswordStrength(input.password, [email]);
  if (weak) throw new StaffInputError(`password refused: ${weak}`);
  const displayName = (input.displayName ?? email.split("@")[0]!).trim();
  if (displayName.length === 0 || displayName.length > 100) throw new StaffInputError("display name must be 1 to 100 characters");

  const [existing] = await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email));
  if (existing) throw new StaffInputError(`a staff account for ${email} already exists`);
  let affiliateId: string | null = null;
  if (input.affiliate) {
    const [a] = await db.select({ id: affiliates.id }).from(affiliates).where(eq(affiliates.slug, input.affiliate));
    if (!a) throw new StaffInputError(`unknown affiliate ${input.affiliate}; run org:init first`);
    affiliateId = a.id;
  }

  await loadSodium();
  const id = uuidFromRandom(randomBytes(16));
  const keyPair = generateStaffKeyPair();
  const salt = generateKdfSalt();
  const { authKey, wrapKey } = await deriveStaffPasswordKeys(input.password, salt);
  const recoveryKey = generateRecoveryKey();
  const authHash = await argon2.hash(Buffer.from(authKey), AUTH_HASH_OPTIONS);
  await db.transaction(async (tx) => {
    await tx.insert(staffUsers).values({
      id,
      email,
      displayName,
      role: input.role,
      affiliateId,
      kdfVersion: STAFF_KDF_V1.version,
      kdfSalt: salt,
      authHash,
      publicKey: keyPair.publicKey,
      secretKeyWrapped: wrapStaffSecretKey(wrapKey, id, keyPair.secretKey, "password"),
      secretKeyRecoveryWrapped: wrapStaffSecretKey(recoveryKey, id, keyPair.secretKey, "recovery"),
    });
    await appendAudit(tx, { actorType: "system", action: "staff.created", details: { staffUserId: id, role: input.role, via: "cli" } }, new Date());
  });
  return { id, email, role: input.role, recoveryKey: formatRecoveryKey(recoveryKey) };
}

export async function countActiveInvestigators(db: Db): Promise<number> {
  const rows = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "investigator"), eq(staffUsers.status, "active")));
  return rows.length;
}
