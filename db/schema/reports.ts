// Reports. Everything a person wrote is ciphertext (bytea); the plaintext
// columns are workflow metadata, kept coarse: dates, not times of day.
import { sql } from "drizzle-orm";
import { bigint, boolean, check, date, index, pgEnum, pgTable, primaryKey, smallint, text, uuid } from "drizzle-orm/pg-core";
import { categories } from "./org";
import { staffUsers } from "./staff";
import { bytea } from "./types";

export const reportStatus = pgEnum("report_status", [
  "received",
  "acknowledged",
  "in_review",
  "investigating",
  "closed",
]);

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
    formatVersion: smallint("format_version").notNull().default(1),
    receiptLookupHash: bytea("receipt_lookup_hash").notNull().unique(),
    reporterKeyWrapped: bytea("reporter_key_wrapped").notNull(),
    titleCt: bytea("title_ct").notNull(),
    bodyCt: bytea("body_ct").notNull(),
    identityCt: bytea("identity_ct"),
    consentReport: boolean("consent_report").notNull(),
    consentOptional: boolean("consent_optional").notNull(),
    consentAffiliateIdentity: boolean("consent_affiliate_identity").notNull(),
  },
  (t) => [
    index("reports_status_ack_due_idx").on(t.status, t.ackDueOn),
    index("reports_received_idx").on(t.receivedOn),
    check("reports_consent_required", sql`${t.consentReport}`),
  ],
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
  (t) => [primaryKey({ columns: [t.reportId, t.staffUserId] }), index("envelopes_staff_idx").on(t.staffUserId)],
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
