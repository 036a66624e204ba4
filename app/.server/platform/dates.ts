// Workflow dates are calendar days in the organisation's time zone: coarse on
// purpose (no time of day is stored for anything a reporter does).
export function dayIn(timeZone: string, at: Date): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
  return parts; // en-CA formats as YYYY-MM-DD
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addMonths(day: string, months: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  const targetMonth = d.getUTCMonth() + months;
  const result = new Date(Date.UTC(d.getUTCFullYear(), targetMonth, 1));
  const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
  result.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return result.toISOString().slice(0, 10);
}

/** Today's calendar day in the organisation's time zone, by the services' clock (or at `at`). */
export function today(s: { config: { TIME_ZONE: string }; now(): Date }, at: Date = s.now()): string {
  return dayIn(s.config.TIME_ZONE, at);
}

/** The first instant of the calendar day of `at` in `timeZone`. */
export function startOfDayIn(timeZone: string, at: Date): Date {
  const day = dayIn(timeZone, at);
  const wanted = Date.parse(`${day}T00:00:00Z`);
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  let t = wanted;
  // Two corrections settle the zone's offset (and a daylight-saving change on that day).
  for (let i = 0; i < 2; i++) {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
    t += wanted - wall;
  }
  return new Date(t);
}

/** The hour (0-23) of `at` on the clocks of `timeZone`. */
export function localHour(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).formatToParts(at);
  return Number(parts.find((p) => p.type === "hour")?.value ?? "0") % 24;
}

/**
 * `at` cut to the whole minute (UTC). Transient rows about a reporter (uploads in progress,
 * follow-up sessions) keep times only this fine: enough for their timeouts (ADR 033).
 */
export function minuteOf(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 60_000) * 60_000);
}

/** How much earlier than the true time a `minuteOf` value can be: timeouts on them add this. */
export const MINUTE_SLACK_MS = 60_000;
