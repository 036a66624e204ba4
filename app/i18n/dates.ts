// The one way staff, affiliate and administration pages write dates and times (issue 20): a calendar
// day, or an instant in the portal's TIME_ZONE with that zone's offset, e.g. "8 December 2026, 06:53
// (UTC+9)" and "2026년 12월 8일 06:53 (UTC+9)". The text is put together here from numeric parts rather
// than by a locale's own pattern, which differs between ICU builds (Node and the browser) and would
// break hydration of server-rendered pages. Reporter pages show days only (ADR 033).
/** The catalogs' languages (i18n/index.ts re-exports this module, so the type is not imported from there). */
type Locale = "ko" | "en";

const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function dayText(p: Pick<Parts, "year" | "month" | "day">, locale: Locale): string {
  return locale === "ko" ? `${p.year}년 ${p.month}월 ${p.day}일` : `${p.day} ${MONTHS_EN[p.month - 1]} ${p.year}`;
}

/** A calendar day (YYYY-MM-DD) in the reader's language: "8 December 2026", "2026년 12월 8일". */
export function formatDay(day: string, locale: Locale): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  return dayText({ year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) }, locale);
}

/** The wall-clock parts of `at` in `timeZone`, and the zone's offset from UTC then, in minutes. */
export function zonedParts(at: Date, timeZone: string): Parts & { offsetMinutes: number } {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const n: Record<string, number> = {};
  for (const p of f.formatToParts(at)) if (p.type !== "literal") n[p.type] = Number(p.value);
  const hour = n.hour === 24 ? 0 : n.hour!;
  const wall = Date.UTC(n.year!, n.month! - 1, n.day!, hour, n.minute!, n.second!);
  const whole = Math.floor(at.getTime() / 1000) * 1000;
  return { year: n.year!, month: n.month!, day: n.day!, hour, minute: n.minute!, offsetMinutes: Math.round((wall - whole) / 60_000) };
}

/** "UTC", "UTC+9", "UTC-3:30". */
export function offsetLabel(minutes: number): string {
  if (minutes === 0) return "UTC";
  const sign = minutes > 0 ? "+" : "-";
  const abs = Math.abs(minutes);
  const m = abs % 60;
  return `UTC${sign}${Math.floor(abs / 60)}${m ? `:${String(m).padStart(2, "0")}` : ""}`;
}

/** An instant (ISO 8601) as day, 24-hour time and offset in `timeZone`; the text unchanged when it is not a date. */
export function formatDateTime(iso: string, locale: Locale, timeZone: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const p = zonedParts(at, timeZone);
  const time = `${String(p.hour).padStart(2, "0")}:${String(p.minute).padStart(2, "0")}`;
  const zone = offsetLabel(p.offsetMinutes);
  return locale === "ko" ? `${dayText(p, locale)} ${time} (${zone})` : `${dayText(p, locale)}, ${time} (${zone})`;
}
