// The receipt after a report: the secret receipt code once, with ways to keep it (a text file, a printout,
// the clipboard), and the case number shown apart as the reference it is. Until the reporter confirms they
// saved the code, leaving or reloading the page asks first; once they confirm, the code leaves the page and
// the state that held it (`onCodeSaved`), so that nobody who comes to the screen later can read it. The code
// is never written to browser storage.
import { Link } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { formatDay } from "../i18n";
import { useI18n } from "../i18n/react";
import { followUpUrl, RECEIPT_FILE_NAME, receiptSheet, receiptText, type ReceiptSheet } from "./receipt-sheet";
import { saveAsFile } from "./save-file";
import { LeaveDialog } from "./leave-dialog";
import { useLeaveWarning } from "./use-leave-warning";

export interface Receipt {
  /** Null once the reporter confirmed they saved it. */
  receiptCode: string | null;
  caseNumber: string;
  ackDueOn: string;
}

export function ReceiptPanel(props: { receipt: Receipt; publicOrigin: string | null; onCodeSaved: () => void }) {
  const { t, locale, deadlines } = useI18n();
  const { receiptCode, caseNumber, ackDueOn } = props.receipt;
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <section className="receipt" aria-labelledby="receipt-title">
      <h1 id="receipt-title" ref={heading} tabIndex={-1}>
        {t("receipt.title")}
      </h1>
      {receiptCode ? <SecretCode code={receiptCode} publicOrigin={props.publicOrigin} onSaved={props.onCodeSaved} /> : <CodeRemoved />}
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

function SecretCode(props: { code: string; publicOrigin: string | null; onSaved: () => void }) {
  const { t } = useI18n();
  const [notice, setNotice] = useState("");
  const [saved, setSaved] = useState(false);
  const [unticked, setUnticked] = useState(false);
  const checkbox = useRef<HTMLInputElement>(null);
  const blocker = useLeaveWarning(true);
  // Whoever leaves was told the code would be gone: a page restored from the back/forward cache (someone at the
  // same computer pressing Back) would show it again, so it reloads instead, as the follow-up page does.
  useEffect(() => {
    const onShow = (e: PageTransitionEvent) => {
      if (e.persisted) window.location.reload();
    };
    window.addEventListener("pageshow", onShow);
    return () => window.removeEventListener("pageshow", onShow);
  }, []);
  // The page's origin exists only in the browser, where this panel alone renders (after a submission).
  const sheet = useMemo(() => receiptSheet(t, props.code, followUpUrl(props.publicOrigin, window.location.origin)), [t, props.code, props.publicOrigin]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.code);
      setNotice(t("receipt.copied"));
    } catch {
      setNotice(t("receipt.copyFailed"));
    }
  };
  const download = () => {
    saveAsFile(RECEIPT_FILE_NAME, new Blob([receiptText(sheet)], { type: "text/plain;charset=utf-8" }));
    setNotice(t("receipt.downloaded", { name: RECEIPT_FILE_NAME }));
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    if (!saved) {
      setUnticked(true);
      checkbox.current?.focus();
      return;
    }
    props.onSaved();
  };

  return (
    <>
      <p className="receipt__label" id="receipt-code-label">
        {t("receipt.codeLabel")}
      </p>
      <p className="receipt__code" aria-labelledby="receipt-code-label">
        <code data-testid="receipt-code" translate="no">
          {props.code}
        </code>
      </p>
      <p>{t("receipt.codeNote")}</p>
      <p>{sheet.followUp}</p>
      <p className="receipt__actions">
        <button type="button" className="button button--primary" onClick={download}>
          {t("receipt.download")}
        </button>
        <button type="button" className="button" onClick={() => window.print()}>
          {t("receipt.print")}
        </button>
        <button type="button" className="button" onClick={copy}>
          {t("receipt.copy")}
        </button>
      </p>
      <p role="status" data-testid="receipt-notice">
        {notice}
      </p>
      <div className="card card--warn">
        <h2>{sheet.adviceTitle}</h2>
        <ul>
          {sheet.advice.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      </div>
      <form className="receipt__confirm" onSubmit={confirm} noValidate aria-labelledby="receipt-confirm-title">
        <h2 id="receipt-confirm-title">{t("receipt.confirm.title")}</h2>
        <p>{t("receipt.confirm.body")}</p>
        {unticked && !saved ? (
          <p className="error-text" id="receipt-saved-error">
            {t("receipt.confirm.required")}
          </p>
        ) : null}
        <div className="checkbox">
          <input
            ref={checkbox}
            type="checkbox"
            id="receipt-saved"
            checked={saved}
            onChange={(e) => setSaved(e.currentTarget.checked)}
            aria-invalid={unticked && !saved ? true : undefined}
            aria-describedby={unticked && !saved ? "receipt-saved-error" : undefined}
          />
          <label htmlFor="receipt-saved">{t("receipt.confirm.check")}</label>
        </div>
        <p>
          <button type="submit" className="button">
            {t("receipt.confirm.button")}
          </button>
        </p>
      </form>
      <LeaveDialog blocker={blocker} messages="receipt.leave" />
      <PrintSheet sheet={sheet} />
    </>
  );
}

/** Shown once the code is gone: where to use the saved copy, focused so that the reporter hears what happened. */
function CodeRemoved() {
  const { t, href } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  return (
    <div className="card card--good" data-testid="receipt-removed">
      <h2 ref={heading} tabIndex={-1}>
        {t("receipt.removed.title")}
      </h2>
      <p>
        {t("receipt.removed.body")} <Link to={href("/status")}>{t("nav.followup")}</Link>
      </p>
      <p>
        <Link className="button button--primary" to={href("/")}>
          {t("receipt.home")}
        </Link>
      </p>
    </div>
  );
}

/** Hidden on screen; printing this page prints this alone (app.css, @media print). */
function PrintSheet(props: { sheet: ReceiptSheet }) {
  const { sheet } = props;
  return (
    <div className="receipt-sheet" data-testid="receipt-sheet">
      <p className="receipt-sheet__title">{sheet.title}</p>
      <p>{sheet.codeLabel}</p>
      <p className="receipt__code">
        <code translate="no">{sheet.code}</code>
      </p>
      <p>{sheet.followUp}</p>
      <p className="receipt-sheet__title">{sheet.adviceTitle}</p>
      <ul>
        {sheet.advice.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
    </div>
  );
}
