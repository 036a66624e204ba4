// A report posted by the form without JavaScript (ADR 043): the server does at once, in memory, what
// the reporter's browser does otherwise (app/reporter/intake-client.ts): it makes the report's keys and
// a receipt code, encrypts the fields with crypto/ into the same aead-v1 records, seals the keys to the
// same investigators (intake info's, exclusions honoured), encrypts each file as stream-v2
// (./server-sealed-file.ts) and stores the submission through the intake domain (submitReport), marked
// `server_sealed`. The plaintext lives in this request's memory only: never written, never logged,
// never part of an error; the receipt code goes back in the answer and is not kept.
//
// Limits, stricter than the JavaScript path's because this one cannot solve a proof of work (ADR 032):
// NOJS_REPORTS_PER_CLIENT stored reports per client per REPORT_LIMIT_WINDOW_MINUTES (checked before the body
// is read, counted once a report is stored, in the database like ADR 034's), and at most
// NOJS_CONCURRENT_SUBMISSIONS posts being received at once in this process, one per client (the server's CPU
// encrypts every byte). No global budget: anyone could spend it for everyone (ADR 043). Each refusal touches
// only this path: the JavaScript path and staff keep theirs.
import type { Readable } from "node:stream";
import { newRecordId, sealNewReport, sealReportKeys, fromBase64Url, type ReporterIdentity, type StaffPublicKey } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import { LIMITS } from "../../intake/limits";
import type { IntakeInfo } from "../../intake/wire";
import { validateDraft, type DraftFields, type FormProblem } from "../../reporter/validate-draft";
import { getIntakeInfo, submitReport } from "../intake/intake";
import { countOf, countOne, windowOf } from "../platform/counters";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { MalformedPostError, receiveMultipart, takePlace, type MultipartProblem } from "./multipart";
import { abandonUploads, storeSpooledFile, type ServerSealedAttachment, type SpooledFile } from "./server-sealed-file";

export interface ServerSealedReceipt {
  receiptCode: string;
  caseNumber: string;
  ackDueOn: string;
}

/** What the form page shows: the receipt, or the problems (and nothing was stored). */
export type PlainReportOutcome =
  { ok: true; receipt: ServerSealedReceipt } | { ok: false; problems: FormProblem[]; values: Partial<Record<string, string | string[]>> };

/** A post this path refuses before or while reading it: the page says `key` (and `params`), with `status`. */
export class PlainReportRefused extends Error {
  constructor(
    readonly status: number,
    readonly key: MessageKey,
    readonly params: Record<string, string | number> = {},
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(key, options);
    this.name = "PlainReportRefused";
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
  readonly retryAfterSeconds: number | undefined;
}

const budgetSubject = (clientKey: string) => `nojs-client:${clientKey}`;

/**
 * Refuses a client whose stored reports reached NOJS_REPORTS_PER_CLIENT in the window (PlainReportRefused 429),
 * before a byte of the post is read. Only stored reports count (`chargeStoredReport`): a post refused for its
 * content, cut short or failed costs nothing, so nobody behind a shared pseudonym (an onion service's visitors)
 * can close the path for the others with empty posts.
 */
async function checkBudget(s: Services, clientKey: string): Promise<void> {
  const windowMs = s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000;
  const now = s.now();
  const window = windowOf(now, windowMs);
  if ((await countOf(s.db, budgetSubject(clientKey), window.end)) < s.config.NOJS_REPORTS_PER_CLIENT) return;
  const seconds = Math.max(1, Math.ceil((window.end.getTime() - now.getTime()) / 1000));
  throw new PlainReportRefused(429, "report.plain.errors.tooManyReports", { minutes: Math.ceil(seconds / 60) }, { retryAfterSeconds: seconds });
}

/** Counts a stored report against its client's budget (one place per client: no second post of theirs races it here). */
async function chargeStoredReport(s: Services, clientKey: string): Promise<void> {
  await countOne(s.db, budgetSubject(clientKey), windowOf(s.now(), s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000));
}

/**
 * Checks the client's budget and takes one of the process's places for receiving (one per client pseudonym); call
 * the returned release when done. Over the budget: 429; no place: 503.
 */
export async function admitPlainReport(s: Services, clientKey: string): Promise<() => void> {
  await checkBudget(s, clientKey);
  const release = takePlace(s, "report", clientKey);
  if (!release) throw new PlainReportRefused(503, "report.plain.errors.busy", { minutes: 1 }, { retryAfterSeconds: 60 });
  return release;
}

const TEXT_FIELDS = ["category", "title", "description", "details", "periodFrom", "periodTo", "reporterName", "email", "phone"] as const;
const CHECKBOXES = ["consentReport", "consentOptional", "consentAffiliateIdentity", "notifyByEmail"] as const;
/** A field's UTF-8 bytes at most: the longest text field (20,000 characters) in 4-byte characters, with room. */
const FIELD_BYTES = 4 * LIMITS.descriptionChars + 1024;
/** An investigator's id: a UUID. */
const ID_BYTES = 36;

interface ReceivedPost {
  fields: DraftFields;
  spools: SpooledFile[];
  /** Problems found while reading (a truncated field, too many or too large files). */
  problems: FormProblem[];
}

function problemOf(p: MultipartProblem, maxFiles: number): FormProblem {
  switch (p.kind) {
    case "fieldTooLong":
      return { field: p.field, key: "report.errors.tooLong", params: { max: LIMITS.descriptionChars } };
    case "badList":
      return { field: "excludedInvestigators", key: "report.plain.errors.unknownInvestigator" };
    case "tooManyFiles":
      return { field: "attachments", key: "report.errors.tooManyFiles", params: { count: maxFiles } };
    case "fileTooLarge":
      return { field: "attachments", key: "report.errors.fileTooLarge", params: { name: p.name, size: "" } };
    case "tooManyFields":
      throw new PlainReportRefused(400, "report.plain.errors.malformed");
  }
}

/** Reads the multipart body (./multipart.ts): text fields into memory (bounded), files into spools. Malformed: PlainReportRefused 400. */
async function receive(s: Services, body: Readable, contentType: string, investigators: number, signal?: AbortSignal): Promise<ReceivedPost> {
  const maxFiles = s.config.MAX_ATTACHMENTS_PER_REPORT;
  let received;
  try {
    received = await receiveMultipart(s, body, contentType, {
      fields: [...TEXT_FIELDS, ...CHECKBOXES],
      list: { name: "excludedInvestigators", max: investigators, bytes: ID_BYTES },
      fieldBytes: FIELD_BYTES,
      fileField: "attachments",
      maxFiles,
      maxFileBytes: s.config.MAX_ATTACHMENT_BYTES,
      signal,
    });
  } catch (error) {
    if (error instanceof MalformedPostError) throw new PlainReportRefused(400, "report.plain.errors.malformed", {}, { cause: error });
    throw error;
  }
  const { fields: text, spools } = received;
  let problems: FormProblem[];
  try {
    problems = received.problems.map((p) => problemOf(p, maxFiles));
  } catch (error) {
    await Promise.all(spools.map((f) => f.discard()));
    throw error;
  }
  // Browsers send a textarea's line breaks as CR LF; the page with JavaScript encrypts them as LF.
  const value = (name: string) => (text.get(name) ?? "").replace(/\r\n?/g, "\n").trim();
  return {
    fields: {
      category: value("category"),
      title: value("title"),
      description: value("description"),
      details: value("details"),
      periodFrom: value("periodFrom"),
      periodTo: value("periodTo"),
      reporterName: value("reporterName"),
      email: value("email"),
      phone: value("phone"),
      excludedInvestigators: received.list,
      consentReport: text.get("consentReport") === "on",
      consentOptional: text.get("consentOptional") === "on",
      consentAffiliateIdentity: text.get("consentAffiliateIdentity") === "on",
      notifyByEmail: text.get("notifyByEmail") === "on",
      files: spools.map((f) => ({ name: f.name, size: f.size })),
    },
    spools,
    problems,
  };
}

function recipientsOf(info: IntakeInfo, excluded: string[]) {
  const skip = new Set(excluded);
  return info.investigators.filter((i) => !skip.has(i.id)).map((i) => ({ staffUserId: i.id, publicKey: fromBase64Url(i.publicKey) as StaffPublicKey }));
}

/** The values the form shows again after a refusal: what was typed, never a file. */
function redisplay(f: DraftFields): Partial<Record<string, string | string[]>> {
  const { files: _files, consentReport, consentOptional, consentAffiliateIdentity, notifyByEmail, ...rest } = f;
  const on = (b: boolean) => (b ? "on" : "");
  return {
    ...rest,
    consentReport: on(consentReport),
    consentOptional: on(consentOptional),
    consentAffiliateIdentity: on(consentAffiliateIdentity),
    notifyByEmail: on(notifyByEmail),
  };
}

/**
 * Receives, checks, encrypts and stores one plain report post. Refusals of the form's content come back as
 * problems (nothing stored, every spool gone); a malformed post is PlainReportRefused; a failure while storing
 * removes what was stored of it and is rethrown.
 */
export async function receivePlainReport(
  s: Services,
  post: { body: Readable; contentType: string; signal?: AbortSignal; clientKey: string; locale: "ko" | "en"; formatSize: (n: number) => string },
): Promise<PlainReportOutcome> {
  const info = await getIntakeInfo(s);
  if (!info.open) throw new PlainReportRefused(503, "report.plain.errors.closed");
  const received = await receive(s, post.body, post.contentType, info.investigators.length, post.signal);
  const { fields, spools } = received;
  try {
    const problems = [
      ...received.problems.map((p) =>
        p.key === "report.errors.fileTooLarge" ? { ...p, params: { ...p.params, size: post.formatSize(s.config.MAX_ATTACHMENT_BYTES) } } : p,
      ),
      ...validateDraft(
        fields,
        { maxAttachmentBytes: s.config.MAX_ATTACHMENT_BYTES, maxAttachments: s.config.MAX_ATTACHMENTS_PER_REPORT, investigators: info.investigators.length },
        post.formatSize,
      ),
    ];
    if (!info.categories.some((c) => c.id === fields.category) && !problems.some((p) => p.field === "category")) {
      problems.push({ field: "category", key: "report.errors.required" });
    }
    const known = new Set(info.investigators.map((i) => i.id));
    if (fields.excludedInvestigators.some((id) => !known.has(id)))
      problems.push({ field: "excludedInvestigators", key: "report.plain.errors.unknownInvestigator" });
    if (problems.length > 0) return { ok: false, problems, values: redisplay(fields) };
    const receipt = await sealAndStore(s, fields, spools, info, post);
    await chargeStoredReport(s, post.clientKey);
    return { ok: true, receipt };
  } finally {
    await Promise.all(spools.map((f) => f.discard()));
  }
}

async function sealAndStore(
  s: Services,
  fields: DraftFields,
  spools: SpooledFile[],
  info: IntakeInfo,
  post: { clientKey: string; locale: "ko" | "en" },
): Promise<ServerSealedReceipt> {
  const optional = (v: string) => (v === "" ? null : v);
  const identity: ReporterIdentity | null =
    fields.reporterName || fields.email || fields.phone
      ? {
          name: optional(fields.reporterName),
          email: optional(fields.email),
          phone: optional(fields.phone),
          ...(fields.email && fields.notifyByEmail ? { notify: { email: true, language: post.locale } } : {}),
        }
      : null;
  const sealed = sealNewReport({
    reportId: newRecordId(),
    title: fields.title,
    body: { description: fields.description, details: fields.details, periodFrom: optional(fields.periodFrom), periodTo: optional(fields.periodTo) },
    identity,
    recipients: recipientsOf(info, fields.excludedInvestigators),
  });
  const stored: ServerSealedAttachment[] = [];
  try {
    for (const spool of spools) {
      stored.push(await storeSpooledFile(s, spool, { reportId: sealed.reportId, reportKey: sealed.keys.reportKey, for: "new", clientKey: post.clientKey }));
    }
    const input = () => ({
      reportId: sealed.reportId,
      categoryId: fields.category,
      title: sealed.title,
      body: sealed.body,
      identity: sealed.identity,
      identityKey: sealed.identityKey,
      notifyAddress: sealed.notifyAddress,
      reporterKey: sealed.reporterKey,
      receiptLookup: sealed.receiptLookup,
      envelopes: sealed.envelopes,
      excludedInvestigators: fields.excludedInvestigators,
      attachments: stored.map((a) => ({ uploadId: a.uploadId, meta: a.meta, fileKey: a.fileKey })),
      consentReport: true as const,
      consentOptional: fields.consentOptional,
      consentAffiliateIdentity: fields.consentAffiliateIdentity,
      locale: post.locale,
    });
    let result;
    try {
      result = await submitReport(s, input(), { sealedBy: "server" });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "recipients_changed")) throw error;
      // An investigator was added or removed since the intake info was read: seal the same keys to the current list.
      const current = recipientsOf(await getIntakeInfo(s), fields.excludedInvestigators);
      sealed.envelopes = current.map((r) => ({ staffUserId: r.staffUserId, envelope: sealReportKeys(sealed.keys, sealed.reportId, r.publicKey) }));
      result = await submitReport(s, input(), { sealedBy: "server" });
    }
    return { receiptCode: sealed.receiptCode, caseNumber: result.caseNumber, ackDueOn: result.ackDueOn };
  } catch (error) {
    await abandonUploads(s, stored);
    throw error;
  } finally {
    sealed.keys.reportKey.fill(0);
    sealed.keys.caseKey.fill(0);
  }
}

/** What the report page renders after a plain post, with the status it answers. */
export type PlainPostAnswer =
  | { status: 201; data: { plain: "receipt"; receipt: ServerSealedReceipt } }
  | { status: 400; data: { plain: "problems"; problems: FormProblem[]; values: Partial<Record<string, string | string[]>> } }
  | { status: number; data: { plain: "refused"; key: MessageKey; params: Record<string, string | number> }; retryAfterSeconds?: number };

/**
 * The report page's answer to a multipart post (the form without JavaScript): admitted by the budgets before a byte
 * is read, then received, sealed and stored. Refusals are answers with a status; anything else is thrown.
 */
export async function answerPlainReportPost(
  s: Services,
  request: { body: Readable; contentType: string; contentLength: number | null; signal?: AbortSignal },
  post: { clientKey: string; locale: "ko" | "en"; formatSize: (n: number) => string },
): Promise<PlainPostAnswer> {
  let release: (() => void) | null = null;
  try {
    const most = s.config.MAX_ATTACHMENTS_PER_REPORT * (s.config.MAX_ATTACHMENT_BYTES + 64 * 1024) + 2 * 1024 * 1024;
    if (request.contentLength !== null && request.contentLength > most) {
      throw new PlainReportRefused(413, "report.plain.errors.tooLarge", { size: post.formatSize(s.config.MAX_ATTACHMENT_BYTES) });
    }
    release = await admitPlainReport(s, post.clientKey);
    const outcome = await receivePlainReport(s, { body: request.body, contentType: request.contentType, signal: request.signal, ...post });
    if (outcome.ok) return { status: 201, data: { plain: "receipt", receipt: outcome.receipt } };
    return { status: 400, data: { plain: "problems", problems: outcome.problems, values: outcome.values } };
  } catch (error) {
    if (error instanceof PlainReportRefused) {
      return { status: error.status, data: { plain: "refused", key: error.key, params: error.params }, retryAfterSeconds: error.retryAfterSeconds };
    }
    if (error instanceof ApiError && error.status !== 500) {
      // A refusal of the intake domain after the checks above (the upload space full, the disk low, the database
      // away): said, not thrown; everything of the post is gone already.
      s.log.warn("plain report refused", { status: error.status, code: error.code });
      return { status: error.status, data: { plain: "refused", key: "report.plain.errors.notStored", params: {} } };
    }
    throw error;
  } finally {
    release?.();
  }
}
