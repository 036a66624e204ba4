// The reporter's follow-up with the receipt code: sessions bound to one case
// and the case view (ciphertext only). What the reporter does in a session
// lives with what investigators share it with: the dialogue (dialogue/),
// files (case-access/attachments.ts) and privacy requests (privacy-requests/).
//
// - Sessions end after `REPORTER_SESSION_IDLE_MINUTES` idle, after
//   `SESSION_MAX_HOURS` (4), at log-out or from the tab-close beacon. `GET
//   /api/followup/session` only renews: the page sends it at most once a minute
//   while the reporter is active or an upload or send runs.
// - The case view is ciphertext and workflow dates; not the outcome, priority,
//   assignee, labels or notes, which are the investigators' own.
// - More files: an upload opened for the session's case (the intake part,
//   status and complete endpoints), then claimed (case-access/attachments.ts);
//   downloads include files investigators sent.
// - What a session posts (messages, files, privacy requests) is limited to
//   FOLLOWUP_POSTS_PER_SESSION per REPORT_LIMIT_WINDOW_MINUTES, counted in the
//   database before the body is read (`limitSessionPosts`, ADR 034): each of
//   them notifies investigators.
// - `POST /api/followup/identity` (update e-mails on or off, re-encrypted in
//   the browser) replaces `identity_ct` only where one exists: it cannot add an
//   identity the reporter did not give.
import { reporterIdentityAccesses } from "../identity-access/identity-access";
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { and, asc, eq, lt, or, sql } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { attachments, messages, privacyRequests, reporterSessions, reports } from "../../../db/schema";
import type { OpenSessionResponse, ReporterCaseView } from "../../intake/followup-wire";
import { attachmentView } from "../case-access/attachments";
import { receiptLookupHash } from "../case-access/receipt-lookup";
import { limitSubmissions } from "../platform/counters";
import { MINUTE_SLACK_MS, minuteOf, today } from "../platform/dates";
import { ApiError } from "../platform/http";
import type { SpentProof } from "../platform/proof-of-work";
import type { Services } from "../platform/services";
import { privacyRequestView } from "../privacy-requests/privacy-requests";
import { caseProvisions } from "../sharing/sharing";

export const SESSION_MAX_HOURS = 4;
const sha256 = (data: Uint8Array) => new Uint8Array(createHash("sha256").update(data).digest());
const b64 = (v: Uint8Array) => toBase64Url(v);

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
 *
 * The request has spent a proof of work (`proof`, ADR 032), recorded as a
 * wrong code until the code proves right. More than
 * RECEIPT_ATTEMPTS_PER_CLIENT wrong codes in the window from one client get
 * 429; there is no global refusal: a guessing storm raises everyone's
 * difficulty instead, so a reporter with a valid code always gets in.
 */
export async function openReporterSession(s: Services, lookup: Uint8Array, clientKey: string, proof: SpentProof): Promise<OpenSessionResponse> {
  const started = performance.now();
  if ((await s.proofOfWork.failures(clientKey)) > s.config.RECEIPT_ATTEMPTS_PER_CLIENT) {
    throw new TooManyAttemptsError(s.config.RECEIPT_LIMIT_WINDOW_MINUTES * 60);
  }
  const hash = receiptLookupHash(lookup);
  try {
    const [report] = await s.db.select({ id: reports.id }).from(reports).where(eq(reports.receiptLookupHash, hash));
    if (!report) throw new ApiError(404, "not_found", "no case matches this receipt code");
    await s.proofOfWork.succeeded(proof);
    const token = await newReporterSession(s, report.id);
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

/** A new session row for the case; the token itself is only returned, never stored. */
export async function newReporterSession(s: Services, reportId: string): Promise<Uint8Array> {
  const token = randomBytes(32);
  // Session times are kept to the minute only (ADR 033); the timeouts below allow for the cut.
  const now = minuteOf(s.now());
  await s.db.insert(reporterSessions).values({ tokenHash: sha256(token), reportId, createdAt: now, lastSeenAt: now });
  return new Uint8Array(token);
}

function bearer(request: Request): Uint8Array | null {
  const m = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(request.headers.get("Authorization") ?? "");
  return m ? new Uint8Array(Buffer.from(m[1]!, "base64url")) : null;
}

/** The case of the follow-up session presented with the request; 401 if none is valid. */
export async function requireReporterSession(s: Services, request: Request): Promise<{ reportId: string; tokenHash: Uint8Array }> {
  const token = bearer(request);
  if (!token) throw new ApiError(401, "no_session", "open your case with the receipt code first");
  return reporterSessionOf(s, token);
}

/** The case of the follow-up session `token` opened, its idle clock restarted; 401 if none is valid. */
export async function reporterSessionOf(s: Services, token: Uint8Array): Promise<{ reportId: string; tokenHash: Uint8Array }> {
  const tokenHash = sha256(token);
  const [row] = await s.db.select().from(reporterSessions).where(eq(reporterSessions.tokenHash, tokenHash));
  const now = s.now().getTime();
  // Stored times are cut to the minute: add the minute, so no session ends before its time (it may last up to a minute longer).
  const idleMs = s.config.REPORTER_SESSION_IDLE_MINUTES * 60_000 + MINUTE_SLACK_MS;
  if (!row || now - row.lastSeenAt.getTime() > idleMs || now - row.createdAt.getTime() > SESSION_MAX_HOURS * 3600_000 + MINUTE_SLACK_MS) {
    if (row) await s.db.delete(reporterSessions).where(eq(reporterSessions.tokenHash, tokenHash));
    throw new ApiError(401, "session_expired", "your session has ended; enter the receipt code again");
  }
  await s.db
    .update(reporterSessions)
    .set({ lastSeenAt: minuteOf(s.now()) })
    .where(eq(reporterSessions.tokenHash, tokenHash));
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
        lt(reporterSessions.lastSeenAt, new Date(now - s.config.REPORTER_SESSION_IDLE_MINUTES * 60_000 - MINUTE_SLACK_MS)),
        lt(reporterSessions.createdAt, new Date(now - SESSION_MAX_HOURS * 3600_000 - MINUTE_SLACK_MS)),
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
    identityKey: r.identityCt && r.identityKeyWrapped ? b64(r.identityKeyWrapped) : null,
    identityAccesses: await reporterIdentityAccesses(s.db, reportId),
    attachments: files.map(attachmentView),
    messages: dialogue.map((m) => ({ id: m.id, seq: m.seq, author: m.author, body: b64(m.bodyCt), sentOn: m.sentOn })),
    privacyRequests: requests.map(privacyRequestView),
    emailNotifications: s.mailer.configured,
    // Who provided it is the organisation's business; the reporter sees what went where, when and why.
    provisions: (await caseProvisions(s, reportId)).map(({ providedBy: _by, version: _v, ...p }) => p),
  };
}

/** The per-session limit on posts (ADR 034): over it, 429 `too_many_posts` with Retry-After. */
export function limitSessionPosts(s: Services, session: { tokenHash: Uint8Array }): Promise<void> {
  return limitSubmissions(s.db, {
    // A prefix of the token's hash (itself never the token): enough to tell sessions apart.
    subject: `session:${Buffer.from(session.tokenHash).subarray(0, 16).toString("base64url")}`,
    limit: s.config.FOLLOWUP_POSTS_PER_SESSION,
    windowMs: s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000,
    now: s.now(),
    code: "too_many_posts",
    message: "too much sent in this session",
  });
}
