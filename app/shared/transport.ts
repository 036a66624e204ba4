// Talking to the portal from a browser, independent of React and of the
// platform: JSON calls with typed errors, retries, and the encrypted,
// resumable upload of one file. Used by the reporter (intake, follow-up) and
// by staff (an investigator attaching a file).
import {
  AttachmentEncryptor,
  concatBytes,
  encryptFileMeta,
  generateFileKey,
  streamCiphertextSize,
  STREAM_CHUNK_BYTES,
  toBase64Url,
  wrapFileKey,
  type ReportKey,
} from "../../crypto";
import { UPLOAD_TOKEN_HEADER } from "../intake/limits";
import type { ApiErrorBody, CreateUploadResponse, UploadStatusResponse } from "../intake/wire";
import type { PowAction, PowSolver, PowState } from "./pow-wire";

export { UPLOAD_TOKEN_HEADER };

/**
 * The calls a signed-in staff page makes with its session (app/staff/staff-client.ts implements them), for the
 * administrators' and affiliate reviewers' modules, which do not import the staff folder.
 */
export interface StaffCalls {
  get<T>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  raw(path: string): Promise<Response>;
}

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
  /** Replaces the proof-of-work solver (app/shared/pow-client.ts: Web Workers in a browser, inline in Node). */
  solvePow?: PowSolver;
  /** Told when a proof of work starts and ends, for the status message (ADR 032). */
  onPow?: (state: PowState) => void;
  /** Cancels: a request under way aborts, and every later one fails at once with IntakeError `cancelled` (never retried). */
  signal?: AbortSignal;
  /** Told each upload as soon as it is opened, so that a cancelled submission can abandon it (`abandonUpload`). */
  onUploadOpened?: (upload: OpenedUpload) => void;
}

/** An upload the server opened, with the token that alone may write or abandon it. */
export interface OpenedUpload {
  uploadId: string;
  token: string;
}

export class IntakeError extends Error {
  /** On a 429 that a solved proof of work lets past (ADR 035): the action to solve a challenge for. */
  proofOfWork?: PowAction;
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
    readonly fields?: Record<string, string>,
  ) {
    super(message, options);
    this.name = "IntakeError";
  }
}

/** An uploaded file as the submission or attach request names it. */
export interface EncryptedAttachment {
  uploadId: string;
  meta: string;
  fileKey: string;
}

export const DEFAULT_RETRY_DELAYS = [500, 1000, 2000, 4000, 8000, 15000, 30000, 30000, 30000, 30000];

async function errorOf(response: Response): Promise<IntakeError> {
  let code = `http_${response.status}`;
  let message = response.statusText;
  let fields: Record<string, string> | undefined;
  let proofOfWork: PowAction | undefined;
  try {
    const err = (await response.json()) as ApiErrorBody;
    code = err.error.code;
    message = err.error.message;
    fields = err.error.fields;
    proofOfWork = err.error.proofOfWork;
  } catch {
    /* not our JSON error body: keep the status */
  }
  const error = new IntakeError(code, message, response.status, undefined, fields);
  if (proofOfWork) error.proofOfWork = proofOfWork;
  return error;
}

export class Api {
  constructor(
    private readonly base: string,
    private readonly doFetch: typeof fetch,
    /** Reporter calls never send cookies; staff calls need their session cookie. */
    private readonly credentials: RequestCredentials = "omit",
    private readonly signal?: AbortSignal,
  ) {}

  /** Sends nothing once cancelled; an abort of a request under way is a cancellation, not a lost connection. */
  private async send(url: string, init: RequestInit): Promise<Response> {
    if (this.signal?.aborted) throw new IntakeError("cancelled", "cancelled", undefined, { cause: this.signal.reason });
    try {
      return await this.doFetch(url, this.signal ? { ...init, signal: this.signal } : init);
    } catch (cause) {
      if (this.signal?.aborted) throw new IntakeError("cancelled", "cancelled", undefined, { cause });
      throw new IntakeError("network", "the connection to the server failed", undefined, { cause });
    }
  }

  /** A request whose body is streamed by the caller (downloads); errors as for call(). */
  async raw(method: string, path: string, headers: Record<string, string>): Promise<Response> {
    const response = await this.send(`${this.base}${path}`, { method, headers, cache: "no-store", credentials: this.credentials });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

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
    const response = await this.send(`${this.base}${path}`, { method, headers, body, cache: "no-store", credentials: this.credentials });
    if (!response.ok) throw await errorOf(response);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

/** The platform's fetch must be called unbound-free: browsers throw "Illegal invocation" otherwise. */
export function apiFor(options: IntakeOptions, credentials: RequestCredentials = "omit"): Api {
  return new Api(options.baseUrl ?? "", options.fetch ?? ((input, init) => fetch(input, init)), credentials, options.signal);
}

/** Abandons an upload and its bytes (DELETE, ADR 004), once: cleanup removes what a lost connection leaves. */
export async function abandonUpload(api: Api, upload: OpenedUpload): Promise<void> {
  await api.call("DELETE", `/api/intake/uploads/${upload.uploadId}`, { headers: { [UPLOAD_TOKEN_HEADER]: upload.token } });
}

/** Worth another try: the connection, a server error (a full ceiling frees up), an interrupted part; not a full disk (ADR 031). */
export const retryable = (e: unknown) =>
  e instanceof IntakeError &&
  (e.code === "network" || ((e.status ?? 0) >= 500 && e.code !== "storage_low") || e.code === "part_interrupted" || e.code === "part_in_progress");

export async function withRetry<T>(fn: () => Promise<T>, delays: number[], onRetry: (attempt: number) => void): Promise<T> {
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

/**
 * Encrypts and uploads one file under a fresh file key: parts are encrypted
 * while the previous one is in flight, and a part whose upload failed is sent
 * again (the server keeps what it acknowledged), so the upload survives
 * dropped connections and server restarts.
 */
export async function uploadEncryptedFile(
  api: Api,
  /**
   * Where to open the upload. `body`: members the route takes besides `ciphertextBytes` (intake names the
   * report; follow-up and case routes know it from the session or path, and their strict schemas refuse it).
   * `withPow`: for the reporter's routes, runs the request with a solved proof of work (app/shared/pow-client.ts).
   */
  open: {
    path: string;
    headers?: Record<string, string>;
    body?: Record<string, string>;
    withPow?: <T>(request: (headers: Record<string, string>) => Promise<T>) => Promise<T>;
  },
  reportId: string,
  reportKey: ReportKey,
  file: SourceFile,
  index: number,
  options: IntakeOptions,
): Promise<EncryptedAttachment> {
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS;
  const onRetry = (attempt: number) => options.onProgress?.({ phase: "retrying", attempt });
  const total = streamCiphertextSize(file.size);
  const create = (pow: Record<string, string>) =>
    api.call<CreateUploadResponse>("POST", open.path, { json: { ...open.body, ciphertextBytes: total }, headers: { ...open.headers, ...pow } });
  const created = await withRetry(() => (open.withPow ? open.withPow(create) : create({})), delays, onRetry);
  const uploadId = created.uploadId;
  options.onUploadOpened?.({ uploadId, token: created.token });
  const auth = { [UPLOAD_TOKEN_HEADER]: created.token };
  const partPlain = created.partPlainBytes - (created.partPlainBytes % STREAM_CHUNK_BYTES);
  const fileKey = generateFileKey();
  const encryptor = new AttachmentEncryptor(fileKey, { reportId, attachmentId: uploadId }, file.size);
  // Parts cover the padded body (stream-v2): the server sees only its Padmé class, never the file's size.
  const body = encryptor.paddedBytes;
  const parts = Math.max(1, Math.ceil(body / partPlain));

  const encryptPart = async (n: number): Promise<Uint8Array> => {
    const start = n * partPlain;
    const end = Math.min(body, start + partPlain);
    const plain = start < file.size ? await file.read(start, Math.min(end, file.size)) : new Uint8Array(0);
    const cipher = encryptor.push(plain, n === parts - 1, end - start);
    if (n !== 0) return cipher;
    return concatBytes(encryptor.header, cipher);
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
