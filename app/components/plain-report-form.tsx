// The report form for a browser that runs no JavaScript (Tor Browser's "Safest" level), and its receipt
// (ADR 043). The report page renders it only inside <noscript>: where scripts run, the browser does not
// even parse it, so nobody with JavaScript can send plaintext through it by accident (before hydration
// or after). It is a plain multipart post to the same page; the server encrypts what arrives
// (app/.server/nojs/). Before the fields, the page says what that means and that JavaScript gives
// end-to-end encryption. Control ids start with `p-`: the (hidden) form for JavaScript is on the page too.
import { formatBytes, formatDay, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { IntakeInfo } from "../intake/wire";
import type { FormProblem } from "../reporter/validate-draft";
import { Field } from "./field";
import { Advice, ConsentBlock, ContactFields, FIELD_NAMES, ReportFields } from "./report-form";
import { UserText } from "./user-text";

/** What the page's action answered to a plain post (app/.server/nojs/server-sealed-report.ts, PlainPostAnswer). */
export type PlainAnswer =
  | { plain: "receipt"; receipt: { receiptCode: string; caseNumber: string; ackDueOn: string } }
  | { plain: "problems"; problems: FormProblem[]; values: Partial<Record<string, string | string[]>> }
  | { plain: "refused"; key: MessageKey; params: Record<string, string | number> };

const P = "p-";

export function PlainReportForm(props: { info: IntakeInfo; answer: PlainAnswer | null }) {
  const { t, locale } = useI18n();
  const { info, answer } = props;
  const problems = answer?.plain === "problems" ? answer.problems : [];
  const values = answer?.plain === "problems" ? answer.values : {};
  const value = (name: string) => {
    const v = values[name];
    return typeof v === "string" ? v : "";
  };
  const checked = (name: string) => values[name] === "on";
  const excluded = new Set(Array.isArray(values.excludedInvestigators) ? values.excludedInvestigators : []);
  const errorFor = (field: string) => {
    const p = problems.find((x) => x.field === field);
    return p ? t(p.key, p.params) : undefined;
  };
  return (
    <section aria-labelledby="plain-title" className="plain-report" data-testid="plain-report">
      <h2 id="plain-title">{t("report.plain.title")}</h2>
      <div className="notice" data-testid="plain-warning">
        <p>
          <strong>{t("report.plain.warning.title")}</strong>
        </p>
        <p>{t("report.plain.warning.server")}</p>
        <p>{t("report.plain.warning.javascript")}</p>
      </div>
      {answer?.plain === "refused" ? (
        <p className="notice notice--error" role="alert" data-testid="plain-refused">
          {t(answer.key, answer.params)}
        </p>
      ) : null}
      {problems.length > 0 ? (
        <div className="notice notice--error" role="alert" data-testid="plain-problems">
          <p>{t("report.errors.summary")}</p>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>
                <a href={`#${P}${p.field}`}>
                  {t("report.errors.item", { field: t(FIELD_NAMES[p.field] ?? "report.errors.field"), problem: t(p.key, p.params) })}
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" encType="multipart/form-data" action={`/report?lang=${locale}`} className="report-form">
        <fieldset>
          <legend>
            <h3>{t("report.section.report")}</h3>
          </legend>
          <ReportFields info={info} idPrefix={P} errorFor={errorFor} value={value} />
        </fieldset>
        <fieldset>
          <legend>
            <h3>{t("report.section.identity")}</h3>
          </legend>
          <p className="hint">{t("report.identity.hint")}</p>
          <Advice text={t("report.advice.contact")} />
          <ContactFields idPrefix={P} errorFor={errorFor} value={value} />
          {info.emailNotifications ? (
            <>
              <div className="checkbox">
                <input
                  type="checkbox"
                  id={`${P}notifyByEmail`}
                  name="notifyByEmail"
                  defaultChecked={checked("notifyByEmail")}
                  aria-describedby={`${P}notifyByEmail-hint`}
                />
                <label htmlFor={`${P}notifyByEmail`}>{t("report.notifyByEmail")}</label>
              </div>
              <p className="hint" id={`${P}notifyByEmail-hint`}>
                {t("report.notifyByEmail.hint")}
              </p>
            </>
          ) : (
            <p className="hint">{t("report.notifyByEmail.unavailable")}</p>
          )}
        </fieldset>
        <fieldset>
          <legend>
            <h3>{t("report.section.files")}</h3>
          </legend>
          <Advice text={t("landing.limits.2")} />
          <Field
            idPrefix={P}
            name="attachments"
            label={t("report.attachments")}
            hint={t("report.attachments.hint", { count: info.maxAttachments, size: formatBytes(info.maxAttachmentBytes, locale) })}
            quietError
            error={errorFor("attachments")}
          >
            {(aria) => <input type="file" name="attachments" multiple {...aria} />}
          </Field>
          <p className="hint">{t("report.plain.filesAgain")}</p>
        </fieldset>
        {info.investigators.length > 1 ? (
          <fieldset aria-describedby={`${P}exclusions-hint`}>
            <legend>
              <h3>{t("report.section.exclusions")}</h3>
            </legend>
            <p className="hint" id={`${P}exclusions-hint`}>
              {t("report.exclusions.hint")}
            </p>
            {errorFor("excludedInvestigators") ? (
              <p className="error-text" id={`${P}excludedInvestigators`}>
                {errorFor("excludedInvestigators")}
              </p>
            ) : null}
            <ul className="checkbox-list">
              {info.investigators.map((inv) => (
                <li key={inv.id}>
                  <input type="checkbox" id={`${P}ex-${inv.id}`} name="excludedInvestigators" value={inv.id} defaultChecked={excluded.has(inv.id)} />
                  <label htmlFor={`${P}ex-${inv.id}`}>
                    <UserText text={inv.displayName} />
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        ) : null}
        <fieldset>
          <legend>
            <h3>{t("report.section.consent")}</h3>
          </legend>
          <ConsentBlock
            idPrefix={P}
            name="consentReport"
            required
            defaultChecked={checked("consentReport")}
            error={errorFor("consentReport")}
            rows={[
              ["report.consent.table.purpose", "report.consent.purpose"],
              ["report.consent.table.items", "report.consent.report.items"],
              ["report.consent.table.retention", "report.consent.retention"],
            ]}
            refuse="report.consent.report.refuse"
            label="report.consentReport"
          />
          <p className="hint">{t("report.plain.optionalConsent")}</p>
          <ConsentBlock
            idPrefix={P}
            name="consentOptional"
            defaultChecked={checked("consentOptional")}
            error={errorFor("consentOptional")}
            rows={[
              ["report.consent.table.purpose", "report.consent.purpose"],
              ["report.consent.table.items", "report.consent.optional.items"],
              ["report.consent.table.retention", "report.consent.retention"],
            ]}
            refuse="report.consent.optional.refuse"
            label="report.consentOptional"
          />
          <ConsentBlock
            idPrefix={P}
            name="consentAffiliateIdentity"
            defaultChecked={checked("consentAffiliateIdentity")}
            rows={[
              ["report.consent.table.recipient", "report.consent.affiliate.recipient"],
              ["report.consent.table.purpose", "report.consent.affiliate.purpose"],
              ["report.consent.table.items", "report.consent.affiliate.items"],
              ["report.consent.table.retention", "report.consent.retention"],
            ]}
            refuse="report.consent.affiliate.refuse"
            label="report.consentAffiliateIdentity"
          />
        </fieldset>
        <p className="hint">{t("report.plain.warning.beforeSending")}</p>
        <div className="actions">
          <button type="submit" className="button button--primary">
            {t("report.plain.submit")}
          </button>
        </div>
      </form>
    </section>
  );
}

/** The receipt after a plain post: the code once, with the advice to write it down or print the page. */
export function PlainReceipt(props: { receipt: { receiptCode: string; caseNumber: string; ackDueOn: string } }) {
  const { t, locale, deadlines } = useI18n();
  const { receiptCode, caseNumber, ackDueOn } = props.receipt;
  return (
    <section className="receipt" aria-labelledby="receipt-title" data-testid="plain-receipt">
      <h1 id="receipt-title">{t("receipt.title")}</h1>
      <p className="receipt__label" id="receipt-code-label">
        {t("report.plain.receipt.codeLabel")}
      </p>
      <p className="receipt__code" aria-labelledby="receipt-code-label">
        <code data-testid="receipt-code" translate="no">
          {receiptCode}
        </code>
      </p>
      <p>{t("receipt.codeNote")}</p>
      <p>
        <strong>{t("report.plain.receipt.keep")}</strong>
      </p>
      <ul>
        <li>{t("receipt.advice.1")}</li>
        <li>{t("receipt.advice.3")}</li>
        <li>{t("report.plain.receipt.notKept")}</li>
      </ul>
      <p>
        {t("report.plain.receipt.followUp")} <a href={`/status?lang=${locale}`}>{t("nav.followup")}</a>
      </p>
      <div className="receipt__case">
        <p>
          {t("receipt.caseNumber")}: <strong data-testid="case-number">{caseNumber}</strong>
        </p>
        <p className="hint">{t("receipt.caseNumber.note")}</p>
      </div>
      <p>{t("receipt.deadlines", { ack: formatDay(ackDueOn, locale), feedbackMonths: deadlines.feedbackMonths })}</p>
    </section>
  );
}
