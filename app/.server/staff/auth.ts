// Staff sign-in. The browser derives an authentication key from the password
// (Argon2id, crypto/staff-keys.ts) and sends only that; the server checks it
// against argon2(authKey), then a TOTP code (RFC 6238), and keeps the session
// server-side behind an HttpOnly SameSite=Strict cookie. The wrapped private
// key is handed out only after both factors.
//
// A session is refused (401, and its row deleted) when idle more than 30
// minutes, older than 12 hours, or its account is disabled; an accepted
// request renews `last_seen_at`. Failed sign-ins never end a session: they
// only slow down the pair of address and client (sign-in-backoff.ts, ADR 030). Sessions also end at sign-out
// (`auth.logout`, written just after the row is deleted, not in its
// transaction), at a password change (the other sessions), at a recovery-key
// reset (all), when an administrator revokes them or disables the account, and
// in the periodic sweep once expired. A successful sign-in forgets the pair's
// failures and sets `last_login_at`.
import { createHash, randomBytes } from "node:crypto";
import argon2 from "argon2";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import QRCode from "qrcode";
import { toBase64Url } from "../../../crypto/encoding";
import { staffLoginState, staffRecoveryCodes, staffSessions, staffTotp, staffUsers } from "../../../db/schema";
import { appendAudit, audit } from "../audit/audit";
import { ApiError } from "../platform/http";
import type { SpentProof } from "../platform/proof-of-work";
import type { Services } from "../platform/services";
import { AUTH_HASH_OPTIONS, type StaffRole } from "./accounts";
import { decoySalt } from "./decoys";
import { beginSecondFactorAttempt, beginSignInAttempt, normaliseEmail, signInFailed, signInPassed } from "./sign-in-backoff";

/** Over HTTPS the cookie is __Host-prefixed: no sibling (sub)domain can plant or shadow it. */
export const STAFF_COOKIE = "cor_staff";
const cookieName = (secure: boolean) => (secure ? `__Host-${STAFF_COOKIE}` : STAFF_COOKIE);
export const STAFF_IDLE_MINUTES = 30;
const SESSION_MAX_HOURS = 12;
const TOTP_PERIOD = 30;
const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());

export interface StaffPrincipal {
  id: string;
  email: string;
  displayName: string;
  role: StaffRole;
  affiliateId: string | null;
  tokenHash: Uint8Array;
}

// ------------------------------------------------------------------ pre-login

/**
 * The KDF salt for an email. Unknown addresses get a stable fake salt keyed
 * by the portal secret (ADR 027), so the answer does not reveal whether an
 * account exists; both cases run one query and one HMAC.
 */
export async function preLogin(s: Services, email: string): Promise<{ salt: string; kdfVersion: number }> {
  const normal = normaliseEmail(email);
  const fake = decoySalt(s.secret, normal);
  const [user] = await s.db.select({ salt: staffUsers.kdfSalt, v: staffUsers.kdfVersion }).from(staffUsers).where(eq(staffUsers.email, normal));
  return user ? { salt: toBase64Url(user.salt), kdfVersion: user.v } : { salt: toBase64Url(fake), kdfVersion: 1 };
}

// ------------------------------------------------------------------ sessions

function cookie(token: string, secure: boolean, maxAgeSeconds?: number): string {
  const parts = [`${cookieName(secure)}=${token}`, "Path=/", "HttpOnly", "SameSite=Strict"];
  if (secure) parts.push("Secure");
  if (maxAgeSeconds !== undefined) parts.push(`Max-Age=${maxAgeSeconds}`);
  return parts.join("; ");
}

const secureCookies = (s: Services) => (s.config.PUBLIC_ORIGIN ?? "").startsWith("https://");

export function clearStaffCookie(s: Services): string {
  return cookie("", secureCookies(s), 0);
}

function readToken(s: Services, request: Request): Uint8Array | null {
  const header = request.headers.get("Cookie") ?? "";
  const name = cookieName(secureCookies(s));
  const found = header
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c.startsWith(`${name}=`))
    .map((c) => c.slice(name.length + 1));
  // Two cookies of the same name mean someone planted one: accept neither.
  if (found.length !== 1 || !/^[A-Za-z0-9_-]{43}$/.test(found[0]!)) return null;
  return new Uint8Array(Buffer.from(found[0]!, "base64url"));
}

async function newSession(s: Services, staffUserId: string, pending: boolean): Promise<string> {
  const token = randomBytes(32);
  const now = s.now();
  await s.db.insert(staffSessions).values({ tokenHash: sha256(token), staffUserId, createdAt: now, lastSeenAt: now, pendingSecondFactor: pending });
  return cookie(token.toString("base64url"), secureCookies(s));
}

type SessionRow = typeof staffSessions.$inferSelect;

async function sessionOf(s: Services, request: Request): Promise<{ session: SessionRow; user: typeof staffUsers.$inferSelect } | null> {
  const token = readToken(s, request);
  if (!token) return null;
  const tokenHash = sha256(token);
  const [row] = await s.db
    .select({ session: staffSessions, user: staffUsers })
    .from(staffSessions)
    .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffUserId))
    .where(eq(staffSessions.tokenHash, tokenHash));
  if (!row) return null;
  const now = s.now().getTime();
  const expired = now - row.session.lastSeenAt.getTime() > STAFF_IDLE_MINUTES * 60_000 || now - row.session.createdAt.getTime() > SESSION_MAX_HOURS * 3600_000;
  if (expired || row.user.status !== "active") {
    await s.db.delete(staffSessions).where(eq(staffSessions.tokenHash, tokenHash));
    return null;
  }
  return row;
}

export class StaffAuthError extends ApiError {}

/** A signed-in staff member whose role may not do this (403); the role says where their own pages are. */
export class WrongRoleError extends StaffAuthError {
  constructor(readonly role: StaffRole) {
    super(403, "forbidden", "your role may not do this");
  }
}

/**
 * The signed-in staff member (both factors), with one of the given roles.
 * Anything else is 401 (no valid session) or 403 (wrong role).
 */
export async function requireStaff(s: Services, request: Request, roles: StaffRole[]): Promise<StaffPrincipal> {
  const found = await sessionOf(s, request);
  if (!found || found.session.pendingSecondFactor) throw new StaffAuthError(401, "not_signed_in", "sign in first");
  if (!roles.includes(found.user.role)) throw new WrongRoleError(found.user.role);
  await s.db.update(staffSessions).set({ lastSeenAt: s.now() }).where(eq(staffSessions.tokenHash, found.session.tokenHash));
  const u = found.user;
  return { id: u.id, email: u.email, displayName: u.displayName, role: u.role, affiliateId: u.affiliateId, tokenHash: found.session.tokenHash };
}

/** Like requireStaff, but for the second-factor step: the password was right, TOTP is next. */
async function requirePending(s: Services, request: Request) {
  const found = await sessionOf(s, request);
  if (!found || !found.session.pendingSecondFactor) throw new StaffAuthError(401, "not_signed_in", "sign in with your password first");
  return found;
}

export async function logoutStaff(s: Services, request: Request): Promise<void> {
  const token = readToken(s, request);
  if (!token) return;
  const [row] = await s.db
    .delete(staffSessions)
    .where(eq(staffSessions.tokenHash, sha256(token)))
    .returning();
  if (row) await audit(s.db, s, { actorType: "staff", actorId: row.staffUserId, action: "auth.logout" }, s.now());
}

export async function expireStaffSessions(s: Services): Promise<void> {
  const now = s.now().getTime();
  await s.db
    .delete(staffSessions)
    .where(
      or(lt(staffSessions.lastSeenAt, new Date(now - STAFF_IDLE_MINUTES * 60_000)), lt(staffSessions.createdAt, new Date(now - SESSION_MAX_HOURS * 3600_000))),
    );
}

// ------------------------------------------------------------------ password step

let dummyHash: Promise<string> | null = null;

export interface LoginResult {
  setCookie: string;
  next: "totp" | "totp_setup";
}

/**
 * Checks email and authentication key; on success opens a session that still needs the second factor. `proof`: a
 * `staff-sign-in` proof of work the route has spent, the way past the back-off (ADR 035).
 * Unknown, disabled and known addresses with a wrong key take the same path (back-off, one Argon2
 * verification, the same 401), so neither answer nor timing tells them apart.
 */
export async function loginWithPassword(s: Services, email: string, authKey: Uint8Array, clientKey: string, proof?: SpentProof): Promise<LoginResult> {
  const attempt = await beginSignInAttempt(s, email, clientKey, proof);
  const [user] = await s.db
    .select()
    .from(staffUsers)
    .where(eq(staffUsers.email, normaliseEmail(email)));
  const hash = user?.authHash ?? (await (dummyHash ??= argon2.hash(randomBytes(32), AUTH_HASH_OPTIONS)));
  const ok = await argon2.verify(hash, Buffer.from(authKey)).catch(() => false);
  if (!user || !ok || user.status !== "active") {
    await signInFailed(s, attempt, user?.id ?? null);
    throw new StaffAuthError(401, "invalid_credentials", "the email address or password is not right");
  }
  await signInPassed(s, attempt, false);
  const [totp] = await s.db.select().from(staffTotp).where(eq(staffTotp.staffUserId, user.id));
  const setCookie = await newSession(s, user.id, true);
  return { setCookie, next: totp?.enabledAt ? "totp" : "totp_setup" };
}

// ------------------------------------------------------------------ second factor

function totpFor(secret: Uint8Array, email: string) {
  return new OTPAuth.TOTP({
    issuer: "Clean OKESTRO Report",
    label: email,
    algorithm: "SHA1",
    digits: 6,
    period: TOTP_PERIOD,
    secret: new OTPAuth.Secret({ buffer: secret.slice().buffer }),
  });
}

export interface TotpSetup {
  secret: string;
  uri: string;
  qrSvgDataUrl: string;
}

/** Starts (or restarts, while not yet enabled) TOTP enrolment for the pending session's user. */
export async function beginTotpSetup(s: Services, request: Request): Promise<TotpSetup> {
  const { user } = await requirePending(s, request);
  const [existing] = await s.db.select().from(staffTotp).where(eq(staffTotp.staffUserId, user.id));
  if (existing?.enabledAt) throw new StaffAuthError(409, "totp_enabled", "a second factor is already set up");
  const secret = new Uint8Array(randomBytes(20));
  await s.db
    .insert(staffTotp)
    .values({ staffUserId: user.id, secret })
    .onConflictDoUpdate({ target: staffTotp.staffUserId, set: { secret, lastStep: 0 } });
  const totp = totpFor(secret, user.email);
  const uri = totp.toString();
  const svg = await QRCode.toString(uri, { type: "svg", errorCorrectionLevel: "M", margin: 2 });
  return { secret: totp.secret.base32, uri, qrSvgDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

function checkCode(secret: Uint8Array, email: string, code: string, lastStep: number, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const totp = totpFor(secret, email);
  const delta = totp.validate({ token: code, timestamp: at.getTime(), window: 1 });
  if (delta === null) return null;
  const step = Math.floor(at.getTime() / 1000 / TOTP_PERIOD) + delta;
  return step > lastStep ? step : null; // never the same code twice
}

export interface SignedIn {
  user: { id: string; email: string; displayName: string; role: StaffRole; affiliateId: string | null };
  secretKeyWrapped: string;
  publicKey: string;
  recoveryCodes?: string[];
}

async function signedIn(s: Services, tokenHash: Uint8Array, user: typeof staffUsers.$inferSelect, via: string): Promise<SignedIn> {
  const now = s.now();
  await s.db.transaction(async (tx) => {
    await tx.update(staffSessions).set({ pendingSecondFactor: false, lastSeenAt: now }).where(eq(staffSessions.tokenHash, tokenHash));
    await tx
      .insert(staffLoginState)
      .values({ staffUserId: user.id, lastLoginAt: now })
      .onConflictDoUpdate({
        target: staffLoginState.staffUserId,
        set: { lastLoginAt: now },
      });
    await appendAudit(tx, s, { actorType: "staff", actorId: user.id, action: "auth.login", details: { via } }, now);
  });
  return {
    user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role, affiliateId: user.affiliateId },
    secretKeyWrapped: toBase64Url(user.secretKeyWrapped),
    publicKey: toBase64Url(user.publicKey),
  };
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: 10 }, () => {
    const raw = randomBytes(10).toString("hex").toUpperCase();
    return `${raw.slice(0, 5)}-${raw.slice(5, 10)}-${raw.slice(10, 15)}-${raw.slice(15)}`;
  });
}

const normaliseRecovery = (code: string) => code.toUpperCase().replace(/[^0-9A-F]/g, "");

/** Confirms enrolment with a first code; returns recovery codes once. */
export async function finishTotpSetup(s: Services, request: Request, code: string): Promise<SignedIn> {
  const { session, user } = await requirePending(s, request);
  const [t] = await s.db.select().from(staffTotp).where(eq(staffTotp.staffUserId, user.id));
  if (!t || t.enabledAt) throw new StaffAuthError(409, "totp_not_pending", "start the second-factor setup first");
  const step = checkCode(t.secret, user.email, code, t.lastStep, s.now());
  if (step === null) throw new StaffAuthError(400, "invalid_code", "that code is not right; check the time on your device");
  const codes = newRecoveryCodes();
  await s.db.transaction(async (tx) => {
    await tx.update(staffTotp).set({ enabledAt: s.now(), lastStep: step }).where(eq(staffTotp.staffUserId, user.id));
    await tx.delete(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffUserId, user.id));
    await tx.insert(staffRecoveryCodes).values(codes.map((c) => ({ codeHash: sha256(normaliseRecovery(c)), staffUserId: user.id })));
    await appendAudit(tx, s, { actorType: "staff", actorId: user.id, action: "auth.totp_enabled" }, s.now());
  });
  return { ...(await signedIn(s, session.tokenHash, user, "totp_setup")), recoveryCodes: codes };
}

/**
 * The second step of a sign-in: a TOTP code, or one of the recovery codes. Held by the account's own second-factor
 * back-off, which no proof of work goes past (ADR 035).
 */
export async function loginSecondFactor(s: Services, request: Request, input: { code?: string; recoveryCode?: string }, clientKey: string): Promise<SignedIn> {
  const { session, user } = await requirePending(s, request);
  const [t] = await s.db.select().from(staffTotp).where(eq(staffTotp.staffUserId, user.id));
  if (!t?.enabledAt) throw new StaffAuthError(409, "totp_setup_required", "set up the second factor first");
  // Counted before the check (the account's second-factor back-off), so parallel guesses cannot slip past it.
  const attempt = await beginSecondFactorAttempt(s, user.email, clientKey);
  if (input.code) {
    const step = checkCode(t.secret, user.email, input.code, t.lastStep, s.now());
    if (step !== null) {
      const [claimed] = await s.db
        .update(staffTotp)
        .set({ lastStep: step })
        .where(and(eq(staffTotp.staffUserId, user.id), lt(staffTotp.lastStep, step)))
        .returning();
      if (claimed) {
        await signInPassed(s, attempt, true);
        return signedIn(s, session.tokenHash, user, "totp");
      }
    }
  } else if (input.recoveryCode) {
    const hash = sha256(normaliseRecovery(input.recoveryCode));
    const [used] = await s.db
      .update(staffRecoveryCodes)
      .set({ usedAt: s.now() })
      .where(and(eq(staffRecoveryCodes.codeHash, hash), eq(staffRecoveryCodes.staffUserId, user.id), isNull(staffRecoveryCodes.usedAt)))
      .returning();
    if (used) {
      await signInPassed(s, attempt, true);
      return signedIn(s, session.tokenHash, user, "recovery_code");
    }
  }
  await signInFailed(s, attempt, user.id);
  throw new StaffAuthError(401, "invalid_code", "that code is not right");
}
