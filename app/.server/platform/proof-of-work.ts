// What the rest of the portal needs of the proof of work (ADR 032), as an
// interface on the services: the implementation lives in app/.server/pow/,
// which platform/ does not import (server/start.ts builds it).
import type { PowAction, PowChallengeResponse } from "../../shared/pow-wire";

/** A spent challenge: its id in `pow_spent`. */
export interface SpentProof {
  id: Buffer;
}

export interface ProofOfWorkGate {
  /** A new challenge for this client and action at its current difficulty. */
  challenge(clientKey: string, action: PowAction): Promise<PowChallengeResponse>;
  /**
   * Verifies the solution carried in `header` for this action and client, and spends it; a typed 4xx otherwise. A
   * follow-up session's spend counts as a wrong receipt code until `succeeded`, so concurrent guesses all count.
   */
  spend(args: { header: string | null; action: PowAction; clientKey: string }): Promise<SpentProof>;
  /**
   * A receipt look-up without a proof (the follow-up without JavaScript, ADR 044): recorded as a spend that counts as
   * a wrong code until `succeeded`, in `failures(…, "any")` only: never in the scripted path's limit or difficulty.
   */
  attemptWithoutProof(clientKey: string): Promise<SpentProof>;
  /** Withdraws an attempt without a proof that was refused before its look-up. */
  withdraw(proof: SpentProof): Promise<void>;
  /** Wrong receipt codes this client spent in the receipt window: with a proof ("proof", the default) or on either path. */
  failures(clientKey: string, paths?: "proof" | "any"): Promise<number>;
  /** The receipt code was right: the spend no longer counts as a failure. */
  succeeded(proof: SpentProof): Promise<void>;
  /** Deletes spends no window needs any more. */
  prune(): Promise<number>;
}

/** What an endpoint that needs a proof of work answers when it is missing or not good (documented in openapi.json). */
export const POW_REFUSALS = [
  { status: 428, code: "proof_of_work_required" },
  { status: 400, code: "proof_of_work_invalid" },
  { status: 400, code: "proof_of_work_expired" },
  { status: 400, code: "proof_of_work_too_easy" },
  { status: 409, code: "proof_of_work_used" },
] as const;

/** What an endpoint whose proof of work is optional answers when one is sent and not good (never 428). */
export const OPTIONAL_POW_REFUSALS = POW_REFUSALS.filter((r) => r.status !== 428);
