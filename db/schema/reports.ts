// Reports. Everything a person wrote is ciphertext (bytea); the plaintext
// columns are workflow metadata, kept coarse: dates, not times of day.
//
// `next_due_on` is the deadline that matters now (acknowledgement, then
// feedback, none once closed): the inbox sorts and filters by it.
// `activity_seq` counts what the reporter added (message, file, privacy
// request); a staff member's `case_views.seen_seq` below it means unread.
// `identity_ct` is NULL when no name or contact was given (and then
// `identity_key_wrapped` too); `labels_ct` NULL
// until set. `case_notes.created_at` is an exact time: it records what staff
// did, never what a reporter did (ADR 007).
import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, integer, pgEnum, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { categories } from "./org";
import { staffUsers } from "./staff";
import { bytea } from "./types";

export const reportStatus = pgEnum("report_status", ["received", "acknowledged", "in_review", "investigating", "closed"]);

export const casePriority = pgEnum("case_priority", ["low", "normal", "high", "urgent"]);
export const caseOutcome = pgEnum("case_outcome", ["substantiated", "partly_substantiated", "not_substantiated", "insufficient_information", "referred"]);

export const reports = pgTable(
  "reports",
  {
    id: uuid("id").primaryKey(),
    caseNumber: text("case_number").notNull().unique(),
    categoryId: uuid("category_id")
      .notNull()
      .references(() => categories.id),
    status: reportStatus("status").notNull().default("received"),
    receivedOn: date("received_on").notNull(),
    acknowledgedOn: date("acknowledged_on"),
    closedOn: date("closed_on"),
    updatedOn: date("updated_on").notNull(),
    ackDueOn: date("ack_due_on").notNull(),
    feedbackDueOn: date("feedback_due_on"),
    /** The deadline that matters now (acknowledgement, then feedback; none once closed): the inbox sorts on it. */
    nextDueOn: date("next_due_on"),
    formatVersion: smallint("format_version").notNull().default(1),
    receiptLookupHash: bytea("receipt_lookup_hash").notNull().unique(),
    reporterKeyWrapped: bytea("reporter_key_wrapped").notNull(),
    titleCt: bytea("title_ct").notNull(),
    bodyCt: bytea("body_ct").notNull(),
    identityCt: bytea("identity_ct"),
    /**
     * The identity key wrapped under the report key (aead `identity-key`, ADR 052); then `identity_ct` is an
     * `identity` record under that key. NULL for reports from before ADR 052 (`report-identity` under the report
     * key). The server sends either to an investigator only after a released identity access.
     */
    identityKeyWrapped: bytea("identity_key_wrapped"),
    /** The address for update e-mails (aead `notify-address`), only while the reporter wants them (ADR 052). */
    notifyAddressCt: bytea("notify_address_ct"),
    consentReport: boolean("consent_report").notNull(),
    consentOptional: boolean("consent_optional").notNull(),
    consentAffiliateIdentity: boolean("consent_affiliate_identity").notNull(),
    // Case handling (plaintext workflow metadata, DESIGN.md section 3).
    assigneeId: uuid("assignee_id").references(() => staffUsers.id),
    priority: casePriority("priority").notNull().default("normal"),
    outcome: caseOutcome("outcome"),
    /** Staff labels as a JSON array under the case-internal key (purpose "labels"): free text stays encrypted. */
    labelsCt: bytea("labels_ct"),
    /** Bumped by everything the reporter adds; investigators' "unread" compares against it. */
    activitySeq: integer("activity_seq").notNull().default(1),
    /**
     * The flood this report arrived in (reports came faster than FLOOD_REPORTS per FLOOD_WINDOW_MINUTES, ADR 034),
     * else NULL: the inbox can hide or show only them. It names a batch of `report_floods`, never who sent it.
     */
    floodId: uuid("flood_id"),
    /**
     * The server, not the reporter's browser, encrypted this report: it came through the form without JavaScript
     * (ADR 043), so its content passed through the server's memory. Set only by that path, never from a request body.
     */
    serverSealed: boolean("server_sealed").notNull().default(false),
  },
  (t) => [
    // The inbox walks these in deadline order and stops at a page (app/.server/casework/inbox.ts).
    index("reports_status_due_idx").on(t.status, t.nextDueOn, t.id),
    index("reports_category_due_idx").on(t.categoryId, t.status, t.nextDueOn, t.id),
    index("reports_received_idx").on(t.receivedOn, t.id),
    index("reports_next_due_idx").on(t.nextDueOn, t.id),
    // With the id, and the open cases' ids on their own: the inbox's count of "mine" and of "open"
    // merge-joins them with the investigator's envelopes (envelopes_staff_report_idx), both in id order,
    // instead of probing the envelopes once per case (docs/BENCHMARKS.md, finding 14).
    index("reports_assignee_idx").on(t.assigneeId, t.id),
    index("reports_open_idx")
      .on(t.id)
      .where(sql`${t.status} <> 'closed'`),
    check("reports_consent_required", sql`${t.consentReport}`),
    index("reports_flood_idx")
      .on(t.floodId)
      .where(sql`${t.floodId} is not null`),
  ],
);

/**
 * Floods of reports (ADR 034): one row per window of FLOOD_WINDOW_MINUTES in which reports came faster than
 * FLOOD_REPORTS, with the flood it belongs to (a flood that goes on into the next window keeps its id). Only
 * the window's start is kept, never a time of a single report, and nothing of who sent them; staff see "N
 * reports in M minutes" from it.
 */
export const reportFloods = pgTable(
  "report_floods",
  {
    windowStart: timestamp("window_start", { withTimezone: true }).primaryKey(),
    floodId: uuid("flood_id").notNull(),
    /** Flood reports stored in this window. */
    reports: integer("reports").notNull(),
  },
  (t) => [index("report_floods_flood_idx").on(t.floodId)],
);

/** One sealed copy of the report's keys per investigator the reporter did not exclude. */
export const reportKeyEnvelopes = pgTable(
  "report_key_envelopes",
  {
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    envelope: bytea("envelope").notNull(),
    grantedOn: date("granted_on").notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.staffUserId] }), index("envelopes_staff_report_idx").on(t.staffUserId, t.reportId)],
);

/** Investigators the reporter excluded: they get no envelope and never see the case. */
export const reportExclusions = pgTable(
  "report_exclusions",
  {
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.staffUserId] })],
);

export const attachmentSource = pgEnum("attachment_source", ["reporter", "investigator"]);

export const attachments = pgTable(
  "attachments",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    source: attachmentSource("source").notNull(),
    metaCt: bytea("meta_ct").notNull(),
    fileKeyWrapped: bytea("file_key_wrapped").notNull(),
    blobKey: text("blob_key").notNull().unique(),
    ciphertextBytes: bigint("ciphertext_bytes", { mode: "number" }).notNull(),
    addedOn: date("added_on").notNull(),
  },
  (t) => [index("attachments_report_idx").on(t.reportId)],
);

/** Investigators' internal notes, under the case-internal key: the reporter never sees them. */
export const caseNotes = pgTable(
  "case_notes",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    bodyCt: bytea("body_ct").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("case_notes_report_idx").on(t.reportId, t.createdAt)],
);

/** What each investigator has seen of a case, for unread marking. */
export const caseViews = pgTable(
  "case_views",
  {
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    seenSeq: integer("seen_seq").notNull(),
  },
  (t) => [primaryKey({ columns: [t.reportId, t.staffUserId] })],
);
