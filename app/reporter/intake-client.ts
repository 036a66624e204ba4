// The reporter's side of intake, independent of React and of the platform:
// the browser runs it on the report page, and tests and benchmarks run the very
// same code in Node. It encrypts everything with crypto/ before any byte leaves.
import {
  AttachmentEncryptor,
  encryptFileMeta,
  fromBase64Url,
  generateFileKey,
  loadSodium,
  newRecordId,
  sealNewReport,
  sealReportKeys,
  streamCiphertextSize,
  STREAM_CHUNK_BYTES,
  toBase64Url,
  wrapFileKey,
  type ReportBody,
  type ReporterIdentity,
  type ReportKey,
  type SealedReport,
  type StaffPublicKey,
} from "../../crypto";
import type {
  ApiErrorBody,
  CreateUploadResponse,
  IntakeInfo,
  SubmitReportRequest,
  SubmitReportResponse,
  UploadStatusResponse,
} from "../intake/wire";

export const UPLOAD_TOKEN_HEADER = "X-Upload-Token";

/** A file to attach: a browser File, or anything that can hand out byte ranges. */
export interface SourceFile {
  name: string;
  type: string;
  size: number;
  read(start: number, end: number): Promise<Uint8Array>;
}

export function fromBrowserFile(file: File): SourceFile {
  return {
    name: file.name,
    type: file.type || "application/octet-stream",
    size: file.size,
    read: async (start, end) => new Uint8Array(await file.slice(start, end).arrayBuffer()),
  };
}

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

export type Progress =
  | { phase: "sealing" }
  | { phase: "uploading"; file: number; name: string; sentBytes: number; totalBytes: number }
  | { phase: "retrying"; attempt: number }
  | { phase: "saving" };

export interface IntakeOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  onProgress?: (p: Progress) => void;
  /** Waits between retries; tests shorten it. */
  retryDelaysMs?: number[];
}

export class IntakeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "IntakeError";
  }
}

export interface SubmittedReport extends SubmitReportResponse {
  reportId: string;
  receiptCode: string;
}

const DEFAULT_RETRY_DELAYS = [500, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000];

class Api {
  constructor(
    private readonly base: string,
    private readonly doFetch: typeof fetch,
  ) {}

  async call<T>(method: string, path: string, init: { json?: unknown; body?: Uint8Array; headers?: Record<string, string> } = {}): Promise<T> {
    const headers: Record<string, string> = { ...init.headers };
    let body: BodyInit | undefined;
    if (init.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(init.json);
    } else if (init.body) {
      headers["Content-Type"] = "application/octet-stream";
      body = init.body as unknown as BodyInit;
    }
    let response: Response;
    try {
      response = await this.doFetch(`${this.base}${path}`, { method, headers, body, cache: "no-store", credentials: "omit" });
    } catch (cause) {
      throw new IntakeError("network", "the connection to the server failed", undefined, { cause });
    }
    if (!response.ok) {
      let code = `http_${response.status}`;
      let message = response.statusText;
      try {
        const err = (await response.json()) as ApiErrorBody;
        code = err.error.code;
        message = err.error.message;
      } catch {
        /* not our JSON error body: keep the status */
      }
      throw new IntakeError(code, message, response.status);
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

/** The platform's fetch must be called unbound-free: browsers throw "Illegal invocation" otherwise. */
function apiFor(options: IntakeOptions): Api {
  return new Api(options.baseUrl ?? "", options.fetch ?? ((input, init) => fetch(input, init)));
}

const retryable = (e: unknown) => e instanceof IntakeError && (e.code === "network" || (e.status ?? 0) >= 500 || e.code === "part_interrupted" || e.code === "part_in_progress");

async function withRetry<T>(fn: () => Promise<T>, delays: number[], onRetry: (attempt: number) => void): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!retryable(error) || attempt >= delays.length) throw error;
      onRetry(attempt + 1);
      await new Promise((r) => setTimeout(r, delays[attempt]));
    }
  }
}

export async function fetchIntakeInfo(options: IntakeOptions = {}): Promise<IntakeInfo> {
  const api = apiFor(options);
  return api.call<IntakeInfo>("GET", "/api/intake/info");
}

function recipientsOf(info: IntakeInfo, excluded: string[]) {
  const skip = new Set(excluded);
  return info.investigators
    .filter((i) => !skip.has(i.id))
    .map((i) => ({ staffUserId: i.id, publicKey: fromBase64Url(i.publicKey) as StaffPublicKey }));
}

/**
 * Encrypts and uploads one file under a fresh file key: parts are encrypted
 * while the previous one is in flight, and a part whose upload failed is sent
 * again (the server keeps what it acknowledged), so the upload survives
 * dropped connections and server restarts.
 */
async function uploadFile(
  api: Api,
  reportId: string,
  reportKey: ReportKey,
  file: SourceFile,
  index: number,
  options: IntakeOptions,
): Promise<SubmitReportRequest["attachments"][number]> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
  const onRetry = (attempt: number) => options.onProgress?.({ phase: "retrying", attempt });
  const total = streamCiphertextSize(file.size);
  const created = await withRetry(
    () => api.call<CreateUploadResponse>("POST", "/api/intake/uploads", { json: { reportId, ciphertextBytes: total } }),
    delays,
    onRetry,
  );
  const uploadId = created.uploadId;
  const auth = { [UPLOAD_TOKEN_HEADER]: created.token };
  const partPlain = created.partPlainBytes - (created.partPlainBytes % STREAM_CHUNK_BYTES);
  const fileKey = generateFileKey();
  const encryptor = new AttachmentEncryptor(fileKey, { reportId, attachmentId: uploadId });
  const parts = Math.max(1, Math.ceil(file.size / partPlain));

  const encryptPart = async (n: number): Promise<Uint8Array> => {
    const start = n * partPlain;
    const end = Math.min(file.size, start + partPlain);
    const cipher = encryptor.push(await file.read(start, end), n === parts - 1);
    if (n !== 0) return cipher;
    const withHeader = new Uint8Array(encryptor.header.length + cipher.length);
    withHeader.set(encryptor.header);
    withHeader.set(cipher, encryptor.header.length);
    return withHeader;
  };

  let sent = 0;
  options.onProgress?.({ phase: "uploading", file: index, name: file.name, sentBytes: 0, totalBytes: total });
  let next = encryptPart(0);
  for (let n = 0; n < parts; n++) {
    const bytes = await next;
    if (n + 1 < parts) next = encryptPart(n + 1);
    await withRetry(
      async () => {
        try {
          await api.call<UploadStatusResponse>("PUT", `/api/intake/uploads/${uploadId}/parts/${n}`, { body: bytes, headers: auth });
        } catch (error) {
          // The server may have stored the part before the answer got lost.
          if (!retryable(error) && !(error instanceof IntakeError && error.code === "wrong_part")) throw error;
          const status = await api.call<UploadStatusResponse>("GET", `/api/intake/uploads/${uploadId}`, { headers: auth });
          if (status.nextPart > n) return;
          throw error;
        }
      },
      delays,
      onRetry,
    );
    sent += bytes.length;
    options.onProgress?.({ phase: "uploading", file: index, name: file.name, sentBytes: sent, totalBytes: total });
  }
  await withRetry(() => api.call("POST", `/api/intake/uploads/${uploadId}/complete`, { headers: auth }), delays, onRetry);
  return {
    uploadId,
    meta: toBase64Url(encryptFileMeta(reportKey, reportId, uploadId, { name: file.name, type: file.type, size: file.size })),
    fileKey: toBase64Url(wrapFileKey(reportKey, reportId, uploadId, fileKey)),
  };
}

function requestBody(draft: ReportDraft, sealed: SealedReport, attachments: SubmitReportRequest["attachments"]): SubmitReportRequest {
  return {
    reportId: sealed.reportId,
    categoryId: draft.categoryId,
    title: toBase64Url(sealed.title),
    body: toBase64Url(sealed.body),
    identity: sealed.identity ? toBase64Url(sealed.identity) : null,
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
export async function submitEncryptedReport(
  draft: ReportDraft,
  files: SourceFile[],
  info: IntakeInfo,
  options: IntakeOptions = {},
): Promise<SubmittedReport> {
  await loadSodium();
  const api = apiFor(options);
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
  const attachments = [];
  for (const [i, file] of files.entries()) {
    attachments.push(await uploadFile(api, sealed.reportId, sealed.keys.reportKey, file, i, options));
  }
  options.onProgress?.({ phase: "saving" });
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
  const submit = (body: SubmitReportRequest) =>
    withRetry(
      () => api.call<SubmitReportResponse>("POST", "/api/intake/reports", { json: body }),
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
