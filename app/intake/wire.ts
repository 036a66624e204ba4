// The intake API's wire format, validated on the server. Binary fields travel
// as unpadded base64url. The browser only imports the types. Every object is
// strict (z.strictObject): a member the schema does not name is refused with
// 400 invalid_request naming it, never silently dropped.
import { z } from "zod";
import { b64, uuid } from "../shared/schemas";

export const createUploadRequest = z.strictObject({
  reportId: uuid,
  ciphertextBytes: z.number().int().min(25 + 17),
});
export type CreateUploadRequest = z.input<typeof createUploadRequest>;
export interface CreateUploadResponse {
  uploadId: string;
  token: string;
  partPlainBytes: number;
}
export interface UploadStatusResponse {
  uploadId: string;
  state: "open" | "complete";
  receivedBytes: number;
  nextPart: number;
  expectedBytes: number;
}

export const submitReportRequest = z.strictObject({
  reportId: uuid,
  categoryId: uuid,
  title: b64(41, 4 * 1024),
  body: b64(41, 512 * 1024),
  identity: b64(41, 4 * 1024).nullable(),
  reporterKey: b64(89, 89),
  receiptLookup: b64(32, 32),
  envelopes: z
    .array(z.strictObject({ staffUserId: uuid, envelope: b64(130, 130) }))
    .min(1)
    .max(1000),
  excludedInvestigators: z.array(uuid).max(1000),
  attachments: z
    .array(z.strictObject({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) }))
    .max(100),
  consentReport: z.literal(true, { errorMap: () => ({ message: "consent to process the report is required" }) }),
  consentOptional: z.boolean(),
  consentAffiliateIdentity: z.boolean(),
  locale: z.enum(["ko", "en"]).optional(),
});
export type SubmitReportRequest = z.input<typeof submitReportRequest>;
export type SubmitReportInput = z.output<typeof submitReportRequest>;
export interface SubmitReportResponse {
  caseNumber: string;
  /** The day by which the investigators acknowledge the report (YYYY-MM-DD). */
  ackDueOn: string;
}

export interface IntakeRecipient {
  id: string;
  displayName: string;
  publicKey: string;
}
export interface IntakeCategory {
  id: string;
  slug: string;
  nameKo: string;
  nameEn: string;
}
export interface IntakeInfo {
  open: boolean;
  categories: IntakeCategory[];
  investigators: IntakeRecipient[];
  maxAttachmentBytes: number;
  maxAttachments: number;
  /** Whether this portal sends e-mail (SMTP configured): the form offers update e-mails only then. */
  emailNotifications: boolean;
}

/** Error body of every API failure: a stable code for the browser's catalog and an English message. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}
