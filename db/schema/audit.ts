// The audit log: append-only and hash-chained. Each entry's hash covers the
// previous entry's hash and its own fields, so changing, deleting or
// reordering any entry breaks the chain from there on (`audit:verify`).
// Entries name who did what to which case and when; never report content or
// the reporter's identity. There is no foreign key to reports: entries, and
// the tombstones of destroyed cases, outlive the case.
import { bigint, index, jsonb, pgEnum, pgTable, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./types";

// No "reporter" actor: entries carry exact times, and nothing a reporter does
// may be recorded with a time of day (ADR 007).
export const auditActor = pgEnum("audit_actor", ["staff", "system"]);

export const auditLog = pgTable(
  "audit_log",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    actorType: auditActor("actor_type").notNull(),
    actorId: uuid("actor_id"),
    action: text("action").notNull(),
    reportId: uuid("report_id"),
    caseNumber: text("case_number"),
    details: jsonb("details").$type<Record<string, string | number | boolean | null>>().notNull(),
    prevHash: bytea("prev_hash").notNull(),
    hash: bytea("hash").notNull(),
  },
  (t) => [index("audit_report_idx").on(t.reportId, t.seq), index("audit_actor_idx").on(t.actorId, t.seq)],
);

/** One row: the chain's head, locked by each append so entries form a single sequence. */
export const auditHead = pgTable("audit_head", {
  id: smallint("id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull(),
  hash: bytea("hash").notNull(),
});
