// A deadline in words for the case header: "due in 3 days", "due today", "overdue by 2 days" (and in Korean), with an
// icon whose shape and a colour that both repeat what the words say, so colour is never the only signal (WCAG 1.4.1).
// Days are calendar days in the portal's TIME_ZONE: `today` comes from the server's clock, the one that decides
// whether a case is overdue, so the header and the inbox's "overdue" never disagree.
import type { Translate } from "../../i18n";
import { daysBetween, deadlineOf } from "../../i18n/deadlines";

/** Where a deadline stands: `soon` is within two days (the reminders' 48 hours), `done` is met or no longer due. */
export type DeadlineKind = "overdue" | "today" | "soon" | "later" | "done" | "pending";

export interface DeadlineStatus {
  kind: DeadlineKind;
  /** Whole days until the deadline (negative: past it); 0 for `done` and `pending`. */
  days: number;
}

/** Calendar days from `today` to `dueOn` (both YYYY-MM-DD); throws on anything else, rather than guess. */
export function daysUntil(dueOn: string, today: string): number {
  return daysBetween(today, dueOn);
}

/** The state of a deadline that is still open on `today` (the inbox's chips use the same rule, app/i18n/deadlines.ts). */
export function deadlineStatus(dueOn: string, today: string): DeadlineStatus {
  const { state, days } = deadlineOf(dueOn, today);
  return { kind: state, days: state === "overdue" ? -days : days };
}

/** "due in 3 days", "due today", "overdue by 1 day" (the inbox's words); "" for `done` and `pending`, which say their own sentence. */
export function deadlinePhrase(t: Translate, status: DeadlineStatus): string {
  const days = Math.abs(status.days);
  switch (status.kind) {
    case "overdue":
      return t(days === 1 ? "deadline.overdue.one" : "deadline.overdue.other", { days });
    case "today":
      return t("deadline.today");
    case "soon":
    case "later":
      return t(days === 1 ? "deadline.dueIn.one" : "deadline.dueIn.other", { days });
    default:
      return "";
  }
}

/** A symbol per kind: a different shape for each, hidden from screen readers (the words say it). */
const ICON: Record<DeadlineKind, string> = { overdue: "⚠", today: "●", soon: "◔", later: "○", done: "✓", pending: "–" };

export function DeadlineText(props: { status: DeadlineStatus; text: string; testId: string }) {
  const { status } = props;
  return (
    <span className={`deadline deadline--${status.kind}`} data-testid={props.testId} data-deadline={status.kind}>
      <span className="deadline__icon" aria-hidden="true">
        {ICON[status.kind]}
      </span>{" "}
      {props.text}
    </span>
  );
}
