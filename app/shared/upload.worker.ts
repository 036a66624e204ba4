// The upload worker (ADR 041): reads one file, encrypts it with crypto/ and sends its parts,
// the same sendEncryptedParts that runs in the page under Node, so a 1 GiB upload never holds
// the page's main thread. Served from the portal's origin (CSP worker-src 'self').
import { loadSodium } from "../../crypto/sodium";
import { Api, sendEncryptedParts } from "./transport";
import type { UploadWorkerCancel, UploadWorkerEvent, UploadWorkerFailure, UploadWorkerStart } from "./upload-wire";

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<UploadWorkerStart | UploadWorkerCancel>) => void) | null;
  postMessage(message: UploadWorkerEvent): void;
};

function failureOf(error: unknown): UploadWorkerFailure {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const e = error as Error & Partial<Omit<UploadWorkerFailure, "name" | "message">>;
  return { name: e.name, message: e.message, code: e.code, status: e.status, fields: e.fields, proofOfWork: e.proofOfWork };
}

scope.onmessage = async ({ data }) => {
  if ("type" in data) return; // a cancel before the start: the page ends the worker
  const { job, blob, base, credentials } = data;
  // One file per worker; what comes next is a cancel. Aborting ends the part under way, so that the
  // part loop's `finally` wipes the encryptor's heap buffers before the page ends the worker.
  const cancel = new AbortController();
  scope.onmessage = () => cancel.abort();
  try {
    await loadSodium();
  } catch (error) {
    scope.postMessage({ type: "failed", failure: failureOf(error) });
    return;
  }
  scope.postMessage({ type: "started" });
  const api = new Api(base, (input, init) => fetch(input, init), credentials, cancel.signal, true);
  const read = async (start: number, end: number) => new Uint8Array(await blob.slice(start, end).arrayBuffer());
  try {
    await sendEncryptedParts(api, job, read, {
      onSent: (sentBytes) => scope.postMessage({ type: "sent", sentBytes }),
      onRetry: (attempt) => scope.postMessage({ type: "retrying", attempt }),
    });
    scope.postMessage({ type: "done" });
  } catch (error) {
    scope.postMessage({ type: "failed", failure: failureOf(error) });
  } finally {
    job.fileKey.fill(0);
  }
};
