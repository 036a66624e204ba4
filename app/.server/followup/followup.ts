// The reporter's follow-up with the receipt code: sessions bound to one case,
// the case view (ciphertext only), the dialogue, more files and privacy
// requests. Staff-side counterparts used by the investigator workspace live
// here too, so both sides share one set of rules.
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, eq, lt, or, sql } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { attachments, messages, privacyRequests, reporterSessions, reportKeyEnvelopes, reports, uploads } from "../../../db/schema";
import type { OpenSessionResponse, PrivacyKind, ReporterCaseView } from "../../intake/followup-wire";
import { addDays, dayIn } from "../platform/dates";
import { caseProvisions } from "../sharing/sharing";
import { ApiError } from "../platform/http";
import { appendAudit, type AuditEntry } from "../audit/audit";
import { checkRecord } from "../intake/intake";
import { receiptLookupHash } from "../case-access/receipt-lookup";
import type { Services } from "../platform/services";
import { kickStaffNotifications, notifyCaseHolders } from "../notifications/staff-notifications";

export const SESSION_MAX_HOURS = 4;
export const PRIVACY_DUE_DAYS = 10;
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const b64 = (v: Uint8Array) => toBase64Url(v);
const today = (s: Services) => dayIn(s.config.TIME_ZONE, s.now());

export class TooManyAttemptsError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super(429, "too_many_attempts", `too many attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} minutes`, {
      retryAfterMinutes: String(Math.ceil(retryAfterSeconds / 60)),
    });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * Opens a follow-up session for the case whose receipt derives `lookup`.
 * A wrong code, found or not, gets one answer, no sooner than
 * RECEIPT_MIN_RESPONSE_MS after the request, so timing says nothing either.
 */
export async function openReporterSession(s: Services, lookup: Uint8Array, clientKey: string): Promise<OpenSessionResponse> {
  const started = performance.now();
  const verdict = s.receiptLimiter.attempt(clientKey, Date.now());
  if (!verdict.ok) throw new TooManyAttemptsError(Math.ceil(verdict.retryAfterMs / 1000));
  const hash = receiptLookupHash(lookup);
  try {
    const [report] = await s.db.select({ id: reports.id }).from(reports).where(eq(reports.receiptLookupHash, hash));
    if (!report) throw new ApiError(404, "not_found", "no case matches this receipt code");
    s.receiptLimiter.succeeded(clientKey);
    const token = randomBytes(32);
    const now = s.now();
    await s.db.insert(reporterSessions).values({ tokenHash: sha256(token), reportId: report.id, createdAt: now, lastSeenAt: now });
    return {
      token: b64(token),
      idleSeconds: s.config.REPORTER_SESSION_IDLE_MINUTES * 60,
      case: await reporterCaseView(s, report.id),
    };
  } finally {
    const wait = s.config.RECEIPT_MIN_RESPONSE_MS - (performance.now() - started);
    if (wait > 0) await sleep(wait);
  }
}

function bearer(request: Request): Uint8Array | null {
  const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(request.headers.get("Authorization") ?? "");
  return m ? new Uint8Array(Buffer.from(m[1]!, "base64url")) : null;
}

/** The case of the follow-up session presented with the request; 401 if none is valid. */
export async function requireReporterSession(s: Services, request: Request): Promise<{ reportId: string; tokenHash: Uint8Array }> {
  const token = bearer(request);
  if (!token) throw new ApiError(401, "no_session", "open your case with the receipt code first");
  const tokenHash = sha256(token);
  const [row] = await s.db.select().from(reporterSessions).where(eq(reporterSessions.tokenHash, tokenHash));
  const now = s.now().getTime();
  const idleMs = s.config.REPORTER_SESSION_IDLE_MINUTES * 60_000;
  if (!row || now - row.lastSeenAt.getTime() > idleMs || now - row.createdAt.getTime() > SESSION_MAX_HOURS * 3600_000) {
    if (row) await s.db.delete(reporterSessions).where(eq(reporterSessions.tokenHash, tokenHash));
    throw new ApiError(401, "session_expired", "your session has ended; enter the receipt code again");
  }
  await s.db.update(reporterSessions).set({ lastSeenAt: s.now() }).where(eq(reporterSessions.tokenHash, tokenHash));
  return { reportId: row.reportId, tokenHash };
}

export async function endReporterSession(s: Services, token: Uint8Array): Promise<void> {
  await s.db.delete(reporterSessions).where(eq(reporterSessions.tokenHash, sha256(token)));
}

export async function expireReporterSessions(s: Services): Promise<number> {
  const now = s.now().getTime();
  const gone = await s.db
    .delete(reporterSessions)
    .where(
      or(
        lt(reporterSessions.lastSeenAt, new Date(now - s.config.REPORTER_SESSION_IDLE_MINUTES * 60_000)),
        lt(reporterSessions.createdAt, new Date(now - SESSION_MAX_HOURS * 3600_000)),
      ),
    )
    .returning({ reportId: reporterSessions.reportId });
  return gone.length;
}

export async function reporterCaseView(s: Services, reportId: string): Promise<ReporterCaseView> {
  const [r] = await s.db.select().from(reports).where(eq(reports.id, reportId));
  if (!r) throw new ApiError(404, "not_found", "no such case");
  const [files, dialogue, requests] = await Promise.all([
    s.db.select().from(attachments).where(eq(attachments.reportId, reportId)).orderBy(asc(attachments.addedOn), asc(attachments.id)),
    s.db.select().from(messages).where(eq(messages.reportId, reportId)).orderBy(asc(messages.seq)),
    s.db.select().from(privacyRequests).where(eq(privacyRequests.reportId, reportId)).orderBy(asc(privacyRequests.requestedOn), asc(privacyRequests.id)),
  ]);
  await s.db
    .update(messages)
    .set({ readByReporter: today(s) })
    .where(and(eq(messages.reportId, reportId), eq(messages.author, "investigator"), sql`${messages.readByReporter} is null`));
  return {
    reportId: r.id,
    caseNumber: r.caseNumber,
    categoryId: r.categoryId,
    status: r.status,
    receivedOn: r.receivedOn,
    acknowledgedOn: r.acknowledgedOn,
    updatedOn: r.updatedOn,
    closedOn: r.closedOn,
    ackDueOn: r.ackDueOn,
    feedbackDueOn: r.feedbackDueOn,
    reporterKey: b64(r.reporterKeyWrapped),
    title: b64(r.titleCt),
    body: b64(r.bodyCt),
    identity: r.identityCt ? b64(r.identityCt) : null,
    attachments: files.map((a) => ({
      id: a.id,
      source: a.source,
      meta: b64(a.metaCt),
      fileKey: b64(a.fileKeyWrapped),
      ciphertextBytes: a.ciphertextBytes,
      addedOn: a.addedOn,
    })),
    messages: dialogue.map((m) => ({ id: m.id, seq: m.seq, author: m.author, body: b64(m.bodyCt), sentOn: m.sentOn })),
    privacyRequests: requests.map(privacyRequestView),
    emailNotifications: s.mailer.configured,
    // Who provided it is the organisation's business; the reporter sees what went where, when and why.
    provisions: (await caseProvisions(s, reportId)).map(({ providedBy: _by, version: _v, ...p }) => p),
  };
}

/** A privacy request as both sides' browsers receive it (texts as ciphertext). */
export function privacyRequestView(p: typeof privacyRequests.$inferSelect) {
  return {
    id: p.id,
    kind: p.kind,
    state: p.state,
    detail: p.detailCt ? b64(p.detailCt) : null,
    requestedOn: p.requestedOn,
    dueOn: p.dueOn,
    answer: p.answerCt ? b64(p.answerCt) : null,
    answeredOn: p.answeredOn,
    outcome: p.outcome,
    refusalReason: p.refusalReason,
    refusalBasis: p.refusalBasis,
  };
}

/** An attachment's ciphertext as a response: always a download of opaque bytes, never rendered. */
export function attachmentDownload(blob: { stream: import("node:stream").Readable; bytes: number }, attachmentId: string): Response {
  return new Response(Readable.toWeb(blob.stream) as ReadableStream, {
    headers: {
      "Content-Type": "application/octet-stream",
      "Content-Length": String(blob.bytes),
      "Content-Disposition": `attachment; filename="${attachmentId}.cor"`,
      "Cache-Control": "no-store",
    },
  });
}

type Tx = Parameters<Parameters<Services["db"]["transaction"]>[0]>[0];

/** Marks that the reporter added something: investigators see the case as unread again. */
async function bumpActivity(tx: Tx, reportId: string): Promise<void> {
  await tx.update(reports).set({ activitySeq: sql`${reports.activitySeq} + 1` }).where(eq(reports.id, reportId));
}

/** Appends a message to a case's dialogue (either side); ids come from the sender, who bound them into the ciphertext. */
export async function appendMessage(
  s: Services,
  reportId: string,
  input: { id: string; body: Uint8Array },
  from: { author: "reporter" } | { author: "investigator"; staffUserId: string },
  auditEntry?: AuditEntry,
): Promise<{ id: string; seq: number }> {
  checkRecord("body", input.body, "message");
  for (let attempt = 0; ; attempt++) {
    try {
      const sent = await s.db.transaction(async (tx) => {
        const [existing] = await tx.select({ reportId: messages.reportId, seq: messages.seq }).from(messages).where(eq(messages.id, input.id));
        if (existing) {
          if (existing.reportId !== reportId) throw new ApiError(409, "id_taken", "this message id is taken");
          return { id: input.id, seq: existing.seq }; // a retried send
        }
        const [{ next }] = (await tx
          .select({ next: sql<number>`coalesce(max(${messages.seq}), -1)::int + 1` })
          .from(messages)
          .where(eq(messages.reportId, reportId))) as [{ next: number }];
        await tx.insert(messages).values({
          id: input.id,
          reportId,
          seq: next,
          author: from.author,
          staffUserId: from.author === "investigator" ? from.staffUserId : null,
          bodyCt: input.body,
          sentOn: today(s),
        });
        if (from.author === "investigator") await tx.update(reports).set({ updatedOn: today(s) }).where(eq(reports.id, reportId));
        else {
          await bumpActivity(tx, reportId);
          await notifyCaseHolders(tx, s, { event: "reporter_message", reportId, dedupeKey: `reporter_message:${input.id}` });
        }
        if (auditEntry) await appendAudit(tx, auditEntry, s.now());
        return { id: input.id, seq: next };
      });
      if (from.author === "reporter") kickStaffNotifications(s);
      return sent;
    } catch (error) {
      // Two messages raced for the same position: take the next one.
      if (attempt < 5 && isUnique(error, "messages_report_seq_idx")) continue;
      // The same message sent twice at once: the other copy won; answer as for a retry.
      if (attempt < 5 && isUnique(error, "messages_pkey")) continue;
      throw error;
    }
  }
}

function isUnique(error: unknown, constraint: string): boolean {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    const o = e as { code?: string; constraint_name?: string; constraint?: string };
    if (o.code === "23505" && (o.constraint_name === constraint || o.constraint === constraint)) return true;
    if (typeof e !== "object") break;
  }
  return false;
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
  const count = await s.db.select({ id: attachments.id }).from(attachments).where(eq(attachments.reportId, reportId));
  if (count.length >= s.config.MAX_ATTACHMENTS_PER_REPORT * 5) {
    throw new ApiError(409, "too_many_attachments", "this case has reached its attachment limit");
  }
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
      await bumpActivity(tx, reportId);
      await notifyCaseHolders(tx, s, { event: "reporter_message", reportId, dedupeKey: `reporter_file:${u.id}` });
    }
    if (auditEntry) await appendAudit(tx, auditEntry, s.now());
    return { id: u.id };
  });
  if (source === "reporter") kickStaffNotifications(s);
  return attached;
}

export async function createPrivacyRequest(
  s: Services,
  reportId: string,
  input: { id: string; kind: PrivacyKind; detail: Uint8Array | null },
): Promise<{ id: string; dueOn: string }> {
  if (input.detail) checkRecord("detail", input.detail, "privacy-request");
  if (input.kind === "correction" && !input.detail) {
    throw new ApiError(400, "detail_required", "a correction request needs the corrected text", { detail: "required for a correction" });
  }
  const [existing] = await s.db.select().from(privacyRequests).where(eq(privacyRequests.id, input.id));
  if (existing) {
    if (existing.reportId !== reportId) throw new ApiError(409, "id_taken", "this request id is taken");
    return { id: existing.id, dueOn: existing.dueOn };
  }
  const requestedOn = today(s);
  const dueOn = addDays(requestedOn, PRIVACY_DUE_DAYS);
  try {
    await s.db.transaction(async (tx) => {
      await tx.insert(privacyRequests).values({ id: input.id, reportId, kind: input.kind, detailCt: input.detail, requestedOn, dueOn });
      await bumpActivity(tx, reportId);
      await notifyCaseHolders(tx, s, { event: "privacy_request", reportId, dedupeKey: `privacy_request:${input.id}` });
    });
  } catch (error) {
    // The same request sent twice at once: the other copy was stored.
    if (isUnique(error, "privacy_requests_pkey")) return createPrivacyRequest(s, reportId, input);
    throw error;
  }
  kickStaffNotifications(s);
  return { id: input.id, dueOn };
}

/** The investigator's answer to a privacy request (encrypted under the report key in their browser). */
export async function answerPrivacyRequest(
  s: Services,
  reportId: string,
  requestId: string,
  staffUserId: string,
  answer: Uint8Array,
  auditEntry?: AuditEntry,
): Promise<void> {
  checkRecord("answer", answer, "privacy-answer");
  await s.db.transaction(async (tx) => {
    const done = await tx
      .update(privacyRequests)
      .set({ state: "answered", answerCt: answer, answeredOn: today(s), answeredBy: staffUserId })
      .where(and(eq(privacyRequests.id, requestId), eq(privacyRequests.reportId, reportId), eq(privacyRequests.state, "open")))
      .returning({ id: privacyRequests.id });
    if (done.length === 0) throw new ApiError(404, "not_found", "no open privacy request with this id in this case");
    await tx.update(reports).set({ updatedOn: today(s) }).where(eq(reports.id, reportId));
    if (auditEntry) await appendAudit(tx, auditEntry, s.now());
  });
}

/** The stored ciphertext of one attachment of the case, for a download. */
export async function attachmentBlob(s: Services, reportId: string, attachmentId: string) {
  const [a] = await s.db
    .select()
    .from(attachments)
    .where(and(eq(attachments.id, attachmentId), eq(attachments.reportId, reportId)));
  if (!a) throw new ApiError(404, "not_found", "no such attachment in this case");
  return { stream: s.blobs.read(a.blobKey), bytes: a.ciphertextBytes };
}

/**
 * Open privacy requests as tasks for one investigator: only cases they hold
 * an envelope for (an excluded investigator never sees them), soonest due first.
 */
export async function privacyTasksFor(s: Services, staffUserId: string) {
  return s.db
    .select({
      requestId: privacyRequests.id,
      reportId: privacyRequests.reportId,
      caseNumber: reports.caseNumber,
      kind: privacyRequests.kind,
      requestedOn: privacyRequests.requestedOn,
      dueOn: privacyRequests.dueOn,
    })
    .from(privacyRequests)
    .innerJoin(reports, eq(reports.id, privacyRequests.reportId))
    .innerJoin(
      reportKeyEnvelopes,
      and(eq(reportKeyEnvelopes.reportId, privacyRequests.reportId), eq(reportKeyEnvelopes.staffUserId, staffUserId)),
    )
    .where(eq(privacyRequests.state, "open"))
    .orderBy(asc(privacyRequests.dueOn), asc(privacyRequests.id));
}
