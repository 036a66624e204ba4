// Which instance runs a periodic job when several portals share one PostgreSQL: the one that takes
// the job's advisory lock (ADR 036). The key is derived from the job's name, so every instance and
// every release agrees on it without a table of numbers. Operator commands that do a job's work take
// the same lock, waiting a while for a run under way elsewhere (ADR 040).
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { DatabaseHandle } from "../db/client";

/** Namespaces the hash, so a job's key cannot equal another use of a hashed name. */
const KEY_PREFIX = "clean-okestro-report job lock\0";

/** The job's advisory-lock key: the first 8 bytes of SHA-256 of its name, as PostgreSQL's signed bigint. */
export function jobLockKey(name: string): bigint {
  if (name.length === 0) throw new RangeError("a job needs a name for its lock");
  return createHash("sha256")
    .update(KEY_PREFIX + name, "utf8")
    .digest()
    .readBigInt64BE(0);
}

/** The job's lock stayed taken by another session for as long as the caller would wait. */
export class JobLockBusyError extends Error {
  constructor(
    readonly job: string,
    readonly waitedSeconds: number,
  ) {
    super(`the ${job} is under way elsewhere (another session holds its lock)${waitedSeconds > 0 ? ` after waiting ${waitedSeconds} s` : ""}`);
    this.name = "JobLockBusyError";
  }
}

export interface LockWait {
  /** How long to keep trying while another session holds the lock; 0 tries once. */
  waitMs: number;
  /** Called once, when the first try finds the lock taken and there is time left to wait. */
  onWait?: () => void;
  /** Time between tries. */
  pollMs?: number;
}

/**
 * Runs `run` under the job's lock, as the portal's own run of the job would (`withJobLock`), trying again
 * until `waitMs` has passed. It polls with the non-waiting try, never `pg_advisory_lock`: the lock
 * connection is shared by every lock of the process, and a blocked statement on it would hold up the
 * others' unlocks. Throws `JobLockBusyError` when the lock never came free.
 */
export async function withJobLockWaiting<T>(database: Pick<DatabaseHandle, "withJobLock">, job: string, run: () => Promise<T>, wait: LockWait): Promise<T> {
  const key = jobLockKey(job);
  const deadline = performance.now() + wait.waitMs;
  let told = false;
  for (;;) {
    const outcome = await database.withJobLock(key, run);
    if (outcome.locked) return outcome.value;
    const left = deadline - performance.now();
    if (left <= 0) throw new JobLockBusyError(job, Math.round(wait.waitMs / 1000));
    if (!told) {
      told = true;
      wait.onWait?.();
    }
    await sleep(Math.min(wait.pollMs ?? 250, left));
  }
}
