// The follow-up WITHOUT JavaScript (ADR 044): the browser cannot derive,
// decrypt or encrypt, so the server does it for one request at a time, in
// memory, exactly as the reporter's browser would (crypto/receipt.ts,
// app/intake/followup-view.ts, crypto/dialogue.ts).
//
// - State between pages is the page itself: sign-in answers with a hidden
//   field `session` = "<session token>.<receipt wrap key>" (base64url), which
//   every later form posts back. The server keeps only what the scripted path
//   keeps (the token's hash in `reporter_sessions`): no key, no plaintext, no
//   receipt code outlives the request.
// - The token names the case; the wrap key must open that case's reporter key,
//   or the request is refused (a token and a key from two cases do not mix).
// - Sign-in pays no proof of work, so it is held tighter: each attempt is
//   recorded as a wrong code before the look-up (`attemptWithoutProof`), then
//   counted with it (so parallel attempts cannot all pass), and past
//   RECEIPT_ATTEMPTS_PER_CLIENT_PLAIN wrong codes from the client (over both
//   paths) it is refused for the window. These attempts do not count toward
//   the scripted path's limit or proof-of-work difficulty (free to make, they
//   must not raise what others sharing the pseudonym pay). A code whose check
//   symbol fails is refused without a look-up and is not counted.
// - Posts pay no proof of work either: beyond the session's own limit, a case
//   may post FOLLOWUP_PLAIN_POSTS_PER_CASE per window through all its sessions
//   without JavaScript (a new session does not buy a new allowance).
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { eq } from "drizzle-orm";
import {
  deriveReceiptSecrets,
  encryptMessage,
  encryptPrivacyText,
  fromBase64Url,
  isCryptoError,
  loadSodium,
  newRecordId,
  parseReceipt,
  toBase64Url,
  unwrapReporterKey,
  type ReceiptProblem,
  type ReceiptWrapKey,
  type ReportKey,
} from "../../../crypto";
import { reports } from "../../../db/schema";
import { decryptCase, type DecryptedCase } from "../../intake/followup-view";
import type { PrivacyKind } from "../../intake/followup-wire";
import { appendMessage } from "../dialogue/dialogue";
import { receiptLookupHash } from "../case-access/receipt-lookup";
import { limitSubmissions } from "../platform/counters";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { createPrivacyRequest } from "../privacy-requests/privacy-requests";
import { endReporterSession, limitSessionPosts, newReporterSession, reporterCaseView, reporterSessionOf, TooManyAttemptsError } from "./followup";

/** The longest message, as on the scripted page (characters). */
export const PLAIN_MESSAGE_MAX = 10_000;

/** The hidden field's form: a 32-byte token and a 32-byte wrap key, base64url, joined by a dot. */
const SESSION_FIELD = /^([A-Za-z0-9_-]{43})\.([A-Za-z0-9_-]{43})$/;

/** A typed code that cannot be right (length, characters, check symbol): no look-up was made. */
export class MalformedReceiptError extends ApiError {
  constructor(readonly problem: ReceiptProblem) {
    super(400, "malformed_receipt", `receipt code is invalid (${problem})`, { problem });
    this.name = "MalformedReceiptError";
  }
}

/** An opened case for one request: the decrypted view and the hidden field that carries the session on. */
export interface PlainCase {
  session: string;
  case: DecryptedCase;
}

export interface PlainSession {
  reportId: string;
  tokenHash: Uint8Array;
  reportKey: ReportKey;
}

/**
 * Signs in with the typed receipt code. Every attempt that reaches the look-up
 * answers no sooner than RECEIPT_MIN_RESPONSE_MS, found or not.
 */
export async function openPlainCase(s: Services, receipt: string, clientKey: string): Promise<PlainCase> {
  const started = performance.now();
  try {
    const limit = s.config.RECEIPT_ATTEMPTS_PER_CLIENT_PLAIN;
    // A client already held is refused unread and unwritten (whatever it typed).
    if ((await s.proofOfWork.failures(clientKey, "any")) >= limit) throw new TooManyAttemptsError(s.config.RECEIPT_LIMIT_WINDOW_MINUTES * 60);
    const parsed = parseReceipt(receipt);
    if (!parsed.ok) throw new MalformedReceiptError(parsed.problem);
    await loadSodium();
    // Written first, then counted with itself: of attempts made at once, no more than the limit go on.
    const attempt = await s.proofOfWork.attemptWithoutProof(clientKey);
    if ((await s.proofOfWork.failures(clientKey, "any")) > limit) {
      await s.proofOfWork.withdraw(attempt); // refused unlooked-up: it is no wrong code
      throw new TooManyAttemptsError(s.config.RECEIPT_LIMIT_WINDOW_MINUTES * 60);
    }
    const { lookup, wrapKey } = deriveReceiptSecrets(parsed.code);
    try {
      const [report] = await s.db
        .select({ id: reports.id })
        .from(reports)
        .where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
      if (!report) throw new ApiError(404, "not_found", "no case matches this receipt code");
      await s.proofOfWork.succeeded(attempt);
      const token = await newReporterSession(s, report.id);
      const session = `${toBase64Url(token)}.${toBase64Url(wrapKey)}`;
      token.fill(0);
      return { session, case: await openedCase(s, report.id, wrapKey) };
    } finally {
      wrapKey.fill(0);
    }
  } finally {
    const wait = s.config.RECEIPT_MIN_RESPONSE_MS - (performance.now() - started);
    if (wait > 0) await sleep(wait);
  }
}

/** The case the hidden field's session opens, with the report key for this request only. */
export async function resume(s: Services, field: string): Promise<PlainSession> {
  const m = SESSION_FIELD.exec(field);
  if (!m) throw new ApiError(401, "no_session", "open your case with the receipt code first");
  const token = fromBase64Url(m[1]!);
  const { reportId, tokenHash } = await reporterSessionOf(s, token);
  const [r] = await s.db.select({ wrapped: reports.reporterKeyWrapped }).from(reports).where(eq(reports.id, reportId));
  if (!r) throw new ApiError(401, "session_expired", "your session has ended; enter the receipt code again");
  await loadSodium();
  const wrapKey = fromBase64Url(m[2]!) as ReceiptWrapKey;
  try {
    return { reportId, tokenHash, reportKey: unwrapReporterKey(wrapKey, reportId, r.wrapped) };
  } catch (error) {
    // A wrap key that does not open this session's case: someone mixed two sessions. Neither is trusted further.
    if (isCryptoError(error))
      throw new ApiError(401, "session_invalid", "this page's session does not match its case; enter the receipt code again", undefined, { cause: error });
    throw error;
  } finally {
    wrapKey.fill(0);
  }
}

async function openedCase(s: Services, reportId: string, wrapKey: ReceiptWrapKey): Promise<DecryptedCase> {
  const view = await reporterCaseView(s, reportId);
  const reportKey = unwrapReporterKey(wrapKey, reportId, fromBase64Url(view.reporterKey));
  try {
    return decryptCase(view, reportKey);
  } finally {
    reportKey.fill(0);
  }
}

/** Runs `fn` with the session's report key and answers with the case as it then stands; the key is zeroed after. */
export async function withSession<T>(s: Services, field: string, fn: (session: PlainSession) => Promise<T>): Promise<PlainCase & { result: T }> {
  const session = await resume(s, field);
  try {
    const result = await fn(session);
    return { session: field, case: decryptCase(await reporterCaseView(s, session.reportId), session.reportKey), result };
  } finally {
    session.reportKey.fill(0);
  }
}

/** The case again (a reload of what the investigators sent since). */
export function refreshPlainCase(s: Services, field: string): Promise<PlainCase> {
  return withSession(s, field, async () => null);
}

/** Both limits on what a session without JavaScript posts: its own, and its case's over all such sessions. */
export async function limitPlainPosts(s: Services, session: PlainSession): Promise<void> {
  await limitSessionPosts(s, session);
  await limitSubmissions(s.db, {
    // A hash of the case id, not the id: the counter table says nothing about which case posts.
    subject: `plain-case:${createHash("sha256").update(session.reportId).digest().subarray(0, 16).toString("base64url")}`,
    limit: s.config.FOLLOWUP_PLAIN_POSTS_PER_CASE,
    windowMs: s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000,
    now: s.now(),
    code: "too_many_posts",
    message: "too much sent in this session",
  });
}

/** Checks the typed text as the scripted page does: something, and not too long. */
function messageText(text: string): string {
  // Browsers send a textarea's line breaks as CR LF; the page with JavaScript encrypts them as LF.
  const trimmed = text.replace(/\r\n?/g, "\n").trim();
  if (!trimmed) throw new ApiError(400, "message_required", "the message is empty", { message: "required" });
  if ([...trimmed].length > PLAIN_MESSAGE_MAX) throw new ApiError(400, "message_too_long", "the message is too long", { message: "too_long" });
  return trimmed;
}

/**
 * A fresh id for the next message or request, put in the form that sends it: the browser's "send again" of the
 * same form (a reload of the answer page) posts the same id, and the server keeps one copy (appendMessage).
 */
export const nextRecordId = newRecordId;

/** The reporter's message, encrypted here under the report key into the browser's format (crypto/dialogue.ts). */
export function sendPlainMessage(s: Services, field: string, id: string, text: string): Promise<PlainCase & { result: null }> {
  const plain = messageText(text);
  return withSession(s, field, async (session) => {
    await limitPlainPosts(s, session);
    const body = encryptMessage(session.reportKey, session.reportId, id, { author: "reporter", kind: "message", text: plain });
    await appendMessage(s, session.reportId, { id, body }, { author: "reporter" });
    return null;
  });
}

/** A privacy request (after the page's confirmation), its detail encrypted here as the browser would. */
export function requestPlainPrivacy(
  s: Services,
  field: string,
  id: string,
  kind: PrivacyKind,
  detail: string | null,
): Promise<PlainCase & { result: { dueOn: string } }> {
  const text = detail?.replace(/\r\n?/g, "\n").trim() || null;
  if (text && [...text].length > PLAIN_MESSAGE_MAX) throw new ApiError(400, "detail_too_long", "the detail is too long", { detail: "too_long" });
  if (kind === "correction" && !text) throw new ApiError(400, "detail_required", "a correction request needs the corrected text", { detail: "required" });
  return withSession(s, field, async (session) => {
    await limitPlainPosts(s, session);
    const ct = text ? encryptPrivacyText(session.reportKey, session.reportId, id, "request", text) : null;
    const { dueOn } = await createPrivacyRequest(s, session.reportId, { id, kind, detail: ct });
    return { dueOn };
  });
}

/** Logs out: the session row goes; the page that follows carries no session. */
export async function endPlainSession(s: Services, field: string): Promise<void> {
  const m = SESSION_FIELD.exec(field);
  if (m) await endReporterSession(s, fromBase64Url(m[1]!));
}
