// Attachment uploads in progress. A row lives from the first request until the
// report that claims it is stored (then it becomes an `attachments` row) or
// until cleanup removes it and its blob. Exact timestamps are fine here: the
// row is short-lived and deleted when the report is stored.
//
// No foreign key to `reports`: the report does not exist until the submission
// claims the upload.
import { bigint, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./types";

export const uploadState = pgEnum("upload_state", ["open", "complete"]);

export const uploads = pgTable("uploads", {
  id: uuid("id").primaryKey(),
  reportId: uuid("report_id").notNull(),
  tokenHash: bytea("token_hash").notNull(),
  state: uploadState("state").notNull().default("open"),
  expectedBytes: bigint("expected_bytes", { mode: "number" }).notNull(),
  receivedBytes: bigint("received_bytes", { mode: "number" }).notNull().default(0),
  nextPart: integer("next_part").notNull().default(0),
  blobKey: text("blob_key").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
