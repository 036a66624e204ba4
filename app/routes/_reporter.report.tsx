// The report form: loader supplies categories and investigators' public keys;
// the component encrypts and submits in the browser.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { getIntakeInfo } from "../.server/intake/intake";
import { services } from "../.server/platform/services";
import { ReceiptPanel, type Receipt } from "../components/receipt-panel";
import { ReportForm } from "../components/report-form";
import { describedAs } from "../i18n/meta";
import { useI18n } from "../i18n/react";
import type { SubmittedReport } from "../reporter/intake-client";

export const meta = describedAs("meta.description.report");

export async function loader({ context }: LoaderFunctionArgs) {
  const s = services(context);
  // The receipt's file and printout name the follow-up page at the address people are told, when it is set.
  return { info: await getIntakeInfo(s), publicOrigin: s.config.PUBLIC_ORIGIN ?? null };
}

/** A plain form post can only come from a browser without JavaScript: refuse it unread. */
export async function action() {
  throw new Response("This form needs JavaScript to encrypt your report.", { status: 400 });
}

export default function ReportPage() {
  const { info, publicOrigin } = useLoaderData<typeof loader>();
  const { t } = useI18n();
  // Only what the receipt shows is kept; the code is dropped from it once the reporter says they saved it.
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const onSubmitted = (r: SubmittedReport) => setReceipt({ receiptCode: r.receiptCode, caseNumber: r.caseNumber, ackDueOn: r.ackDueOn });
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
          <p id="report-intro">{t("report.intro")}</p>
          <ReportForm info={info} onSubmitted={onSubmitted} />
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
