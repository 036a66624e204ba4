// How far a deadline is, in words: "due in 3 days", "due today", "overdue by 2 days" ("3일 남음",
// "오늘 마감", "2일 지남"), for the inbox's deadline chips and the case page's header (issue 20).
// Pure: both days are calendar days (YYYY-MM-DD) in the portal's TIME_ZONE, "today" as the server
// computed it (app/.server/platform/dates.ts), so the browser's clock and zone never shift a deadline.
// The state names the urgency for styling; the phrase carries it in words, so colour is never the only sign.
import { translator, type Locale, type MessageKey } from "./index";

/** overdue: the day has passed; today: it is today; soon: within SOON_DAYS; later: further off. */
export type DeadlineState = "overdue" | "today" | "soon" | "later";

/** Deadlines this many days away or fewer are "soon" (the 48-hour reminders of ADR 016 come at two days). */
export const SOON_DAYS = 2;

export interface Deadline {
  state: DeadlineState;
  /** Whole days between today and the deadline, never negative (0 for today). */
  days: number;
}

const DAY_MS = 86_400_000;

function utcDay(day: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a calendar day (YYYY-MM-DD): ${day}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((utcDay(to) - utcDay(from)) / DAY_MS);
}

/** Where `dueOn` stands on `today`. */
export function deadlineOf(dueOn: string, today: string): Deadline {
  const d = daysBetween(today, dueOn);
  if (d < 0) return { state: "overdue", days: -d };
  if (d === 0) return { state: "today", days: 0 };
  return { state: d <= SOON_DAYS ? "soon" : "later", days: d };
}

/** "due in 3 days" / "due today" / "overdue by 1 day" in the reader's language. */
export function deadlinePhrase(dueOn: string, today: string, locale: Locale): string {
  const { state, days } = deadlineOf(dueOn, today);
  const t = translator(locale);
  if (state === "today") return t("deadline.today");
  const kind = state === "overdue" ? "overdue" : "dueIn";
  return t(`deadline.${kind}.${days === 1 ? "one" : "other"}` satisfies MessageKey, { days });
}
