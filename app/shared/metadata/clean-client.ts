// The page's side of cleaning (ADR 045): each file goes to its own metadata worker; where no worker
// can start (its script refused, no module workers) the same cleaners run in the page instead. A
// worker that dies once started (a file that exhausts its memory) is not retried in the page.
import type { CleanResult } from "./findings";
import type { CleanWorkerEvent, CleanWorkerStart } from "./clean-wire";

class WorkerUnavailable extends Error {
  override name = "WorkerUnavailable";
}

/**
 * How long a worker may take before it is ended and the file reported as not cleaned: generous (a 200 MiB PDF on a
 * slow machine), there only so that a file that makes a library spin, or a worker that dies without an error event,
 * cannot hold the report back for ever.
 */
const patience = (bytes: number) => 60_000 + (bytes / (1024 * 1024)) * 2_000;

function cleanInWorker(file: Blob): Promise<CleanResult> {
  return new Promise((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL("./clean.worker.ts", import.meta.url), { type: "module", name: "clean" });
    } catch (cause) {
      reject(new WorkerUnavailable("the metadata worker could not be created", { cause }));
      return;
    }
    let started = false;
    const timer = setTimeout(() => end(() => resolve({ kind: "failed", reason: "crashed" })), patience(file.size));
    const end = (settle: () => void) => {
      clearTimeout(timer);
      worker.terminate();
      settle();
    };
    worker.onmessage = (ev: MessageEvent<CleanWorkerEvent>) => {
      if (ev.data.type === "started") {
        started = true;
        const start: CleanWorkerStart = { file };
        worker.postMessage(start);
      } else {
        const { result } = ev.data;
        end(() => resolve(result));
      }
    };
    worker.onerror = (ev) => {
      ev.preventDefault();
      end(() => (started ? resolve({ kind: "failed", reason: "crashed" }) : reject(new WorkerUnavailable(ev.message || "the metadata worker failed to load"))));
    };
  });
}

/** What was found in the file and, when something was removed, the new bytes. Never rejects. */
export async function cleanFile(file: Blob): Promise<CleanResult> {
  if (typeof Worker !== "undefined") {
    try {
      return await cleanInWorker(file);
    } catch (error) {
      if (!(error instanceof WorkerUnavailable)) return { kind: "failed", reason: "crashed" };
    }
  }
  try {
    const { cleanBlob } = await import("./clean");
    return await cleanBlob(file);
  } catch {
    return { kind: "failed", reason: "crashed" };
  }
}
