// Wire types that several staff audiences (investigators, administrators,
// affiliate reviewers) receive from the server: browser-safe, no server
// imports, so both sides may import them. What one audience alone uses lives
// in that audience's wire.ts (app/staff/wire.ts, app/admin/wire.ts).
//
// Response schemas document the answers (docs/openapi.json) and, with API_RESPONSE_CHECK on (development, tests),
// every answer is checked against its schema strictly (app/.server/platform/response-check.ts). The types are
// inferred from them; the browser imports only the types.
import { z } from "zod";

export type StaffRole = "admin" | "investigator" | "affiliate";

/** The statutes of the privacy policy that require keeping records longer (app/.server/retention/case-retention.ts RETENTION_BASES): investigators refuse deletions and archive cases under them, administrators see them on archives. */
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

/** A day in TIME_ZONE, as the answers give days (no time of day). */
export const dayString = z.string().describe("a calendar day, YYYY-MM-DD (TIME_ZONE)");
/** An instant, as the answers give times. */
export const instantString = z.string().describe("an ISO 8601 instant (UTC)");
/** A ciphertext field: the aead-v1 record of `purpose` (docs/CRYPTO.md §3.3). */
export const aeadField = (purpose: string) => z.string().describe(`unpadded base64url of an aead-v1 \`${purpose}\` record (docs/CRYPTO.md §3.3)`);
/** A key envelope sealed to the caller: envelope-v1 of `kind` (docs/CRYPTO.md §4). */
export const envelopeField = (kind: "0x01" | "0x02" | "0x03", what: string) =>
  z.string().describe(`unpadded base64url of an envelope-v1 kind ${kind} sealed to the caller: ${what} (docs/CRYPTO.md §4)`);

/** A staff member a key can be sealed to: the public key the browser seals an envelope with. */
export const keyHolder = z.object({
  id: z.string().describe("staff user id"),
  displayName: z.string(),
  publicKey: z.string().describe("unpadded base64url of the 32-byte X25519 public key (docs/CRYPTO.md)"),
});
export type KeyHolder = z.infer<typeof keyHolder>;
/** A file of a share or archive as its holders receive it: its key wrapped under the share's or archive's key. */
export const sealedFile = (purpose: "share-file-key" | "archive-file-key") =>
  z.object({
    id: z.string().describe("attachment id"),
    fileKey: aeadField(purpose),
    ciphertextBytes: z.number().int().describe("size of the encrypted file (stream-v1) in bytes"),
  });

/** Feedback on a share, from either side; the body is ciphertext under the share's feedback key. */
export const shareFeedback = z.object({
  id: z.string(),
  author: z.enum(["affiliate", "investigator"]),
  staffUserId: z.string(),
  body: aeadField("share-feedback"),
  createdAt: instantString,
});
export type ShareFeedback = z.infer<typeof shareFeedback>;

// ------------------------------------------------------------------ staff notifications

export const STAFF_EVENTS = [
  "new_case",
  "reporter_message",
  "privacy_request",
  "ack_due_soon",
  "feedback_due_soon",
  "case_overdue",
  "share_new",
  "share_updated",
  "account_locked",
  "audit_broken",
  "storage_low",
  "report_flood",
  "report_flood_ended",
  "signin_failures",
] as const;
export type StaffEvent = (typeof STAFF_EVENTS)[number];
const notifyMode = z.enum(["immediate", "digest"]).describe("single e-mails, or one daily digest");
export type NotifyMode = z.infer<typeof notifyMode>;

const emailState = z
  .enum(["off", "sent", "pending", "retrying", "failed"])
  .describe("the notification's e-mail: off (the portal sends none), sent, pending, retrying (an attempt failed), failed (attempts used up)");
export type EmailState = z.infer<typeof emailState>;

const staffNotificationItem = z.object({
  id: z.string(),
  event: z.enum(STAFF_EVENTS),
  /** The calendar day (TIME_ZONE): no time of day is shown, as none is kept for reporters' events. */
  day: dayString.describe("the calendar day, YYYY-MM-DD (TIME_ZONE): no time of day is kept for reporters' events"),
  read: z.boolean(),
  email: emailState,
  attempts: z.number().int().describe("e-mail attempts so far"),
  /** Where to look: a case the investigator still holds, or a share the reviewer holds a key for. */
  link: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("case"), caseNumber: z.string() }),
      z.object({ kind: z.literal("share"), shareId: z.string(), caseNumber: z.string() }),
    ])
    .nullable()
    .describe("where to look: a case the caller still holds, or a share the reviewer holds a key for; null when neither"),
  flood: z
    .object({ reports: z.number().int(), minutes: z.number().int(), over: z.boolean() })
    .optional()
    .describe("for a flood of reports (ADR 034): how many reports in how many minutes so far, or in all once `over`"),
});
export type StaffNotificationItem = z.infer<typeof staffNotificationItem>;

/** GET /api/staff/notifications. */
export const staffNotificationsResponse = z.object({
  smtp: z.boolean().describe("whether this portal sends e-mail at all"),
  mode: notifyMode,
  digestHour: z.number().int().describe("hour of the day (TIME_ZONE) at which digests go out"),
  unread: z.number().int(),
  items: z.array(staffNotificationItem).describe("the latest notifications, newest first"),
});
export type StaffNotificationsView = z.infer<typeof staffNotificationsResponse>;
/** POST /api/staff/notifications/read. */
export const notificationsReadResponse = z.object({ marked: z.number().int().describe("how many notifications were newly marked read") });
/** POST /api/staff/notification-prefs. */
export const notificationPrefsResponse = z.object({ mode: notifyMode });
