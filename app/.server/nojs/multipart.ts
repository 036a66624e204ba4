// The multipart body of a form posted without JavaScript, read one way for both such paths (the report form,
// ADR 043; the follow-up page's files, ADR 044): busboy with bounded limits, only the form's own fields kept, an
// optional check before the first file's bytes are read, each file spooled encrypted (./server-sealed-file.ts),
// and the places (posts received at once) counted per portal.
//
// A post cut short (the client closes the connection, the request is aborted) destroys the parser, which
// destroys the file stream being spooled; so every spool settles and is discarded, and the caller's place is
// released, however the post ends (a pipe alone would leave the parser waiting for good).
import type { Readable } from "node:stream";
import busboy from "busboy";
import { LIMITS } from "../../intake/limits";
import type { Services } from "../platform/services";
import { FileTooLargeError, spoolFile, type SpooledFile } from "./server-sealed-file";

/** What a form takes. */
export interface MultipartForm {
  /** The text fields kept; any other field is read and dropped. */
  fields: readonly string[];
  /** A field that may repeat (checkboxes of one name): at most `max` values of at most `bytes` each. */
  list?: { name: string; max: number; bytes: number };
  /** A text field's UTF-8 bytes at most. */
  fieldBytes: number;
  /** The file input's name; file parts of any other name are dropped. */
  fileField: string;
  maxFiles: number;
  maxFileBytes: number;
  /**
   * Runs once, before the first file's first byte is kept, with the fields that came before it: "keep" spools the
   * files, "drop" reads and drops them; a throw refuses the whole post (nothing kept) and is rethrown as it is.
   */
  beforeFirstFile?: (fields: ReadonlyMap<string, string>) => Promise<"keep" | "drop">;
  /** The request's abort (the client went away): the post is then cut short. */
  signal?: AbortSignal;
}

/** Something the form's content was refused for, said next to the field. */
export type MultipartProblem =
  | { kind: "fieldTooLong"; field: string }
  | { kind: "badList"; field: string }
  | { kind: "tooManyFields" }
  | { kind: "tooManyFiles"; max: number }
  | { kind: "fileTooLarge"; name: string };

export interface ReceivedForm {
  fields: Map<string, string>;
  list: string[];
  /** The files spooled (empty when the hook said "drop"); the caller discards them when done. */
  spools: SpooledFile[];
  problems: MultipartProblem[];
  /** The hook said "drop". */
  dropped: boolean;
}

/** A body that is not the form's multipart, or that ended or failed partway: nothing of it was kept. */
export class MalformedPostError extends Error {
  constructor(options: { cause: unknown }) {
    super("the form could not be read", options);
    this.name = "MalformedPostError";
  }
}

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** A posted file's type as the spool keeps it: a plausible MIME type, or octet-stream. */
function fileType(mimeType: string): string {
  const lower = mimeType.toLowerCase();
  return MIME.test(lower) ? lower : "application/octet-stream";
}

/**
 * Reads a multipart body: the form's fields into memory (bounded), its files into spools. A malformed or cut-short
 * body is MalformedPostError and a refusal by `beforeFirstFile` is its own error; either way every spool is gone.
 */
export async function receiveMultipart(s: Services, body: Readable, contentType: string, form: MultipartForm): Promise<ReceivedForm> {
  const fields = new Map<string, string>();
  const list: string[] = [];
  const problems: MultipartProblem[] = [];
  const spooling: Promise<SpooledFile | null>[] = [];
  const maxFields = form.fields.length + (form.list?.max ?? 0) + 4; // a little room for a browser's extra field
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: { fieldNameSize: 64, fieldSize: form.fieldBytes, fields: maxFields, files: form.maxFiles, parts: maxFields + form.maxFiles, headerPairs: 20 },
    });
  } catch (error) {
    throw new MalformedPostError({ cause: error });
  }
  let first: Promise<"keep" | "drop"> | null = null;
  let dropped = false;
  const once = <T extends MultipartProblem>(p: T) => {
    if (!problems.some((q) => q.kind === p.kind)) problems.push(p);
  };
  const done = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, value, info) => {
      if (form.list && name === form.list.name) {
        if (list.length >= form.list.max || Buffer.byteLength(value) > form.list.bytes) once({ kind: "badList", field: name });
        else list.push(value);
        return;
      }
      if (!form.fields.includes(name)) return;
      if (info.valueTruncated) problems.push({ kind: "fieldTooLong", field: name });
      fields.set(name, value);
    });
    parser.on("file", (name, stream, info) => {
      // A file input left empty still sends a part with no name and no bytes.
      if (name !== form.fileField || !info.filename) {
        stream.resume();
        return;
      }
      const fileName = [...info.filename].slice(0, LIMITS.fileNameChars).join("");
      first ??= form.beforeFirstFile ? form.beforeFirstFile(fields) : Promise.resolve("keep");
      const spooled = first
        .then((decision) => {
          if (decision === "keep") return spoolFile(s, stream, { name: fileName, type: fileType(info.mimeType), maxBytes: form.maxFileBytes });
          dropped = true;
          stream.resume();
          return null;
        })
        .catch((error: unknown) => {
          stream.resume(); // a spool that failed must not stall the parser: the rest of the post still arrives
          if (!(error instanceof FileTooLargeError)) throw error;
          problems.push({ kind: "fileTooLarge", name: fileName });
          return null;
        });
      // Settled below, once the parser closes; until then its failure is not an unhandled rejection.
      spooled.catch(() => {});
      spooling.push(spooled);
    });
    parser.on("fieldsLimit", () => once({ kind: "tooManyFields" }));
    parser.on("filesLimit", () => once({ kind: "tooManyFiles", max: form.maxFiles }));
    parser.on("error", reject);
    parser.on("close", resolve);
  });
  // The body failing, closing before its end, or the request aborted: the parser is destroyed with a reason, which
  // destroys the file stream being read, so each spool settles (and removes itself).
  const cut = (reason: unknown) => {
    if (!parser.destroyed) parser.destroy(reason instanceof Error ? reason : new Error("the post was cut short"));
  };
  const onAbort = () => cut(new Error("the request was aborted"));
  body.once("error", cut);
  body.once("close", () => {
    if (!body.readableEnded) cut(new Error("the post was cut short"));
  });
  form.signal?.addEventListener("abort", onAbort, { once: true });
  if (form.signal?.aborted) onAbort();
  body.pipe(parser);
  const parsed = await done.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  form.signal?.removeEventListener("abort", onAbort);
  const settled = await Promise.allSettled(spooling);
  const spools = settled.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  const refusal = first
    ? await (first as Promise<unknown>).then(
        () => null,
        (error: unknown) => ({ error }),
      )
    : null;
  const failed = refusal ?? parsed ?? settled.map((r) => (r.status === "rejected" ? { error: r.reason as unknown } : null)).find((r) => r !== null);
  if (failed) {
    await Promise.all(spools.map((f) => f.discard()));
    if (refusal) throw refusal.error;
    throw new MalformedPostError({ cause: failed.error });
  }
  return { fields, list, spools, problems, dropped };
}

/** Posts being received, per portal (one per process in production; tests start several) and per path. */
const receiving = new WeakMap<Services, Map<string, Set<string>>>();

/**
 * Takes one of the process's places for receiving a post on `path` (at most NOJS_CONCURRENT_SUBMISSIONS, each
 * path its own), at most one per client pseudonym: a client cannot hold every place. Null when there is none;
 * otherwise the release (safe to call more than once).
 */
export function takePlace(s: Services, path: "report" | "followup-files", clientKey: string): (() => void) | null {
  const paths = receiving.get(s) ?? new Map<string, Set<string>>();
  receiving.set(s, paths);
  const holders = paths.get(path) ?? new Set<string>();
  paths.set(path, holders);
  if (holders.size >= s.config.NOJS_CONCURRENT_SUBMISSIONS || holders.has(clientKey)) return null;
  holders.add(clientKey);
  let held = true;
  return () => {
    if (held) holders.delete(clientKey);
    held = false;
  };
}

/** Places taken on `path` now (for tests and metrics). */
export function placesTaken(s: Services, path: "report" | "followup-files"): number {
  return receiving.get(s)?.get(path)?.size ?? 0;
}
