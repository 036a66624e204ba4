// The reporter's privacy requests: their words, the deadline, the answer, and
// for a deletion request the decision.
import { useNavigate } from "@remix-run/react";
import type { FormEvent } from "react";
import { decryptPrivacyText, fromBase64Url } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import { useI18n } from "../../i18n/react";
import { answerPrivacyRequest, decideDeletion, type CaseContext, type RetentionBasis } from "../../staff/case-actions";
import { attempt } from "../../staff/decrypt";
import type { StaffCaseView } from "../../staff/wire";
import { RetentionBasisSelect } from "../case-retention";
import { Field } from "../field";
import { UserText } from "../user-text";
import type { TellReporter } from "./reporter-mail";
import { deadlinePhrase, deadlineStatus, DeadlineText } from "./deadline";
import { ActionResult } from "./section-action";
import { formOf, type ActProps } from "./section";

export function PrivacySection(props: ActProps & { c: StaffCaseView; ctx: CaseContext; tell: TellReporter; today: string }) {
  const { c, ctx, act, busy } = props;
  const { t, day } = useI18n();
  const rk = ctx.keys.reportKey;

  const answer = (requestId: string) => (e: FormEvent<HTMLFormElement>) => {
    const { form, data } = formOf(e);
    const text = String(data.get("answer") ?? "").trim();
    if (!text) return;
    void act(
      async () => {
        await answerPrivacyRequest(ctx, requestId, text);
        await props.tell("privacy_answer");
      },
      { form, slot: requestId },
    );
  };

  return (
    <>
      {c.privacyRequests.length === 0 ? <p data-testid="privacy-none">{t("casePage.empty.privacy")}</p> : null}
      <ul className="privacy-requests">
        {c.privacyRequests.map((p) => {
          const detail = p.detail ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "request", fromBase64Url(p.detail!))) : null;
          const ans = p.answer ? attempt(() => decryptPrivacyText(rk, c.id, p.id, "answer", fromBase64Url(p.answer!))) : null;
          return (
            <li key={p.id} className={p.overdue ? "overdue" : ""}>
              {t("staff.case.privacy.due", { kind: t(`status.privacy.kind.${p.kind}` as MessageKey), requested: day(p.requestedOn), due: day(p.dueOn) })}
              {p.state === "open" ? (
                <>
                  {" "}
                  <DeadlineText
                    status={deadlineStatus(p.dueOn, props.today)}
                    text={deadlinePhrase(t, deadlineStatus(p.dueOn, props.today))}
                    testId="privacy-deadline"
                  />
                </>
              ) : null}
              {detail ? (
                <p className="pre">
                  <UserText text={detail} kind="prose" />
                </p>
              ) : null}
              {p.outcome ? (
                <p data-testid="privacy-decision">
                  {p.outcome === "granted"
                    ? t("staff.case.privacy.granted")
                    : t(`status.privacy.refused.${p.refusalReason ?? "legal_hold"}`, {
                        date: day(p.answeredOn),
                        basis: p.refusalBasis ? t(`retention.basis.${p.refusalBasis}` as MessageKey) : "",
                      })}
                </p>
              ) : null}
              {p.kind === "deletion" && p.state === "open" ? <DeletionDecision ctx={ctx} requestId={p.id} act={act} busy={busy} /> : null}
              {p.state === "answered" && !p.outcome ? (
                <p className="pre">
                  {t("staff.case.privacy.answer")}: <UserText text={ans} kind="prose" fallback={t("staff.case.unreadable")} />
                </p>
              ) : p.state === "answered" ? null : (
                <form method="post" onSubmit={answer(p.id)} noValidate>
                  <Field name={`answer-${p.id}`} label={t("staff.case.privacy.answer")}>
                    {(aria) => <textarea name="answer" rows={2} maxLength={10_000} {...aria} />}
                  </Field>
                  <button type="submit" className="button" disabled={busy}>
                    {t("staff.case.privacy.send")}
                  </button>
                </form>
              )}
              <ActionResult slot={p.id} />
            </li>
          );
        })}
      </ul>
    </>
  );
}

/** A deletion request: granting destroys the case now (unless a hold applies); refusing names the statute. */
function DeletionDecision(props: ActProps & { ctx: CaseContext; requestId: string }) {
  const { ctx, requestId, act, busy } = props;
  const { t, href } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="deletion-decision">
      <h3>{t("staff.case.privacy.deletion")}</h3>
      <button
        type="button"
        className="button button--danger"
        disabled={busy}
        onClick={() => {
          if (!window.confirm(t("staff.case.privacy.grant.confirm"))) return;
          void act(
            async () => {
              const r = await decideDeletion(ctx, requestId, { grant: true });
              if (r.outcome === "granted") navigate(href("/staff"));
            },
            { slot: requestId },
          );
        }}
      >
        {t("staff.case.privacy.grant")}
      </button>
      <form
        method="post"
        noValidate
        onSubmit={(e) => {
          const { form, data } = formOf(e);
          const basis = String(data.get("basis") ?? "") as RetentionBasis | "";
          if (basis) void act(() => decideDeletion(ctx, requestId, { refuse: basis }), { form, slot: requestId });
        }}
      >
        <RetentionBasisSelect name={`refuse-basis-${requestId}`} label={t("staff.case.privacy.refuse")} />
        <button type="submit" className="button" disabled={busy}>
          {t("staff.case.privacy.refuse.submit")}
        </button>
      </form>
    </div>
  );
}
