// Files added on the follow-up page without JavaScript (ADR 044): a
// multipart post whose hidden fields (intent, session) come before the file
// input, as the page's form orders them. The session is checked when the first
// file part begins, before any byte of it is kept; each file is then spooled
// and stored as stream-v2 by app/.server/nojs/server-sealed-file.ts (the
// report form's module, ADR 043), and attached to the session's case as a
// browser-made file would be. Memory stays bounded whatever the file size.
import type { Readable } from "node:stream";
import busboy from "busboy";
import { attachUploadedFile } from "../case-access/attachments";
import { FileTooLargeError, spoolFile, storeSpooledFile, type SpooledFile } from "../nojs/server-sealed-file";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { limitPlainPosts, resume, withSession, type PlainCase } from "./plain";

/**
 * File posts being received at once in this process: the server's CPU and spool disk take every byte, so at most
 * NOJS_CONCURRENT_SUBMISSIONS (the report form's figure, counted apart from it); past that the files are read and
 * dropped and the page asks to send them again in a minute.
 */
let receiving = 0;

const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const FILE_NAME_CHARS = 255;

/** A refusal of the files (too many, too large): the page shows it next to the file input. */
export class PlainFilesRefused extends Error {
  constructor(
    readonly key: string,
    readonly params: Record<string, string>,
  ) {
    super(`files refused (${key})`);
    this.name = "PlainFilesRefused";
  }
}

const UPLOAD_REFUSALS = ["storage_low", "uploads_busy", "too_many_open_uploads", "upload_quota_exceeded"];

function refusalOf(e: ApiError, added: number): PlainFilesRefused | null {
  const before = { added: String(added) };
  if (UPLOAD_REFUSALS.includes(e.code)) return new PlainFilesRefused("status.plain.errors.upload", { ...before, reasonKey: `upload.errors.${e.code}` });
  if (e.code === "too_many_posts") return new PlainFilesRefused("status.errors.tooManyPosts", { minutes: e.fields?.retryAfterMinutes ?? "60" });
  if (e.code === "too_many_attachments") return new PlainFilesRefused("status.plain.errors.tooManyAttachments", before);
  return null;
}

/**
 * Reads the post: the session field first, then each file into a spool. A post whose file parts come before a
 * valid session is refused (401) with nothing kept; spools are discarded by the caller once stored, or here on
 * failure.
 */
async function receive(
  s: Services,
  body: Readable,
  contentType: string,
): Promise<{ session: string; spools: SpooledFile[]; refused: PlainFilesRefused | null; release: () => void }> {
  const maxFiles = s.config.MAX_ATTACHMENTS_PER_REPORT;
  let session = "";
  let checked: Promise<void> | null = null;
  let refused: PlainFilesRefused | null = null;
  let release = () => {};
  const spooling: Promise<SpooledFile | null>[] = [];
  const parser = busboy({
    headers: { "content-type": contentType },
    defParamCharset: "utf8",
    limits: { fieldNameSize: 32, fieldSize: 1024, fields: 10, files: maxFiles, parts: 10 + maxFiles, headerPairs: 20 },
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, value) => {
      if (name === "session") session = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== "attachments" || !info.filename) {
        stream.resume();
        return;
      }
      // The session is checked once, before the first file's bytes are read (the stream waits meanwhile).
      const ready = (checked ??= resume(s, session).then((opened) => {
        opened.reportKey.fill(0);
        if (receiving >= s.config.NOJS_CONCURRENT_SUBMISSIONS) {
          refused ??= new PlainFilesRefused("status.plain.errors.busy", {});
          return;
        }
        receiving++;
        let held = true;
        release = () => {
          if (held) receiving--;
          held = false;
        };
      }));
      const fileName = [...info.filename].slice(0, FILE_NAME_CHARS).join("");
      const type = MIME.test(info.mimeType.toLowerCase()) ? info.mimeType.toLowerCase() : "application/octet-stream";
      const spooled = ready
        .then(() => (refused ? (stream.resume(), null) : spoolFile(s, stream, { name: fileName, type, maxBytes: s.config.MAX_ATTACHMENT_BYTES })))
        .catch((error: unknown) => {
          stream.resume(); // the rest of the post must still arrive, or the parser stalls
          if (!(error instanceof FileTooLargeError)) throw error;
          refused ??= new PlainFilesRefused("report.errors.fileTooLarge", { name: fileName, size: String(s.config.MAX_ATTACHMENT_BYTES) });
          return null;
        });
      // Settled together once the parser closes; until then a refusal must not count as unhandled.
      spooled.catch(() => {});
      spooling.push(spooled);
    });
    parser.on("filesLimit", () => {
      refused ??= new PlainFilesRefused("report.errors.tooManyFiles", { count: String(maxFiles) });
    });
    parser.on("error", reject);
    parser.on("close", resolve);
    body.on("error", reject);
  });
  body.pipe(parser);
  const parsed = await done.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  const settled = await Promise.allSettled(spooling);
  const spools = settled.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  const failure = parsed?.error ?? settled.map((r) => (r.status === "rejected" ? (r.reason as unknown) : null)).find((e) => e);
  if (failure) {
    release();
    await Promise.all(spools.map((f) => f.discard()));
    if (failure instanceof ApiError) throw failure;
    throw new ApiError(400, "malformed_form", "the form could not be read", undefined, { cause: failure });
  }
  if (refused) await Promise.all(spools.map((f) => f.discard()));
  return { session, spools: refused ? [] : spools, refused, release };
}

/**
 * Adds the posted files to the session's case, one after the other (each counted as one post), and answers with
 * the case. A refusal of the files (too many, too large) answers with the case and nothing added.
 */
export async function addPlainFiles(
  s: Services,
  post: { body: Readable; contentType: string },
  clientKey: string,
): Promise<PlainCase & { result: { added: number } | PlainFilesRefused }> {
  const { session, spools, refused, release } = await receive(s, post.body, post.contentType);
  try {
    return await withSession(s, session, async (opened) => {
      if (refused) return refused;
      let added = 0;
      try {
        for (const spool of spools) {
          await limitPlainPosts(s, opened);
          const stored = await storeSpooledFile(s, spool, { reportId: opened.reportId, reportKey: opened.reportKey, for: "existing", clientKey });
          await attachUploadedFile(s, opened.reportId, { uploadId: stored.uploadId, meta: stored.meta, fileKey: stored.fileKey }, "reporter");
          added++;
        }
      } catch (error) {
        // What refuses a file (space, open uploads, the post limits, the case's attachment cap) is said on the
        // case page, which then lists the files added before it.
        const why = error instanceof ApiError ? refusalOf(error, added) : null;
        if (!why) throw error;
        return why;
      }
      return { added };
    });
  } finally {
    release();
    await Promise.all(spools.map((f) => f.discard()));
  }
}
