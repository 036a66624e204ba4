// Internal notes of the team, under the case key: the reporter never sees them.
import type { FormEvent } from "react";
import { decryptNote, fromBase64Url } from "../../../crypto";
import { useI18n } from "../../i18n/react";
import { sendNote, type CaseContext } from "../../staff/case-actions";
import { attempt } from "../../staff/decrypt";
import type { StaffCaseView } from "../../staff/wire";
import { Field } from "../field";
import { UserText } from "../user-text";
import { MaskedText, MaskPassageButton } from "./masks";
import { ActionResult } from "./section-action";
import { formOf, type ActProps } from "./section";

export function NotesSection(props: ActProps & { c: StaffCaseView; ctx: CaseContext; names: Map<string, string> }) {
  const { c, ctx, act, busy } = props;
  const { t, when } = useI18n();

  const onAdd = (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("note") ?? "").trim();
    if (!text) return;
    void act(() => sendNote(ctx, text), { form, slot: "note" });
  };

  return (
    <>
      {c.notes.length === 0 ? <p>{t("casePage.empty.notes")}</p> : null}
      <ul data-testid="staff-notes">
        {c.notes.map((n) => {
          const text = attempt(() => decryptNote(ctx.keys.caseKey, c.id, n.id, fromBase64Url(n.body)));
          return (
            <li key={n.id}>
              <span className="hint">
                <UserText text={props.names.get(n.staffUserId)} /> · {when(n.createdAt)}
              </span>
              <p className="pre">
                <MaskedText target={{ record: "note", id: n.id }} text={text} fallback={t("staff.case.unreadable")} />
              </p>
              <MaskPassageButton target={{ record: "note", id: n.id }} text={text} busy={busy} />
            </li>
          );
        })}
      </ul>
      <ActionResult slot="mask" />
      <form method="post" onSubmit={onAdd} noValidate>
        <Field name="note" label={t("staff.case.note")}>
          {(aria) => <textarea name="note" rows={3} maxLength={10_000} {...aria} />}
        </Field>
        <button type="submit" className="button" disabled={busy}>
          {t("staff.case.addNote")}
        </button>
        <ActionResult slot="note" />
      </form>
    </>
  );
}
