// Which instance runs a periodic job when several portals share one PostgreSQL: the one that takes
// the job's advisory lock (ADR 036). The key is derived from the job's name, so every instance and
// every release agrees on it without a table of numbers.
import { createHash } from "node:crypto";

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
