// Report intake on the server: who may receive a report, resumable attachment
// uploads, and storing a submission in one transaction. The server only ever
// handles ciphertext; it checks shapes and sizes, never content.
//
// - Intake info lists the active categories and the active investigators (id,
//   display name, public key; never an e-mail address, an administrator or a
//   reviewer). The form is open only with at least one of each.
// - Submission checks, in order, and every refusal changes nothing: the shape;
//   record versions and padding blocks, envelope versions (`bad_ciphertext`); the optional-items
//   consent for contact details or files; the look-up hash (the same report id
//   and hash again gets the stored answer: an idempotent retry; another hash
//   409 `report_exists`); the category active; excluded ids are investigator
//   accounts, active or disabled; one envelope per investigator, none for an
//   excluded one, at least one, and exactly the active non-excluded
//   investigators (else 409 `recipients_changed`); each upload unique, of this
//   report id and complete.
// - One transaction stores the report (status `received`, `received_on` today,
//   `ack_due_on` + `ACK_DEADLINE_DAYS`), envelopes, exclusions, attachments,
//   deletes the claimed uploads (the count must match, else rollback) and
//   records `new_case` for each recipient. A case-number collision retries with
//   a new number, up to five times. When reports come faster than
//   FLOOD_REPORTS per FLOOD_WINDOW_MINUTES (./flood.ts), the report carries the
//   flood's id and the recipients get one `report_flood` for the whole flood.
// - The per-client limit (REPORTS_PER_CLIENT) is counted by the route before
//   the body is read (`limitReportsPerClient`).
// - Opening an upload and each part are checked against the upload space
//   (upload-space.ts, ADR 031): bytes count as they arrive, per client and,
//   for reporters, in total; a part reserves its length before it is written.
// - Abandoning an upload (`DELETE`) removes the row, and the blob only if this
//   request removed the row, so two abandons cannot delete a blob another
//   request still names. The report form calls it when the reporter cancels,
//   often while a part is being written: that part, failed or written, then
//   removes the bytes it wrote itself once it finds the row gone
//   (`dropIfAbandoned`), so nothing waits for cleanup.
// - Completing an upload twice is harmless.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Readable } from "node:stream";
import { and, asc, eq, inArray, lt, or, sql } from "drizzle-orm";
import { streamCiphertextSize } from "../../../crypto/attachment-stream";
import { ENVELOPE_BYTES } from "../../../crypto/envelope";
import { toBase64Url, uuidFromRandom } from "../../../crypto/encoding";
import type { Db } from "../../../db/client";
import { archiveFiles, attachments, categories, reportExclusions, reportKeyEnvelopes, reports, staffUsers, uploads } from "../../../db/schema";
import { LIMITS, MAX_PART_BYTES } from "../../intake/limits";
import type { CreateUploadResponse, IntakeInfo, SubmitReportInput, SubmitReportResponse, UploadStatusResponse } from "../../intake/wire";
import { BlobPartTooSmallError, BlobTooLargeError } from "../platform/blob-store";
import { checkEnvelope, checkRecord } from "../case-access/records";
import { generateCaseNumber } from "./case-number";
import { floodOf } from "./flood";
import { addDays, minuteOf, today as todayOf } from "../platform/dates";
import { limitSubmissions } from "../platform/counters";
import { isUniqueViolation } from "../platform/db-errors";
import { ApiError } from "../platform/http";
import { receiptLookupHash } from "../case-access/receipt-lookup";
import type { Services } from "../platform/services";
import { kickStaffNotifications } from "../notifications/outbox";
import { staffNoticeInsert } from "../notifications/record";
import { admitUpload, releasePart, requireDiskRoom, reservePart } from "./upload-space";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export async function getIntakeInfo(s: Services): Promise<IntakeInfo> {
  const [cats, investigators] = await Promise.all([
    s.db
      .select({ id: categories.id, slug: categories.slug, nameKo: categories.nameKo, nameEn: categories.nameEn })
      .from(categories)
      .where(eq(categories.active, true))
      .orderBy(asc(categories.sortOrder)),
    activeInvestigators(s),
  ]);
  return {
    open: investigators.length > 0 && cats.length > 0,
    categories: cats,
    investigators: investigators.map((i) => ({
      id: i.id,
      displayName: i.displayName,
      publicKey: toBase64Url(i.publicKey),
    })),
    maxAttachmentBytes: s.config.MAX_ATTACHMENT_BYTES,
    emailNotifications: s.mailer.configured,
    maxAttachments: s.config.MAX_ATTACHMENTS_PER_REPORT,
  };
}

function activeInvestigators(s: Services) {
  return s.db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, publicKey: staffUsers.publicKey })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "investigator"), eq(staffUsers.status, "active")))
    .orderBy(asc(staffUsers.displayName));
}

// ---------------------------------------------------------------- uploads

const sha256 = (data: Uint8Array | string) => new Uint8Array(createHash("sha256").update(data).digest());

/** Uploads in progress per process: a second writer to the same upload waits its turn. */
const writing = new Set<string>();

/**
 * Opens an upload for a report in the making (`for: "new"`, anyone may) or
 * for a stored report (`for: "existing"`, the caller has checked the session).
 * `clientKey` names the opener for the per-client caps (upload-space.ts): the
 * client's pseudonym, or `staffClientKey(id)`. Nothing is reserved for the
 * announced size: space is taken as bytes arrive.
 */
export async function createUpload(
  s: Services,
  input: { reportId: string; ciphertextBytes: number; for: "new" | "existing"; clientKey: string },
): Promise<CreateUploadResponse> {
  const max = streamCiphertextSize(s.config.MAX_ATTACHMENT_BYTES);
  if (input.ciphertextBytes > max) {
    throw new ApiError(413, "file_too_large", `an attachment may be at most ${s.config.MAX_ATTACHMENT_BYTES} bytes`);
  }
  const [existing] = await s.db.select({ id: reports.id }).from(reports).where(eq(reports.id, input.reportId));
  if (existing && input.for === "new") throw new ApiError(409, "report_exists", "this report has already been submitted");
  if (!existing && input.for === "existing") throw new ApiError(404, "not_found", "no such case");
  const open = await s.db.select({ id: uploads.id }).from(uploads).where(eq(uploads.reportId, input.reportId));
  if (open.length >= s.config.MAX_ATTACHMENTS_PER_REPORT) {
    throw new ApiError(409, "too_many_attachments", `a report may have at most ${s.config.MAX_ATTACHMENTS_PER_REPORT} attachments`);
  }
  await requireDiskRoom(s, 0, "new");
  const id = uuidFromRandom(randomBytes(16));
  const token = randomBytes(32);
  await admitUpload(s, input.clientKey, input.ciphertextBytes, (tx) =>
    tx.insert(uploads).values({
      id,
      reportId: input.reportId,
      tokenHash: sha256(token),
      expectedBytes: input.ciphertextBytes,
      blobKey: `upload-${id}`,
      clientKey: input.clientKey,
      // To the minute only (ADR 033): enough for the TTL of hours.
      createdAt: minuteOf(s.now()),
      updatedAt: minuteOf(s.now()),
    }),
  );
  return { uploadId: id, token: toBase64Url(token), partPlainBytes: LIMITS.partPlainBytes };
}

async function requireUpload(s: Services, uploadId: string, token: string | null) {
  const [row] = await s.db.select().from(uploads).where(eq(uploads.id, uploadId));
  // The stored digest is over the raw token bytes; the header carries base64url.
  const presented = sha256(Buffer.from(token ?? "", "base64url"));
  // One answer for "no such upload" and "wrong token": neither tells the other apart.
  if (!row || !token || !timingSafeEqual(Buffer.from(row.tokenHash), Buffer.from(presented))) {
    throw new ApiError(404, "upload_not_found", "no such upload");
  }
  return row;
}

function status(row: typeof uploads.$inferSelect): UploadStatusResponse {
  return {
    uploadId: row.id,
    state: row.state,
    receivedBytes: row.receivedBytes,
    nextPart: row.nextPart,
    expectedBytes: row.expectedBytes,
  };
}

export async function getUploadStatus(s: Services, uploadId: string, token: string | null): Promise<UploadStatusResponse> {
  return status(await requireUpload(s, uploadId, token));
}

export async function writeUploadPart(
  s: Services,
  uploadId: string,
  token: string | null,
  index: number,
  body: Readable,
  contentLength: number | null,
): Promise<UploadStatusResponse> {
  if (writing.has(uploadId)) throw new ApiError(409, "part_in_progress", "another request is writing this upload");
  writing.add(uploadId);
  try {
    return await writePartLocked(s, uploadId, token, index, body, contentLength);
  } finally {
    writing.delete(uploadId);
  }
}

async function writePartLocked(
  s: Services,
  uploadId: string,
  token: string | null,
  index: number,
  body: Readable,
  contentLength: number | null,
): Promise<UploadStatusResponse> {
  // Read the committed offset only while holding the lock, so a retried part can never cut acknowledged bytes.
  const row = await requireUpload(s, uploadId, token);
  if (row.state !== "open") throw new ApiError(409, "upload_complete", "this upload is already complete");
  if (index !== row.nextPart) {
    throw new ApiError(409, "wrong_part", `expected part ${row.nextPart}, got part ${index}`, { nextPart: String(row.nextPart) });
  }
  const room = row.expectedBytes - row.receivedBytes;
  const limit = Math.min(MAX_PART_BYTES, room);
  if (contentLength !== null && contentLength > limit) {
    throw new ApiError(413, "part_too_large", `this part may be at most ${limit} bytes`);
  }
  // Space is taken before a byte is written: the announced length, or the most this part may carry.
  const reserve = contentLength ?? limit;
  await requireDiskRoom(s, reserve, "part");
  if (!(await reservePart(s, row, index, reserve))) throw new ApiError(409, "wrong_part", "the upload moved on while this part was checked");
  let written: number;
  try {
    written = await s.blobs.writeAt(row.blobKey, row.receivedBytes, body, limit, contentLength);
  } catch (error) {
    await releasePart(s, uploadId, index);
    await dropIfAbandoned(s, row.blobKey);
    if (error instanceof BlobTooLargeError) {
      throw new ApiError(413, "part_too_large", `this part may be at most ${limit} bytes`);
    }
    if (error instanceof BlobPartTooSmallError) {
      // Only with the object store (ADR 037); the portal's own client sends full parts but the last.
      throw new ApiError(400, "part_too_small", `every part but the last must be at least ${error.minimum} bytes`);
    }
    throw new ApiError(400, "part_interrupted", "the part did not arrive completely; send it again", undefined, { cause: error });
  }
  if (written === 0) {
    await releasePart(s, uploadId, index);
    throw new ApiError(400, "empty_part", "a part must not be empty");
  }
  const [updated] = await s.db
    .update(uploads)
    .set({ receivedBytes: row.receivedBytes + written, reservedBytes: 0, nextPart: index + 1, updatedAt: minuteOf(s.now()) })
    .where(and(eq(uploads.id, uploadId), eq(uploads.nextPart, index)))
    .returning();
  if (!updated) {
    await dropIfAbandoned(s, row.blobKey);
    throw new ApiError(409, "wrong_part", "the upload moved on while this part was written");
  }
  return status(updated);
}

/**
 * After a part failed or found its upload moved on: if the upload was abandoned meanwhile, this part may have
 * written (or created) the blob after the abandon removed it, so it removes it. Only if no upload, attachment or
 * archived file names the blob, asked in that order: each move from one to the next is one transaction.
 */
async function dropIfAbandoned(s: Services, blobKey: string): Promise<void> {
  const [upload] = await s.db.select({ id: uploads.id }).from(uploads).where(eq(uploads.blobKey, blobKey));
  if (upload) return;
  const [attachment] = await s.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.blobKey, blobKey));
  if (attachment) return;
  const [archived] = await s.db.select({ k: archiveFiles.blobKey }).from(archiveFiles).where(eq(archiveFiles.blobKey, blobKey));
  if (!archived) await s.blobs.delete(blobKey);
}

export async function completeUpload(s: Services, uploadId: string, token: string | null): Promise<UploadStatusResponse> {
  const row = await requireUpload(s, uploadId, token);
  if (row.state === "complete") return status(row);
  if (row.receivedBytes !== row.expectedBytes) {
    throw new ApiError(409, "upload_incomplete", `received ${row.receivedBytes} of ${row.expectedBytes} bytes`);
  }
  await s.blobs.complete(row.blobKey);
  const size = await s.blobs.size(row.blobKey);
  if (size !== row.expectedBytes) throw new ApiError(409, "upload_incomplete", "stored bytes do not match; upload again");
  const [updated] = await s.db
    .update(uploads)
    .set({ state: "complete", updatedAt: minuteOf(s.now()) })
    .where(eq(uploads.id, uploadId))
    .returning();
  return status(updated!);
}

export async function abortUpload(s: Services, uploadId: string, token: string | null): Promise<void> {
  const row = await requireUpload(s, uploadId, token);
  const gone = await s.db.delete(uploads).where(eq(uploads.id, row.id)).returning({ id: uploads.id });
  // Only the request that removed the row removes the bytes (a claimed upload keeps them).
  if (gone.length === 1) await s.blobs.delete(row.blobKey);
}

/**
 * Removes uploads never claimed by a report within the TTL, and blobs that no
 * row refers to (left by a crash between writing and recording). Returns counts.
 */
export async function cleanupUploads(s: Services): Promise<{ uploads: number; orphanBlobs: number }> {
  const cutoff = new Date(s.now().getTime() - s.config.UPLOAD_TTL_HOURS * 3600_000);
  // Idle past the TTL, or open longer than the maximum age however often a part came: trickling bytes
  // does not keep space (ADR 031).
  const born = new Date(s.now().getTime() - s.config.UPLOAD_MAX_AGE_HOURS * 3600_000);
  const stale = await s.db
    .delete(uploads)
    .where(or(lt(uploads.updatedAt, cutoff), lt(uploads.createdAt, born)))
    .returning({ blobKey: uploads.blobKey });
  for (const { blobKey } of stale) await s.blobs.delete(blobKey);
  // Blobs first, rows second: a row is always written before its blob, so a blob listed here whose row
  // exists is found below, even one written a moment ago (blob times say only the day, ADR 033).
  const candidates: string[] = [];
  for await (const blob of s.blobs.list()) if (blob.modifiedAt < cutoff) candidates.push(blob.key);
  const known = new Set<string>();
  for (const r of await s.db.select({ k: uploads.blobKey }).from(uploads)) known.add(r.k);
  for (const r of await s.db.select({ k: attachments.blobKey }).from(attachments)) known.add(r.k);
  // An archived case's files are the archive's now: never strays.
  for (const r of await s.db.select({ k: archiveFiles.blobKey }).from(archiveFiles)) known.add(r.k);
  let orphanBlobs = 0;
  for (const key of candidates) {
    if (known.has(key)) continue;
    await s.blobs.delete(key);
    orphanBlobs++;
  }
  return { uploads: stale.length, orphanBlobs };
}

// ---------------------------------------------------------------- submission

/**
 * The per-client submission limit (ADR 034), counted in the database under the client's keyed daily pseudonym
 * before the body is read: over it, 429 with Retry-After. Every attempt counts, so a refused one costs too.
 */
export function limitReportsPerClient(s: Services, clientKey: string): Promise<void> {
  return limitSubmissions(s.db, {
    subject: `client:${clientKey}`,
    limit: s.config.REPORTS_PER_CLIENT,
    windowMs: s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000,
    now: s.now(),
    code: "too_many_reports",
    message: "too many reports from this network",
  });
}

/** New anonymous uploads per client per hour, counted like reports (ADR 034): in the database, so instances share the count. */
export function limitUploadsPerClient(s: Services, clientKey: string): Promise<void> {
  return limitSubmissions(s.db, {
    subject: `uploads:${clientKey}`,
    limit: s.config.UPLOADS_PER_CLIENT_PER_HOUR,
    windowMs: 3600_000,
    now: s.now(),
    code: "too_many_uploads",
    message: "too many uploads from this network",
  });
}

/**
 * The identity comes with its key wrap (ADR 052), and an update-e-mail address only with an identity: a
 * `report-identity` record under the report key (the format before it) is no longer accepted.
 */
function checkIdentityRecords(input: Pick<SubmitReportInput, "identity" | "identityKey" | "notifyAddress">): void {
  if (!input.identity) {
    if (input.identityKey || input.notifyAddress)
      throw new ApiError(400, "bad_identity", "an identity key or address without an identity", { identity: "missing" });
    return;
  }
  checkRecord("identity", input.identity, "identity");
  if (!input.identityKey) throw new ApiError(400, "bad_identity", "the identity needs its key wrap", { identityKey: "required with identity" });
  checkRecord("identityKey", input.identityKey, "identity-key");
  if (input.notifyAddress) checkRecord("notifyAddress", input.notifyAddress, "notify-address");
}

/**
 * `sealedBy: "server"` only from the form without JavaScript (app/.server/nojs/, ADR 043): the wire schema is
 * strict, so a request body cannot claim it, and that path cannot leave it out.
 */
export async function submitReport(
  s: Services,
  input: SubmitReportInput,
  origin: { sealedBy: "browser" | "server" } = { sealedBy: "browser" },
): Promise<SubmitReportResponse> {
  checkRecord("title", input.title, "report-title");
  checkRecord("body", input.body, "report-body");
  checkRecord("reporterKey", input.reporterKey, "reporter-key");
  for (const [i, a] of input.attachments.entries()) {
    checkRecord(`attachments.${i}.meta`, a.meta, "file-meta");
    checkRecord(`attachments.${i}.fileKey`, a.fileKey, "file-key");
  }
  // The version byte, as a grant's envelope is checked (casework.ts): an envelope no reader can open is refused now.
  for (const [i, e] of input.envelopes.entries()) checkEnvelope(`envelopes.${i}.envelope`, e.envelope, ENVELOPE_BYTES);
  if (input.attachments.length > s.config.MAX_ATTACHMENTS_PER_REPORT) {
    throw new ApiError(400, "too_many_attachments", `a report may have at most ${s.config.MAX_ATTACHMENTS_PER_REPORT} attachments`);
  }
  if ((input.identity || input.attachments.length > 0) && !input.consentOptional) {
    throw new ApiError(400, "consent_optional_required", "contact details or files need the consent for optional items", {
      consentOptional: "required when contact details or files are given",
    });
  }
  checkIdentityRecords(input);
  const lookupHash = receiptLookupHash(input.receiptLookup);
  const excluded = new Set(input.excludedInvestigators);

  // What the checks need, in one statement: an earlier submission of this id, the category, the
  // active investigators and, of the excluded ones, those that exist (an exclusion may name any
  // investigator account, also one disabled since the page loaded).
  const known = (
    await s.db
      .select({
        caseNumber: reports.caseNumber,
        ackDueOn: reports.ackDueOn,
        sameReceipt: sql<boolean>`${eq(reports.receiptLookupHash, lookupHash)}`,
        categoryActive: sql<boolean>`exists (select 1 from ${categories} where "categories"."id" = ${input.categoryId} and "categories"."active")`,
        activeInvestigators: sql<
          string[]
        >`(select coalesce(json_agg("staff_users"."id"), '[]') from ${staffUsers} where "staff_users"."role" = 'investigator' and "staff_users"."status" = 'active')`,
        existingExcluded: sql<
          string[]
        >`(select coalesce(json_agg("staff_users"."id"), '[]') from ${staffUsers} where "staff_users"."role" = 'investigator' and ${inArray(staffUsers.id, [...excluded])})`,
      })
      // One row whether or not the report exists.
      .from(sql`(select 1) as "submission"`)
      .leftJoin(reports, eq(reports.id, input.reportId))
  )[0]!;

  // A retried submission (the first answer was lost) gets the same answer.
  if (known.caseNumber !== null && known.ackDueOn !== null) {
    if (known.sameReceipt) return { caseNumber: known.caseNumber, ackDueOn: known.ackDueOn };
    throw new ApiError(409, "report_exists", "this report has already been submitted");
  }
  if (!known.categoryActive) throw new ApiError(400, "unknown_category", "no such category", { categoryId: "no such category" });

  // Every active investigator the reporter did not exclude must hold an envelope.
  const investigatorIds = new Set(known.activeInvestigators);
  const existingExcluded = new Set(known.existingExcluded);
  for (const id of excluded) {
    if (!existingExcluded.has(id))
      throw new ApiError(400, "unknown_investigator", "an excluded investigator does not exist", { excludedInvestigators: "unknown investigator" });
  }
  const sealedFor = new Set<string>();
  for (const e of input.envelopes) {
    if (sealedFor.has(e.staffUserId)) throw new ApiError(400, "duplicate_envelope", "one envelope per investigator");
    if (excluded.has(e.staffUserId)) throw new ApiError(400, "excluded_recipient", "an excluded investigator must not receive the keys");
    sealedFor.add(e.staffUserId);
  }
  const expected = [...investigatorIds].filter((id) => !excluded.has(id));
  if (expected.length === 0) throw new ApiError(400, "no_recipients", "at least one investigator must be able to read the report");
  const missingOrStale = expected.some((id) => !sealedFor.has(id)) || [...sealedFor].some((id) => !investigatorIds.has(id));
  if (missingOrStale) {
    throw new ApiError(409, "recipients_changed", "the list of investigators changed; reload the recipients and seal again");
  }

  const uploadIds = input.attachments.map((a) => a.uploadId);
  if (new Set(uploadIds).size !== uploadIds.length) throw new ApiError(400, "duplicate_attachment", "an upload is listed twice");
  const ups = uploadIds.length ? await s.db.select().from(uploads).where(inArray(uploads.id, uploadIds)) : [];
  const byId = new Map(ups.map((u) => [u.id, u]));
  for (const id of uploadIds) {
    const u = byId.get(id);
    if (!u || u.reportId !== input.reportId) throw new ApiError(400, "unknown_upload", "an attachment's upload does not exist for this report");
    if (u.state !== "complete") throw new ApiError(409, "upload_incomplete", "an attachment has not finished uploading");
  }

  // Counted only now, when nothing refuses it: a flood is of reports that are stored (ADR 034).
  const floodId = await floodOf(s);
  const today = todayOf(s);
  const ackDueOn = addDays(today, s.config.ACK_DEADLINE_DAYS);
  // Everything of the report in one statement (a statement is atomic): the report, its envelopes,
  // exclusions and attachments, and the notice to the investigators who can read it (nothing of
  // it), with the report or not at all.
  const store = (db: Db | Tx, caseNumber: string) => {
    const parts = [
      sql`new_report as ${db.insert(reports).values({
        id: input.reportId,
        caseNumber,
        categoryId: input.categoryId,
        status: "received",
        receivedOn: today,
        updatedOn: today,
        ackDueOn,
        nextDueOn: ackDueOn,
        receiptLookupHash: lookupHash,
        reporterKeyWrapped: input.reporterKey,
        titleCt: input.title,
        bodyCt: input.body,
        identityCt: input.identity,
        identityKeyWrapped: input.identity ? (input.identityKey ?? null) : null,
        notifyAddressCt: input.identity ? (input.notifyAddress ?? null) : null,
        consentReport: input.consentReport,
        consentOptional: input.consentOptional,
        consentAffiliateIdentity: input.consentAffiliateIdentity,
        floodId,
        serverSealed: origin.sealedBy === "server",
      })}`,
      sql`new_envelopes as ${db
        .insert(reportKeyEnvelopes)
        .values(input.envelopes.map((e) => ({ reportId: input.reportId, staffUserId: e.staffUserId, envelope: e.envelope, grantedOn: today })))}`,
    ];
    if (excluded.size > 0) {
      parts.push(sql`new_exclusions as ${db.insert(reportExclusions).values([...excluded].map((staffUserId) => ({ reportId: input.reportId, staffUserId })))}`);
    }
    if (input.attachments.length > 0) {
      const rows = input.attachments.map((a) => {
        const u = byId.get(a.uploadId)!;
        return {
          id: u.id,
          reportId: input.reportId,
          source: "reporter" as const,
          metaCt: a.meta,
          fileKeyWrapped: a.fileKey,
          blobKey: u.blobKey,
          ciphertextBytes: u.expectedBytes,
          addedOn: today,
        };
      });
      parts.push(sql`new_attachments as ${db.insert(attachments).values(rows)}`);
    }
    const recipients = input.envelopes.map((e) => e.staffUserId);
    // In a flood, one notification for all of it (recorded by its first report, a no-op for the rest).
    const notice = floodId
      ? staffNoticeInsert(db, s, { event: "report_flood", staffUserIds: recipients, floodId, dedupeKey: `report_flood:${floodId}` })
      : staffNoticeInsert(db, s, { event: "new_case", staffUserIds: recipients, reportId: input.reportId, dedupeKey: `new_case:${input.reportId}` });
    if (notice) parts.push(sql`new_notices as ${notice}`);
    return db.execute(sql`with ${sql.join(parts, sql`, `)} select 1`);
  };
  for (let attempt = 0; ; attempt++) {
    const caseNumber = generateCaseNumber();
    try {
      if (uploadIds.length === 0) {
        await store(s.db, caseNumber);
      } else {
        // The uploads are claimed in the same transaction (an abort may have taken one meanwhile: then
        // nothing is kept), after the INSERT so that a racing retry meets the report's rows and gets its answer.
        await s.db.transaction(async (tx) => {
          await store(tx, caseNumber);
          const claimed = await tx
            .delete(uploads)
            .where(and(inArray(uploads.id, uploadIds), eq(uploads.state, "complete")))
            .returning({ id: uploads.id });
          if (claimed.length !== uploadIds.length) throw new ApiError(409, "upload_incomplete", "an attachment changed during submission");
        });
      }
      kickStaffNotifications(s);
      return { caseNumber, ackDueOn };
    } catch (error) {
      if (isUniqueViolation(error, "reports_case_number_unique") && attempt < 5) continue;
      if (isUniqueViolation(error)) {
        // A retry raced the first attempt, which has now committed: same report, same answer. The parts of
        // the statement run in no fixed order, so the clash may be on any of the report's rows (its id, an
        // envelope): whether the report is stored decides.
        const [stored] = await s.db
          .select({ caseNumber: reports.caseNumber, ackDueOn: reports.ackDueOn, lookup: reports.receiptLookupHash })
          .from(reports)
          .where(eq(reports.id, input.reportId));
        if (stored && Buffer.from(stored.lookup).equals(Buffer.from(lookupHash))) return { caseNumber: stored.caseNumber, ackDueOn: stored.ackDueOn };
        if (stored || isUniqueViolation(error, "reports_pkey")) throw new ApiError(409, "report_exists", "this report has already been submitted");
      }
      throw error;
    }
  }
}
