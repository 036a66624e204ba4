// The report form. It renders on the server and can be filled in at once; the
// crypto code (libsodium) loads in the background and is awaited only when the
// reporter submits. Without JavaScript the submit button stays disabled, so
// plaintext can never be posted.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { failureReason, formatBytes, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { IntakeInfo } from "../intake/wire";
import type { Progress, SubmittedReport } from "../reporter/intake-client";
import { readDraftFields, validateDraft, type FormProblem } from "../reporter/validate-draft";
import { LIMITS } from "../intake/limits";
import type { PowState } from "../shared/pow-wire";
import { Field } from "./field";
import { PowMessage } from "./pow-notice";
import { showControls, UserText } from "./user-text";
import { warmOnIntent } from "./warm-on-intent";

const loadClient = () => import("../reporter/intake-client");

type Phase = { kind: "editing" } | { kind: "working"; progress: Progress | null; cryptoLoading: boolean };

export function ReportForm(props: { info: IntakeInfo; onSubmitted: (r: SubmittedReport) => void }) {
  const { t, locale } = useI18n();
  const { info } = props;
  const [hydrated, setHydrated] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "editing" });
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [pow, setPow] = useState<PowState>({ solving: false });
  const [files, setFiles] = useState<{ name: string; size: number }[]>([]);
  const summary = useRef<HTMLDivElement>(null);

  useEffect(() => {
    setHydrated(true);
    // Warm up: fetch libsodium once the reporter starts on the form, not during page load (ADR 045).
    return warmOnIntent(() => void loadClient().then((c) => c.preloadCrypto()));
  }, []);

  const errorFor = (field: string) => {
    const p = problems.find((x) => x.field === field);
    return p ? t(p.key, p.params) : undefined;
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (phase.kind === "working") return;
    const form = event.currentTarget;
    const data = new FormData(form);
    const fields = readDraftFields(data);
    const found = validateDraft(
      fields,
      { maxAttachmentBytes: info.maxAttachmentBytes, maxAttachments: info.maxAttachments, investigators: info.investigators.length },
      (n) => formatBytes(n, locale),
    );
    setProblems(found);
    setFailure(null);
    if (found.length > 0) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    setPhase({ kind: "working", progress: null, cryptoLoading: true });
    try {
      const client = await loadClient();
      setPhase({ kind: "working", progress: null, cryptoLoading: false });
      const fileList = data.getAll("attachments").filter((f): f is File => f instanceof File && f.name !== "");
      const optional = (v: string) => (v === "" ? null : v);
      const identity =
        fields.reporterName || fields.email || fields.phone
          ? {
              name: optional(fields.reporterName),
              email: optional(fields.email),
              phone: optional(fields.phone),
              // Kept inside the encrypted identity: the server never learns the address or the wish.
              ...(fields.email && fields.notifyByEmail ? { notify: { email: true, language: locale } } : {}),
            }
          : null;
      const result = await client.submitEncryptedReport(
        {
          categoryId: fields.category,
          title: fields.title,
          body: {
            description: fields.description,
            details: fields.details,
            periodFrom: optional(fields.periodFrom),
            periodTo: optional(fields.periodTo),
          },
          identity,
          excludedInvestigators: fields.excludedInvestigators,
          consentReport: true,
          consentOptional: fields.consentOptional,
          consentAffiliateIdentity: fields.consentAffiliateIdentity,
          locale,
        },
        fileList.map(client.fromBrowserFile),
        info,
        { onProgress: (progress) => setPhase({ kind: "working", progress, cryptoLoading: false }), onPow: setPow },
      );
      props.onSubmitted(result);
    } catch (error) {
      const { code, fields } = error as { code?: string; fields?: Record<string, string> };
      // Many reports from one network (an office NAT): say when to try again, not that the server refused it.
      if (code === "too_many_reports") setFailure(t("report.errors.tooManyReports", { minutes: fields?.retryAfterMinutes ?? "60" }));
      else setFailure(t("report.errors.failed", { reason: failureReason(t, code) }));
      setPhase({ kind: "editing" });
      requestAnimationFrame(() => summary.current?.focus());
    }
  };

  const working = phase.kind === "working";
  const progress = working ? phase.progress : null;

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-describedby="report-intro" className="report-form">
      <noscript>
        <p className="notice notice--error">{t("noscript")}</p>
      </noscript>
      <div ref={summary} tabIndex={-1} className="summary-anchor">
        {problems.length > 0 ? (
          <div className="notice notice--error" role="alert">
            <p>{t("report.errors.summary")}</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  <a href={`#f-${p.field}`}>{t(p.key, p.params)}</a>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {failure ? (
          <p className="notice notice--error" role="alert">
            {failure}
          </p>
        ) : null}
      </div>

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.report")}</h2>
        </legend>
        <Field name="category" label={t("report.category")} required error={errorFor("category")}>
          {(aria) => (
            <select name="category" defaultValue="" {...aria}>
              <option value="" disabled>
                {t("report.category.choose")}
              </option>
              {info.categories.map((c) => (
                <option key={c.id} value={c.id}>
                  {showControls(locale === "ko" ? c.nameKo : c.nameEn)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="title" label={t("report.titleField")} required hint={t("report.titleField.hint", { max: LIMITS.titleChars })} error={errorFor("title")}>
          {(aria) => <input type="text" name="title" maxLength={LIMITS.titleChars} autoComplete="off" {...aria} />}
        </Field>
        <Field name="description" label={t("report.description")} required hint={t("report.description.hint")} error={errorFor("description")}>
          {(aria) => <textarea name="description" rows={8} maxLength={LIMITS.descriptionChars} {...aria} />}
        </Field>
        <Field name="details" label={t("report.details")} hint={t("report.details.hint")} error={errorFor("details")}>
          {(aria) => <textarea name="details" rows={6} maxLength={LIMITS.detailsChars} {...aria} />}
        </Field>
        <fieldset className="inline-fields">
          <legend>{t("report.period")}</legend>
          <Field name="periodFrom" label={t("report.periodFrom")} error={errorFor("periodFrom")}>
            {(aria) => <input type="date" name="periodFrom" {...aria} />}
          </Field>
          <Field name="periodTo" label={t("report.periodTo")} error={errorFor("periodTo")}>
            {(aria) => <input type="date" name="periodTo" {...aria} />}
          </Field>
        </fieldset>
      </fieldset>

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.identity")}</h2>
        </legend>
        <p className="hint">{t("report.identity.hint")}</p>
        <Field name="reporterName" label={t("report.reporterName")} error={errorFor("reporterName")}>
          {(aria) => <input type="text" name="reporterName" maxLength={LIMITS.nameChars} autoComplete="off" {...aria} />}
        </Field>
        <Field name="email" label={t("report.email")} error={errorFor("email")}>
          {(aria) => <input type="email" name="email" maxLength={LIMITS.emailChars} autoComplete="off" {...aria} />}
        </Field>
        <Field name="phone" label={t("report.phone")} error={errorFor("phone")}>
          {(aria) => <input type="tel" name="phone" maxLength={LIMITS.phoneChars} autoComplete="off" {...aria} />}
        </Field>
        <div className="checkbox">
          <input type="checkbox" id="f-notifyByEmail" name="notifyByEmail" disabled={!info.emailNotifications} aria-describedby="f-notifyByEmail-hint" />
          <label htmlFor="f-notifyByEmail">{t("report.notifyByEmail")}</label>
        </div>
        <p className="hint" id="f-notifyByEmail-hint">
          {info.emailNotifications ? t("report.notifyByEmail.hint") : t("report.notifyByEmail.unavailable")}
        </p>
        <p className="hint">{t("report.phone.hint")}</p>
      </fieldset>

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.files")}</h2>
        </legend>
        <Field
          name="attachments"
          label={t("report.attachments")}
          hint={t("report.attachments.hint", { count: info.maxAttachments, size: formatBytes(info.maxAttachmentBytes, locale) })}
          error={errorFor("attachments")}
        >
          {(aria) => (
            <input
              type="file"
              name="attachments"
              multiple
              {...aria}
              onChange={(e) => setFiles(Array.from(e.currentTarget.files ?? [], (f) => ({ name: f.name, size: f.size })))}
            />
          )}
        </Field>
        {files.length > 0 ? (
          <div>
            <p id="selected-files">{t("report.attachments.selected")}</p>
            <ul aria-labelledby="selected-files" className="file-list">
              {files.map((f, i) => (
                <li key={i}>
                  <UserText text={f.name} kind="identifier" /> <span className="hint">({formatBytes(f.size, locale)})</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </fieldset>

      {info.investigators.length > 1 ? (
        <fieldset disabled={working} aria-describedby="exclusions-hint">
          <legend>
            <h2>{t("report.section.exclusions")}</h2>
          </legend>
          <p className="hint" id="exclusions-hint">
            {t("report.exclusions.hint")}
          </p>
          {errorFor("excludedInvestigators") ? <p className="error-text">{errorFor("excludedInvestigators")}</p> : null}
          <ul className="checkbox-list">
            {info.investigators.map((inv) => (
              <li key={inv.id}>
                <input type="checkbox" id={`ex-${inv.id}`} name="excludedInvestigators" value={inv.id} />
                <label htmlFor={`ex-${inv.id}`}>
                  <UserText text={inv.displayName} />
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
      ) : null}

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.consent")}</h2>
        </legend>
        <ConsentBlock
          name="consentReport"
          required
          error={errorFor("consentReport")}
          rows={[
            ["report.consent.table.purpose", "report.consent.purpose"],
            ["report.consent.table.items", "report.consent.report.items"],
            ["report.consent.table.retention", "report.consent.retention"],
          ]}
          refuse="report.consent.report.refuse"
          label="report.consentReport"
        />
        <ConsentBlock
          name="consentOptional"
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
          name="consentAffiliateIdentity"
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

      <div className="actions">
        <button type="submit" className="button button--primary" disabled={!hydrated || working}>
          {t("report.submit")}
        </button>
      </div>
      <div role="status" aria-live="polite" className="progress-area">
        {working ? <ProgressView cryptoLoading={phase.cryptoLoading} progress={progress} /> : null}
        {working ? <PowMessage state={pow} /> : null}
      </div>
    </form>
  );
}

function ConsentBlock(props: { name: string; required?: boolean; error?: string; rows: [MessageKey, MessageKey][]; refuse: MessageKey; label: MessageKey }) {
  const { t, deadlines } = useI18n();
  const id = `f-${props.name}`;
  return (
    <div className={`consent${props.error ? " field--error" : ""}`}>
      <table className="consent__table">
        <tbody>
          {props.rows.map(([head, body]) => (
            <tr key={head}>
              <th scope="row">{t(head)}</th>
              <td>{t(body, deadlines)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hint" id={`${id}-refuse`}>
        {t(props.refuse)}
      </p>
      {props.error ? (
        <p className="error-text" id={`${id}-error`}>
          {props.error}
        </p>
      ) : null}
      <div className="checkbox">
        <input
          type="checkbox"
          id={id}
          name={props.name}
          aria-describedby={`${id}-refuse${props.error ? ` ${id}-error` : ""}`}
          aria-invalid={props.error ? true : undefined}
        />
        <label htmlFor={id}>
          {t(props.label)} <span className={props.required ? "tag tag--required" : "tag"}>{props.required ? t("report.required") : t("report.optional")}</span>
        </label>
      </div>
    </div>
  );
}

function ProgressView(props: { cryptoLoading: boolean; progress: Progress | null }) {
  const { t, tx } = useI18n();
  const p = props.progress;
  if (props.cryptoLoading || !p) return <p>{t("report.loadingCrypto")}</p>;
  switch (p.phase) {
    case "sealing":
      return <p>{t("report.progress.sealing")}</p>;
    case "saving":
      return <p>{t("report.progress.saving")}</p>;
    case "retrying":
      return <p>{t("report.progress.retrying")}</p>;
    case "uploading": {
      const pct = p.totalBytes ? Math.floor((p.sentBytes / p.totalBytes) * 100) : 100;
      return (
        <div>
          <label htmlFor="upload-progress">{tx("report.progress.file", { name: <UserText text={p.name} kind="identifier" /> })}</label>{" "}
          <progress id="upload-progress" max={100} value={pct}>
            {pct}%
          </progress>{" "}
          <span>{pct}%</span>
        </div>
      );
    }
  }
}
