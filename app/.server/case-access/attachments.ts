// A case's attachments, shared by the reporter's follow-up, the investigators'
// workspace, the affiliate reviewers and the archive: attaching a finished
// upload, and reading one back as an opaque download.
//
// A case holds at most 5 × `MAX_ATTACHMENTS_PER_REPORT` files in all (the
// reporter's and the investigators' together). Downloads are the ciphertext as
// `application/octet-stream` with `Content-Disposition: attachment`; nothing is
// rendered inline (THREAT-MODEL §2.5). A download honours one `Range: bytes=`
// range (206), so a broken download resumes; the blob store reads only that
// range (GetObject Range on the object store, ADR 037).
import { Readable } from "node:stream";
import { and, eq } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { attachments, uploads } from "../../../db/schema";
import { appendAudit, type AuditEntry } from "../audit/audit";
import { today } from "../platform/dates";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { kickStaffNotifications } from "../notifications/outbox";
import { notifyCaseHolders } from "../notifications/record";
import { markReporterActivity } from "./case-access";
import { checkRecord } from "./records";

/** An attachment as the reporter's and the investigators' case views list it: ciphertexts base64url, sizes as stored. */
export function attachmentView(a: typeof attachments.$inferSelect) {
  return {
    id: a.id,
    source: a.source,
    meta: toBase64Url(a.metaCt),
    fileKey: toBase64Url(a.fileKeyWrapped),
    ciphertextBytes: a.ciphertextBytes,
    addedOn: a.addedOn,
  };
}

/** Stored ciphertext to answer with: opened only when the answer is sent, for the whole or one range (inclusive). */
export interface StoredBlob {
  open(range?: { start: number; end: number }): Readable;
  bytes: number;
}

/** The single byte range a `Range` header asks for; null: answer the whole (no header, another unit, several ranges). */
export function requestedRange(header: string | null, bytes: number): { start: number; end: number } | "unsatisfiable" | null {
  const m = header?.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]); // the last N bytes
    if (suffix === 0 || bytes === 0) return "unsatisfiable";
    return { start: Math.max(0, bytes - suffix), end: bytes - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? bytes - 1 : Math.min(Number(m[2]), bytes - 1);
  if (start >= bytes || end < start) return "unsatisfiable";
  return { start, end };
}

/** An attachment's ciphertext as a response: always a download of opaque bytes, never rendered. */
export function attachmentDownload(blob: StoredBlob, attachmentId: string, request?: Request): Response {
  const headers: Record<string, string> = {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": `attachment; filename="${attachmentId}.cor"`,
    "Cache-Control": "no-store",
    "Accept-Ranges": "bytes",
  };
  const range = requestedRange(request?.headers.get("Range") ?? null, blob.bytes);
  if (range === "unsatisfiable") {
    return new Response(null, { status: 416, headers: { ...headers, "Content-Range": `bytes */${blob.bytes}` } });
  }
  if (range) {
    return new Response(Readable.toWeb(blob.open(range)) as ReadableStream, {
      status: 206,
      headers: { ...headers, "Content-Length": String(range.end - range.start + 1), "Content-Range": `bytes ${range.start}-${range.end}/${blob.bytes}` },
    });
  }
  return new Response(Readable.toWeb(blob.open()) as ReadableStream, { headers: { ...headers, "Content-Length": String(blob.bytes) } });
}

/** Refuses (409 too_many_attachments) a file for a case that holds its most already: before storing one, and when attaching. */
export async function checkAttachmentRoom(s: Services, reportId: string): Promise<void> {
  const count = await s.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.reportId, reportId));
  if (count.length >= s.config.MAX_ATTACHMENTS_PER_REPORT * 5) {
    throw new ApiError(409, "too_many_attachments", "this case has reached its attachment limit");
  }
}

/** Attaches a finished upload to a stored case. */
export async function attachUploadedFile(
  s: Services,
  reportId: string,
  input: { uploadId: string; meta: Uint8Array; fileKey: Uint8Array },
  source: "reporter" | "investigator",
  auditEntry?: AuditEntry,
): Promise<{ id: string }> {
  checkRecord("meta", input.meta, "file-meta");
  checkRecord("fileKey", input.fileKey, "file-key");
  await checkAttachmentRoom(s, reportId);
  const attached = await s.db.transaction(async (tx) => {
    const [u] = await tx.select().from(uploads).where(eq(uploads.id, input.uploadId));
    if (!u || u.reportId !== reportId) throw new ApiError(400, "unknown_upload", "no such upload for this case");
    if (u.state !== "complete") throw new ApiError(409, "upload_incomplete", "the file has not finished uploading");
    await tx.insert(attachments).values({
      id: u.id,
      reportId,
      source,
      metaCt: input.meta,
      fileKeyWrapped: input.fileKey,
      blobKey: u.blobKey,
      ciphertextBytes: u.expectedBytes,
      addedOn: today(s),
    });
    const claimed = await tx
      .delete(uploads)
      .where(and(eq(uploads.id, u.id), eq(uploads.state, "complete")))
      .returning({ id: uploads.id });
    if (claimed.length !== 1) throw new ApiError(409, "upload_incomplete", "the upload changed meanwhile; upload the file again");
    if (source === "reporter") {
      await markReporterActivity(tx, reportId);
      await notifyCaseHolders(tx, s, { event: "reporter_message", reportId, dedupeKey: `reporter_file:${u.id}` });
    }
    if (auditEntry) await appendAudit(tx, s, auditEntry, s.now());
    return { id: u.id };
  });
  if (source === "reporter") kickStaffNotifications(s);
  return attached;
}

/** The stored ciphertext of one attachment of the case, for a download. */
export async function attachmentBlob(s: Services, reportId: string, attachmentId: string): Promise<StoredBlob> {
  const [a] = await s.db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, attachmentId), eq(attachments.reportId, reportId)));
  if (!a) throw new ApiError(404, "not_found", "no such attachment in this case");
  return { open: (range) => s.blobs.read(a.blobKey, range), bytes: a.ciphertextBytes };
}
