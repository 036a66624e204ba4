// Wire types that several staff audiences (investigators, administrators,
// affiliate reviewers) receive from the server: browser-safe, no server
// imports, so both sides may import them. What one audience alone uses lives
// in that audience's wire.ts (app/staff/wire.ts, app/admin/wire.ts).

export type StaffRole = "admin" | "investigator" | "affiliate";

/** Feedback on a share, from either side; the body is ciphertext under the share's feedback key. */
export interface ShareFeedback {
  id: string;
  author: "affiliate" | "investigator";
  staffUserId: string;
  body: string;
  createdAt: string;
}

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
  "signin_failures",
] as const;
export type StaffEvent = (typeof STAFF_EVENTS)[number];
export type NotifyMode = "immediate" | "digest";

export type EmailState = "off" | "sent" | "pending" | "retrying" | "failed";

export interface StaffNotificationItem {
  id: string;
  event: StaffEvent;
  /** The calendar day (TIME_ZONE): no time of day is shown, as none is kept for reporters' events. */
  day: string;
  read: boolean;
  email: EmailState;
  attempts: number;
  /** Where to look: a case the investigator still holds, or a share the reviewer holds a key for. */
  link: { kind: "case"; caseNumber: string } | { kind: "share"; shareId: string; caseNumber: string } | null;
}

export interface StaffNotificationsView {
  smtp: boolean;
  mode: NotifyMode;
  digestHour: number;
  unread: number;
  items: StaffNotificationItem[];
}
