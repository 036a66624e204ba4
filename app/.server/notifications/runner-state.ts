// The per-process state of the notification runner (the queue of send passes,
// the pause after a temporary SMTP failure, the last audit check), shared by
// outbox.ts and checks.ts.
import type { Services } from "../platform/services";

/**
 * Per-process state, kept on the services object under a global symbol: the
 * server entry and the route bundle each have their own copy of this module,
 * but share the services object, so they share one queue of send passes.
 */
export interface RunnerState {
  tail: Promise<unknown>;
  queued: boolean;
  lastAuditCheck: number | null;
  /** After a temporary failure (server unreachable, 4xx) no pass sends before this time; doubles up to an hour. */
  pauseUntil: number | null;
  pauses: number;
}
const STATE = Symbol.for("cor.staff-notifications");

export function state(s: Services): RunnerState {
  const holder = s as unknown as { [STATE]?: RunnerState };
  holder[STATE] ??= { tail: Promise.resolve(), queued: false, lastAuditCheck: null, pauseUntil: null, pauses: 0 };
  return holder[STATE];
}
