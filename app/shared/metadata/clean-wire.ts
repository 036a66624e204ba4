// Messages between the page and the metadata worker (clean.worker.ts, ADR 045): one file per worker.
import type { CleanResult } from "./findings";

export interface CleanWorkerStart {
  file: Blob;
}

export type CleanWorkerEvent = { type: "started" } | { type: "done"; result: CleanResult };
