// Messages between the page and the upload worker (app/shared/upload.worker.ts, ADR 041).
// The page opens the upload and sends one `UploadWorkerStart`; the worker reads the file,
// encrypts and sends every part, and answers with events. The worker is ended after
// `done` or `failed`; it keeps nothing. To cancel, the page sends `UploadWorkerCancel`: the worker
// aborts the part under way, wipes its heap buffers and file key, and answers `failed` (cancelled);
// the page ends it then, or after a short wait if no answer comes.
import type { FileKey, StreamBinding } from "../../crypto";
import type { PowAction } from "./pow-wire";

/** The part loop's inputs (sendEncryptedParts in app/shared/transport.ts), in the page or in the worker. */
export interface PartsJob {
  uploadId: string;
  /** The upload's token (UPLOAD_TOKEN_HEADER). */
  token: string;
  /** Plaintext bytes per part, a whole number of secretstream chunks. */
  partPlain: number;
  fileKey: FileKey;
  binding: StreamBinding;
  size: number;
  retryDelaysMs: number[];
}

export interface UploadWorkerStart {
  job: PartsJob;
  /** The file: a Blob crosses to the worker without its bytes being copied. */
  blob: Blob;
  /** The portal's origin (and base path), absolute: the worker's own URL is an asset's. */
  base: string;
  credentials: RequestCredentials;
}

/** Sent after the start: stop, wipe what the upload holds, answer `failed`. */
export interface UploadWorkerCancel {
  type: "cancel";
}

/** An error thrown in the worker, as the page rebuilds it (IntakeError, CryptoError or another). */
export interface UploadWorkerFailure {
  name: string;
  message: string;
  code?: string;
  status?: number;
  fields?: Record<string, string>;
  proofOfWork?: PowAction;
}

export type UploadWorkerEvent =
  /** libsodium is loaded: from here on a failure is the upload's, not the worker's. */
  | { type: "started" }
  | { type: "sent"; sentBytes: number }
  | { type: "retrying"; attempt: number }
  | { type: "done" }
  | { type: "failed"; failure: UploadWorkerFailure };
