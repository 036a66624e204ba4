// Shares of a case with an affiliate and the record of every provision.
// The package, the key wraps and the feedback are ciphertext; what stays in
// plaintext is what the provision record must show (affiliate, items, purpose
// code, legal basis, dates) and who holds a key.
import { sql } from "drizzle-orm";
import { check, date, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { affiliates } from "./org";
import { attachments, reports } from "./reports";
import { staffUsers } from "./staff";
import { bytea } from "./types";

export const shareState = pgEnum("share_state", ["active", "revoked", "expired"]);
export const sharePurpose = pgEnum("share_purpose", ["fact_finding", "corrective_action", "legal_review", "related_matter"]);
export const legalBasis = pgEnum("legal_basis", ["consent", "policy"]);

export const shares = pgTable(
  "shares",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    affiliateId: uuid("affiliate_id")
      .notNull()
      .references(() => affiliates.id),
    /** Bumped by every update; the package's associated data binds it. */
    version: integer("version").notNull(),
    state: shareState("state").notNull().default("active"),
    purpose: sharePurpose("purpose").notNull(),
    items: text("items").array().notNull(),
    legalBasis: legalBasis("legal_basis").notNull(),
    /** An earlier end than the default (RETENTION_YEARS after the case closes), if the investigator set one. */
    retainUntil: date("retain_until"),
    createdOn: date("created_on").notNull(),
    createdBy: uuid("created_by")
      .notNull()
      .references(() => staffUsers.id),
    updatedOn: date("updated_on").notNull(),
    /** The day it was revoked, or destroyed at the end of its retention (state expired). */
    revokedOn: date("revoked_on"),
    /** Destroyed (null) at revocation or expiry. */
    packageCt: bytea("package_ct"),
    /** The share key under the case-internal key, for investigators; destroyed at revocation. */
    shareKeyCt: bytea("share_key_ct"),
    /** The feedback key under the case-internal key: investigators keep reading feedback after revocation. */
    feedbackKeyCt: bytea("feedback_key_ct").notNull(),
  },
  (t) => [
    index("shares_report_idx").on(t.reportId),
    index("shares_affiliate_idx").on(t.affiliateId, t.state),
    check("shares_revoked_destroyed", sql`(${t.state} = 'active') = (${t.packageCt} is not null and ${t.shareKeyCt} is not null)`),
  ],
);

/** One sealed copy of the share key per reviewer of the affiliate (envelope-v1, kind 0x02). */
export const shareEnvelopes = pgTable(
  "share_envelopes",
  {
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    envelope: bytea("envelope").notNull(),
    grantedOn: date("granted_on").notNull(),
  },
  (t) => [primaryKey({ columns: [t.shareId, t.staffUserId] }), index("share_envelopes_staff_idx").on(t.staffUserId)],
);

/** The selected attachments: the server serves only these to the affiliate, with their file keys under the share key. */
export const shareAttachments = pgTable(
  "share_attachments",
  {
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    attachmentId: uuid("attachment_id")
      .notNull()
      .references(() => attachments.id, { onDelete: "cascade" }),
    fileKeyCt: bytea("file_key_ct").notNull(),
  },
  (t) => [primaryKey({ columns: [t.shareId, t.attachmentId] })],
);

export const feedbackAuthor = pgEnum("feedback_author", ["affiliate", "investigator"]);

/** Feedback between reviewers and investigators on a share, under the share's feedback key. */
export const shareFeedback = pgTable(
  "share_feedback",
  {
    id: uuid("id").primaryKey(),
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    author: feedbackAuthor("author").notNull(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    bodyCt: bytea("body_ct").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("share_feedback_share_idx").on(t.shareId, t.createdAt)],
);

export const provisionEnd = pgEnum("provision_end", ["superseded", "revoked", "expired"]);

/**
 * The record of provision to a third party (the policy's "provision of
 * personal information"): one row per version provided, never deleted while
 * the case lives; only its end is filled in.
 */
export const shareProvisions = pgTable(
  "share_provisions",
  {
    id: uuid("id").primaryKey(),
    shareId: uuid("share_id")
      .notNull()
      .references(() => shares.id, { onDelete: "cascade" }),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    affiliateId: uuid("affiliate_id")
      .notNull()
      .references(() => affiliates.id),
    version: integer("version").notNull(),
    items: text("items").array().notNull(),
    purpose: sharePurpose("purpose").notNull(),
    legalBasis: legalBasis("legal_basis").notNull(),
    retainUntil: date("retain_until"),
    providedOn: date("provided_on").notNull(),
    providedBy: uuid("provided_by")
      .notNull()
      .references(() => staffUsers.id),
    endedOn: date("ended_on"),
    endReason: provisionEnd("end_reason"),
  },
  (t) => [index("share_provisions_report_idx").on(t.reportId, t.providedOn)],
);
