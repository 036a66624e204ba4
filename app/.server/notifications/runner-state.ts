// The per-process state of the notification runner (the queue of send passes,
// the pause after a temporary SMTP failure, the last audit check), shared by
// outbox.ts and checks.ts.
import type { Services } from "../platform/services";

/** Per-process state for each services object: one queue of send passes (ADR 021: one copy of this module). */
export interface RunnerState {
  tail: Promise<unknown>;
  queued: boolean;
  lastAuditCheck: number | null;
  /** After a temporary failure (server unreachable, 4xx) no pass sends before this time; doubles up to an hour. */
  pauseUntil: number | null;
  pauses: number;
}
const states = new WeakMap<Services, RunnerState>();

export function state(s: Services): RunnerState {
  let st = states.get(s);
  if (!st) states.set(s, (st = { tail: Promise.resolve(), queued: false, lastAuditCheck: null, pauseUntil: null, pauses: 0 }));
  return st;
}
