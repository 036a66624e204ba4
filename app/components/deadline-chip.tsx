// A deadline as a chip: the phrase ("due in 2 days", "overdue by 3 days") in words, the day itself as its
// <time>, and a class per urgency for the colour and border, which only repeat what the words say.
import { deadlineOf, deadlinePhrase } from "../i18n/deadlines";
import { useI18n } from "../i18n/react";

export function DeadlineChip(props: { dueOn: string; today: string; testId?: string }) {
  const { locale, day } = useI18n();
  const { state } = deadlineOf(props.dueOn, props.today);
  return (
    <time className={`chip chip--${state}`} dateTime={props.dueOn} title={day(props.dueOn)} data-testid={props.testId}>
      {deadlinePhrase(props.dueOn, props.today, locale)}
    </time>
  );
}
