// The metadata worker (ADR 045): cleans one file off the page's main thread, so a large photo or
// PDF never freezes the form, and a hostile one that exhausts memory ends this worker, not the page.
// Served from the portal's origin (CSP worker-src 'self'); no eval anywhere in it.
import { cleanBlob } from "./clean";
import type { CleanWorkerEvent, CleanWorkerStart } from "./clean-wire";

const scope = self as unknown as {
  onmessage: ((ev: MessageEvent<CleanWorkerStart>) => void) | null;
  postMessage(message: CleanWorkerEvent, transfer?: Transferable[]): void;
};

scope.postMessage({ type: "started" });
scope.onmessage = async ({ data: { file } }) => {
  scope.onmessage = null;
  const result = await cleanBlob(file);
  scope.postMessage({ type: "done", result }, result.kind === "cleaned" ? [result.bytes.buffer as ArrayBuffer] : []);
};
