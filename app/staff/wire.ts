// Wire format of the staff API (validated on the server; the browser imports types only).
// Objects are strict, as in app/intake/wire.ts: unknown members are refused.
import { z } from "zod";
import { SHARE_ITEMS, SHARE_PURPOSES, type SharePurpose } from "../../crypto/share";
import type { ShareFeedback } from "../shared/wire";
import { b64, uuid } from "../shared/schemas";

// Response schemas document the answers (docs/openapi.json); the server does not parse its own answers.
/** The answer of actions that have nothing else to say. */
export const okResponse = z.object({ ok: z.literal(true) });
const staffUser = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: z.enum(["admin", "investigator", "affiliate"]),
  affiliateId: z.string().nullable(),
});
export const preloginResponse = z.object({ salt: z.string().describe("unpadded base64url of 16 bytes"), kdfVersion: z.number().int() });
export const loginResponse = z.object({ next: z.enum(["totp", "totp_setup"]).describe("the second step: a code, or enrolling an authenticator first") });
export const signedInResponse = z.object({
  user: staffUser,
  secretKeyWrapped: z.string(),
  publicKey: z.string(),
  recoveryCodes: z.array(z.string()).optional().describe("after enrolment only, once"),
});
export const totpSetupResponse = z.object({ secret: z.string(), uri: z.string(), qrSvgDataUrl: z.string() });
export const staffMeResponse = z.object({
  user: staffUser,
  kdfSalt: z.string(),
  kdfVersion: z.number().int(),
  secretKeyWrapped: z.string(),
  publicKey: z.string(),
});

export const preloginRequest = z.strictObject({ email: z.string().min(3).max(254) });
export const loginRequest = z.strictObject({ email: z.string().min(3).max(254), authKey: b64(32, 32) });
export const secondFactorRequest = z.union([
  z.strictObject({ code: z.string().regex(/^\d{6}$/, "six digits") }),
  z.strictObject({ recoveryCode: z.string().min(10).max(40) }),
]);
export const totpCodeRequest = z.strictObject({ code: z.string().regex(/^\d{6}$/, "six digits") });

const keyMaterial = z.strictObject({
  kdfVersion: z.literal(1),
  kdfSalt: z.string().length(22),
  authKey: z.string().length(43),
  publicKey: z.string().length(43),
  secretKeyWrapped: z.string().length(119),
  secretKeyRecoveryWrapped: z.string().length(119),
  recoveryProof: z.string().length(43),
});

export const activationRequest = z.strictObject({
  accounts: z
    .array(
      z.strictObject({
        id: uuid,
        email: z.string().min(3).max(254),
        displayName: z.string().min(1).max(100),
        role: z.enum(["admin", "investigator", "affiliate"]),
        keys: keyMaterial,
      }),
    )
    .min(1)
    .max(2),
});

export const invitationRequest = z.strictObject({
  email: z.string().min(3).max(254),
  role: z.enum(["admin", "investigator", "affiliate"]),
  affiliate: z.enum(["cloud", "agi"]).optional(),
  displayName: z.string().max(100).optional(),
});

const newPasswordKeys = z.strictObject({ kdfSalt: z.string().length(22), authKey: z.string().length(43), secretKeyWrapped: z.string().length(119) });
export const changePasswordRequest = z.strictObject({ currentAuthKey: b64(32, 32), keys: newPasswordKeys });
export const recoverStartRequest = z.strictObject({ email: z.string().min(3).max(254) });
export const recoverRequest = z.strictObject({ email: z.string().min(3).max(254), recoveryProof: b64(32, 32), keys: newPasswordKeys });

/** The statutes of the privacy policy that require keeping records longer (app/.server/retention/case-retention.ts RETENTION_BASES). */
export const RETENTION_BASIS_CODES = [
  "ecommerce_transactions",
  "ecommerce_complaints",
  "ecommerce_advertising",
  "national_tax",
  "electronic_financial",
  "communications_secrets",
  "credit_information",
  "value_added_tax",
] as const;
const retentionBasis = z.enum(RETENTION_BASIS_CODES);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD");
/** A wrapped 32-byte key (aead-v1, block 16) and a share envelope (envelope-v1 kind 0x02). */
const wrappedKey = b64(89, 89);
const shareEnvelopes = z
  .array(z.strictObject({ staffUserId: uuid, envelope: b64(98, 98) }))
  .min(1)
  .max(200);
/** One version of a share, built and encrypted in the investigator's browser. */
const shareVersion = {
  shareId: uuid,
  purpose: z.enum(SHARE_PURPOSES),
  retainUntil: day.nullable(),
  items: z.array(z.enum(SHARE_ITEMS)).min(1).max(SHARE_ITEMS.length),
  package: b64(41, 1024 * 1024),
  shareKey: wrappedKey,
  files: z.array(z.strictObject({ attachmentId: uuid, fileKey: wrappedKey })).max(100),
  envelopes: shareEnvelopes,
};

export const caseOps = {
  status: z.strictObject({
    to: z.enum(["acknowledged", "in_review", "investigating", "closed"]),
    outcome: z.enum(["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"]).optional(),
    summary: z.strictObject({ id: uuid, body: b64(41, 64 * 1024) }).optional(),
  }),
  assign: z.strictObject({ assigneeId: uuid.nullable() }),
  priority: z.strictObject({ priority: z.enum(["low", "normal", "high", "urgent"]) }),
  labels: z.strictObject({ labels: b64(41, 8 * 1024) }),
  notes: z.strictObject({ id: uuid, body: b64(41, 64 * 1024) }),
  messages: z.strictObject({ id: uuid, body: b64(41, 64 * 1024) }),
  "privacy-answer": z.strictObject({ requestId: uuid, answer: b64(41, 64 * 1024) }),
  // Only an id: free text here would land in the permanent audit log.
  events: z.strictObject({ event: z.enum(["decrypted", "downloaded", "exported"]), subject: uuid.optional() }),
  grants: z.strictObject({ granteeId: uuid, envelope: b64(130, 130) }),
  uploads: z.strictObject({ ciphertextBytes: z.number().int().min(42) }),
  attachments: z.strictObject({ uploadId: uuid, meta: b64(41, 4 * 1024), fileKey: b64(89, 89) }),
  shares: z.strictObject({ ...shareVersion, affiliate: z.enum(["cloud", "agi"]), feedbackKey: wrappedKey }),
  "share-update": z.strictObject({ ...shareVersion, version: z.number().int().min(2) }),
  "share-revoke": z.strictObject({ shareId: uuid }),
  "share-grant": z.strictObject({ shareId: uuid, staffUserId: uuid, envelope: b64(98, 98) }),
  "share-feedback": z.strictObject({ shareId: uuid, id: uuid, body: b64(41, 64 * 1024) }),
  // The reporter's address, decrypted in the investigator's browser, for one send; never stored.
  "notify-reporter": z.strictObject({
    id: uuid,
    event: z.enum(["acknowledged", "message", "question", "privacy_answer", "closed"]),
    email: z.string().email().max(254),
    language: z.enum(["ko", "en"]),
  }),
  holds: z.strictObject({ reason: z.enum(["litigation", "regulatory_inquiry", "law_enforcement", "internal_investigation"]) }),
  "hold-lift": z.strictObject({ holdId: uuid }),
  "privacy-deletion": z.strictObject({ requestId: uuid, decision: z.enum(["grant", "refuse"]), basis: retentionBasis.optional() }),
  archive: z.strictObject({
    archiveId: uuid,
    basis: retentionBasis,
    package: b64(41, 16 * 1024 * 1024),
    files: z.array(z.strictObject({ attachmentId: uuid, fileKey: wrappedKey })).max(200),
    envelopes: z
      .array(z.strictObject({ staffUserId: uuid, envelope: b64(98, 98) }))
      .min(1)
      .max(100),
  }),
} as const;
export type CaseOp = keyof typeof caseOps;
export type CaseOpInput<K extends CaseOp> = z.input<(typeof caseOps)[K]>;

/** A reviewer's feedback on a share (POST /api/affiliate/shares/:shareId/feedback). */
export const affiliateFeedbackRequest = z.strictObject({ id: uuid, body: b64(41, 64 * 1024) });

/** An administrator sealing an archive's key to another administrator (POST /api/admin/archives/:archiveId/grants). */
export const archiveGrantRequest = z.strictObject({ staffUserId: uuid, envelope: b64(98, 98) });

/** Marking one's own notifications read: all of them, or the listed ones (POST /api/staff/notifications/read). */
export const notificationsReadRequest = z.strictObject({ ids: z.array(uuid).max(100).optional() });
/** Single e-mails or a daily digest (POST /api/staff/notification-prefs). */
export const notificationPrefsRequest = z.strictObject({ mode: z.enum(["immediate", "digest"]) });

// ------------------------------------------------------------------ responses (types only)

/** Inbox filters (app/staff/inbox-query.ts reads them from a URL; listInbox applies them). */
export interface InboxFilter {
  status?: "received" | "acknowledged" | "in_review" | "investigating" | "closed" | "open";
  categoryId?: string;
  assignee?: "me" | "none" | string;
  overdue?: boolean;
  /** Cases that arrived in a flood of reports (ADR 034): shown (unset), hidden, or only they. */
  flood?: "hide" | "only";
  caseNumber?: string;
  sort?: "deadline" | "received";
  page?: number;
}

/** A share of a case as its investigators see it (caseShares): state, keys under the case key, holders, feedback. */
export interface CaseShare {
  id: string;
  affiliate: string;
  version: number;
  state: "active" | "revoked" | "expired";
  expired: boolean;
  purpose: SharePurpose;
  items: string[];
  legalBasis: "consent" | "policy";
  retainUntil: string | null;
  retentionOn: string | null;
  createdOn: string;
  updatedOn: string;
  revokedOn: string | null;
  package: string | null;
  shareKey: string | null;
  feedbackKey: string;
  attachmentIds: string[];
  holders: { id: string; displayName: string }[];
  /** Active reviewers of the affiliate who hold no key yet, with the public key to seal one to. */
  awaiting: { id: string; displayName: string; publicKey: string }[];
  feedback: ShareFeedback[];
}

/** A provision record of a case (caseProvisions); the reporter's copy leaves out `providedBy` and `version`. */
export interface CaseProvision {
  affiliate: string;
  version: number;
  items: string[];
  purpose: SharePurpose;
  legalBasis: "consent" | "policy";
  retainUntil: string | null;
  providedOn: string;
  providedBy: string;
  endedOn: string | null;
  endReason: "superseded" | "revoked" | "expired" | null;
}

/**
 * One case as an investigator receives it (the case page's loader, GET /api/staff/cases/:id/view):
 * workflow metadata in plaintext, everything anyone wrote as base64url ciphertext, days as YYYY-MM-DD.
 * Declared here so that browser code never reaches into app/.server for it.
 */
export interface StaffCaseView {
  id: string;
  caseNumber: string;
  categoryId: string;
  status: "received" | "acknowledged" | "in_review" | "investigating" | "closed";
  outcome: "substantiated" | "partly_substantiated" | "not_substantiated" | "insufficient_information" | "referred" | null;
  priority: "low" | "normal" | "high" | "urgent";
  assigneeId: string | null;
  receivedOn: string;
  acknowledgedOn: string | null;
  closedOn: string | null;
  updatedOn: string;
  ackDueOn: string;
  feedbackDueOn: string | null;
  nextDueOn: string | null;
  overdue: boolean;
  consentAffiliateIdentity: boolean;
  /** This investigator's sealed copy of the report's keys. */
  envelope: string;
  title: string;
  body: string;
  identity: string | null;
  /** Under the case key (crypto/casework.ts). */
  labels: string | null;
  attachments: StaffCaseAttachment[];
  messages: StaffCaseMessage[];
  /** Under the case key (crypto/casework.ts). */
  notes: StaffCaseNote[];
  privacyRequests: StaffCasePrivacyRequest[];
  /** The investigators holding the case's keys: who it can be assigned to. */
  team: { id: string; displayName: string }[];
  /** The latest 200 entries, newest first. */
  auditTrail: StaffCaseAuditEntry[];
}

export interface StaffCaseAttachment {
  id: string;
  source: "reporter" | "investigator";
  meta: string;
  fileKey: string;
  ciphertextBytes: number;
  addedOn: string;
}

export interface StaffCaseMessage {
  id: string;
  seq: number;
  author: "reporter" | "investigator";
  staffUserId: string | null;
  body: string;
  sentOn: string;
}

export interface StaffCaseNote {
  id: string;
  staffUserId: string;
  body: string;
  /** ISO 8601 instant. */
  createdAt: string;
}

export interface StaffCasePrivacyRequest {
  id: string;
  kind: "access" | "correction" | "deletion" | "suspension";
  state: "open" | "answered";
  detail: string | null;
  requestedOn: string;
  dueOn: string;
  answer: string | null;
  answeredOn: string | null;
  outcome: "granted" | "refused" | null;
  refusalReason: "legal_hold" | "legal_retention" | null;
  /** A retention_basis code, for a refusal under legal retention. */
  refusalBasis: string | null;
  overdue: boolean;
}

export interface StaffCaseAuditEntry {
  seq: number;
  /** ISO 8601 instant. */
  at: string;
  actorId: string | null;
  action: string;
  details: Record<string, string | number | boolean | null>;
}
