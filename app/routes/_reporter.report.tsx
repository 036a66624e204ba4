// The report form: loader supplies categories and investigators' public keys;
// the component encrypts and submits in the browser. Without JavaScript, a plain
// form inside <noscript> posts here instead and the server encrypts (ADR 043).
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import { json, type ActionFunctionArgs, type HeadersFunction, type LoaderFunctionArgs } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { getIntakeInfo } from "../.server/intake/intake";
import { answerPlainReportPost } from "../.server/nojs/server-sealed-report";
import { services } from "../.server/platform/services";
import { PlainReceipt, PlainReportForm, type PlainAnswer } from "../components/plain-report-form";
import { ReceiptPanel, type Receipt } from "../components/receipt-panel";
import { ReportForm } from "../components/report-form";
import { formatBytes, resolveLocale } from "../i18n";
import { describedAs } from "../i18n/meta";
import { useI18n } from "../i18n/react";
import type { SubmittedReport } from "../reporter/intake-client";

export const meta = describedAs("meta.description.report");

/** A refused plain post says when to come back (the action's `Retry-After`); documents are never cached. */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const out = new Headers({ "Cache-Control": "no-store" });
  const retry = actionHeaders.get("Retry-After");
  if (retry) out.set("Retry-After", retry);
  return out;
};

export async function loader({ context }: LoaderFunctionArgs) {
  const s = services(context);
  // The receipt's file and printout name the follow-up page at the address people are told, when it is set.
  return { info: await getIntakeInfo(s), publicOrigin: s.config.PUBLIC_ORIGIN ?? null };
}

/**
 * Only the form without JavaScript posts here, as multipart/form-data; anything else (the form for JavaScript
 * never posts natively: its button stays disabled until hydration) is refused unread.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const type = request.headers.get("Content-Type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type) || !request.body) {
    throw new Response("This form needs JavaScript to encrypt your report.", { status: 400 });
  }
  const locale = resolveLocale(request);
  const length = request.headers.get("Content-Length");
  const answer = await answerPlainReportPost(
    services(context),
    {
      body: Readable.fromWeb(request.body as NodeWebStream<Uint8Array>),
      contentType: type,
      contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
      signal: request.signal,
    },
    { clientKey: context.clientKey, locale, formatSize: (n) => formatBytes(n, locale) },
  );
  const headers: Record<string, string> = { "Cache-Control": "no-store" };
  if ("retryAfterSeconds" in answer && answer.retryAfterSeconds) headers["Retry-After"] = String(answer.retryAfterSeconds);
  return json<PlainAnswer>(answer.data, { status: answer.status, headers });
}

export default function ReportPage() {
  const { info, publicOrigin } = useLoaderData<typeof loader>();
  const plain = useActionData<PlainAnswer>() ?? null;
  const { t } = useI18n();
  // Only what the receipt shows is kept; the code is dropped from it once the reporter says they saved it.
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const onSubmitted = (r: SubmittedReport) => setReceipt({ receiptCode: r.receiptCode, caseNumber: r.caseNumber, ackDueOn: r.ackDueOn });
  if (plain?.plain === "receipt") {
    return (
      <div className="page">
        <PlainReceipt receipt={plain.receipt} />
      </div>
    );
  }
  if (receipt) {
    return (
      <div className="page">
        <ReceiptPanel receipt={receipt} publicOrigin={publicOrigin} onCodeSaved={() => setReceipt({ ...receipt, receiptCode: null })} />
      </div>
    );
  }
  return (
    <div className="page">
      <h1>{t("report.title")}</h1>
      {info.open ? (
        <>
          {/* Parsed only where scripts do not run: nobody with JavaScript can send plaintext through it. */}
          <noscript>
            <link rel="stylesheet" href="/nojs.css" />
            <PlainReportForm info={info} answer={plain} />
          </noscript>
          <div className="js-report">
            <p id="report-intro">{t("report.intro")}</p>
            <ReportForm info={info} onSubmitted={onSubmitted} />
          </div>
        </>
      ) : (
        <section className="notice" aria-labelledby="closed-title" data-testid="intake-closed">
          <h2 id="closed-title">{t("report.closed.title")}</h2>
          <p>{t("report.closed.body")}</p>
        </section>
      )}
    </div>
  );
}
