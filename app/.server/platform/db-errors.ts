// Recognising database errors the domain code answers on its own (a retried
// or raced insert), on PGlite and on PostgreSQL alike: both report the
// SQLSTATE, possibly wrapped by drizzle in an error's cause.

/** A unique violation (of `constraint` when given) anywhere in the error's chain of causes. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e instanceof Error || (typeof e === "object" && e !== null); e = (e as { cause?: unknown }).cause) {
    const o = e as { code?: string; constraint_name?: string; constraint?: string };
    if (o.code === "23505" && (constraint === undefined || o.constraint_name === constraint || o.constraint === constraint)) return true;
    if (!(e as { cause?: unknown }).cause) break;
  }
  return false;
}
