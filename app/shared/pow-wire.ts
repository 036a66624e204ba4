// The proof of work's wire format (ADR 032, docs/CRYPTO.md §13): the actions
// that need one, the challenge the portal hands out and the header that
// carries a solution. Browser-safe; the server validates with these schemas.
import { z } from "zod";

/** The request header that carries a solved challenge: base64 of the JSON `{challenge, solution}` (ALTCHA v2 payload). */
export const POW_HEADER = "X-Proof-Of-Work";

/**
 * What a challenge is for; a challenge is spent only on its own action. `staff-sign-in` is the optional way past a
 * sign-in back-off (ADR 035): only a 429 that names it asks for one.
 */
export const POW_ACTIONS = ["report", "upload", "followup-session", "followup-post", "staff-sign-in"] as const;
export type PowAction = (typeof POW_ACTIONS)[number];

export const powChallengeQuery = z.object({ action: z.enum(POW_ACTIONS) }).strict();

/** An ALTCHA v2 challenge in deterministic mode (SHA-256, cost 1), signed with the portal's proof-of-work key. */
export const powChallenge = z
  .object({
    parameters: z
      .object({
        algorithm: z.literal("SHA-256"),
        nonce: z.string(),
        salt: z.string(),
        cost: z.number().int(),
        keyLength: z.number().int(),
        keyPrefix: z.string(),
        keySignature: z.string(),
        expiresAt: z.number().int(),
        data: z.object({ action: z.enum(POW_ACTIONS), client: z.string(), difficulty: z.number().int() }).strict(),
      })
      .strict(),
    signature: z.string(),
  })
  .strict();
export type PowChallenge = z.infer<typeof powChallenge>;

export const powChallengeResponse = z
  .object({
    challenge: powChallenge,
    /** The largest counter the solver may have to try (about half on average): the current difficulty for this client and action. */
    difficulty: z.number().int(),
    /** How many doublings above normal, for the reporter's status message. */
    level: z.number().int(),
  })
  .strict();
export type PowChallengeResponse = z.infer<typeof powChallengeResponse>;

/** A solution as the ALTCHA solver returns it. */
export interface PowSolution {
  counter: number;
  derivedKey: string;
}

/** Solves a challenge: ALTCHA's solver in Web Workers in a browser, inline in Node (app/shared/pow-client.ts). */
export type PowSolver = (challenge: PowChallenge) => Promise<PowSolution>;

/** What the page shows while a proof of work runs: `level` > 0 when the portal asks for more work than usual. */
export type PowState = { solving: true; level: number } | { solving: false };

/** The header value for a solved challenge. */
export function powHeaderValue(challenge: PowChallenge, solution: PowSolution): string {
  const json = JSON.stringify({ challenge, solution: { counter: solution.counter, derivedKey: solution.derivedKey } });
  const bytes = new TextEncoder().encode(json);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** Error codes of a refused proof of work; the clients fetch a new challenge and try once more on the retryable ones. */
export const POW_RETRYABLE = new Set(["proof_of_work_expired", "proof_of_work_too_easy", "proof_of_work_used"]);
