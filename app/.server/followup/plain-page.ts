// The forms of the follow-up page without JavaScript (`/status/plain`, ADR
// 044): one POST per page, its `intent` saying which form was sent. Reads the
// form with a size limit, calls plain.ts and turns its typed refusals into
// what the page shows, with the HTTP status that fits. Nothing of the form is
// logged: errors carry codes, never what was typed.
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type { ReadableStream as NodeWebStream } from "node:stream/web";
import type { PlainNotice, PlainPage, PlainPrivacyDraft } from "../../intake/followup-view";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { addPlainFiles, PlainFilesRefused } from "./plain-files";
import {
  endPlainSession,
  MalformedReceiptError,
  openPlainCase,
  PLAIN_MESSAGE_MAX,
  refreshPlainCase,
  requestPlainPrivacy,
  sendPlainMessage,
  type PlainCase,
} from "./plain";

/** The largest form: a message of PLAIN_MESSAGE_MAX characters percent-encoded, with room for the rest. */
export const PLAIN_FORM_MAX_BYTES = 256 * 1024;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PRIVACY_KINDS = ["access", "correction", "deletion", "suspension"] as const;

export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  page: PlainPage;
}

const signin = (status: number, error: PlainNotice, headers: Record<string, string> = {}): PlainAnswer => ({
  status,
  headers,
  page: { view: "signin", notice: null, error },
});

function caseAnswer(opened: PlainCase, more: Partial<Extract<PlainPage, { view: "case" }>> = {}, status = 200): PlainAnswer {
  return {
    status,
    headers: {},
    page: {
      view: "case",
      session: opened.session,
      case: opened.case,
      nextId: randomUUID(),
      notice: null,
      error: null,
      draft: "",
      confirm: null,
      errorFor: null,
      ...more,
    },
  };
}

/** The form's fields, read with a size limit; only the urlencoded forms this page sends are taken. */
async function readForm(request: Request): Promise<URLSearchParams> {
  const type = (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new ApiError(415, "unsupported_media_type", "this page takes its own forms only");
  const declared = Number(request.headers.get("Content-Length") ?? "0");
  if (declared > PLAIN_FORM_MAX_BYTES) throw new ApiError(413, "too_large", "the form is too large");
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > PLAIN_FORM_MAX_BYTES) throw new ApiError(413, "too_large", "the form is too large");
      chunks.push(chunk);
    }
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

const retryAfter = (e: ApiError): Record<string, string> => (e.retryAfterSeconds ? { "Retry-After": String(e.retryAfterSeconds) } : {});
const minutes = (e: ApiError) => e.fields?.retryAfterMinutes ?? "15";

/** A refusal of the session itself (ended, unknown, or mixed with another case's key): back to the sign-in form. */
function sessionRefusal(e: ApiError): PlainAnswer | null {
  if (e.code === "no_session" || e.code === "session_expired") return signin(401, { key: "status.errors.expired" });
  if (e.code === "session_invalid") return signin(401, { key: "status.plain.errors.mismatch" });
  return null;
}

async function open(s: Services, form: URLSearchParams, clientKey: string): Promise<PlainAnswer> {
  try {
    return caseAnswer(await openPlainCase(s, form.get("receipt") ?? "", clientKey));
  } catch (e) {
    if (e instanceof MalformedReceiptError) return signin(400, { key: `status.errors.${e.problem}` });
    if (e instanceof ApiError && e.code === "not_found") return signin(404, { key: "status.errors.notFound" });
    if (e instanceof ApiError && e.code === "too_many_attempts")
      return signin(429, { key: "status.errors.tooMany", params: { minutes: minutes(e) } }, retryAfter(e));
    throw e;
  }
}

/** A refused post: the case again, the error next to its form and what was typed given back. */
async function refusedPost(s: Services, session: string, e: unknown, more: Partial<Extract<PlainPage, { view: "case" }>>): Promise<PlainAnswer> {
  if (!(e instanceof ApiError)) throw e;
  const refused = sessionRefusal(e);
  if (refused) return refused;
  const error: PlainNotice | null =
    e.code === "too_many_posts"
      ? { key: "status.errors.tooManyPosts", params: { minutes: minutes(e) } }
      : e.code === "message_required"
        ? { key: "status.plain.errors.messageRequired" }
        : e.code === "message_too_long" || e.code === "detail_too_long"
          ? { key: "status.plain.errors.messageTooLong", params: { max: String(PLAIN_MESSAGE_MAX) } }
          : e.code === "detail_required"
            ? { key: "status.plain.errors.correctionDetail" }
            : null;
  if (!error) throw e;
  const answer = caseAnswer(await refreshPlainCase(s, session), { error, ...more }, e.status);
  return { ...answer, headers: retryAfter(e) };
}

function privacyDraft(form: URLSearchParams, id: string): PlainPrivacyDraft | null {
  const kind = PRIVACY_KINDS.find((k) => k === form.get("privacyKind"));
  if (!kind) return null;
  return { id, kind, detail: form.get("privacyDetail")?.trim() || null };
}

/** Files posted from the case page (multipart): added, or refused with the case shown again. */
async function files(s: Services, request: Request, clientKey: string): Promise<PlainAnswer> {
  const contentType = request.headers.get("Content-Type") ?? "";
  let added: Awaited<ReturnType<typeof addPlainFiles>>;
  try {
    added = await addPlainFiles(s, { body: Readable.fromWeb(request.body as NodeWebStream<Uint8Array>), contentType, signal: request.signal }, clientKey);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const refused = sessionRefusal(e);
    if (refused) return refused;
    if (e.code === "malformed_form") return signin(400, { key: "status.plain.errors.tooLarge" });
    throw e;
  }
  const { result } = added;
  if (result instanceof PlainFilesRefused) return caseAnswer(added, { error: { key: result.key, params: result.params }, errorFor: "files" }, 400);
  return caseAnswer(added, { notice: { key: "status.files.added", params: { count: String(result.added) } } }, 201);
}

/** Answers one form of the page. */
export async function answerPlainForm(s: Services, request: Request, clientKey: string): Promise<PlainAnswer> {
  if (/^multipart\/form-data\s*;/i.test(request.headers.get("Content-Type") ?? "") && request.body) return files(s, request, clientKey);
  let form: URLSearchParams;
  try {
    form = await readForm(request);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 413 || e.status === 415)) return signin(e.status, { key: "status.plain.errors.tooLarge" });
    throw e;
  }
  const intent = form.get("intent");
  if (intent === "open") return open(s, form, clientKey);
  const session = form.get("session") ?? "";
  try {
    switch (intent) {
      case "refresh":
        return caseAnswer(await refreshPlainCase(s, session));
      case "logout":
        await endPlainSession(s, session);
        return { status: 200, headers: {}, page: { view: "signin", notice: { key: "status.loggedOut" }, error: null } };
      case "message": {
        const id = form.get("id") ?? "";
        const text = form.get("message") ?? "";
        if (!UUID.test(id)) throw new ApiError(400, "bad_request", "the form is not one of this page's");
        try {
          return caseAnswer(await sendPlainMessage(s, session, id, text), { notice: { key: "status.sent" } }, 201);
        } catch (e) {
          return await refusedPost(s, session, e, { draft: text, errorFor: "message" });
        }
      }
      case "privacy": {
        // First step: the page says what the request means; nothing is sent yet.
        const draft = privacyDraft(form, randomUUID());
        const opened = await refreshPlainCase(s, session);
        if (!draft) return caseAnswer(opened, { error: { key: "status.plain.errors.privacyKind" }, errorFor: "privacy" }, 400);
        if (draft.kind === "correction" && !draft.detail) {
          return caseAnswer(opened, { error: { key: "status.plain.errors.correctionDetail" }, errorFor: "privacy" }, 400);
        }
        return caseAnswer(opened, { confirm: draft });
      }
      case "privacy-confirm": {
        const id = form.get("id") ?? "";
        const draft = privacyDraft(form, id);
        if (!draft || !UUID.test(id)) throw new ApiError(400, "bad_request", "the form is not one of this page's");
        try {
          const sent = await requestPlainPrivacy(s, session, draft.id, draft.kind, draft.detail);
          return caseAnswer(sent, { notice: { key: "status.privacy.sent", params: { date: sent.result.dueOn } } }, 201);
        } catch (e) {
          return await refusedPost(s, session, e, { errorFor: "privacy" });
        }
      }
      default:
        return signin(400, { key: "status.errors.expired" });
    }
  } catch (e) {
    if (e instanceof ApiError) {
      const refused = sessionRefusal(e);
      if (refused) return refused;
      if (e.code === "bad_request") return signin(400, { key: "status.errors.expired" });
    }
    throw e;
  }
}
