// Whether an error means the database cannot be reached right now (PostgreSQL
// restarting, stopped, refusing or dropping connections), as opposed to a
// query that failed on its own. Such requests are answered 503 with
// Retry-After: the same request will work once the database is back.
//
// Errors are recognised by `code`, never by class: drizzle wraps driver errors
// and keeps them as `cause`, Node reports a refused connection to several
// addresses as an AggregateError, and the drivers' error classes differ.

/** Socket and DNS failures (Node), and postgres.js's own connection errors. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/**
 * SQLSTATEs of a server that is going away, not there yet or full: 57P01 admin_shutdown, 57P02
 * crash_shutdown, 57P03 cannot_connect_now, 53300 too_many_connections; class 08, connection exception
 * (08000, 08003, 08006, 08001, 08004), except 08P01 protocol_violation, which a retry does not mend.
 */
function unavailableSqlState(code: string): boolean {
  return ["57P01", "57P02", "57P03", "53300"].includes(code) || (/^08[0-9A-Z]{3}$/.test(code) && code !== "08P01");
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length && seen.size < 20) {
    const e = pending.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const { code, cause, errors } = e as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || unavailableSqlState(code))) return true;
    pending.push(cause);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return false;
}

/** What a client is told to wait before trying again (seconds): about how long a PostgreSQL restart takes. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
