// The reporter's side of intake, independent of React and of the platform:
// the browser runs it on the report page, and tests and benchmarks run the very
// same code in Node. It encrypts everything with crypto/ before any byte leaves.
//
// On 409 `recipients_changed` (an investigator was added or removed since the
// page loaded) it reloads the intake info and seals the same report and case
// keys to the current non-excluded investigators, then submits once more.
// Network errors and 5xx are retried with the same body: the server answers a
// retry as the first submission.
//
// `options.signal` cancels while the files are sent. After a cancellation, or a
// failure while sending files, the uploads opened so far are abandoned (best
// effort; cleanup removes what a lost connection leaves).
// Once the report itself is being stored the signal is no longer heeded: the
// reporter would otherwise lose the receipt of a report the server may keep.
import {
  fromBase64Url,
  loadSodium,
  newRecordId,
  sealNewReport,
  sealReportKeys,
  type ReportBody,
  type ReporterIdentity,
  type SealedReport,
  toBase64Url,
  type StaffPublicKey,
} from "../../crypto";
import type { IntakeInfo, SubmitReportRequest, SubmitReportResponse } from "../intake/wire";
import { withPow } from "../shared/pow-client";
import {
  apiFor,
  type Api,
  DEFAULT_RETRY_DELAYS,
  IntakeError,
  OpenedUploads,
  untilCancelled,
  uploadEncryptedFile,
  withRetry,
  type IntakeOptions,
  type OpenedUpload,
  type SourceFile,
} from "../shared/transport";

export { fromBrowserFile, IntakeError, wireBytes, type IntakeOptions, type Progress, type SourceFile } from "../shared/transport";

export interface ReportDraft {
  categoryId: string;
  title: string;
  body: ReportBody;
  identity: ReporterIdentity | null;
  excludedInvestigators: string[];
  consentReport: true;
  consentOptional: boolean;
  consentAffiliateIdentity: boolean;
  locale?: "ko" | "en";
}

export interface SubmittedReport extends SubmitReportResponse {
  reportId: string;
  receiptCode: string;
}

export async function fetchIntakeInfo(options: IntakeOptions = {}): Promise<IntakeInfo> {
  const api = apiFor(options);
  return api.call<IntakeInfo>("GET", "/api/intake/info");
}

function recipientsOf(info: IntakeInfo, excluded: string[]) {
  const skip = new Set(excluded);
  return info.investigators.filter((i) => !skip.has(i.id)).map((i) => ({ staffUserId: i.id, publicKey: fromBase64Url(i.publicKey) as StaffPublicKey }));
}

function requestBody(draft: ReportDraft, sealed: SealedReport, attachments: SubmitReportRequest["attachments"]): SubmitReportRequest {
  return {
    reportId: sealed.reportId,
    categoryId: draft.categoryId,
    title: toBase64Url(sealed.title),
    body: toBase64Url(sealed.body),
    identity: sealed.identity ? toBase64Url(sealed.identity) : null,
    identityKey: sealed.identityKey ? toBase64Url(sealed.identityKey) : null,
    notifyAddress: sealed.notifyAddress ? toBase64Url(sealed.notifyAddress) : null,
    reporterKey: toBase64Url(sealed.reporterKey),
    receiptLookup: toBase64Url(sealed.receiptLookup),
    envelopes: sealed.envelopes.map((e) => ({ staffUserId: e.staffUserId, envelope: toBase64Url(e.envelope) })),
    excludedInvestigators: draft.excludedInvestigators,
    attachments,
    consentReport: true,
    consentOptional: draft.consentOptional,
    consentAffiliateIdentity: draft.consentAffiliateIdentity,
    locale: draft.locale,
  };
}

/** Seals, uploads and submits a report; resolves to the receipt shown once to the reporter. */
export async function submitEncryptedReport(draft: ReportDraft, files: SourceFile[], info: IntakeInfo, options: IntakeOptions = {}): Promise<SubmittedReport> {
  await loadSodium();
  const api = apiFor(options);
  // For what must not be cancelled: abandoning uploads, and storing the report (see the top of this file).
  const steady = apiFor({ ...options, signal: undefined });
  options.onProgress?.({ phase: "sealing" });
  const recipients = recipientsOf(info, draft.excludedInvestigators);
  if (recipients.length === 0) throw new IntakeError("no_recipients", "at least one investigator must be able to read the report");
  const sealed = sealNewReport({
    reportId: newRecordId(),
    title: draft.title,
    body: draft.body,
    identity: draft.identity,
    recipients,
  });
  const opened = new OpenedUploads(steady);
  const uploading = { ...options, onUploadOpened: (u: OpenedUpload) => opened.add(u) };
  const uploadAll = async () => {
    const attachments = [];
    for (const [i, file] of files.entries()) {
      attachments.push(
        await uploadEncryptedFile(
          api,
          { path: "/api/intake/uploads", body: { reportId: sealed.reportId }, withPow: (request) => withPow(api, "upload", options, request) },
          sealed.reportId,
          sealed.keys.reportKey,
          file,
          i,
          uploading,
        ),
      );
    }
    return attachments;
  };
  let attachments: Awaited<ReturnType<typeof uploadAll>>;
  try {
    attachments = await untilCancelled(uploadAll(), options.signal);
  } catch (error) {
    // Cancelled or failed: a new attempt is a new report id, so these uploads would only hold the client's quota.
    opened.abandonAll();
    throw error;
  }
  options.onProgress?.({ phase: "saving" });
  // A failure from here on keeps the uploads: the server may have stored the report with them (the answer lost),
  // and the same request body may be sent again.
  return storeReport(steady, draft, sealed, attachments, options);
}

/** Submits the sealed report with its attachments, retrying, and once more on `recipients_changed`. */
async function storeReport(
  api: Api,
  draft: ReportDraft,
  sealed: SealedReport,
  attachments: SubmitReportRequest["attachments"],
  options: IntakeOptions,
): Promise<SubmittedReport> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
  const submit = (body: SubmitReportRequest) =>
    withRetry(
      () => withPow(api, "report", options, (headers) => api.call<SubmitReportResponse>("POST", "/api/intake/reports", { json: body, headers })),
      delays,
      (attempt) => options.onProgress?.({ phase: "retrying", attempt }),
    );
  let result: SubmitReportResponse;
  try {
    result = await submit(requestBody(draft, sealed, attachments));
  } catch (error) {
    if (!(error instanceof IntakeError && error.code === "recipients_changed")) throw error;
    // An investigator was added or removed since the page loaded: seal the same keys to the current list.
    const fresh = await api.call<IntakeInfo>("GET", "/api/intake/info");
    const current = recipientsOf(fresh, draft.excludedInvestigators);
    if (current.length === 0) throw new IntakeError("no_recipients", "at least one investigator must be able to read the report");
    sealed.envelopes = current.map((r) => ({
      staffUserId: r.staffUserId,
      envelope: sealReportKeys(sealed.keys, sealed.reportId, r.publicKey),
    }));
    result = await submit(requestBody(draft, sealed, attachments));
  }
  return { ...result, reportId: sealed.reportId, receiptCode: sealed.receiptCode };
}

/** Starts loading libsodium ahead of need; errors surface again on submit. */
export function preloadCrypto(): Promise<void> {
  return loadSodium().then(
    () => undefined,
    () => undefined,
  );
}
