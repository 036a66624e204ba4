// Retention: legal holds that stop destruction, and the separate archive for
// records a law requires to keep longer (readable by administrators only,
// destroyed at its own date). Nothing here is personal data in plaintext.
//
// `archives` has no foreign key to the case: the case is destroyed in the
// transaction that archives it; the archive keeps the case number only.
import { sql } from "drizzle-orm";
import { bigint, check, date, index, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { reports } from "./reports";
import { staffUsers } from "./staff";
import { bytea } from "./types";

export const holdReason = pgEnum("hold_reason", ["litigation", "regulatory_inquiry", "law_enforcement", "internal_investigation"]);

/** A legal hold on a case: while one is active (not lifted) the case is never destroyed. Rows are kept as the hold history. */
export const legalHolds = pgTable(
  "legal_holds",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    reason: holdReason("reason").notNull(),
    placedOn: date("placed_on").notNull(),
    placedBy: uuid("placed_by")
      .notNull()
      .references(() => staffUsers.id),
    liftedOn: date("lifted_on"),
    liftedBy: uuid("lifted_by").references(() => staffUsers.id),
  },
  (t) => [index("legal_holds_report_idx").on(t.reportId), check("legal_holds_lift", sql`(${t.liftedOn} is null) = (${t.liftedBy} is null)`)],
);

/** Statutory retention bases from the privacy policy, each with its period. */
export const legalBasisCode = pgEnum("retention_basis", [
  "ecommerce_transactions",
  "ecommerce_complaints",
  "ecommerce_advertising",
  "national_tax",
  "electronic_financial",
  "communications_secrets",
  "credit_information",
  "value_added_tax",
]);

/**
 * A closed case's records moved out of the workspace: one package under an
 * archive key sealed to the administrators (envelope-v1 kind 0x03). No foreign
 * key to the report: the case itself is destroyed when it is archived.
 */
export const archives = pgTable(
  "archives",
  {
    id: uuid("id").primaryKey(),
    caseNumber: text("case_number").notNull().unique(),
    legalBasis: legalBasisCode("legal_basis").notNull(),
    archivedOn: date("archived_on").notNull(),
    archivedBy: uuid("archived_by")
      .notNull()
      .references(() => staffUsers.id),
    retainUntil: date("retain_until").notNull(),
    packageCt: bytea("package_ct").notNull(),
  },
  (t) => [index("archives_retain_idx").on(t.retainUntil)],
);

export const archiveEnvelopes = pgTable(
  "archive_envelopes",
  {
    archiveId: uuid("archive_id")
      .notNull()
      .references(() => archives.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    envelope: bytea("envelope").notNull(),
    grantedOn: date("granted_on").notNull(),
  },
  (t) => [primaryKey({ columns: [t.archiveId, t.staffUserId] })],
);

/** The archived files: the same stream-v1 blobs, their keys re-wrapped under the archive key. */
export const archiveFiles = pgTable(
  "archive_files",
  {
    archiveId: uuid("archive_id")
      .notNull()
      .references(() => archives.id, { onDelete: "cascade" }),
    fileId: uuid("file_id").notNull(),
    blobKey: text("blob_key").notNull().unique(),
    ciphertextBytes: bigint("ciphertext_bytes", { mode: "number" }).notNull(),
    fileKeyCt: bytea("file_key_ct").notNull(),
  },
  (t) => [primaryKey({ columns: [t.archiveId, t.fileId] })],
);
