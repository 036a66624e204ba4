import { Link } from "@remix-run/react";
import { useEffect, useRef, useState } from "react";
import { formatDay } from "../i18n";
import { useI18n } from "../i18n/react";

/** Shows the receipt code once, with a way to copy it and advice on keeping it. */
export function ReceiptPanel(props: { receiptCode: string; caseNumber: string; ackDueOn: string }) {
  const { t, locale, href, deadlines } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  useEffect(() => heading.current?.focus(), []);
  const copyCode = async () => {
    try {
      await navigator.clipboard.writeText(props.receiptCode);
      setCopy("copied");
    } catch {
      setCopy("failed");
    }
  };
  return (
    <section className="receipt" aria-labelledby="receipt-title">
      <h1 id="receipt-title" ref={heading} tabIndex={-1}>
        {t("receipt.title")}
      </h1>
      <p className="receipt__label" id="receipt-code-label">
        {t("receipt.codeLabel")}
      </p>
      <p className="receipt__code" aria-labelledby="receipt-code-label">
        <code data-testid="receipt-code" translate="no">
          {props.receiptCode}
        </code>
      </p>
      <p>
        <button type="button" className="button" onClick={copyCode}>
          {t("receipt.copy")}
        </button>{" "}
        <span role="status">{copy === "copied" ? t("receipt.copied") : copy === "failed" ? t("receipt.copyFailed") : ""}</span>
      </p>
      <p>
        {t("receipt.caseNumber")}: <strong data-testid="case-number">{props.caseNumber}</strong>
      </p>
      <p>{t("receipt.deadlines", { ack: formatDay(props.ackDueOn, locale), feedbackMonths: deadlines.feedbackMonths })}</p>
      <div className="card card--warn">
        <h2>{t("receipt.advice.title")}</h2>
        <ul>
          <li>{t("receipt.advice.1")}</li>
          <li>{t("receipt.advice.2")}</li>
          <li>{t("receipt.advice.3")}</li>
        </ul>
      </div>
      <p>
        <Link className="button button--primary" to={href("/")} replace>
          {t("receipt.done")}
        </Link>
      </p>
    </section>
  );
}
