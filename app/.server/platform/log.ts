// A small structured logger. It is deliberately dumb: callers pass only
// operational facts (route ids, status codes, counts, durations). Nothing on a
// reporter route may log request bodies, headers, IP addresses or user agents.
// Each line's time says only the minute (ADR 033): a request line of a reporter
// route must not be matchable to the millisecond against a proxy's or another
// system's log, and lines about staff gain nothing from more (the audit log keeps
// staff actions exactly). Order within a minute is the order of the lines.
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** `2026-12-07T13:06Z`: ISO 8601 to the minute (UTC), what every log line carries as `t`. */
export function logMinute(at: Date): string {
  return `${at.toISOString().slice(0, 16)}Z`;
}

export function createLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const emit = (at: Exclude<LogLevel, "silent">, msg: string, fields?: LogFields) => {
    if (ORDER[at] < ORDER[level]) return;
    write(JSON.stringify({ t: logMinute(new Date()), level: at, msg, ...fields }));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
  };
}

/**
 * Error details safe to log: class names and the first line of each message.
 * Query errors quote their parameters after "params:"; that part is cut, since
 * parameters carry ciphertext and receipt look-up values.
 */
export function describeError(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: typeof error };
  const clean = (e: Error) => `${e.name}: ${e.message.split(/\n|params:/)[0]!.slice(0, 300)}`;
  const causes: string[] = [];
  let c: unknown = error.cause;
  while (c instanceof Error && causes.length < 3) {
    causes.push(clean(c));
    c = c.cause;
  }
  return { error: clean(error), cause: causes.join(" <- ") || undefined };
}
