// Attachment uploads in progress. A row lives from the first request until the
// report that claims it is stored (then it becomes an `attachments` row) or
// until cleanup removes it and its blob. Exact timestamps are fine here: the
// row is short-lived and deleted when the report is stored.
//
// No foreign key to `reports`: the report does not exist until the submission
// claims the upload.
//
// Upload space (ADR 031) is counted from these rows, so it holds across
// restarts and servers: `received_bytes` + `reserved_bytes` of every row, open
// or complete, until the row is claimed or cleaned. `client_key` names who
// opened it: the keyed, daily client pseudonym (ADR 027), or `staff:<id>`.
import { bigint, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./types";

export const uploadState = pgEnum("upload_state", ["open", "complete"]);

export const uploads = pgTable(
  "uploads",
  {
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
    /** Who opened it, for the per-client caps; null for rows from before ADR 031 (counted in the ceiling only). */
    clientKey: text("client_key"),
    /** The part being written now: counted before its bytes arrive, so concurrent parts cannot overshoot a cap. */
    reservedBytes: bigint("reserved_bytes", { mode: "number" }).notNull().default(0),
  },
  (t) => [index("uploads_client_key_idx").on(t.clientKey)],
);
