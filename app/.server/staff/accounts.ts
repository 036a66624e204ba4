// Staff accounts. Key material is made by crypto/, the same module the
// browser uses; the server keeps argon2(authKey) and wrapped secret keys only.
import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import { and, asc, eq } from "drizzle-orm";
import { fromBase64Url, toBase64Url, uuidFromRandom } from "../../../crypto/encoding";
import { STAFF_KDF_V1 } from "../../../crypto/staff";
import { makeAccountKeys, type AccountKeyMaterial } from "../../staff/account-keys";
import type { Db } from "../../../db/client";
import { affiliates, staffUsers } from "../../../db/schema";
import type { StaffRole } from "../../shared/wire";
import type { AffiliateSlug } from "../org/org";
import { appendAudit, type AuditKey } from "../audit/audit";
import { passwordProblem } from "../../staff/password-strength";

export type { StaffRole };

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

export async function createStaffUser(db: Db, k: AuditKey, input: CreateStaffInput): Promise<CreatedStaff> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email) || email.length > 254) throw new StaffInputError(`not an email address: ${input.email}`);
  if (input.role === "affiliate" && !input.affiliate) throw new StaffInputError("an affiliate reviewer needs --affiliate cloud|agi");
  if (input.role !== "affiliate" && input.affiliate) throw new StaffInputError("--affiliate is only for the affiliate role");
  const weak = await passwordProblem(input.password, [email, input.displayName ?? ""]);
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

  const id = uuidFromRandom(randomBytes(16));
  const { material, recoveryKey } = await makeAccountKeys(id, input.password);
  await insertStaffUser(db, k, { id, email, displayName, role: input.role, affiliateId }, material, { via: "cli" });
  return { id, email, role: input.role, recoveryKey };
}

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/**
 * Stores a new account from its key material (made by makeAccountKeys in the
 * browser or the CLI): argon2 over the authentication key and a hash of the
 * recovery proof; the wrapped secret keys as they are. Audited.
 */
export async function insertStaffUser(
  db: Db | Tx,
  k: AuditKey,
  who: { id: string; email: string; displayName: string; role: StaffRole; affiliateId: string | null },
  m: AccountKeyMaterial,
  audit: { via: string; by?: string },
): Promise<void> {
  const bytes = (b: string, n?: number) => {
    const v = fromBase64Url(b);
    if (n !== undefined && v.length !== n) throw new StaffInputError("key material has the wrong size");
    return v;
  };
  if (m.kdfVersion !== STAFF_KDF_V1.version) throw new StaffInputError("unknown key derivation version");
  const authHash = await argon2.hash(Buffer.from(bytes(m.authKey, 32)), AUTH_HASH_OPTIONS);
  const write = async (tx: Db | Tx) => {
    await tx.insert(staffUsers).values({
      id: who.id,
      email: who.email,
      displayName: who.displayName,
      role: who.role,
      affiliateId: who.affiliateId,
      kdfVersion: m.kdfVersion,
      kdfSalt: bytes(m.kdfSalt, 16),
      authHash,
      publicKey: bytes(m.publicKey, 32),
      secretKeyWrapped: bytes(m.secretKeyWrapped, 89),
      secretKeyRecoveryWrapped: bytes(m.secretKeyRecoveryWrapped, 89),
      recoveryVerifier: new Uint8Array(createHash("sha256").update(bytes(m.recoveryProof, 32)).digest()),
    });
    await appendAudit(
      tx,
      k,
      {
        actorType: audit.by ? "staff" : "system",
        actorId: audit.by ?? null,
        action: "staff.created",
        details: { staffUserId: who.id, role: who.role, via: audit.via },
      },
      new Date(),
    );
  };
  if ("rollback" in db) await write(db);
  else await (db as Db).transaction((tx) => write(tx));
}

export async function countActiveInvestigators(db: Db): Promise<number> {
  const rows = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "investigator"), eq(staffUsers.status, "active")));
  return rows.length;
}

/** Staff names by id, for showing who did what: everyone, or those of one role (and affiliate), by name. */
export async function staffNames(db: Db, only: { role?: StaffRole; affiliateId?: string | null } = {}): Promise<{ id: string; displayName: string }[]> {
  return db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName })
    .from(staffUsers)
    .where(
      and(
        only.role ? eq(staffUsers.role, only.role) : undefined,
        only.affiliateId !== undefined ? eq(staffUsers.affiliateId, only.affiliateId ?? "") : undefined,
      ),
    )
    .orderBy(asc(staffUsers.displayName));
}

/** The signed-in staff member's account and wrapped private key, to unlock it again in the browser after a reload. */
export async function ownAccount(db: Db, staffUserId: string) {
  const [u] = await db.select().from(staffUsers).where(eq(staffUsers.id, staffUserId));
  if (!u) return null;
  return {
    user: { id: u.id, email: u.email, displayName: u.displayName, role: u.role, affiliateId: u.affiliateId },
    kdfSalt: toBase64Url(u.kdfSalt),
    kdfVersion: u.kdfVersion,
    secretKeyWrapped: toBase64Url(u.secretKeyWrapped),
    publicKey: toBase64Url(u.publicKey),
  };
}
