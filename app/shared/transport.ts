// Talking to the portal from a browser, independent of React and of the
// platform: JSON calls with typed errors, retries, and the encrypted,
// resumable upload of one file. Used by the reporter (intake, follow-up) and
// by staff (an investigator attaching a file).
import {
  AttachmentEncryptor,
  CryptoError,
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
import type { PartsJob, UploadWorkerCancel, UploadWorkerEvent, UploadWorkerFailure, UploadWorkerStart } from "./upload-wire";

export type { PartsJob };

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
  /** The browser's file itself: it can be handed to the upload worker, which reads it there. */
  blob?: Blob;
}

export function fromBrowserFile(file: File): SourceFile {
  return {
    blob: file,
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
    readonly base: string,
    private readonly doFetch: typeof fetch,
    /** Reporter calls never send cookies; staff calls need their session cookie. */
    readonly credentials: RequestCredentials = "omit",
    private readonly signal?: AbortSignal,
    /** The platform's own fetch (not one given by a test): the upload worker can make the same calls. */
    readonly platformFetch = false,
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
  return new Api(options.baseUrl ?? "", options.fetch ?? ((input, init) => fetch(input, init)), credentials, options.signal, !options.fetch);
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

export interface PartsEvents {
  /** Ciphertext bytes the server has acknowledged so far. */
  onSent(sentBytes: number): void;
  onRetry(attempt: number): void;
}

/** Parts read ahead of the one being encrypted: reading happens off the thread, and costs only memory. */
const READ_AHEAD_PARTS = 2;

/**
 * Encrypts the file part by part and uploads the parts in order. Part n is sent while part n+1 is
 * encrypted and the parts after it are read, so reading, encryption and sending overlap. A part
 * whose upload failed is sent again (the server keeps what it acknowledged), so the upload
 * survives dropped connections and server restarts.
 */
export async function sendEncryptedParts(api: Api, job: PartsJob, read: SourceFile["read"], events: PartsEvents): Promise<void> {
  const encryptor = new AttachmentEncryptor(job.fileKey, job.binding, job.size);
  try {
    // Parts cover the padded body (stream-v2): the server sees only its Padmé class, never the file's size.
    const body = encryptor.paddedBytes;
    const parts = Math.max(1, Math.ceil(body / job.partPlain));
    const range = (n: number) => [n * job.partPlain, Math.min(body, (n + 1) * job.partPlain)] as const;
    const reads = new Map<number, Promise<Uint8Array>>();
    const readAhead = (from: number) => {
      for (let n = from; n < Math.min(parts, from + READ_AHEAD_PARTS); n++) {
        if (reads.has(n)) continue;
        const [start, end] = range(n);
        const p = start < job.size ? read(start, Math.min(end, job.size)) : Promise.resolve(new Uint8Array(0));
        p.catch(() => undefined); // surfaces when awaited; not an unhandled rejection meanwhile
        reads.set(n, p);
      }
    };
    const encryptPart = async (n: number): Promise<Uint8Array> => {
      readAhead(n);
      const plain = await reads.get(n)!;
      reads.delete(n);
      readAhead(n + 1);
      const [start, end] = range(n);
      return encryptor.push(plain, n === parts - 1, end - start, n === 0);
    };

    const auth = { [UPLOAD_TOKEN_HEADER]: job.token };
    let sent = 0;
    let next = encryptPart(0);
    for (let n = 0; n < parts; n++) {
      const bytes = await next;
      if (n + 1 < parts) {
        next = encryptPart(n + 1);
        next.catch(() => undefined);
      }
      await withRetry(
        async () => {
          try {
            await api.call<UploadStatusResponse>("PUT", `/api/intake/uploads/${job.uploadId}/parts/${n}`, { body: bytes, headers: auth });
          } catch (error) {
            // The server may have stored the part before the answer got lost.
            if (!retryable(error) && !(error instanceof IntakeError && error.code === "wrong_part")) throw error;
            const status = await api.call<UploadStatusResponse>("GET", `/api/intake/uploads/${job.uploadId}`, { headers: auth });
            if (status.nextPart > n) return;
            throw error;
          }
        },
        job.retryDelaysMs,
        events.onRetry,
      );
      sent += bytes.length;
      events.onSent(sent);
    }
  } finally {
    encryptor.dispose();
  }
}

/** How long a cancelled upload worker has to wipe its buffers before it is ended regardless (a retry's wait, say). */
const CANCEL_GRACE_MS = 2_000;

/** Module workers (type: "module") in this browser; Node and old browsers encrypt in the calling thread. */
const workersAvailable = () => typeof Worker !== "undefined" && typeof window !== "undefined";

/** The upload worker could not start (no module workers, blocked script): the caller encrypts itself instead. */
class WorkerUnavailable extends Error {}

function failureToError(f: UploadWorkerFailure): Error {
  if (f.name === "IntakeError") {
    const error = new IntakeError(f.code ?? "upload_failed", f.message, f.status, undefined, f.fields);
    if (f.proofOfWork) error.proofOfWork = f.proofOfWork;
    return error;
  }
  if (f.name === "CryptoError") return new CryptoError((f.code ?? "bad_format") as CryptoError["code"], f.message);
  const error = new Error(f.message);
  error.name = f.name;
  return error;
}

/**
 * Runs sendEncryptedParts in a dedicated worker (app/shared/upload.worker.ts), which reads the
 * file, encrypts and sends the parts itself: the page's main thread only relays progress (ADR 041).
 */
function sendInWorker(api: Api, job: PartsJob, blob: Blob, events: PartsEvents, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancelled = () => new IntakeError("cancelled", "cancelled", undefined, { cause: signal?.reason });
    if (signal?.aborted) {
      reject(cancelled());
      return;
    }
    let started = false;
    let worker: Worker;
    try {
      worker = new Worker(new URL("./upload.worker.ts", import.meta.url), { type: "module", name: "upload" });
    } catch (cause) {
      reject(new WorkerUnavailable("the upload worker could not be created", { cause }));
      return;
    }
    // A cancellation settles at once; the worker first aborts the part it is sending and wipes its
    // buffers and file key, and is ended when it answers, or after CANCEL_GRACE_MS without an answer.
    let cancelling = false;
    const onAbort = () => {
      cancelling = true;
      signal?.removeEventListener("abort", onAbort);
      worker.postMessage({ type: "cancel" } satisfies UploadWorkerCancel);
      setTimeout(() => worker.terminate(), CANCEL_GRACE_MS);
      reject(cancelled());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const end = (settle: () => void) => {
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
      settle();
    };
    worker.onmessage = (ev: MessageEvent<UploadWorkerEvent>) => {
      const m = ev.data;
      if (cancelling) {
        if (m.type === "done" || m.type === "failed") worker.terminate();
      } else if (m.type === "started") started = true;
      else if (m.type === "sent") events.onSent(m.sentBytes);
      else if (m.type === "retrying") events.onRetry(m.attempt);
      else if (m.type === "done") end(resolve);
      else end(() => reject(started ? failureToError(m.failure) : new WorkerUnavailable(m.failure.message)));
    };
    worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      if (cancelling) return worker.terminate();
      const message = ev.message || "the upload worker failed";
      end(() => reject(started ? new IntakeError("upload_worker_failed", message) : new WorkerUnavailable(message)));
    };
    const base = api.base || location.origin;
    const start: UploadWorkerStart = { job, blob, base: new URL(base, location.href).href.replace(/\/$/, ""), credentials: api.credentials };
    worker.postMessage(start);
  });
}

/**
 * Encrypts and uploads one file under a fresh file key. In a browser the reading, encryption and
 * sending run in a worker, so that the page answers input during a large upload; in Node, or with
 * a fetch given by a test, in the calling thread (the same sendEncryptedParts).
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
  const fileKey = generateFileKey();
  const job: PartsJob = {
    uploadId,
    token: created.token,
    partPlain: created.partPlainBytes - (created.partPlainBytes % STREAM_CHUNK_BYTES),
    fileKey,
    binding: { reportId, attachmentId: uploadId },
    size: file.size,
    retryDelaysMs: delays,
  };
  const events: PartsEvents = {
    onSent: (sentBytes) => options.onProgress?.({ phase: "uploading", file: index, name: file.name, sentBytes, totalBytes: total }),
    onRetry,
  };
  events.onSent(0);
  try {
    let inline = !(file.blob && api.platformFetch && workersAvailable());
    if (!inline) {
      try {
        await sendInWorker(api, job, file.blob!, events, options.signal);
      } catch (error) {
        if (!(error instanceof WorkerUnavailable)) throw error;
        inline = true; // nothing was sent: the parts start over here
      }
    }
    if (inline) await sendEncryptedParts(api, job, file.read, events);
    await withRetry(() => api.call("POST", `/api/intake/uploads/${uploadId}/complete`, { headers: { [UPLOAD_TOKEN_HEADER]: job.token } }), delays, onRetry);
    return {
      uploadId,
      meta: toBase64Url(encryptFileMeta(reportKey, reportId, uploadId, { name: file.name, type: file.type, size: file.size })),
      fileKey: toBase64Url(wrapFileKey(reportKey, reportId, uploadId, fileKey)),
    };
  } finally {
    fileKey.fill(0); // wrapped above, or given up: the page keeps no bare file key
  }
}

/**
 * Settles with `work`, or rejects with `cancelled` as soon as `signal` aborts: a retry's wait or a proof of
 * work need not end first. The work left behind fails on its next request (the Api sends nothing once aborted).
 */
export function untilCancelled<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => {}); // its own failure after a cancellation is nobody's concern
  return new Promise<T>((resolve, reject) => {
    const cancelled = () => reject(new IntakeError("cancelled", "cancelled", undefined, { cause: signal.reason }));
    if (signal.aborted) return cancelled();
    signal.addEventListener("abort", cancelled, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", cancelled));
  });
}

/** The uploads a submission opened; after a cancellation each is abandoned, one opened later too. */
export class OpenedUploads {
  private readonly uploads: OpenedUpload[] = [];
  private abandoned = false;
  constructor(private readonly api: Api) {}

  add(upload: OpenedUpload): void {
    if (this.abandoned) this.abandon(upload);
    else this.uploads.push(upload);
  }

  abandonAll(): void {
    this.abandoned = true;
    for (const upload of this.uploads.splice(0)) this.abandon(upload);
  }

  private abandon(upload: OpenedUpload): void {
    // Best effort: offline, or refused, the upload is cleanup's (UPLOAD_TTL_HOURS).
    abandonUpload(this.api, upload).catch(() => {});
  }
}

/** The bytes each file takes on the wire (its padded ciphertext), for a progress display of the whole submission. */
export function wireBytes(files: { size: number }[]): number[] {
  return files.map((f) => streamCiphertextSize(f.size));
}
