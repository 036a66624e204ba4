// Getting and solving a proof of work before an anonymous action (ADR 032,
// docs/CRYPTO.md §13). In a browser the solving runs in Web Workers from our
// own origin (app/shared/pow.worker.ts, up to four at once), so the page stays
// responsive; in Node (tests, benchmarks) the same ALTCHA solver runs inline.
// A refusal the client can cure (expired, too easy after the difficulty rose,
// already spent) fetches a new challenge and tries again, at most twice.
import type { Api } from "./transport";
import { IntakeError } from "./transport";
import {
  POW_HEADER,
  POW_RETRYABLE,
  powHeaderValue,
  type PowAction,
  type PowChallenge,
  type PowChallengeResponse,
  type PowSolution,
  type PowSolver,
  type PowState,
} from "./pow-wire";

export type { PowSolver, PowState };

export interface PowOptions {
  /** Replaces the default solver (workers in a browser, inline in Node). */
  solvePow?: PowSolver;
  onPow?: (state: PowState) => void;
}

async function solveInline(challenge: PowChallenge): Promise<PowSolution> {
  const [{ solveChallenge }, { deriveKey }] = await Promise.all([import("altcha-lib"), import("altcha-lib/algorithms/web/sha")]);
  const solution = await solveChallenge({ challenge, deriveKey, timeout: 0 });
  if (!solution) throw new IntakeError("proof_of_work_failed", "the proof of work could not be solved");
  return solution;
}

async function solveInWorkers(challenge: PowChallenge): Promise<PowSolution> {
  const { solveChallengeWorkers } = await import("altcha-lib");
  const solution = await solveChallengeWorkers({
    challenge,
    concurrency: Math.min(4, navigator.hardwareConcurrency || 1),
    createWorker: () => new Worker(new URL("./pow.worker.ts", import.meta.url), { type: "module" }),
    timeout: 0,
  });
  if (!solution) throw new IntakeError("proof_of_work_failed", "the proof of work could not be solved");
  return solution;
}

export const defaultPowSolver: PowSolver = (challenge) =>
  typeof Worker !== "undefined" && typeof window !== "undefined" ? solveInWorkers(challenge) : solveInline(challenge);

/** A fresh challenge for `action`, solved: the headers that carry it. */
export async function powHeaders(api: Api, action: PowAction, options: PowOptions = {}): Promise<Record<string, string>> {
  const got = await api.call<PowChallengeResponse>("GET", `/api/pow/challenge?action=${action}`);
  options.onPow?.({ solving: true, level: got.level });
  try {
    const solution = await (options.solvePow ?? defaultPowSolver)(got.challenge);
    return { [POW_HEADER]: powHeaderValue(got.challenge, solution) };
  } finally {
    options.onPow?.({ solving: false });
  }
}

/** Runs `request` with a solved proof of work for `action`; a curable refusal gets a new challenge (twice at most). */
export async function withPow<T>(api: Api, action: PowAction, options: PowOptions, request: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    const headers = await powHeaders(api, action, options);
    try {
      return await request(headers);
    } catch (error) {
      if (attempt < 2 && error instanceof IntakeError && POW_RETRYABLE.has(error.code)) continue;
      throw error;
    }
  }
}

/**
 * Runs `request` as it is; if it is refused with a 429 that names a proof of work (a sign-in back-off, ADR 035),
 * solves one and sends the same request again with it. The request's own answer then stands (a wrong password is
 * still wrong); if no proof could be got, solved or accepted, the first 429 stands, so the page shows the wait.
 */
export async function withPowIfAsked<T>(api: Api, options: PowOptions, request: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  try {
    return await request({});
  } catch (refused) {
    const action = refused instanceof IntakeError && refused.status === 429 ? refused.proofOfWork : undefined;
    if (!action) throw refused;
    let answered = false;
    try {
      return await withPow(api, action, options, async (headers) => {
        try {
          return await request(headers);
        } catch (error) {
          answered = !(error instanceof IntakeError && error.code.startsWith("proof_of_work_"));
          throw error;
        }
      });
    } catch (error) {
      if (answered) throw error;
      throw refused;
    }
  }
}
