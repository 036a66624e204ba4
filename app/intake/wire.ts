// The intake API's wire format, validated on the server. Binary fields travel
// as unpadded base64url. The browser only imports the types. Every object is
// strict (z.strictObject): a member the schema does not name is refused with
// 400 invalid_request naming it, never silently dropped.
import { z } from "zod";
import { POW_ACTIONS } from "../shared/pow-wire";
import { b64, uuid } from "../shared/schemas";

export const createUploadRequest = z.strictObject({
  reportId: uuid,
  ciphertextBytes: z
    .number()
    .int()
    .min(25 + 17),
});
export type CreateUploadRequest = z.input<typeof createUploadRequest>;
// Response schemas document the answers (docs/openapi.json) and are checked against them, strictly, with
// API_RESPONSE_CHECK on (ADR 024).
export const createUploadResponse = z.object({ uploadId: z.string(), token: z.string(), partPlainBytes: z.number().int() });
export type CreateUploadResponse = z.infer<typeof createUploadResponse>;
export const uploadStatusResponse = z.object({
  uploadId: z.string(),
  state: z.enum(["open", "complete"]),
  receivedBytes: z.number().int(),
  nextPart: z.number().int(),
  expectedBytes: z.number().int(),
});
export type UploadStatusResponse = z.infer<typeof uploadStatusResponse>;

export const submitReportRequest = z.strictObject({
  reportId: uuid,
  categoryId: uuid,
  title: b64(41, 4 * 1024),
  body: b64(41, 512 * 1024),
  identity: b64(41, 4 * 1024).nullable(),
  /** The identity key wrapped under the report key (ADR 052): required with `identity`. */
  identityKey: b64(89, 89).nullable().optional(),
  /** The address for update e-mails, only when asked for (ADR 052). */
  notifyAddress: b64(41, 4 * 1024)
    .nullable()
    .optional(),
  reporterKey: b64(89, 89),
  receiptLookup: b64(32, 32),
  envelopes: z
    .array(z.strictObject({ staffUserId: uuid, envelope: b64(130, 130) }))
    .min(1)
    .max(1000),
  excludedInvestigators: z.array(uuid).max(1000),
  attachments: z.array(z.strictObject({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) })).max(100),
  consentReport: z.literal(true, { errorMap: () => ({ message: "consent to process the report is required" }) }),
  consentOptional: z.boolean(),
  consentAffiliateIdentity: z.boolean(),
  locale: z.enum(["ko", "en"]).optional(),
});
export type SubmitReportRequest = z.input<typeof submitReportRequest>;
export type SubmitReportInput = z.output<typeof submitReportRequest>;
export const submitReportResponse = z.object({
  caseNumber: z.string(),
  /** The day by which the investigators acknowledge the report (YYYY-MM-DD). */
  ackDueOn: z.string().describe("the day by which the investigators acknowledge the report (YYYY-MM-DD)"),
});
export type SubmitReportResponse = z.infer<typeof submitReportResponse>;

const intakeRecipient = z.object({ id: z.string(), displayName: z.string(), publicKey: z.string() });
export type IntakeRecipient = z.infer<typeof intakeRecipient>;
const intakeCategory = z.object({ id: z.string(), slug: z.string(), nameKo: z.string(), nameEn: z.string() });
export type IntakeCategory = z.infer<typeof intakeCategory>;
export const intakeInfoSchema = z.object({
  open: z.boolean(),
  categories: z.array(intakeCategory),
  investigators: z.array(intakeRecipient),
  maxAttachmentBytes: z.number().int(),
  maxAttachments: z.number().int(),
  /** Whether this portal sends e-mail (SMTP configured): the form offers update e-mails only then. */
  emailNotifications: z.boolean().describe("whether this portal sends e-mail (SMTP configured)"),
});
export type IntakeInfo = z.infer<typeof intakeInfoSchema>;

/** Error body of every API failure: a stable code for the browser's catalog and an English message. */
export const apiErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.record(z.string()).optional(),
    proofOfWork: z
      .enum(POW_ACTIONS)
      .optional()
      .describe(
        "On a 429 that a solved proof of work lets past: the action to get a challenge for (GET /api/pow/challenge?action=…) and send with the same request again in X-Proof-Of-Work (docs/CRYPTO.md §13, ADR 035).",
      ),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBody>;
