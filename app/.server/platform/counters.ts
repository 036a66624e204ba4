// Counters of submissions in fixed windows, kept in the database (ADR 034):
// one atomic upsert per count, so concurrent requests on any number of
// instances each get their own number and a limit neither multiplies with
// instances nor resets on restart. Subjects name a client by its keyed daily
// pseudonym only (ADR 027). Rows are deleted by the sweep once their window is
// over (and the next one, which the flood check still reads), so they never
// become a lasting record of when anyone submitted.
import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { submissionCounters } from "../../../db/schema";
import { ApiError } from "./http";

export interface Window {
  start: Date;
  end: Date;
}

/** The fixed window of `ms` that holds `now` (aligned to the epoch, so every instance agrees). */
export function windowOf(now: Date, ms: number): Window {
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start), end: new Date(start + ms) };
}

/** Counts one more for `subject` in `window` and returns the count, this one included. */
export async function countOne(db: Db, subject: string, window: Window): Promise<number> {
  const [row] = await db
    .insert(submissionCounters)
    .values({ subject, windowEnd: window.end, count: 1 })
    .onConflictDoUpdate({ target: [submissionCounters.subject, submissionCounters.windowEnd], set: { count: sql`${submissionCounters.count} + 1` } })
    .returning({ count: submissionCounters.count });
  return row!.count;
}

/** The count of `subject` in the window that ends at `end` (0 when none or already swept). */
export async function countOf(db: Db, subject: string, end: Date): Promise<number> {
  const [row] = await db
    .select({ count: submissionCounters.count })
    .from(submissionCounters)
    .where(and(eq(submissionCounters.subject, subject), eq(submissionCounters.windowEnd, end)));
  return row?.count ?? 0;
}

/**
 * Counts a submission against a per-subject limit: over it, 429 with `Retry-After` (the window's end) and the
 * minutes in `fields.retryAfterMinutes`, which the reporter's page turns into its own sentence.
 */
export async function limitSubmissions(
  db: Db,
  input: { subject: string; limit: number; windowMs: number; now: Date; code: string; message: string },
): Promise<void> {
  const window = windowOf(input.now, input.windowMs);
  const count = await countOne(db, input.subject, window);
  if (count <= input.limit) return;
  const seconds = Math.max(1, Math.ceil((window.end.getTime() - input.now.getTime()) / 1000));
  const minutes = String(Math.ceil(seconds / 60));
  const e = new ApiError(429, input.code, `${input.message}; try again in ${minutes} minutes`, { retryAfterMinutes: minutes });
  e.retryAfterSeconds = seconds;
  throw e;
}

/** Deletes counters whose window ended more than `keepMs` ago (the sweep); returns how many. */
export async function sweepCounters(db: Db, now: Date, keepMs: number): Promise<number> {
  const gone = await db
    .delete(submissionCounters)
    .where(lt(submissionCounters.windowEnd, new Date(now.getTime() - keepMs)))
    .returning({ s: submissionCounters.subject });
  return gone.length;
}
