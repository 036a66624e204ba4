// Wire format of the reporter follow-up API (validated on the server; the
// browser imports the types only). Objects are strict, as in wire.ts.
import { z } from "zod";
import { reporterIdentityAccess } from "../shared/identity-wire";
import { b64, uuid } from "../shared/schemas";

export const openSessionRequest = z.strictObject({ lookup: b64(32, 32) });

export const postMessageRequest = z.strictObject({ id: uuid, body: b64(41, 64 * 1024) });
/**
 * The reporter's own identity record, re-encrypted in their browser (e.g. to switch update e-mails off) under
 * its identity key (a fresh one for a report from before ADR 052), with the key's wrap and the address record.
 */
export const replaceIdentityRequest = z.strictObject({
  identity: b64(41, 4 * 1024),
  identityKey: b64(89, 89),
  notifyAddress: b64(41, 4 * 1024).nullable(),
});
export const attachFileRequest = z.strictObject({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) });
export const followupUploadRequest = z.strictObject({
  ciphertextBytes: z
    .number()
    .int()
    .min(25 + 17),
});
export const privacyRequestRequest = z.strictObject({
  id: uuid,
  kind: z.enum(["access", "correction", "deletion", "suspension"]),
  detail: b64(41, 64 * 1024).nullable(),
});

export const reportStatus = z.enum(["received", "acknowledged", "in_review", "investigating", "closed"]);
export type ReportStatus = z.infer<typeof reportStatus>;
export type PrivacyKind = z.infer<typeof privacyRequestRequest>["kind"];

// Response schemas document the answers (docs/openapi.json) and are checked against them, strictly, with
// API_RESPONSE_CHECK on (ADR 024).
const day = z.string().describe("a day, YYYY-MM-DD");

export const reporterProvision = z.object({
  affiliate: z.string(),
  items: z.array(z.string()),
  purpose: z.string(),
  legalBasis: z.enum(["consent", "policy"]),
  providedOn: day,
  retainUntil: day.nullable(),
  endedOn: day.nullable(),
  endReason: z.enum(["superseded", "revoked", "expired"]).nullable(),
});
export type ReporterProvision = z.infer<typeof reporterProvision>;

/** Everything the reporter's browser needs to show the case; binary fields are base64url ciphertext. */
export const reporterCaseViewSchema = z.object({
  reportId: z.string(),
  caseNumber: z.string(),
  categoryId: z.string(),
  status: reportStatus,
  receivedOn: day,
  acknowledgedOn: day.nullable(),
  updatedOn: day,
  closedOn: day.nullable(),
  ackDueOn: day,
  feedbackDueOn: day.nullable(),
  reporterKey: z.string(),
  title: z.string(),
  body: z.string(),
  identity: z.string().nullable(),
  /** The identity key wrapped under the report key; null for no identity or one from before ADR 052. */
  identityKey: z.string().nullable(),
  /** Each time the reporter's identity was released to an investigator: the day and the reason code's words. */
  identityAccesses: z.array(reporterIdentityAccess),
  attachments: z.array(
    z.object({
      id: z.string(),
      source: z.enum(["reporter", "investigator"]),
      meta: z.string(),
      fileKey: z.string(),
      ciphertextBytes: z.number().int(),
      addedOn: day,
    }),
  ),
  messages: z.array(z.object({ id: z.string(), seq: z.number().int(), author: z.enum(["reporter", "investigator"]), body: z.string(), sentOn: day })),
  privacyRequests: z.array(
    z.object({
      id: z.string(),
      kind: privacyRequestRequest.shape.kind,
      state: z.enum(["open", "answered"]),
      detail: z.string().nullable(),
      requestedOn: day,
      dueOn: day,
      answer: z.string().nullable(),
      answeredOn: day.nullable(),
      /** A deletion request's decision; a refusal says why (and, under legal retention, which statute). */
      outcome: z.enum(["granted", "refused"]).nullable(),
      refusalReason: z.enum(["legal_hold", "legal_retention"]).nullable(),
      refusalBasis: z.string().nullable(),
    }),
  ),
  /** Whether this portal sends e-mail at all (SMTP configured). */
  emailNotifications: z.boolean(),
  /** Every provision of this report to an affiliate (the data subject's right of access). */
  provisions: z.array(reporterProvision),
});
export type ReporterCaseView = z.infer<typeof reporterCaseViewSchema>;

export const openSessionResponse = z.object({ token: z.string(), idleSeconds: z.number().int(), case: reporterCaseViewSchema });
export type OpenSessionResponse = z.infer<typeof openSessionResponse>;
/** POST /api/followup/attachments. */
export const attachFileResponse = z.object({ id: z.string().describe("attachment id") });
/** POST /api/followup/messages. */
export const postMessageResponse = z.object({ id: z.string(), seq: z.number().int().describe("position in the dialogue") });
/** POST /api/followup/privacy-requests. */
export const privacyRequestResponse = z.object({ id: z.string(), dueOn: day.describe("the day by which the investigators answer (YYYY-MM-DD)") });
