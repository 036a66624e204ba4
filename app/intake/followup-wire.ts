// Wire format of the reporter follow-up API (validated on the server; the
// browser imports the types only). Objects are strict, as in wire.ts.
import { z } from "zod";
import { b64, uuid } from "../shared/schemas";

export const openSessionRequest = z.strictObject({ lookup: b64(32, 32) });

export const postMessageRequest = z.strictObject({ id: uuid, body: b64(41, 64 * 1024) });
/** The reporter's own identity record, re-encrypted in their browser (e.g. to switch update e-mails off). */
export const replaceIdentityRequest = z.strictObject({ identity: b64(41, 4 * 1024) });
export const attachFileRequest = z.strictObject({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) });
export const followupUploadRequest = z.strictObject({ ciphertextBytes: z.number().int().min(25 + 17) });
export const privacyRequestRequest = z.strictObject({
  id: uuid,
  kind: z.enum(["access", "correction", "deletion", "suspension"]),
  detail: b64(41, 64 * 1024).nullable(),
});

export type ReportStatus = "received" | "acknowledged" | "in_review" | "investigating" | "closed";
export type PrivacyKind = z.infer<typeof privacyRequestRequest>["kind"];

/** Everything the reporter's browser needs to show the case; binary fields are base64url ciphertext. */
export interface ReporterCaseView {
  reportId: string;
  caseNumber: string;
  categoryId: string;
  status: ReportStatus;
  receivedOn: string;
  acknowledgedOn: string | null;
  updatedOn: string;
  closedOn: string | null;
  ackDueOn: string;
  feedbackDueOn: string | null;
  reporterKey: string;
  title: string;
  body: string;
  identity: string | null;
  attachments: { id: string; source: "reporter" | "investigator"; meta: string; fileKey: string; ciphertextBytes: number; addedOn: string }[];
  messages: { id: string; seq: number; author: "reporter" | "investigator"; body: string; sentOn: string }[];
  privacyRequests: {
    id: string;
    kind: PrivacyKind;
    state: "open" | "answered";
    detail: string | null;
    requestedOn: string;
    dueOn: string;
    answer: string | null;
    answeredOn: string | null;
    /** A deletion request's decision; a refusal says why (and, under legal retention, which statute). */
    outcome: "granted" | "refused" | null;
    refusalReason: "legal_hold" | "legal_retention" | null;
    refusalBasis: string | null;
  }[];
  /** Whether this portal sends e-mail at all (SMTP configured). */
  emailNotifications: boolean;
  /** Every provision of this report to an affiliate (the data subject's right of access). */
  provisions: ReporterProvision[];
}

export interface ReporterProvision {
  affiliate: string;
  items: string[];
  purpose: string;
  legalBasis: "consent" | "policy";
  providedOn: string;
  retainUntil: string | null;
  endedOn: string | null;
  endReason: "superseded" | "revoked" | "expired" | null;
}

export interface OpenSessionResponse {
  token: string;
  idleSeconds: number;
  case: ReporterCaseView;
}
