// Sign-in back-off (ADR 030): failed sign-ins slow down the pair of address
// and client, never lock an account and never end a session. The state is in
// `staff_sign_in_backoff`, so several instances on one database share it and a
// restart keeps it.
//
// Known and unknown addresses go through exactly the same statements: the row
// is keyed by a keyed hash of the address (never the address), whether or not
// an account has it, so neither the answer nor the work behind it says which.
//
// An attempt is counted as a failure before the password or code is checked
// (in one transaction with the check of the wait, so parallel guesses cannot
// slip past it) and taken back when it turns out right: after the password
// step only the count is taken back (the second factor is still to come), a
// complete sign-in forgets the pair. When one address collects
// `noticeFailures` failures from any clients within `noticeWindowMs`, the
// active administrators get one `signin_failures` notice (at most one a day
// per address), audited as `auth.failures_reported`.
//
// A solved `staff-sign-in` proof of work is the way past a wait of the password
// and recovery steps (ADR 035): the route spends it before any of this runs,
// and an attempt that carries one goes ahead, counted as a failure like any
// other, so the wait keeps growing. Their 429 says so (`proofOfWork` in the
// error body); its price doubles with each failure of the client beyond the
// free ones (`signInPowLevel`).
//
// The second factor is different (ADR 035): only someone with the password
// reaches it, so it does not wait on the pair and client rows that a storm
// without the password fills, and it takes no proof of work, which would let
// a holder of the password guess codes as fast as proofs can be bought. It
// has its own row per account, (subject, "*2fa"), counting only wrong codes
// from every client (`beginSecondFactorAttempt`); its 429 names no proof.
import { and, eq, gt, isNull, lt, ne, or, sql, sum } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { staffSignInBackoff as t, staffUsers } from "../../../db/schema";
import { appendAudit, audit } from "../audit/audit";
import { activeAdmins, notifyStaff } from "../notifications/record";
import { kickStaffNotifications } from "../notifications/outbox";
import { liveFailures, powLevelAfter, waitMs, type BackoffRule, type SignInBackoffPolicy } from "../platform/backoff";
import { ApiError } from "../platform/http";
import type { SpentProof } from "../platform/proof-of-work";
import type { Services } from "../platform/services";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** The `client` of an address's count over all clients, and the `subject` of a client's count over all addresses. */
const ANY = "*";
/**
 * The `client` of an account's second-factor count over all clients. Client pseudonyms are base64url, so no client
 * is ever named this.
 */
export const SECOND_FACTOR = "*2fa";
const DAY_MS = 24 * 3600_000;

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** The row key of an address: a keyed hash under the portal secret, the same on every instance. */
export function backoffSubject(s: Services, email: string): string {
  return s.secret.mac("sign-in-backoff", normaliseEmail(email)).toString("base64url").slice(0, 22);
}

/** One attempt, counted as a failure until `signInPassed` takes it back. */
export interface SignInAttempt {
  subject: string;
  client: string;
  /** A second-factor attempt: counted in the account's (subject, SECOND_FACTOR) row, not in the pair or client. */
  secondFactor?: true;
}

export class SignInBackoffError extends ApiError {
  /** `pow`: a proof of work lets the step past this wait (the password and recovery steps; never the second factor). */
  constructor(waitMs: number, pow = true) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(
      429,
      "too_many_attempts",
      pow
        ? `too many failed attempts from here; try again in ${seconds} seconds, or now with a solved proof of work`
        : `too many wrong codes for this account; try again in ${seconds} seconds`,
    );
    this.name = "SignInBackoffError";
    this.retryAfterSeconds = seconds;
    if (pow) this.proofOfWork = "staff-sign-in";
  }
}

const key = (subject: string, client: string) => and(eq(t.subject, subject), eq(t.client, client));

/** The row, made if missing, locked until the transaction ends. */
async function lockRow(tx: Tx, subject: string, client: string) {
  const [row] = await tx
    .insert(t)
    .values({ subject, client })
    .onConflictDoUpdate({ target: [t.subject, t.client], set: { failures: sql`${t.failures}` } })
    .returning();
  return row!;
}

type Row = Awaited<ReturnType<typeof lockRow>>;

/** One more failure on a locked row, counted from those its rule still remembers. */
async function countFailure(tx: Tx, row: Row, rule: BackoffRule, now: Date): Promise<void> {
  await tx
    .update(t)
    .set({ failures: liveFailures(row, now, rule) + 1, lastFailureAt: now })
    .where(key(row.subject, row.client));
}

/** One more failure on the address's notice row (client ANY): counted within a window from its first failure. */
async function countNoticeFailure(tx: Tx, account: Row, policy: SignInBackoffPolicy, now: Date): Promise<void> {
  const inWindow = account.firstFailureAt && now.getTime() - account.firstFailureAt.getTime() < policy.noticeWindowMs;
  await tx
    .update(t)
    .set(inWindow ? { failures: account.failures + 1, lastFailureAt: now } : { failures: 1, firstFailureAt: now, lastFailureAt: now })
    .where(key(account.subject, account.client));
}

const policyOf = (s: Pick<Services, "signInBackoff">): SignInBackoffPolicy => s.signInBackoff;

/**
 * Starts a sign-in attempt (password, second factor or recovery key) for an address from a client:
 * refuses it with 429 and `Retry-After` while the pair or the client must wait, else counts it. With
 * `proof` (a `staff-sign-in` proof of work already spent on this request) the wait counts as served.
 */
export async function beginSignInAttempt(s: Services, email: string, client: string, proof?: SpentProof): Promise<SignInAttempt> {
  const policy = policyOf(s);
  const subject = backoffSubject(s, email);
  const now = s.now();
  // Rows are locked in one fixed order (pair, client, address) so concurrent attempts cannot deadlock.
  const wait = await s.db.transaction(async (tx) => {
    const pair = await lockRow(tx, subject, client);
    const wide = await lockRow(tx, ANY, client);
    const wait = Math.max(waitMs(pair, now, policy.pair), waitMs(wide, now, policy.client));
    if (wait > 0 && !proof) return wait;
    const account = await lockRow(tx, subject, ANY);
    await countFailure(tx, pair, policy.pair, now);
    await countFailure(tx, wide, policy.client, now);
    await countNoticeFailure(tx, account, policy, now);
    return 0;
  });
  if (wait > 0) throw new SignInBackoffError(wait);
  return { subject, client };
}

/**
 * Starts a second-factor attempt (TOTP or recovery code) for an account whose password was just given: refuses it
 * with 429 and `Retry-After`, naming no proof of work, while the account's second-factor row must wait, else counts
 * it there and in the address's notice count, in one transaction, so parallel guesses cannot slip past (ADR 035).
 * The pair and client rows are neither read nor counted: a storm without the password fills those, and the
 * password step that led here already passed them.
 */
export async function beginSecondFactorAttempt(s: Services, email: string, client: string): Promise<SignInAttempt> {
  const policy = policyOf(s);
  const subject = backoffSubject(s, email);
  const now = s.now();
  // The same order as `beginSignInAttempt` (the address's notice row last), so the two cannot deadlock.
  const wait = await s.db.transaction(async (tx) => {
    const codes = await lockRow(tx, subject, SECOND_FACTOR);
    const wait = waitMs(codes, now, policy.secondFactor);
    if (wait > 0) return wait;
    const account = await lockRow(tx, subject, ANY);
    await countFailure(tx, codes, policy.secondFactor, now);
    await countNoticeFailure(tx, account, policy, now);
    return 0;
  });
  if (wait > 0) throw new SignInBackoffError(wait, false);
  return { subject, client, secondFactor: true };
}

/**
 * Only checks the wait (no count): for steps that are not a guess themselves, such as fetching recovery material.
 * A spent `proof` lets it through, as in `beginSignInAttempt` (the same statements run either way).
 */
export async function checkSignInWait(s: Services, email: string, client: string, proof?: SpentProof): Promise<void> {
  const policy = policyOf(s);
  const subject = backoffSubject(s, email);
  const now = s.now();
  const rows = await s.db
    .select()
    .from(t)
    .where(or(key(subject, client), key(ANY, client)));
  const pair = rows.find((r) => r.subject === subject);
  const wide = rows.find((r) => r.subject === ANY);
  const wait = Math.max(waitMs(pair, now, policy.pair), waitMs(wide, now, policy.client));
  if (wait > 0 && !proof) throw new SignInBackoffError(wait);
}

/**
 * The proof-of-work level of a sign-in past the back-off from this client (ADR 035): one per live failure of the
 * client over all addresses beyond the pair's free ones. The challenge is fetched before any address is named, and
 * every failure of a pair counts in its client too, so a storm on one address prices its client at once.
 */
export async function signInPowLevel(s: Pick<Services, "db" | "now" | "signInBackoff">, client: string): Promise<number> {
  const policy = policyOf(s);
  const [wide] = await s.db.select().from(t).where(key(ANY, client));
  return powLevelAfter(liveFailures(wide, s.now(), policy.client), policy.pair);
}

const takeBack = { failures: sql`greatest(${t.failures} - 1, 0)` };

/**
 * The attempt was right. `complete`: the person is signed in (or recovered the account), so the pair's
 * failures are forgotten; otherwise (the password, with the second factor to come) only this attempt's count
 * is taken back. One statement each, in the order of `beginSignInAttempt`, outside a transaction.
 * A right second factor also forgets the account's wrong codes; a recovery-key reset does too, since it changes
 * the password that whoever guessed them had (ADR 035). The client row holds no second-factor count to take back.
 */
export async function signInPassed(s: Services, attempt: SignInAttempt, complete: boolean): Promise<void> {
  if (complete) {
    await s.db.delete(t).where(key(attempt.subject, attempt.client));
    await s.db.delete(t).where(key(attempt.subject, SECOND_FACTOR));
  }
  if (attempt.secondFactor) {
    await s.db.update(t).set(takeBack).where(key(attempt.subject, ANY));
    return;
  } else await s.db.update(t).set(takeBack).where(key(attempt.subject, attempt.client));
  await s.db.update(t).set(takeBack).where(key(ANY, attempt.client));
  await s.db.update(t).set(takeBack).where(key(attempt.subject, ANY));
}

/**
 * The attempt was wrong: its count stands. If the address has now failed `noticeFailures` times within the
 * window and nobody was told today, the administrators are told once (only when it is an account's address,
 * but the same statement runs for every address).
 */
export async function signInFailed(s: Services, attempt: SignInAttempt, staffUserId: string | null): Promise<void> {
  const policy = policyOf(s);
  const now = s.now();
  const told = await s.db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(t)
      .set({ notifiedAt: now })
      .where(
        and(
          key(attempt.subject, ANY),
          sql`${t.failures} >= ${policy.noticeFailures}`,
          gt(t.firstFailureAt, new Date(now.getTime() - policy.noticeWindowMs)),
          or(isNull(t.notifiedAt), lt(t.notifiedAt, new Date(now.getTime() - DAY_MS))),
        ),
      )
      .returning({ failures: t.failures });
    if (!claimed || !staffUserId) return false;
    await notifyStaff(tx, s, {
      event: "signin_failures",
      staffUserIds: (await activeAdmins(tx)).map((a) => a.id),
      dedupeKey: `signin_failures:${staffUserId}:${now.toISOString()}`,
      at: now,
    });
    await appendAudit(
      tx,
      s,
      {
        actorType: "system",
        actorId: null,
        action: "auth.failures_reported",
        details: { staffUserId, failures: claimed.failures, windowMinutes: Math.round(policy.noticeWindowMs / 60_000) },
      },
      now,
    );
    return true;
  });
  if (told) kickStaffNotifications(s);
}

/** `user:unlock` and the administrators' "clear": forgets every failure of the address, from every client. */
export async function clearSignInBackoff(s: Services, email: string): Promise<number> {
  const rows = await s.db
    .delete(t)
    .where(eq(t.subject, backoffSubject(s, email)))
    .returning({ client: t.client });
  return rows.filter((r) => r.client !== ANY && r.client !== SECOND_FACTOR).length;
}

/** `user:unlock`: clears the address's back-off, audited as `auth.backoff_cleared` (with the account, if there is one). */
export async function unlockAddress(s: Services, email: string): Promise<number> {
  const clients = await clearSignInBackoff(s, email);
  const [user] = await s.db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(eq(staffUsers.email, normaliseEmail(email)));
  await audit(
    s.db,
    s,
    { actorType: "system", actorId: null, action: "auth.backoff_cleared", details: { via: "cli", staffUserId: user?.id ?? null, clients } },
    s.now(),
  );
  return clients;
}

/**
 * Failures per address (by subject) still remembered, summed over clients and the account's wrong second-factor
 * codes: for the administrators' staff list.
 */
export async function recentFailuresBySubject(s: Services): Promise<Map<string, number>> {
  const since = new Date(s.now().getTime() - policyOf(s).pair.forgetMs);
  const rows = await s.db
    .select({ subject: t.subject, n: sum(t.failures).mapWith(Number) })
    .from(t)
    .where(and(ne(t.client, ANY), ne(t.subject, ANY), gt(t.lastFailureAt, since)))
    .groupBy(t.subject);
  return new Map(rows.map((r) => [r.subject, r.n]));
}

/** The sweep: rows whose failures are all forgotten and whose notice is a day old. */
export async function pruneSignInBackoff(s: Services): Promise<number> {
  const policy = policyOf(s);
  const now = s.now().getTime();
  const longest = Math.max(policy.pair.forgetMs, policy.client.forgetMs, policy.secondFactor.forgetMs, policy.noticeWindowMs, DAY_MS);
  const rows = await s.db
    .delete(t)
    .where(
      and(
        or(isNull(t.lastFailureAt), lt(t.lastFailureAt, new Date(now - longest)), eq(t.failures, 0)),
        or(isNull(t.notifiedAt), lt(t.notifiedAt, new Date(now - DAY_MS))),
      ),
    )
    .returning({ subject: t.subject });
  return rows.length;
}
