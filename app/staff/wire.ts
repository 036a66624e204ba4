// Wire format of the staff API (validated on the server; the browser imports types only).
// Objects are strict, as in app/intake/wire.ts: unknown members are refused.
import { z, type ZodTypeAny } from "zod";
import { EXPORT_PARTS } from "../../crypto/export";
import { SHARE_ITEMS, SHARE_PURPOSES } from "../../crypto/share";
import { createUploadResponse } from "../intake/wire";
import { aeadField, dayString, envelopeField, instantString, keyHolder, RETENTION_BASIS_CODES, sealedFile, shareFeedback } from "../shared/wire";
import { b64, b64Text, uuid } from "../shared/schemas";
import { MASK_REASON_CODES } from "./mask-reasons";

// Response schemas document the answers (docs/openapi.json) and are checked against them, strictly, with
// API_RESPONSE_CHECK on (ADR 024); the browser imports only the types inferred from them.
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
  kdfSalt: b64Text(16),
  authKey: b64Text(32),
  publicKey: b64Text(32),
  secretKeyWrapped: b64Text(89),
  secretKeyRecoveryWrapped: b64Text(89),
  recoveryProof: b64Text(32),
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

const newPasswordKeys = z.strictObject({ kdfSalt: b64Text(16), authKey: b64Text(32), secretKeyWrapped: b64Text(89) });
export const changePasswordRequest = z.strictObject({ currentAuthKey: b64(32, 32), keys: newPasswordKeys });
export const recoverStartRequest = z.strictObject({ email: z.string().min(3).max(254) });
export const recoverRequest = z.strictObject({ email: z.string().min(3).max(254), recoveryProof: b64(32, 32), keys: newPasswordKeys });

export { RETENTION_BASIS_CODES };
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
  // Masked passages (ADR 053): the mask is ciphertext under the case key; a reveal or a lift names a reason code only.
  masks: z.strictObject({ id: uuid, body: b64(41, 64 * 1024) }),
  "mask-reveal": z.strictObject({ maskId: uuid, reason: z.enum(MASK_REASON_CODES) }),
  "mask-lift": z.strictObject({ maskId: uuid, reason: z.enum(MASK_REASON_CODES) }),
  // An export (ADR 054): which parts, and the public half of the investigator's export signing key. Nothing of
  // the content, not even its digests: the server learns that an export happened, not what it holds.
  export: z.strictObject({
    parts: z
      .array(z.enum(EXPORT_PARTS))
      .min(1)
      .max(EXPORT_PARTS.length)
      .refine((p) => new Set(p).size === p.length, "each part once"),
    signingKey: b64(32, 32),
  }),
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

// ------------------------------------------------------------------ responses
// Plain z.object, as everywhere for answers: API_RESPONSE_CHECK makes them strict when it checks an answer.

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

const caseStatus = z.enum(["received", "acknowledged", "in_review", "investigating", "closed"]);
const casePriority = z.enum(["low", "normal", "high", "urgent"]);
const reportEnvelope = envelopeField("0x01", "the report key and the case key");
const nextDueOn = dayString.nullable().describe("the next deadline still open (acknowledgement, then feedback); null when closed");

/** GET /api/staff/cases: one page of the investigator's inbox. */
export const inboxResponse = z.object({
  total: z.number().int().describe("cases matching the filter, counted up to a cap"),
  totalCapped: z.boolean().describe("whether total stopped at the cap (there are more)"),
  page: z.number().int().describe("1-based page number"),
  pageSize: z.number().int(),
  rows: z.array(
    z.object({
      id: z.string().describe("report id"),
      caseNumber: z.string(),
      categoryId: z.string(),
      status: caseStatus,
      priority: casePriority,
      assigneeId: z.string().nullable(),
      receivedOn: dayString,
      ackDueOn: dayString.describe("the day by which the report is to be acknowledged"),
      feedbackDueOn: dayString.nullable().describe("the day by which the reporter is to get feedback (from acknowledgement on)"),
      nextDueOn,
      overdue: z.boolean(),
      unread: z.boolean().describe("whether the reporter wrote since the caller last opened the case"),
      flood: z.boolean().describe("whether the report arrived in a flood of reports (ADR 034)"),
      serverSealed: z.boolean().describe("whether the server encrypted the report (sent without JavaScript, ADR 043)"),
      title: aeadField("report-title"),
      envelope: reportEnvelope,
    }),
  ),
});
export type InboxPage = z.infer<typeof inboxResponse>;
export type InboxRow = InboxPage["rows"][number];

/** Title search (ADR 050): rows per batch of GET /api/staff/case-titles, by default and at most. */
export const CASE_TITLES_BATCH = 500;
export const CASE_TITLES_MAX_BATCH = 1000;

/** GET /api/staff/case-titles: a batch of the encrypted titles of every case the caller holds a key for. */
export const caseTitlesResponse = z.object({
  total: z.number().int().nullable().describe("cases the caller holds a key for, on the first batch (no `after`); null on the later ones"),
  next: z.string().nullable().describe("the `after` of the next batch (the last report id of this one); null after the last batch"),
  rows: z.array(
    z.object({
      id: z.string().describe("report id"),
      caseNumber: z.string(),
      status: caseStatus,
      receivedOn: dayString,
      title: aeadField("report-title"),
      envelope: reportEnvelope,
    }),
  ),
});
export type CaseTitlesPage = z.infer<typeof caseTitlesResponse>;
export type CaseTitleRow = CaseTitlesPage["rows"][number];

const sharePurpose = z.enum(SHARE_PURPOSES);
const shareItems = z.array(z.string()).describe(`the parts of the case shared: ${SHARE_ITEMS.join(", ")}`);
const shareLegalBasis = z
  .enum(["consent", "policy"])
  .describe("consent: the reporter agreed to the identity being shared; policy: the privacy policy's provision");
const staffName = z.object({ id: z.string(), displayName: z.string() });

/** A share of a case as its investigators see it (caseShares): state, keys under the case key, holders, feedback. */
const caseShare = z.object({
  id: z.string().describe("share id"),
  affiliate: z.string().describe("the affiliate's slug (cloud, agi)"),
  version: z.number().int(),
  state: z.enum(["active", "revoked", "expired"]),
  expired: z.boolean().describe("active, but past its retention: reviewers can no longer open it"),
  purpose: sharePurpose,
  items: shareItems,
  legalBasis: shareLegalBasis,
  retainUntil: dayString.nullable().describe("the share's own end, if one was set"),
  retentionOn: dayString
    .nullable()
    .describe("the last day the share may be read: the earlier of retainUntil and the case's retention; null while neither is known"),
  createdOn: dayString,
  updatedOn: dayString,
  revokedOn: dayString.nullable(),
  package: aeadField("share-package")
    .nullable()
    .describe("unpadded base64url of an aead-v1 `share-package` record (docs/CRYPTO.md §3.3); null once revoked, or while identityWithheld"),
  shareKey: aeadField("share-key")
    .nullable()
    .describe("unpadded base64url of an aead-v1 `share-key` record under the case key (docs/CRYPTO.md §3.3); null once revoked, or while identityWithheld"),
  identityWithheld: z
    .boolean()
    .describe(
      "the share carries the reporter's identity and it was not released to the caller (ADR 052): package and shareKey are null until they record a reason",
    ),
  feedbackKey: aeadField("share-feedback-key"),
  attachmentIds: z.array(z.string()).describe("the attachments shared"),
  holders: z.array(staffName).describe("reviewers holding the share's key"),
  awaiting: z.array(keyHolder).describe("active reviewers of the affiliate who hold no key yet, with the public key to seal one to"),
  feedback: z.array(shareFeedback),
});
export type CaseShare = z.infer<typeof caseShare>;

/** A provision record of a case (caseProvisions); the reporter's copy leaves out `providedBy` and `version`. */
const caseProvision = z.object({
  affiliate: z.string().describe("the affiliate's slug"),
  version: z.number().int(),
  items: shareItems,
  purpose: sharePurpose,
  legalBasis: shareLegalBasis,
  retainUntil: dayString.nullable(),
  providedOn: dayString,
  providedBy: z.string().describe("staff user id of the investigator who shared it"),
  endedOn: dayString.nullable(),
  endReason: z.enum(["superseded", "revoked", "expired"]).nullable(),
});
export type CaseProvision = z.infer<typeof caseProvision>;

const staffCaseAttachment = z.object({
  id: z.string(),
  source: z.enum(["reporter", "investigator"]),
  meta: aeadField("file-meta"),
  fileKey: aeadField("file-key"),
  ciphertextBytes: z.number().int().describe("size of the encrypted file (stream-v1) in bytes"),
  addedOn: dayString,
});
export type StaffCaseAttachment = z.infer<typeof staffCaseAttachment>;

const staffCaseMessage = z.object({
  id: z.string(),
  seq: z.number().int().describe("position in the dialogue"),
  author: z.enum(["reporter", "investigator"]),
  staffUserId: z.string().nullable().describe("the investigator who wrote it; null for the reporter"),
  body: aeadField("message"),
  sentOn: dayString,
});
export type StaffCaseMessage = z.infer<typeof staffCaseMessage>;

const staffCaseNote = z.object({ id: z.string(), staffUserId: z.string(), body: aeadField("note"), createdAt: instantString });
export type StaffCaseNote = z.infer<typeof staffCaseNote>;

/** An active mask (ADR 053): which passage it hides is inside the ciphertext. */
const staffCaseMask = z.object({
  id: z.string(),
  staffUserId: z.string().describe("the investigator who masked the passage"),
  body: aeadField("mask"),
  createdAt: instantString,
});
export type StaffCaseMask = z.infer<typeof staffCaseMask>;

const staffCasePrivacyRequest = z.object({
  id: z.string(),
  kind: z.enum(["access", "correction", "deletion", "suspension"]),
  state: z.enum(["open", "answered"]),
  detail: aeadField("privacy-request").nullable(),
  requestedOn: dayString,
  dueOn: dayString,
  answer: aeadField("privacy-answer").nullable(),
  answeredOn: dayString.nullable(),
  outcome: z.enum(["granted", "refused"]).nullable().describe("for a deletion request"),
  refusalReason: z.enum(["legal_hold", "legal_retention"]).nullable(),
  refusalBasis: z.string().nullable().describe("a retention basis code, for a refusal under legal retention"),
  overdue: z.boolean(),
});
export type StaffCasePrivacyRequest = z.infer<typeof staffCasePrivacyRequest>;

const staffCaseAuditEntry = z.object({
  seq: z.number().int(),
  at: instantString,
  actorId: z.string().nullable(),
  action: z.string(),
  details: z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])).describe("ids, codes and counts; never content"),
});
export type StaffCaseAuditEntry = z.infer<typeof staffCaseAuditEntry>;

/**
 * One case as an investigator receives it (the case page's loader): workflow metadata in plaintext, everything
 * anyone wrote as base64url ciphertext, days as YYYY-MM-DD. Declared here so that browser code never reaches into
 * app/.server for it.
 */
export const staffCaseViewSchema = z.object({
  id: z.string().describe("report id"),
  caseNumber: z.string(),
  categoryId: z.string(),
  status: caseStatus,
  outcome: z.enum(["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"]).nullable(),
  priority: casePriority,
  assigneeId: z.string().nullable(),
  receivedOn: dayString,
  acknowledgedOn: dayString.nullable(),
  closedOn: dayString.nullable(),
  updatedOn: dayString,
  ackDueOn: dayString,
  feedbackDueOn: dayString.nullable(),
  nextDueOn,
  overdue: z.boolean(),
  consentAffiliateIdentity: z.boolean().describe("whether the reporter agreed to the identity being shared with an affiliate"),
  serverSealed: z.boolean().describe("whether the server encrypted the report (sent without JavaScript, ADR 043), not the reporter's browser"),
  envelope: reportEnvelope,
  title: aeadField("report-title"),
  body: aeadField("report-body"),
  hasIdentity: z
    .boolean()
    .describe("whether the reporter gave contact details; the identity itself comes only after a recorded reason (ADR 052, …/identity/state)"),
  notifyAddress: aeadField("notify-address").nullable().describe("the address for update e-mails the reporter asked for (report key); null: none asked"),
  labels: aeadField("labels").nullable(),
  attachments: z.array(staffCaseAttachment),
  messages: z.array(staffCaseMessage),
  notes: z.array(staffCaseNote),
  masks: z.array(staffCaseMask).describe("the active masks of passages of the report body, messages and notes (ADR 053)"),
  privacyRequests: z.array(staffCasePrivacyRequest),
  team: z.array(staffName).describe("the investigators holding the case's keys: who it can be assigned to"),
  auditTrail: z.array(staffCaseAuditEntry).describe("the latest 200 entries, newest first"),
});
export type StaffCaseView = z.infer<typeof staffCaseViewSchema>;

/** GET /api/staff/cases/:reportId/shares. */
export const caseSharesResponse = z.object({ shares: z.array(caseShare), provisions: z.array(caseProvision) });
const legalHold = z.object({
  id: z.string(),
  reportId: z.string(),
  reason: z.enum(["litigation", "regulatory_inquiry", "law_enforcement", "internal_investigation"]),
  placedOn: dayString,
  placedBy: z.string().describe("staff user id"),
  liftedOn: dayString.nullable(),
  liftedBy: z.string().nullable(),
});
/** GET /api/staff/cases/:reportId/view: the case page's data, for clients other than the page. */
export const staffCaseViewResponse = staffCaseViewSchema.extend({
  shares: z.array(caseShare),
  provisions: z.array(caseProvision),
  holds: z.array(legalHold).describe("legal holds, active and lifted: an active one stops destruction"),
  retentionOn: dayString.nullable().describe("the last day the case is kept; null while it is open and acknowledged"),
});
/** Who a key can be sealed to (GET …/grants, …/reviewers, …/admins). */
export const keyHoldersResponse = z.array(keyHolder);

/** The portal's certificate of an investigator's export signing key (crypto/export.ts, docs/CRYPTO.md §14). */
export const exportCertificate = z.object({
  format: z.literal("cor-export-certificate-v2"),
  exportId: z.string(),
  reportId: z.string(),
  caseNumber: z.string(),
  parts: z.array(z.enum(EXPORT_PARTS)).describe("the parts the portal audited for this export, in EXPORT_PARTS order: the manifest must list exactly these"),
  staffUserId: z.string(),
  displayName: z.string(),
  signingKey: z.string().describe("the investigator's Ed25519 export signing key, base64url"),
  audit: z.object({ seq: z.number().int(), hash: z.string() }).describe("the export's own case.exported entry in the audit chain"),
  issuedAt: instantString,
  portalKey: z.string().describe("the portal's export-certificate key, base64url"),
  signature: z.string(),
});

/** What each POST op of /api/staff/cases/:reportId/:op answers (`okResponse` when it has nothing to say). */
export const caseOpResponses: { [K in keyof typeof caseOps]: ZodTypeAny } = {
  status: okResponse,
  assign: okResponse,
  priority: okResponse,
  labels: okResponse,
  notes: okResponse,
  messages: okResponse,
  "privacy-answer": okResponse,
  events: okResponse,
  grants: okResponse,
  uploads: createUploadResponse,
  attachments: z.object({ id: z.string().describe("attachment id") }),
  shares: z.object({ shareId: z.string(), version: z.number().int() }),
  "share-update": z.object({ shareId: z.string(), version: z.number().int() }),
  "share-revoke": okResponse,
  "share-grant": okResponse,
  "share-feedback": okResponse,
  "notify-reporter": z.object({
    delivered: z.boolean().describe("whether the e-mail was handed to the mail server"),
    reason: z.literal("not_configured").optional().describe("not_configured: the portal sends no e-mail"),
    repeated: z.boolean().optional().describe("true: this notice id was sent before; nothing was sent again"),
  }),
  holds: z.object({ holdId: z.string() }),
  "hold-lift": okResponse,
  "privacy-deletion": z.object({
    outcome: z.enum(["granted", "refused"]),
    reason: z.enum(["legal_hold", "legal_retention"]).optional().describe("why it was refused (a hold refuses a grant)"),
  }),
  masks: okResponse,
  "mask-reveal": okResponse,
  "mask-lift": okResponse,
  archive: z.object({ archiveId: z.string(), retainUntil: dayString.describe("the day after which the archive is destroyed") }),
  export: z.object({ certificate: exportCertificate }),
};

// ------------------------------------------------------------------ accounts

/** GET /api/staff/activate/:token. */
export const invitationInfoResponse = z.object({
  kind: z.enum(["invite", "setup"]).describe("invite: one account; setup: the first administrator and investigator"),
  email: z.string().nullable().describe("the invited address; null for setup"),
  role: z.enum(["admin", "investigator", "affiliate"]).nullable(),
  displayName: z.string().nullable(),
  expiresAt: instantString,
});
/** POST /api/staff/activate/:token. */
export const activationResponse = z.object({ created: z.array(z.string()).describe("ids of the accounts created") });
/** POST /api/staff/invitations. */
export const invitationResponse = z.object({
  path: z.string().describe("the invitation link's path (/staff/activate/<token>), to append to the portal's origin"),
  expiresAt: instantString,
});
/** POST /api/staff/recover: {email} gets the recovery-wrapped key, {email, recoveryProof, keys} ok. */
export const recoverResponse = z.union([
  z.object({
    userId: z.string().describe("the account's id (for an unknown address, a stable decoy)"),
    secretKeyRecoveryWrapped: aeadField("staff-secret-key-recovery").describe(
      "unpadded base64url of an aead-v1 `staff-secret-key-recovery` record (docs/CRYPTO.md §3.3); for an unknown address a decoy of the same length",
    ),
  }),
  okResponse,
]);

// ------------------------------------------------------------------ affiliate reviewers

/** GET /api/affiliate/shares: active, unexpired shares of the reviewer's affiliate. */
export const affiliateSharesResponse = z.array(
  z.object({
    id: z.string().describe("share id"),
    caseNumber: z.string(),
    version: z.number().int(),
    purpose: sharePurpose,
    items: shareItems,
    sharedOn: dayString,
    updatedOn: dayString,
    retentionOn: dayString.nullable().describe("the last day the share may be read; null while not yet known"),
    hasKey: z.boolean().describe("whether the caller holds the share's key (an investigator seals it to new reviewers)"),
  }),
);
/** GET /api/affiliate/shares/:shareId: the share as ciphertext with the plaintext record of the provision. */
export const affiliateShareResponse = z.object({
  id: z.string(),
  caseNumber: z.string(),
  version: z.number().int(),
  purpose: sharePurpose,
  items: shareItems,
  legalBasis: shareLegalBasis,
  sharedOn: dayString,
  updatedOn: dayString,
  retentionOn: dayString.nullable(),
  envelope: envelopeField("0x02", "the share key"),
  package: aeadField("share-package"),
  files: z.array(sealedFile("share-file-key")),
  feedback: z.array(
    shareFeedback.extend({ staffUserId: z.string().nullable().describe("the reviewer who wrote it; null for the investigators (shown as the ethics team)") }),
  ),
});
