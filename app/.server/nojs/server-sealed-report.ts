// A report posted by the form without JavaScript (ADR 043): the server does at once, in memory, what
// the reporter's browser does otherwise (app/reporter/intake-client.ts): it makes the report's keys and
// a receipt code, encrypts the fields with crypto/ into the same aead-v1 records, seals the keys to the
// same investigators (intake info's, exclusions honoured), encrypts each file as stream-v2
// (./server-sealed-file.ts) and stores the submission through the intake domain (submitReport), marked
// `server_sealed`. The plaintext lives in this request's memory only: never written, never logged,
// never part of an error; the receipt code goes back in the answer and is not kept.
//
// Limits, stricter than the JavaScript path's because this one cannot solve a proof of work (ADR 032):
// per client NOJS_REPORTS_PER_CLIENT and for everyone NOJS_REPORTS_GLOBAL per REPORT_LIMIT_WINDOW_MINUTES
// (counted in the database before the body is read, like ADR 034's), and at most
// NOJS_CONCURRENT_SUBMISSIONS being received at once in this process (the server's CPU encrypts every
// byte). Each refusal touches only this path: the JavaScript path and staff keep theirs.
import type { Readable } from "node:stream";
import busboy from "busboy";
import { newRecordId, sealNewReport, sealReportKeys, fromBase64Url, type ReporterIdentity, type StaffPublicKey } from "../../../crypto";
import type { MessageKey } from "../../i18n";
import { LIMITS } from "../../intake/limits";
import type { IntakeInfo } from "../../intake/wire";
import { validateDraft, type DraftFields, type FormProblem } from "../../reporter/validate-draft";
import { getIntakeInfo, submitReport } from "../intake/intake";
import { limitSubmissions } from "../platform/counters";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import { abandonUploads, FileTooLargeError, spoolFile, storeSpooledFile, type ServerSealedAttachment, type SpooledFile } from "./server-sealed-file";

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

/** Posts being received, per portal (one per process in production; tests start several). */
const receiving = new WeakMap<Services, number>();

/**
 * Counts the post against the per-client and the global budget (before a byte of it is read) and takes one of the
 * process's places for receiving; call the returned release when done. Over a budget: PlainReportRefused 429.
 */
export async function admitPlainReport(s: Services, clientKey: string): Promise<() => void> {
  const windowMs = s.config.REPORT_LIMIT_WINDOW_MINUTES * 60_000;
  const now = s.now();
  try {
    await limitSubmissions(s.db, {
      subject: `nojs-client:${clientKey}`,
      limit: s.config.NOJS_REPORTS_PER_CLIENT,
      windowMs,
      now,
      code: "too_many_reports",
      message: "too many reports from this network",
    });
    await limitSubmissions(s.db, {
      subject: "nojs-global",
      limit: s.config.NOJS_REPORTS_GLOBAL,
      windowMs,
      now,
      code: "plain_path_busy",
      message: "too many reports without JavaScript",
    });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 429) throw error;
    const minutes = Number(error.fields?.retryAfterMinutes ?? "60");
    const key: MessageKey = error.code === "too_many_reports" ? "report.plain.errors.tooManyReports" : "report.plain.errors.busy";
    throw new PlainReportRefused(429, key, { minutes }, { cause: error, retryAfterSeconds: error.retryAfterSeconds });
  }
  const busy = receiving.get(s) ?? 0;
  if (busy >= s.config.NOJS_CONCURRENT_SUBMISSIONS) throw new PlainReportRefused(503, "report.plain.errors.busy", { minutes: 1 }, { retryAfterSeconds: 60 });
  receiving.set(s, busy + 1);
  let released = false;
  return () => {
    if (!released) receiving.set(s, (receiving.get(s) ?? 1) - 1);
    released = true;
  };
}

const TEXT_FIELDS = ["category", "title", "description", "details", "periodFrom", "periodTo", "reporterName", "email", "phone"] as const;
const CHECKBOXES = ["consentReport", "consentOptional", "consentAffiliateIdentity", "notifyByEmail"] as const;
/** A field's UTF-8 bytes at most: the longest text field (20,000 characters) in 4-byte characters, with room. */
const FIELD_BYTES = 4 * LIMITS.descriptionChars + 1024;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

interface ReceivedPost {
  fields: DraftFields;
  spools: SpooledFile[];
  /** Problems found while reading (a truncated field, too many or too large files). */
  problems: FormProblem[];
}

/** Reads the multipart body: text fields into memory (bounded), files into spools. Malformed: PlainReportRefused 400. */
async function receive(s: Services, body: Readable, contentType: string): Promise<ReceivedPost> {
  const maxFiles = s.config.MAX_ATTACHMENTS_PER_REPORT;
  const problems: FormProblem[] = [];
  const text = new Map<string, string>();
  const excluded: string[] = [];
  const spooling: Promise<SpooledFile | null>[] = [];
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": contentType },
      defParamCharset: "utf8",
      limits: { fieldNameSize: 64, fieldSize: FIELD_BYTES, fields: 200, files: maxFiles, parts: 200 + maxFiles, headerPairs: 20 },
    });
  } catch (error) {
    throw new PlainReportRefused(400, "report.plain.errors.malformed", {}, { cause: error });
  }
  const done = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, value, info) => {
      if (info.valueTruncated) problems.push({ field: name, key: "report.errors.tooLong", params: { max: LIMITS.descriptionChars } });
      if (name === "excludedInvestigators") excluded.push(value);
      else if ((TEXT_FIELDS as readonly string[]).includes(name) || (CHECKBOXES as readonly string[]).includes(name)) text.set(name, value);
    });
    parser.on("file", (name, stream, info) => {
      // A file input left empty still sends a part with no name and no bytes.
      if (name !== "attachments" || !info.filename) {
        stream.resume();
        return;
      }
      const fileName = [...info.filename].slice(0, LIMITS.fileNameChars).join("");
      const type = MIME.test(info.mimeType.toLowerCase()) ? info.mimeType.toLowerCase() : "application/octet-stream";
      const spooled = spoolFile(s, stream, { name: fileName, type, maxBytes: s.config.MAX_ATTACHMENT_BYTES }).catch((error) => {
        stream.resume(); // a spool that failed must not stall the parser: the rest of the post still arrives
        if (!(error instanceof FileTooLargeError)) throw error;
        problems.push({ field: "attachments", key: "report.errors.fileTooLarge", params: { name: fileName, size: String(s.config.MAX_ATTACHMENT_BYTES) } });
        return null;
      });
      // Settled below, once the parser closes; until then its failure is not an unhandled rejection.
      spooled.catch(() => {});
      spooling.push(spooled);
    });
    parser.on("filesLimit", () => problems.push({ field: "attachments", key: "report.errors.tooManyFiles", params: { count: maxFiles } }));
    parser.on("error", reject);
    parser.on("close", resolve);
    body.on("error", reject);
  });
  body.pipe(parser);
  // The parser closes once every part went by; each file's spool then finishes writing its last chunk.
  const parsed = await done.then(
    () => null,
    (error: unknown) => ({ error }),
  );
  const settled = await Promise.allSettled(spooling);
  const spools = settled.flatMap((r) => (r.status === "fulfilled" && r.value ? [r.value] : []));
  const failed = parsed ?? settled.map((r) => (r.status === "rejected" ? { error: r.reason as unknown } : null)).find((r) => r !== null);
  if (failed) {
    await Promise.all(spools.map((f) => f.discard()));
    throw new PlainReportRefused(400, "report.plain.errors.malformed", {}, { cause: failed.error });
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
      excludedInvestigators: excluded,
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
  post: { body: Readable; contentType: string; clientKey: string; locale: "ko" | "en"; formatSize: (n: number) => string },
): Promise<PlainReportOutcome> {
  const info = await getIntakeInfo(s);
  if (!info.open) throw new PlainReportRefused(503, "report.plain.errors.closed");
  const received = await receive(s, post.body, post.contentType);
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
    return { ok: true, receipt: await sealAndStore(s, fields, spools, info, post) };
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
  request: { body: Readable; contentType: string; contentLength: number | null },
  post: { clientKey: string; locale: "ko" | "en"; formatSize: (n: number) => string },
): Promise<PlainPostAnswer> {
  let release: (() => void) | null = null;
  try {
    const most = s.config.MAX_ATTACHMENTS_PER_REPORT * (s.config.MAX_ATTACHMENT_BYTES + 64 * 1024) + 2 * 1024 * 1024;
    if (request.contentLength !== null && request.contentLength > most) {
      throw new PlainReportRefused(413, "report.plain.errors.tooLarge", { size: post.formatSize(s.config.MAX_ATTACHMENT_BYTES) });
    }
    release = await admitPlainReport(s, post.clientKey);
    const outcome = await receivePlainReport(s, { body: request.body, contentType: request.contentType, ...post });
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
