// Proof of work for anonymous actions (ADR 032). Opening a report, creating an
// upload, opening a follow-up session and posting from it each spend one
// solved challenge; a staff sign-in spends one only to go past its back-off
// (ADR 035). Challenges come from ALTCHA (altcha-lib, v2, SHA-256 in
// deterministic mode): the portal picks a random counter below the difficulty,
// the browser finds it by trying counters from 0 (half the difficulty on
// average), and the portal checks the answer with one HMAC.
//
// - Keys: both HMAC secrets derive from `secret.key("proof-of-work")` (ADR
//   027), so every instance sharing the secret accepts the others' challenges.
// - A challenge names its action, the client it was issued to (a tag of the
//   keyed pseudonym) and its difficulty, all under the signature; it expires
//   after POW_CHALLENGE_MINUTES and is spent once (`pow_spent`, primary key).
// - Difficulty = POW_DIFFICULTY × 2^level. The level adds one per doubling of
//   the client's spent challenges over POW_CLIENT_ACTIONS in the window, and
//   one per doubling of everyone's over POW_GLOBAL_ACTIONS (for follow-up
//   sessions also of wrong receipt codes over RECEIPT_ATTEMPTS_GLOBAL), capped
//   at POW_MAX_LEVEL. For `staff-sign-in` (ADR 035) the client's part is the
//   higher of that and one level per sign-in failure of the client beyond the
//   free ones (`actionLevel`, from the back-off). A global storm thus makes everyone work harder but never
//   refuses anyone; it falls back as the window moves on.
// - A solution whose signed difficulty is below half of what the client would
//   get now is "too easy" (one level of slack, so a reporter who was solving
//   while a storm began is asked once for a new one, not refused).
import { createHash, randomBytes, randomInt } from "node:crypto";
import { and, count, eq, gte, lt, ne } from "drizzle-orm";
import { createChallenge, verifySolution } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/sha";
import { powSpent } from "../../../db/schema";
import { powChallenge, type PowAction, type PowChallenge, type PowChallengeResponse } from "../../shared/pow-wire";
import { ApiError } from "../platform/http";
import type { ProofOfWorkGate, SpentProof } from "../platform/proof-of-work";
import type { Services } from "../platform/services";

type Deps = Pick<Services, "db" | "config" | "secret" | "now"> & {
  /**
   * A level an action earns from outside `pow_spent` (the sign-in back-off for `staff-sign-in`, ADR 035), taken
   * instead of the client's spend level when higher: both measure the same client.
   */
  actionLevel?: (clientKey: string, action: PowAction) => Promise<number>;
};

const MINUTE = 60_000;
/** Largest counter ALTCHA's uint32 mode encodes. */
const MAX_COUNTER = 0xffff_ffff;
/** A receipt look-up without a proof (ADR 044): its own count, outside every difficulty. */
const PLAIN_ATTEMPT = "followup-session-plain";
/** Spends that paid a proof: what the difficulty and the scripted path's failures count. */
const withProof = ne(powSpent.action, PLAIN_ATTEMPT);

export class ProofOfWorkError extends ApiError {
  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(status, code, message, undefined, options);
    this.name = "ProofOfWorkError";
  }
}

const refusal = {
  missing: () => new ProofOfWorkError(428, "proof_of_work_required", "this request needs a solved proof of work (GET /api/pow/challenge)"),
  invalid: (cause?: unknown) => new ProofOfWorkError(400, "proof_of_work_invalid", "the proof of work is malformed, forged or wrong", { cause }),
  expired: () => new ProofOfWorkError(400, "proof_of_work_expired", "the proof-of-work challenge has expired or was issued for another request; get a new one"),
  tooEasy: () => new ProofOfWorkError(400, "proof_of_work_too_easy", "the proof of work is easier than the portal now asks; get a new challenge"),
  used: () => new ProofOfWorkError(409, "proof_of_work_used", "this proof of work has been spent already; get a new challenge"),
};

/** Doublings of `n` over `budget`: 0 below it, 1 from it, 2 from twice it… */
export function levelOver(n: number, budget: number): number {
  return n < budget ? 0 : Math.floor(Math.log2(n / budget)) + 1;
}

const minute = (d: Date) => new Date(Math.floor(d.getTime() / MINUTE) * MINUTE);

export class ProofOfWork implements ProofOfWorkGate {
  private readonly signatureSecret: string;
  private readonly keySignatureSecret: string;

  constructor(private readonly s: Deps) {
    const key = s.secret.key("proof-of-work");
    this.signatureSecret = key.toString("base64url");
    this.keySignatureSecret = s.secret.mac("proof-of-work", "derived-key").toString("base64url");
  }

  /** A tag of the client pseudonym inside the challenge: a challenge fetched by one client cannot be spent by another. */
  private clientTag(clientKey: string): string {
    return this.s.secret.mac("proof-of-work", "client\u0000", clientKey).subarray(0, 9).toString("base64url");
  }

  /** The current level and difficulty for this client and action, from the spent challenges in the window. */
  async difficulty(clientKey: string, action: PowAction): Promise<{ level: number; difficulty: number }> {
    const { db, config } = this.s;
    const now = this.s.now().getTime();
    const since = new Date(now - config.POW_WINDOW_MINUTES * MINUTE);
    const [[mine], [all], earned] = await Promise.all([
      db
        .select({ n: count() })
        .from(powSpent)
        .where(and(eq(powSpent.clientKey, clientKey), gte(powSpent.spentAt, since), withProof)),
      db
        .select({ n: count() })
        .from(powSpent)
        .where(and(gte(powSpent.spentAt, since), withProof)),
      this.s.actionLevel?.(clientKey, action) ?? 0,
    ]);
    let global = levelOver(all?.n ?? 0, config.POW_GLOBAL_ACTIONS);
    if (action === "followup-session") {
      const [wrong] = await db
        .select({ n: count() })
        .from(powSpent)
        .where(and(eq(powSpent.failed, true), gte(powSpent.spentAt, new Date(now - config.RECEIPT_LIMIT_WINDOW_MINUTES * MINUTE)), withProof));
      global = Math.max(global, levelOver(wrong?.n ?? 0, config.RECEIPT_ATTEMPTS_GLOBAL));
    }
    const client = Math.max(levelOver(mine?.n ?? 0, config.POW_CLIENT_ACTIONS), earned);
    const level = Math.min(config.POW_MAX_LEVEL, client + global);
    return { level, difficulty: Math.min(MAX_COUNTER, config.POW_DIFFICULTY * 2 ** level) };
  }

  /** A new challenge for this client and action at its current difficulty. */
  async challenge(clientKey: string, action: PowAction): Promise<PowChallengeResponse> {
    const { level, difficulty } = await this.difficulty(clientKey, action);
    const made = await createChallenge({
      algorithm: "SHA-256",
      cost: 1,
      counter: randomInt(0, difficulty),
      deriveKey,
      data: { action, client: this.clientTag(clientKey), difficulty },
      expiresAt: new Date(this.s.now().getTime() + this.s.config.POW_CHALLENGE_MINUTES * MINUTE),
      hmacSignatureSecret: this.signatureSecret,
      hmacKeySignatureSecret: this.keySignatureSecret,
    });
    return { challenge: powChallenge.parse(made), difficulty, level };
  }

  /**
   * Checks the solution in `header` for this action and client and spends it.
   * A follow-up session's spend counts as a wrong receipt code from the start
   * (`succeeded` clears it when the code is right), so concurrent guesses all
   * count before any of them is looked up.
   */
  async spend(args: { header: string | null; action: PowAction; clientKey: string }): Promise<SpentProof> {
    if (!args.header) throw refusal.missing();
    let challenge: PowChallenge;
    let solution: { counter: number; derivedKey: string };
    try {
      if (args.header.length > 4096) throw new Error("header too long");
      const raw = JSON.parse(Buffer.from(args.header, "base64").toString("utf8")) as {
        challenge?: unknown;
        solution?: { counter?: unknown; derivedKey?: unknown };
      };
      challenge = powChallenge.parse(raw.challenge);
      const { counter, derivedKey } = raw.solution ?? {};
      if (typeof counter !== "number" || typeof derivedKey !== "string") throw new Error("solution must have a counter and a derived key");
      solution = { counter, derivedKey };
    } catch (cause) {
      throw refusal.invalid(cause);
    }
    const nowMs = this.s.now().getTime();
    // The library compares expiry with the process clock; the portal's clock (which tests move) decides here first.
    if (challenge.parameters.expiresAt * 1000 < nowMs) throw refusal.expired();
    const result = await verifySolution({
      challenge,
      solution,
      deriveKey,
      hmacSignatureSecret: this.signatureSecret,
      hmacKeySignatureSecret: this.keySignatureSecret,
    });
    if (result.expired) throw refusal.expired();
    if (!result.verified) throw refusal.invalid();
    const { data } = challenge.parameters;
    if (data.action !== args.action || data.client !== this.clientTag(args.clientKey)) throw refusal.expired();
    const now = await this.difficulty(args.clientKey, args.action);
    if (data.difficulty * 2 < now.difficulty) throw refusal.tooEasy();
    const id = createHash("sha256").update(challenge.signature).digest();
    const spent = await this.s.db
      .insert(powSpent)
      .values({ challengeHash: id, clientKey: args.clientKey, action: args.action, spentAt: minute(this.s.now()), failed: args.action === "followup-session" })
      .onConflictDoNothing()
      .returning({ id: powSpent.challengeHash });
    if (spent.length === 0) throw refusal.used();
    return { id };
  }

  /** A look-up without a proof (ADR 044): a row of its own (a random id, no challenge), a wrong code until `succeeded`. */
  async attemptWithoutProof(clientKey: string): Promise<SpentProof> {
    const id = randomBytes(32);
    await this.s.db.insert(powSpent).values({ challengeHash: id, clientKey, action: PLAIN_ATTEMPT, spentAt: minute(this.s.now()), failed: true });
    return { id };
  }

  /**
   * Wrong receipt codes this client spent in the receipt window (the per-client limit of ADR 011): "proof" counts
   * those of the scripted path only, "any" those of both paths (the limit without JavaScript).
   */
  async failures(clientKey: string, paths: "proof" | "any" = "proof"): Promise<number> {
    const since = new Date(this.s.now().getTime() - this.s.config.RECEIPT_LIMIT_WINDOW_MINUTES * MINUTE);
    const [row] = await this.s.db
      .select({ n: count() })
      .from(powSpent)
      .where(and(eq(powSpent.clientKey, clientKey), eq(powSpent.failed, true), gte(powSpent.spentAt, since), paths === "proof" ? withProof : undefined));
    return row?.n ?? 0;
  }

  /** An attempt without a proof that was refused before its look-up: it no longer counts. */
  async withdraw(proof: SpentProof): Promise<void> {
    await this.s.db.delete(powSpent).where(and(eq(powSpent.challengeHash, proof.id), eq(powSpent.action, PLAIN_ATTEMPT)));
  }

  /** The receipt code was right after all: the spend no longer counts as a failure. */
  async succeeded(proof: SpentProof): Promise<void> {
    await this.s.db.update(powSpent).set({ failed: false }).where(eq(powSpent.challengeHash, proof.id));
  }

  /** Deletes spends older than every window and challenge lifetime (the sweep). */
  async prune(): Promise<number> {
    const { config } = this.s;
    const keepMinutes = Math.max(config.POW_WINDOW_MINUTES, config.POW_CHALLENGE_MINUTES, config.RECEIPT_LIMIT_WINDOW_MINUTES) + 1;
    const gone = await this.s.db
      .delete(powSpent)
      .where(lt(powSpent.spentAt, new Date(this.s.now().getTime() - keepMinutes * MINUTE)))
      .returning({ id: powSpent.challengeHash });
    return gone.length;
  }
}
