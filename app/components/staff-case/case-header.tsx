// The case header: what an investigator checks first, kept in view while they work further down (sticky where the
// screen has room for it, in the page's flow on a narrow or short one: app/styles/staff-case.css). Case number and
// title, category, status, assignee, priority, and both deadlines in words; then the navigation to the sections.
import type { ReactNode } from "react";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import type { StaffCaseView } from "../../staff/wire";
import { UserText } from "../user-text";
import { deadlinePhrase, deadlineStatus, DeadlineText, type DeadlineStatus } from "./deadline";

const DONE: DeadlineStatus = { kind: "done", days: 0 };
const PENDING: DeadlineStatus = { kind: "pending", days: 0 };

/** The acknowledgement deadline and the feedback deadline, each as a status and a sentence. */
export function useCaseDeadlines(c: StaffCaseView, today: string): Record<"ack" | "feedback", { status: DeadlineStatus; text: string }> {
  const { t, day } = useI18n();
  const open = (dueOn: string) => {
    const status = deadlineStatus(dueOn, today);
    return { status, text: t("casePage.deadline.by", { date: day(dueOn), phrase: deadlinePhrase(t, status) }) };
  };
  const ack = c.acknowledgedOn
    ? { status: DONE, text: t("casePage.deadline.acknowledged", { date: day(c.acknowledgedOn) }) }
    : c.closedOn
      ? { status: DONE, text: t("casePage.deadline.closedFirst", { date: day(c.closedOn) }) }
      : open(c.ackDueOn);
  const feedback = c.closedOn
    ? { status: DONE, text: t("casePage.deadline.closed", { date: day(c.closedOn) }) }
    : c.feedbackDueOn
      ? open(c.feedbackDueOn)
      : { status: PENDING, text: t("casePage.deadline.afterAck") };
  return { ack, feedback };
}

function Fact(props: { label: string; children: ReactNode }) {
  return (
    <div className="case-facts__item">
      <dt>{props.label}</dt>
      <dd>{props.children}</dd>
    </div>
  );
}

export function CaseHeader(props: { c: StaffCaseView; title: string | null; category: string; names: Map<string, string>; today: string; nav: ReactNode }) {
  const { c } = props;
  const { t } = useI18n();
  const deadlines = useCaseDeadlines(c, props.today);
  return (
    <header className="case-header" data-testid="case-header">
      <h1 className="case-header__title">
        <span className="case-header__number">{c.caseNumber}</span>:{" "}
        <span data-testid="staff-case-title">
          <UserText text={props.title} fallback={t("staff.case.unreadable")} />
        </span>
      </h1>
      <dl className="case-facts">
        <Fact label={t("casePage.header.category")}>
          <UserText text={props.category} fallback="—" />
        </Fact>
        <Fact label={t("casePage.header.status")}>
          <span data-testid="staff-case-status">
            {t(`staff.status.${c.status}` as MessageKey)}
            {c.outcome ? ` (${t(`staff.case.outcome.${c.outcome}` as MessageKey)})` : ""}
          </span>
        </Fact>
        <Fact label={t("staff.case.assignee")}>
          <span data-testid="case-assignee">{c.assigneeId ? <UserText text={props.names.get(c.assigneeId)} fallback="—" /> : t("staff.case.nobody")}</span>
        </Fact>
        <Fact label={t("staff.case.priority")}>
          <span data-testid="case-priority" className={`priority priority--${c.priority}`}>
            {t(`staff.case.priority.${c.priority}`)}
          </span>
        </Fact>
        <Fact label={t("casePage.header.ack")}>
          <DeadlineText status={deadlines.ack.status} text={deadlines.ack.text} testId="case-deadline-ack" />
        </Fact>
        <Fact label={t("casePage.header.feedback")}>
          <DeadlineText status={deadlines.feedback.status} text={deadlines.feedback.text} testId="case-deadline-feedback" />
        </Fact>
      </dl>
      {props.nav}
    </header>
  );
}
