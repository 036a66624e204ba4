// The dialogue with the reporter, under the report key; investigators write until the case is closed.
import type { FormEvent } from "react";
import { decryptMessage, fromBase64Url } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import { sendMessage, type CaseContext } from "../../staff/case-actions";
import { attempt } from "../../staff/decrypt";
import type { StaffCaseView } from "../../staff/wire";
import { Field } from "../field";
import { UserText } from "../user-text";
import { MaskedText, MaskPassageButton } from "./masks";
import type { TellReporter } from "./reporter-mail";
import { ActionResult } from "./section-action";
import { formOf, type ActProps } from "./section";

export function DialogueSection(props: ActProps & { c: StaffCaseView; ctx: CaseContext; names: Map<string, string>; tell: TellReporter }) {
  const { c, ctx, act, busy } = props;
  const { t, day } = useI18n();

  const onSend = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("message") ?? "").trim();
    if (!text) return;
    const kind = data.get("question") === "on" ? "question" : "message";
    void act(
      async () => {
        await sendMessage(ctx, text, kind);
        await props.tell(kind);
      },
      { form, slot: "send" },
    );
  };

  return (
    <>
      {c.messages.length === 0 ? <p>{t("casePage.empty.dialogue")}</p> : null}
      <ol className="dialogue" data-testid="staff-dialogue">
        {c.messages.map((m) => {
          const plain = attempt(() => decryptMessage(ctx.keys.reportKey, c.id, m.id, fromBase64Url(m.body), m.author));
          return (
            <li key={m.id} className={`dialogue__item dialogue__item--${m.author === "reporter" ? "reporter" : "investigator"}`}>
              <p className="dialogue__meta">
                <strong>
                  {m.author === "reporter" ? (
                    t("staff.case.reporter")
                  ) : (
                    <UserText text={props.names.get(m.staffUserId ?? "")} fallback={t("staff.case.investigator")} />
                  )}
                </strong>
                {plain?.kind === "question" ? ` · ${t("status.dialogue.question")}` : ""} · {day(m.sentOn)}
              </p>
              {plain ? (
                <>
                  <p className="pre">
                    <MaskedText target={{ record: "message", id: m.id }} text={plain.text} />
                  </p>
                  <MaskPassageButton target={{ record: "message", id: m.id }} text={plain.text} busy={busy} />
                </>
              ) : (
                <p className="hint">{t("staff.case.unreadable")}</p>
              )}
            </li>
          );
        })}
      </ol>
      <ActionResult slot="mask" />
      {c.status !== "closed" ? (
        <form method="post" onSubmit={onSend} noValidate>
          <Field name="message" label={t("staff.case.message")}>
            {(aria) => <textarea name="message" rows={4} maxLength={10_000} {...aria} />}
          </Field>
          <div className="checkbox">
            <input type="checkbox" id="f-question" name="question" />
            <label htmlFor="f-question">{t("staff.case.asQuestion")}</label>
          </div>
          <button type="submit" className="button button--primary" disabled={busy}>
            {t("staff.case.send")}
          </button>
        </form>
      ) : null}
      <ActionResult slot="send" />
    </>
  );
}
