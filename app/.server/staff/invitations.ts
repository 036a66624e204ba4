// Invitations to activate a staff account in the browser, and the one-time
// first-run setup link (an invitation of kind "setup" that creates the first
// administrator and the first investigator). Tokens are stored as hashes; a
// link dies when used or when it expires.
//
// While no administrator exists, every start deletes unused setup links, issues
// a new one (24 hours, once) and logs it at `warn` (`setupLink`, `validUntil`).
// The setup page creates one administrator and one investigator, both with
// browser-made keys, and spends the link in the same transaction. Invitations
// (72 hours, once) are shown to whoever made them; no e-mail is sent.
// Activation must match the invitation's e-mail and role. Every creation is
// audited `staff.created` with `via` (`setup_link`, `invitation`, `cli`).
import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import { isUuid } from "../../../crypto/encoding";
import { affiliates, staffInvitations, staffUsers } from "../../../db/schema";
import type { AccountKeyMaterial } from "../../staff/account-keys";
import { appendAudit } from "../audit/audit";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { insertStaffUser, StaffInputError, type StaffRole } from "./accounts";

const INVITE_TTL_HOURS = 72;
const SETUP_TTL_HOURS = 24;
const sha256 = (v: Uint8Array | string) => new Uint8Array(createHash("sha256").update(v).digest());
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface Invitation {
  token: string;
  path: string;
  expiresAt: Date;
}

async function issue(
  s: Services,
  values: Omit<typeof staffInvitations.$inferInsert, "tokenHash" | "createdAt" | "expiresAt">,
  ttlHours: number,
): Promise<Invitation> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(s.now().getTime() + ttlHours * 3600_000);
  await s.db.insert(staffInvitations).values({ ...values, tokenHash: sha256(token), createdAt: s.now(), expiresAt });
  return { token, path: `/staff/activate/${token}`, expiresAt };
}

export async function createInvitation(
  s: Services,
  input: { email: string; role: StaffRole; affiliate?: string; displayName?: string },
  createdBy: string | null,
): Promise<Invitation> {
  const email = input.email.trim().toLowerCase();
  if (!EMAIL_RE.test(email)) throw new ApiError(400, "bad_email", "not an email address", { email: "not an email address" });
  const [taken] = await s.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, email));
  if (taken) throw new ApiError(409, "email_taken", "a staff account with this email exists");
  let affiliateId: string | null = null;
  if (input.role === "affiliate") {
    const [a] = await s.db
      .select()
      .from(affiliates)
      .where(eq(affiliates.slug, input.affiliate ?? ""));
    if (!a) throw new ApiError(400, "affiliate_required", "an affiliate reviewer needs an affiliate", { affiliate: "required" });
    affiliateId = a.id;
  }
  const inv = await issue(
    s,
    { kind: "invite", email, role: input.role, affiliateId, displayName: input.displayName?.trim() || null, createdBy },
    INVITE_TTL_HOURS,
  );
  await s.db.transaction((tx) =>
    appendAudit(tx, s, { actorType: createdBy ? "staff" : "system", actorId: createdBy, action: "staff.invited", details: { role: input.role } }, s.now()),
  );
  return inv;
}

/** While no administrator exists: a fresh one-time setup link (older unused ones die). */
export async function ensureSetupLink(s: Services): Promise<Invitation | null> {
  await s.db.delete(staffInvitations).where(and(eq(staffInvitations.kind, "setup"), isNull(staffInvitations.usedAt)));
  const [admin] = await s.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.role, "admin")).limit(1);
  if (admin) return null;
  return issue(s, { kind: "setup" }, SETUP_TTL_HOURS);
}

async function openInvitation(s: Services, token: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) throw new ApiError(404, "invalid_link", "this link is not valid, has expired or was already used");
  const [inv] = await s.db
    .select()
    .from(staffInvitations)
    .where(and(eq(staffInvitations.tokenHash, sha256(token)), isNull(staffInvitations.usedAt), gt(staffInvitations.expiresAt, s.now())));
  if (!inv) throw new ApiError(404, "invalid_link", "this link is not valid, has expired or was already used");
  return inv;
}

export async function invitationInfo(s: Services, token: string) {
  const inv = await openInvitation(s, token);
  return { kind: inv.kind, email: inv.email, role: inv.role, displayName: inv.displayName, expiresAt: inv.expiresAt.toISOString() };
}

export interface ActivationAccount {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  keys: AccountKeyMaterial;
}

/**
 * Creates the account(s) an invitation or the setup link stands for, from key
 * material made in the browser. The link is spent in the same transaction.
 */
export async function activate(s: Services, token: string, accounts: ActivationAccount[]): Promise<{ created: string[] }> {
  const inv = await openInvitation(s, token);
  if (inv.kind === "invite") {
    if (accounts.length !== 1) throw new ApiError(400, "one_account", "an invitation activates one account");
    const a = accounts[0]!;
    if (a.email.trim().toLowerCase() !== inv.email || a.role !== inv.role)
      throw new ApiError(400, "not_invited", "the invitation is for another address or role");
  } else {
    const roles = accounts.map((a) => a.role).sort();
    if (roles.join() !== "admin,investigator") throw new ApiError(400, "setup_accounts", "the first-run setup creates one administrator and one investigator");
  }
  for (const a of accounts) {
    if (!isUuid(a.id)) throw new ApiError(400, "bad_id", "account id must be a UUID");
    if (!EMAIL_RE.test(a.email.trim())) throw new ApiError(400, "bad_email", "not an email address");
    if (!a.displayName.trim() || a.displayName.length > 100) throw new ApiError(400, "bad_name", "a display name of 1 to 100 characters is needed");
  }
  if (inv.kind === "setup") {
    // However the first administrator came to be (this link, the CLI), the setup link is void from then on.
    const [admin] = await s.db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.role, "admin")).limit(1);
    if (admin) throw new ApiError(404, "invalid_link", "this link is not valid, has expired or was already used");
  }
  const emails = accounts.map((a) => a.email.trim().toLowerCase());
  if (new Set(emails).size !== emails.length) throw new ApiError(400, "same_email", "each account needs its own email address");
  try {
    await s.db.transaction(async (tx) => {
      const spent = await tx
        .update(staffInvitations)
        .set({ usedAt: s.now() })
        .where(and(eq(staffInvitations.tokenHash, inv.tokenHash), isNull(staffInvitations.usedAt)))
        .returning();
      if (spent.length !== 1) throw new ApiError(404, "invalid_link", "this link was already used");
      for (const [i, a] of accounts.entries()) {
        await insertStaffUser(
          tx,
          s,
          { id: a.id, email: emails[i]!, displayName: a.displayName.trim(), role: a.role, affiliateId: inv.kind === "invite" ? inv.affiliateId : null },
          a.keys,
          { via: inv.kind === "setup" ? "setup_link" : "invitation", by: inv.createdBy ?? undefined },
        );
      }
    });
  } catch (error) {
    if ((error as { code?: string }).code === "23505" || (error as { cause?: { code?: string } }).cause?.code === "23505") {
      throw new ApiError(409, "email_taken", "a staff account with this email exists");
    }
    if (error instanceof StaffInputError) throw new ApiError(400, "bad_keys", error.message, undefined, { cause: error });
    throw error;
  }
  return { created: accounts.map((a) => a.id) };
}
