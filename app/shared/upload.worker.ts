// The upload worker (ADR 041): reads one file, encrypts it with crypto/ and sends its parts,
// the same sendEncryptedParts that runs in the page under Node, so a 1 GiB upload never holds
// the page's main thread. Served from the portal's origin (CSP worker-src 'self').
import { loadSodium } from "../../crypto/sodium";
import { Api, sendEncryptedParts } from "./transport";
import type { UploadWorkerEvent, UploadWorkerFailure, UploadWorkerStart } from "./upload-wire";

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<UploadWorkerStart>) => void) | null;
  postMessage(message: UploadWorkerEvent): void;
};

function failureOf(error: unknown): UploadWorkerFailure {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  const e = error as Error & Partial<Omit<UploadWorkerFailure, "name" | "message">>;
  return { name: e.name, message: e.message, code: e.code, status: e.status, fields: e.fields, proofOfWork: e.proofOfWork };
}

scope.onmessage = async ({ data: { job, blob, base, credentials } }) => {
  scope.onmessage = null; // one file per worker
  try {
    await loadSodium();
  } catch (error) {
    scope.postMessage({ type: "failed", failure: failureOf(error) });
    return;
  }
  scope.postMessage({ type: "started" });
  const api = new Api(base, (input, init) => fetch(input, init), credentials, undefined, true); // cancelled by ending the worker, not by a signal
  const read = async (start: number, end: number) => new Uint8Array(await blob.slice(start, end).arrayBuffer());
  try {
    await sendEncryptedParts(api, job, read, {
      onSent: (sentBytes) => scope.postMessage({ type: "sent", sentBytes }),
      onRetry: (attempt) => scope.postMessage({ type: "retrying", attempt }),
    });
    scope.postMessage({ type: "done" });
  } catch (error) {
    scope.postMessage({ type: "failed", failure: failureOf(error) });
  }
};
