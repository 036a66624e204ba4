// The workflow: the next status (closing with an outcome and a summary for the
// reporter), and handling: assignee, priority and labels (under the case key).
import type { FormEvent } from "react";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import { changeStatus, saveHandling, type CaseContext, type CaseOutcomeCode, type CasePriority, type CaseStatusTarget } from "../../staff/case-actions";
import type { StaffCaseView } from "../../staff/wire";
import { Field } from "../field";
import { showControls } from "../user-text";
import type { TellReporter } from "./reporter-mail";
import { ActionResult } from "./section-action";
import { formOf, type ActProps } from "./section";

const NEXT: Record<StaffCaseView["status"], CaseStatusTarget[]> = {
  received: ["acknowledged", "closed"],
  acknowledged: ["in_review", "investigating", "closed"],
  in_review: ["investigating", "closed"],
  investigating: ["in_review", "closed"],
  closed: [],
};
const OUTCOMES = ["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"] as const;
const PRIORITIES = ["low", "normal", "high", "urgent"] as const;

export function WorkflowSection(props: ActProps & { c: StaffCaseView; ctx: CaseContext; labels: string[] | null; tell: TellReporter }) {
  const { c, ctx, act, busy } = props;
  const { t } = useI18n();
  const next = NEXT[c.status];

  const onStatus = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const to = String(data.get("to") ?? "") as CaseStatusTarget | "";
    if (!to) return;
    const outcome = (String(data.get("outcome") ?? "") || undefined) as CaseOutcomeCode | undefined;
    const summary = String(data.get("summary") ?? "").trim();
    void act(
      async () => {
        await changeStatus(ctx, { to, outcome, summary });
        await props.tell(to === "acknowledged" ? "acknowledged" : to === "closed" ? "closed" : null);
      },
      { form, slot: "status" },
    );
  };
  const onHandling = (e: FormEvent<HTMLFormElement>) => {
    const { data } = formOf(e);
    const assignee = String(data.get("assignee") ?? "");
    const priority = String(data.get("priority") ?? "normal") as CasePriority;
    const labels = String(data.get("labels") ?? "")
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean);
    void act(() => saveHandling(ctx, { assigneeId: assignee || null, priority, labels }), { slot: "handling" });
  };

  return (
    <div className="workflow">
      <div className="workflow__part">
        {next.length > 0 ? (
          <form method="post" onSubmit={onStatus} noValidate>
            <Field name="to" label={t("staff.case.moveTo")}>
              {(aria) => (
                <select name="to" defaultValue="" {...aria}>
                  <option value="" disabled>
                    —
                  </option>
                  {next.map((s) => (
                    <option key={s} value={s}>
                      {t(`staff.status.${s}` as MessageKey)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field name="outcome" label={t("staff.case.outcome")}>
              {(aria) => (
                <select name="outcome" defaultValue="" {...aria}>
                  <option value="">—</option>
                  {OUTCOMES.map((o) => (
                    <option key={o} value={o}>
                      {t(`staff.case.outcome.${o}`)}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field name="summary" label={t("staff.case.summary")}>
              {(aria) => <textarea name="summary" rows={3} maxLength={10_000} {...aria} />}
            </Field>
            <button type="submit" className="button button--primary" disabled={busy}>
              {t("staff.case.apply")}
            </button>
          </form>
        ) : (
          <p>{t("casePage.workflow.closed")}</p>
        )}
        <ActionResult slot="status" />
      </div>
      <form method="post" onSubmit={onHandling} noValidate className="workflow__part">
        <Field name="assignee" label={t("staff.case.assignee")}>
          {(aria) => (
            <select name="assignee" defaultValue={c.assigneeId ?? ""} {...aria}>
              <option value="">{t("staff.case.nobody")}</option>
              {c.team.map((m) => (
                <option key={m.id} value={m.id}>
                  {showControls(m.displayName)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="priority" label={t("staff.case.priority")}>
          {(aria) => (
            <select name="priority" defaultValue={c.priority} {...aria}>
              {PRIORITIES.map((p) => (
                <option key={p} value={p}>
                  {t(`staff.case.priority.${p}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="labels" label={t("staff.case.labels")}>
          {(aria) => <input type="text" name="labels" defaultValue={(props.labels ?? []).join(", ")} maxLength={500} {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("staff.case.save")}
        </button>
        <ActionResult slot="handling" />
      </form>
    </div>
  );
}
