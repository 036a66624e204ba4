// The report form. It renders on the server and can be filled in at once; the
// crypto code (libsodium) loads in the background and is awaited only when the
// reporter submits. Without JavaScript the submit button stays disabled, so
// plaintext can never be posted.
import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from "react";
import { failureReason, formatBytes, type MessageKey } from "../i18n";
import { useI18n } from "../i18n/react";
import type { IntakeInfo } from "../intake/wire";
import type { SubmittedReport } from "../reporter/intake-client";
import { attachedFiles, readDraftFields, validateDraft, type FormProblem } from "../reporter/validate-draft";
import { LIMITS } from "../intake/limits";
import type { PowState } from "../shared/pow-wire";
import { Field } from "./field";
import { CleaningNeedsReview, FileCleaningList, useFileCleaning } from "./file-cleaning";
import { PowMessage } from "./pow-notice";
import { SubmissionProgressView, useSubmissionProgress } from "./submission-progress";
import { LeaveDialog } from "./leave-dialog";
import { useLeaveWarning } from "./use-leave-warning";
import { showControls, UserText } from "./user-text";
import { VoiceRecorder } from "./voice-recorder";
import { warmOnIntent } from "./warm-on-intent";

const loadClient = () => import("../reporter/intake-client");

type Phase = { kind: "editing" } | { kind: "working"; files: number };

/** How the error summary names each field: by its label, so "required" says which field it is. */
export const FIELD_NAMES: Record<string, MessageKey> = {
  category: "report.category",
  title: "report.titleField",
  description: "report.description",
  details: "report.details",
  periodFrom: "report.periodFrom.name",
  periodTo: "report.periodTo.name",
  reporterName: "report.reporterName",
  email: "report.email",
  phone: "report.phone",
  attachments: "report.attachments",
  excludedInvestigators: "report.section.exclusions",
  consentReport: "report.consentReport.name",
  consentOptional: "report.consentOptional.name",
};

export function ReportForm(props: { info: IntakeInfo; onSubmitted: (r: SubmittedReport) => void }) {
  const { t, locale } = useI18n();
  const { info } = props;
  const [hydrated, setHydrated] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: "editing" });
  const [problems, setProblems] = useState<FormProblem[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [pow, setPow] = useState<PowState>({ solving: false });
  const [files, setFiles] = useState<{ name: string; size: number }[]>([]);
  const [contactGiven, setContactGiven] = useState(false);
  const [consentOptional, setConsentOptional] = useState(false);
  const summary = useRef<HTMLDivElement>(null);
  // The optional-items consent is asked where the first optional item is given, not only at the bottom.
  const [voiceGiven, setVoiceGiven] = useState(false);
  const optionalAt = contactGiven ? "identity" : files.length > 0 || voiceGiven ? "files" : null;
  const submission = useSubmissionProgress();
  const cleaning = useFileCleaning();
  const cancelling = useRef<AbortController | null>(null);
  const [cancelled, setCancelled] = useState(false);
  // While the report is sent: the browser asks before the page goes, and a link in the portal's header asks first too.
  const leaving = useLeaveWarning(phase.kind === "working");
  // Leaving anyway stops the sending (nothing is submitted; the uploads are abandoned as on Cancel).
  useEffect(() => () => cancelling.current?.abort(), []);

  useEffect(() => {
    setHydrated(true);
    // Warm up: fetch libsodium once the reporter starts on the form, not during page load (ADR 042).
    return warmOnIntent(() => void loadClient().then((c) => c.preloadCrypto()));
  }, []);

  const errorFor = (field: string) => {
    const p = problems.find((x) => x.field === field);
    return p ? t(p.key, p.params) : undefined;
  };
  const targetId = (field: string) => (field === "excludedInvestigators" ? `ex-${info.investigators[0]?.id}` : `f-${field}`);
  // A summary link moves focus to its field (a fragment link alone only scrolls) and shows the field's label too.
  const goToField = (event: MouseEvent<HTMLAnchorElement>, field: string) => {
    const control = document.getElementById(targetId(field));
    if (!control) return;
    event.preventDefault();
    (control.closest(".field, .consent, fieldset") ?? control).scrollIntoView({ block: "start" });
    control.focus({ preventScroll: true });
  };
  const onContactInput = (event: FormEvent<HTMLFieldSetElement>) => {
    const form = event.currentTarget.form;
    if (!form) return;
    const value = (name: string) => String(new FormData(form).get(name) ?? "").trim();
    setContactGiven(!!(value("reporterName") || value("email") || value("phone")));
  };
  const optionalConsent = (
    <section aria-labelledby="consent-optional-title" className="consent-inline">
      <h3 id="consent-optional-title">{t("report.consentOptional.name")}</h3>
      <ConsentBlock
        name="consentOptional"
        error={errorFor("consentOptional")}
        checked={consentOptional}
        onChange={setConsentOptional}
        rows={[
          ["report.consent.table.purpose", "report.consent.purpose"],
          ["report.consent.table.items", "report.consent.optional.items"],
          ["report.consent.table.retention", "report.consent.retention"],
        ]}
        refuse="report.consent.optional.refuse"
        label="report.consentOptional"
      />
    </section>
  );

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
    setCancelled(false);
    if (found.length > 0) {
      requestAnimationFrame(() => summary.current?.focus());
      return;
    }
    const fileList = attachedFiles(data);
    const controller = new AbortController();
    cancelling.current = controller;
    setPhase({ kind: "working", files: fileList.length });
    submission.start();
    try {
      const client = await loadClient();
      // Each file as cleaned of identifying metadata, or its original where the reporter chose it (ADR 045).
      if (await cleaning.failedUnseen(fileList)) throw new CleaningNeedsReview();
      const toSend = await cleaning.chosen(fileList);
      submission.withFiles(client.wireBytes(toSend));
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
        toSend.map(client.fromBrowserFile),
        info,
        { onProgress: submission.onProgress, onPow: setPow, signal: controller.signal },
      );
      props.onSubmitted(result);
    } catch (error) {
      const { code, fields } = error as { code?: string; fields?: Record<string, string> };
      // Cancelled: back to the form as it was, everything typed and chosen still there.
      if (code === "cancelled") setCancelled(true);
      else if (code === "metadata_review") setFailure(t("metadata.review"));
      // Many reports from one network (an office NAT): say when to try again, not that the server refused it.
      else if (code === "too_many_reports") setFailure(t("report.errors.tooManyReports", { minutes: fields?.retryAfterMinutes ?? "60" }));
      else setFailure(t("report.errors.failed", { reason: failureReason(t, code) }));
      setPhase({ kind: "editing" });
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      cancelling.current = null;
      submission.stop();
    }
  };

  const working = phase.kind === "working";
  // Offered while files are sent, not once the report itself is being stored (intake-client.ts says why).
  // The report itself is being stored: nothing can stop it any more, and its receipt code is on its way to this page.
  const storing = working && (submission.stage?.kind === "saving" || (submission.stage?.kind === "offline" && submission.stage.during === "saving"));
  const cancellable = working && phase.files > 0 && !storing;

  return (
    <form method="post" noValidate onSubmit={onSubmit} aria-describedby="report-intro" className="report-form">
      <noscript>
        <p className="notice notice--error">{t("noscript")}</p>
      </noscript>
      <div ref={summary} tabIndex={-1} className="summary-anchor">
        {problems.length > 0 ? (
          <div className="notice notice--error" role="alert" data-testid="error-summary">
            <p>{t("report.errors.summary")}</p>
            <ul>
              {problems.map((p, i) => (
                <li key={i}>
                  <a href={`#${targetId(p.field)}`} onClick={(e) => goToField(e, p.field)}>
                    {t("report.errors.item", { field: t(FIELD_NAMES[p.field] ?? "report.errors.field"), problem: t(p.key, p.params) })}
                  </a>
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
        {cancelled ? (
          <p className="notice" data-testid="cancelled-notice">
            {t("report.cancelled")}
          </p>
        ) : null}
      </div>

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.report")}</h2>
        </legend>
        <ReportFields info={info} errorFor={errorFor} />
      </fieldset>

      <fieldset disabled={working} onInput={onContactInput}>
        <legend>
          <h2>{t("report.section.identity")}</h2>
        </legend>
        <p className="hint">{t("report.identity.hint")}</p>
        <Advice text={t("report.advice.contact")} />
        <ContactFields errorFor={errorFor} />
        {/* No e-mail option where the portal cannot send e-mail: only a word that none comes. */}
        {info.emailNotifications ? (
          <>
            <div className="checkbox">
              <input type="checkbox" id="f-notifyByEmail" name="notifyByEmail" aria-describedby="f-notifyByEmail-hint" />
              <label htmlFor="f-notifyByEmail">{t("report.notifyByEmail")}</label>
            </div>
            <p className="hint" id="f-notifyByEmail-hint">
              {t("report.notifyByEmail.hint")}
            </p>
          </>
        ) : (
          <p className="hint">{t("report.notifyByEmail.unavailable")}</p>
        )}
        <p className="hint">{t("report.phone.hint")}</p>
        {optionalAt === "identity" ? optionalConsent : null}
      </fieldset>

      <fieldset disabled={working}>
        <legend>
          <h2>{t("report.section.files")}</h2>
        </legend>
        <Advice text={t("landing.limits.2")} />
        <Field
          name="attachments"
          label={t("report.attachments")}
          hint={t("report.attachments.hint", { count: info.maxAttachments, size: formatBytes(info.maxAttachmentBytes, locale) })}
          quietError
          error={errorFor("attachments")}
        >
          {(aria) => (
            <input
              type="file"
              name="attachments"
              multiple
              {...aria}
              onChange={(e) => {
                const chosen = Array.from(e.currentTarget.files ?? []);
                setFiles(chosen.map((f) => ({ name: f.name, size: f.size })));
                cleaning.select(chosen);
              }}
            />
          )}
        </Field>
        <FileCleaningList cleaning={cleaning} idPrefix="report-files" disabled={working} />
        <VoiceRecorder onChange={setVoiceGiven} />
        {optionalAt === "files" ? optionalConsent : null}
        {optionalAt === "identity" && (files.length > 0 || voiceGiven) ? (
          <p className="hint">
            <a href="#f-consentOptional">{t("report.consent.optional.above")}</a>
          </p>
        ) : null}
      </fieldset>

      {info.investigators.length > 1 ? (
        <fieldset disabled={working} aria-describedby={`exclusions-hint${errorFor("excludedInvestigators") ? " f-excludedInvestigators-error" : ""}`}>
          <legend>
            <h2>{t("report.section.exclusions")}</h2>
          </legend>
          <p className="hint" id="exclusions-hint">
            {t("report.exclusions.hint")}
          </p>
          {errorFor("excludedInvestigators") ? (
            <p className="error-text" id="f-excludedInvestigators-error">
              {errorFor("excludedInvestigators")}
            </p>
          ) : null}
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
        {optionalAt === null ? <p className="hint">{t("report.consent.optional.where")}</p> : null}
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
      <LeaveDialog
        blocker={leaving}
        messages="report.leave"
        body={storing ? "report.leave.storing" : undefined}
        // While the report is stored, leaving would lose the receipt code of a report that is kept: no way to go.
        stayOnly={storing}
      />
      <div className="progress-area">
        {working && submission.stage ? (
          <SubmissionProgressView stage={submission.stage} onCancel={cancellable ? () => cancelling.current?.abort() : undefined} />
        ) : null}
        <div role="status" aria-live="polite">
          {working ? <PowMessage state={pow} /> : null}
          <p className="visually-hidden">{submission.announcement}</p>
        </div>
      </div>
    </form>
  );
}

/** Safety advice where the reporter gives what could identify them. */
interface SharedFieldsProps {
  /** Control ids' prefix (Field's default where absent); the form without JavaScript uses its own. */
  idPrefix?: string;
  errorFor: (field: string) => string | undefined;
  /** What was typed before, where the server sends the form back (the form without JavaScript). */
  value?: (name: string) => string;
}

/** The report's own fields, the same in the form with JavaScript and without (plain-report-form.tsx). */
export function ReportFields(props: SharedFieldsProps & { info: IntakeInfo }) {
  const { t, locale } = useI18n();
  const { idPrefix: P, errorFor, value } = props;
  return (
    <>
      <Field idPrefix={P} name="category" label={t("report.category")} required quietError error={errorFor("category")}>
        {(aria) => (
          <select name="category" defaultValue={value?.("category") ?? ""} {...aria}>
            <option value="" disabled>
              {t("report.category.choose")}
            </option>
            {props.info.categories.map((c) => (
              <option key={c.id} value={c.id}>
                {showControls(locale === "ko" ? c.nameKo : c.nameEn)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field
        idPrefix={P}
        name="title"
        label={t("report.titleField")}
        required
        hint={t("report.titleField.hint", { max: LIMITS.titleChars })}
        quietError
        error={errorFor("title")}
      >
        {(aria) => <input type="text" name="title" maxLength={LIMITS.titleChars} autoComplete="off" defaultValue={value?.("title")} {...aria} />}
      </Field>
      <Field
        idPrefix={P}
        name="description"
        label={t("report.description")}
        required
        hint={t("report.description.hint")}
        quietError
        error={errorFor("description")}
      >
        {(aria) => <textarea name="description" rows={8} maxLength={LIMITS.descriptionChars} defaultValue={value?.("description")} {...aria} />}
      </Field>
      <Field idPrefix={P} name="details" label={t("report.details")} hint={t("report.details.hint")} quietError error={errorFor("details")}>
        {(aria) => <textarea name="details" rows={6} maxLength={LIMITS.detailsChars} defaultValue={value?.("details")} {...aria} />}
      </Field>
      <fieldset className="inline-fields">
        <legend>{t("report.period")}</legend>
        <Field idPrefix={P} name="periodFrom" label={t("report.periodFrom")} quietError error={errorFor("periodFrom")}>
          {(aria) => <input type="date" name="periodFrom" defaultValue={value?.("periodFrom")} {...aria} />}
        </Field>
        <Field idPrefix={P} name="periodTo" label={t("report.periodTo")} quietError error={errorFor("periodTo")}>
          {(aria) => <input type="date" name="periodTo" defaultValue={value?.("periodTo")} {...aria} />}
        </Field>
      </fieldset>
    </>
  );
}

/** The reporter's optional name, e-mail and phone, the same in both forms. */
export function ContactFields(props: SharedFieldsProps) {
  const { t } = useI18n();
  const { idPrefix: P, errorFor, value } = props;
  return (
    <>
      <Field idPrefix={P} name="reporterName" label={t("report.reporterName")} quietError error={errorFor("reporterName")}>
        {(aria) => <input type="text" name="reporterName" maxLength={LIMITS.nameChars} autoComplete="off" defaultValue={value?.("reporterName")} {...aria} />}
      </Field>
      <Field idPrefix={P} name="email" label={t("report.email")} quietError error={errorFor("email")}>
        {(aria) => <input type="email" name="email" maxLength={LIMITS.emailChars} autoComplete="off" defaultValue={value?.("email")} {...aria} />}
      </Field>
      <Field idPrefix={P} name="phone" label={t("report.phone")} quietError error={errorFor("phone")}>
        {(aria) => <input type="tel" name="phone" maxLength={LIMITS.phoneChars} autoComplete="off" defaultValue={value?.("phone")} {...aria} />}
      </Field>
    </>
  );
}

export function Advice(props: { text: string }) {
  const { t } = useI18n();
  return (
    <p className="advice">
      <strong>{t("report.advice.title")}</strong> {props.text}
    </p>
  );
}

export function ConsentBlock(props: {
  name: string;
  /** Prefix of the checkbox's id (default `f-`), as Field's. */
  idPrefix?: string;
  defaultChecked?: boolean;
  required?: boolean;
  error?: string;
  rows: [MessageKey, MessageKey][];
  refuse: MessageKey;
  label: MessageKey;
  /** Controlled where the block moves between sections and must keep its state. */
  checked?: boolean;
  onChange?: (checked: boolean) => void;
}) {
  const { t, deadlines } = useI18n();
  const id = `${props.idPrefix ?? "f-"}${props.name}`;
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
          {...(props.onChange
            ? { checked: props.checked, onChange: (e) => props.onChange?.(e.currentTarget.checked) }
            : { defaultChecked: props.defaultChecked })}
        />
        <label htmlFor={id}>
          {t(props.label)} <span className={props.required ? "tag tag--required" : "tag"}>{props.required ? t("report.required") : t("report.optional")}</span>
        </label>
      </div>
    </div>
  );
}
