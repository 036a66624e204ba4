// The parts of the reporter's case view that only show what the case holds,
// decrypted: shared by the page that decrypts in the browser (case-view.tsx)
// and the page without JavaScript (plain-case-view.tsx, ADR 044).
import type { MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { DecryptedCase } from "../intake/followup-view";
import { UserText } from "./user-text";

export function useDay() {
  const { t, day } = useI18n();
  return (d: string | null) => day(d, t("status.dates.none"));
}

/** Where the case stands: status, dates, what comes next. */
export function CaseStanding({ c }: { c: DecryptedCase }) {
  const { t } = useI18n();
  const day = useDay();
  const next =
    c.status === "closed"
      ? t("status.next.closed")
      : c.status === "received"
        ? t("status.next.ack", { date: day(c.ackDueOn) })
        : c.feedbackDueOn
          ? t("status.next.feedback", { date: day(c.feedbackDueOn) })
          : null;
  return (
    <section aria-labelledby="now">
      <h2 id="now">{t("status.now")}</h2>
      <p data-testid="case-status">{t(`status.state.${c.status}` as MessageKey)}</p>
      <dl className="dates">
        <dt>{t("status.dates.received")}</dt>
        <dd>{day(c.receivedOn)}</dd>
        <dt>{t("status.dates.acknowledged")}</dt>
        <dd>{day(c.acknowledgedOn)}</dd>
        <dt>{t("status.dates.updated")}</dt>
        <dd>{day(c.updatedOn)}</dd>
        {c.closedOn ? (
          <>
            <dt>{t("status.dates.closed")}</dt>
            <dd>{day(c.closedOn)}</dd>
          </>
        ) : null}
      </dl>
      {next ? <p>{next}</p> : null}
    </section>
  );
}

/** The report as the reporter sent it, with the contact details they gave. */
export function CaseReport({ c }: { c: DecryptedCase }) {
  const { t } = useI18n();
  const day = useDay();
  return (
    <section aria-labelledby="report">
      <h2 id="report">{t("status.report")}</h2>
      <h3 data-testid="case-title">
        <UserText text={c.title} />
      </h3>
      <p className="pre">
        <UserText text={c.body.description} kind="prose" />
      </p>
      {c.body.details ? (
        <p className="pre">
          <UserText text={c.body.details} kind="prose" />
        </p>
      ) : null}
      {c.body.periodFrom || c.body.periodTo ? (
        <p>
          {t("report.period")}: {c.body.periodFrom ? day(c.body.periodFrom) : "…"} – {c.body.periodTo ? day(c.body.periodTo) : "…"}
        </p>
      ) : null}
      {c.identity ? (
        <dl className="dates">
          {c.identity.name ? (
            <>
              <dt>{t("report.reporterName")}</dt>
              <dd>
                <UserText text={c.identity.name} />
              </dd>
            </>
          ) : null}
          {c.identity.email ? (
            <>
              <dt>{t("report.email")}</dt>
              <dd>
                <UserText text={c.identity.email} kind="identifier" />
              </dd>
            </>
          ) : null}
          {c.identity.phone ? (
            <>
              <dt>{t("report.phone")}</dt>
              <dd>
                <UserText text={c.identity.phone} kind="identifier" />
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}
    </section>
  );
}

/** The messages, oldest first; one that does not decrypt reads as unreadable. */
export function DialogueList({ messages }: { messages: DecryptedCase["messages"] }) {
  const { t } = useI18n();
  const day = useDay();
  return (
    <ol className="dialogue" data-testid="dialogue">
      {messages.map((m) => (
        <li key={m.id} className={`dialogue__item dialogue__item--${m.author}`}>
          <p className="dialogue__meta">
            <strong>{m.author === "reporter" ? t("status.dialogue.you") : t("status.dialogue.investigator")}</strong>
            {m.kind === "question" ? ` · ${t("status.dialogue.question")}` : ""} · {day(m.sentOn)}
          </p>
          {m.text === null ? (
            <p className="hint">{t("status.unreadable")}</p>
          ) : (
            <p className="pre">
              <UserText text={m.text} kind="prose" />
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The reporter's privacy requests and their answers. */
export function PrivacyRequestList({ requests }: { requests: DecryptedCase["privacyRequests"] }) {
  const { t } = useI18n();
  const day = useDay();
  if (requests.length === 0) return null;
  return (
    <>
      <h3>{t("status.privacy.list")}</h3>
      <ul data-testid="privacy-requests">
        {requests.map((p) => (
          <li key={p.id}>
            <strong>{t(`status.privacy.kind.${p.kind}`)}</strong> — {t("status.privacy.due", { requested: day(p.requestedOn), due: day(p.dueOn) })}
            {p.detail ? (
              <p className="pre">
                <UserText text={p.detail} kind="prose" />
              </p>
            ) : null}
            {p.outcome === "refused" ? (
              <p data-testid="privacy-refusal">
                {t(`status.privacy.refused.${p.refusalReason ?? "legal_hold"}`, {
                  date: day(p.answeredOn),
                  basis: p.refusalBasis ? t(`retention.basis.${p.refusalBasis}` as MessageKey) : "",
                })}
              </p>
            ) : null}
            {p.answer ? (
              <p>
                {t("status.privacy.answered", { date: day(p.answeredOn) })}{" "}
                <span className="pre">
                  <UserText text={p.answer} kind="prose" />
                </span>
              </p>
            ) : p.state === "open" ? (
              <p className="hint">{t("status.privacy.open")}</p>
            ) : null}
          </li>
        ))}
      </ul>
    </>
  );
}

/** What was provided to affiliates, when and why. */
export function CaseProvisions({ c }: { c: DecryptedCase }) {
  const { t } = useI18n();
  const day = useDay();
  return (
    <section aria-labelledby="provisions">
      <h2 id="provisions">{t("status.provisions")}</h2>
      <p>{t("status.provisions.intro")}</p>
      {c.provisions.length === 0 ? (
        <p data-testid="provisions-none">{t("status.provisions.none")}</p>
      ) : (
        <ul data-testid="provisions">
          {c.provisions.map((p) => (
            <li key={`${p.affiliate}-${p.providedOn}-${p.items.join()}-${p.endReason ?? ""}`}>
              {t("status.provisions.item", {
                date: day(p.providedOn),
                affiliate: t(`affiliate.name.${p.affiliate}` as MessageKey),
                items: p.items.map((i) => t(`share.item.${i}` as MessageKey)).join(", "),
                purpose: t(`share.purpose.${p.purpose}` as MessageKey),
                basis: t(`share.basis.${p.legalBasis}`),
              })}
              {p.endReason ? ` ${t(`share.provisions.ended.${p.endReason}`, { date: day(p.endedOn) })}` : ""}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
