// Exponential back-off with a cap (ADR 030): how long a key (for sign-in, an
// address and a client; for the second factor, an account) must wait after
// its failures. Pure: the state lives
// in the database (app/.server/staff/sign-in-backoff.ts), so every instance
// and every restart answers alike.
//
// `waitMs` is the one place that decides "wait N milliseconds"; nothing else
// refuses a sign-in. A solved proof of work is the way past a non-zero answer
// of the pair and client rules (ADR 035): `powLevelAfter` prices it, doubling
// with each failure as the wait does. Nothing goes past the second factor's.

export interface BackoffRule {
  /** Failures that cost nothing: a person mistyping. */
  free: number;
  /** The wait after the first failure beyond `free`; it doubles with each further one. */
  baseMs: number;
  /** The longest wait: the key is slowed down, never shut out. */
  capMs: number;
  /** Failures are forgotten this long after the last one. */
  forgetMs: number;
}

export interface SignInBackoffPolicy {
  /** One address from one client. */
  pair: BackoffRule;
  /** One client over all addresses (password spraying, Argon2 cost). */
  client: BackoffRule;
  /**
   * One account's second-factor codes from every client (ADR 035): only someone with the password reaches that
   * step, so nothing else fills it, and no proof of work goes past it.
   */
  secondFactor: BackoffRule;
  /** Administrators are told when one address gets this many failures from any clients… */
  noticeFailures: number;
  /** …within this window (at most one notice a day per address). */
  noticeWindowMs: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Defaults; the reasons for each figure are in ADR 030. */
export const SIGN_IN_BACKOFF: SignInBackoffPolicy = {
  pair: { free: 10, baseMs: 1000, capMs: 15 * MINUTE, forgetMs: DAY },
  client: { free: 50, baseMs: 1000, capMs: 15 * MINUTE, forgetMs: 60 * MINUTE },
  secondFactor: { free: 10, baseMs: 1000, capMs: 15 * MINUTE, forgetMs: DAY },
  noticeFailures: 10,
  noticeWindowMs: 60 * MINUTE,
};

export interface FailureState {
  failures: number;
  lastFailureAt: Date | null;
}

/** Failures still remembered at `now` (0 once forgotten). */
export function liveFailures(state: FailureState | undefined, now: Date, rule: BackoffRule): number {
  if (!state?.lastFailureAt || now.getTime() - state.lastFailureAt.getTime() >= rule.forgetMs) return 0;
  return state.failures;
}

/** The delay that `failures` failures earn: 0 up to `free`, then base, 2×base, 4×base, … up to the cap. */
export function delayAfter(failures: number, rule: BackoffRule): number {
  const over = failures - rule.free;
  if (over <= 0) return 0;
  return Math.min(rule.capMs, rule.baseMs * 2 ** Math.min(over - 1, 40));
}

/**
 * How long the key must still wait at `now` before its next attempt; 0: it may try now. Never more
 * than the delay itself, so a last failure stamped ahead of `now` (another instance's clock) cannot
 * stretch it.
 */
export function waitMs(state: FailureState | undefined, now: Date, rule: BackoffRule): number {
  const failures = liveFailures(state, now, rule);
  const delay = delayAfter(failures, rule);
  if (delay === 0 || !state?.lastFailureAt) return 0;
  return Math.min(delay, Math.max(0, state.lastFailureAt.getTime() + delay - now.getTime()));
}

/**
 * The proof-of-work level (doublings of the normal work) asked of a key past its wait (ADR 035): one per failure
 * beyond `free`, as the wait doubles per failure; 0 while the failures are free. The caller caps it.
 */
export function powLevelAfter(failures: number, rule: Pick<BackoffRule, "free">): number {
  return Math.max(0, failures - rule.free);
}
