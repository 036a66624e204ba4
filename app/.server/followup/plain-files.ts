// Files added on the follow-up page without JavaScript (ADR 044): a
// multipart post whose hidden fields (intent, session) come before the file
// input, as the page's form orders them. The session is checked when the first
// file part begins, before any byte of it is kept; each file is then spooled
// and stored as stream-v2 by app/.server/nojs/server-sealed-file.ts (the
// report form's module, ADR 043), and attached to the session's case as a
// browser-made file would be. Memory stays bounded whatever the file size.
import type { Readable } from "node:stream";
import { attachUploadedFile, checkAttachmentRoom } from "../case-access/attachments";
import { MalformedPostError, receiveMultipart, takePlace } from "../nojs/multipart";
import { abandonUploads, storeSpooledFile, type SpooledFile } from "../nojs/server-sealed-file";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { limitPlainPosts, resume, withSession, type PlainCase } from "./plain";

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
 * Reads the post (../nojs/multipart.ts): the session field first, then each file into a spool. A post whose file
 * parts come before a valid session is refused (401) with nothing kept; with no place free (one per client, at most
 * NOJS_CONCURRENT_SUBMISSIONS, counted apart from the report form's) the files are read and dropped and the page
 * asks to send them again in a minute. Spools are discarded by the caller once stored, or here on failure.
 */
async function receive(
  s: Services,
  post: { body: Readable; contentType: string; signal?: AbortSignal },
  clientKey: string,
): Promise<{ session: string; spools: SpooledFile[]; refused: PlainFilesRefused | null; release: () => void }> {
  const maxFiles = s.config.MAX_ATTACHMENTS_PER_REPORT;
  let release = () => {};
  let received;
  try {
    received = await receiveMultipart(s, post.body, post.contentType, {
      fields: ["intent", "session"],
      fieldBytes: 1024,
      fileField: "attachments",
      maxFiles,
      maxFileBytes: s.config.MAX_ATTACHMENT_BYTES,
      signal: post.signal,
      // The session is checked once, before the first file's bytes are read (the stream waits meanwhile).
      beforeFirstFile: async (fields) => {
        const opened = await resume(s, fields.get("session") ?? "");
        opened.reportKey.fill(0);
        const place = takePlace(s, "followup-files", clientKey);
        if (!place) return "drop";
        release = place;
        return "keep";
      },
    });
  } catch (error) {
    release();
    if (error instanceof MalformedPostError) throw new ApiError(400, "malformed_form", "the form could not be read", undefined, { cause: error });
    throw error;
  }
  const session = received.fields.get("session") ?? "";
  if (received.problems.some((p) => p.kind === "tooManyFields")) {
    // Not this page's form: refused whole, as a body that cannot be read.
    release();
    await Promise.all(received.spools.map((f) => f.discard()));
    throw new ApiError(400, "malformed_form", "the form could not be read");
  }
  const first = received.problems.find((p) => p.kind === "tooManyFiles" || p.kind === "fileTooLarge");
  const refused = received.dropped
    ? new PlainFilesRefused("status.plain.errors.busy", {})
    : first?.kind === "fileTooLarge"
      ? new PlainFilesRefused("report.errors.fileTooLarge", { name: first.name, size: String(s.config.MAX_ATTACHMENT_BYTES) })
      : first
        ? new PlainFilesRefused("report.errors.tooManyFiles", { count: String(maxFiles) })
        : null;
  if (refused) {
    release();
    await Promise.all(received.spools.map((f) => f.discard()));
  }
  return { session, spools: refused ? [] : received.spools, refused, release };
}

/**
 * Adds the posted files to the session's case, one after the other (each counted as one post), and answers with
 * the case. A refusal of the files (too many, too large) answers with the case and nothing added.
 */
export async function addPlainFiles(
  s: Services,
  post: { body: Readable; contentType: string; signal?: AbortSignal },
  clientKey: string,
): Promise<PlainCase & { result: { added: number } | PlainFilesRefused }> {
  const { session, spools, refused, release } = await receive(s, post, clientKey);
  try {
    return await withSession(s, session, async (opened) => {
      if (refused) return refused;
      let added = 0;
      try {
        for (const spool of spools) {
          await checkAttachmentRoom(s, opened.reportId); // before the file is encrypted and stored, not after
          await limitPlainPosts(s, opened);
          const stored = await storeSpooledFile(s, spool, { reportId: opened.reportId, reportKey: opened.reportKey, for: "existing", clientKey });
          try {
            await attachUploadedFile(s, opened.reportId, { uploadId: stored.uploadId, meta: stored.meta, fileKey: stored.fileKey }, "reporter");
          } catch (error) {
            await abandonUploads(s, [stored]); // a stored file that could not be attached goes with its bytes
            throw error;
          }
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
