// Notifications. Staff notifications are an outbox and the in-portal list at
// once: content-free events per staff member, e-mailed singly or in a daily
// digest. Reporter notifications keep no address: the investigator's browser
// hands it over for one send; the row only makes a retry deliver once.
import { sql } from "drizzle-orm";
import { date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { reports } from "./reports";
import { shares } from "./sharing";
import { staffUsers } from "./staff";

export const staffEvent = pgEnum("staff_event", [
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
]);

export const staffNotifications = pgTable(
  "staff_notifications",
  {
    id: uuid("id").primaryKey(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    event: staffEvent("event").notNull(),
    /** The case it concerns, if any (never shown in an e-mail); gone with the case. */
    reportId: uuid("report_id").references(() => reports.id, { onDelete: "cascade" }),
    shareId: uuid("share_id").references(() => shares.id, { onDelete: "cascade" }),
    /** The flood of reports it is about (`report_flood`, `report_flood_ended`; report_floods.flood_id). */
    floodId: uuid("flood_id"),
    /** Makes an event at most once per staff member (e.g. one reminder per deadline), across restarts. */
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    emailedAt: timestamp("emailed_at", { withTimezone: true }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    readAt: timestamp("read_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("staff_notifications_dedupe_idx").on(t.staffUserId, t.dedupeKey),
    index("staff_notifications_outbox_idx")
      .on(t.emailedAt, t.createdAt)
      .where(sql`${t.emailedAt} is null`),
    index("staff_notifications_staff_idx").on(t.staffUserId, t.createdAt),
  ],
);

export const notifyMode = pgEnum("notify_mode", ["immediate", "digest"]);

export const staffNotificationPrefs = pgTable("staff_notification_prefs", {
  staffUserId: uuid("staff_user_id")
    .primaryKey()
    .references(() => staffUsers.id),
  mode: notifyMode("mode").notNull().default("immediate"),
  /** The day the last digest went out (TIME_ZONE), so a restart does not send it twice. */
  digestSentOn: date("digest_sent_on"),
});

export const reporterEvent = pgEnum("reporter_event", ["acknowledged", "message", "question", "privacy_answer", "closed"]);
export const reporterNotificationState = pgEnum("reporter_notification_state", ["sent", "failed"]);

/** One update e-mail to a reporter, by the id the investigator's browser chose: no address is stored. */
export const reporterNotifications = pgTable(
  "reporter_notifications",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    event: reporterEvent("event").notNull(),
    state: reporterNotificationState("state").notNull(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("reporter_notifications_report_idx").on(t.reportId)],
);
