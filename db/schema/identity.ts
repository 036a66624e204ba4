// The reporter's identity behind a recorded reason (ADR 052). An investigator
// asks for it with a reason code from the configured list and a free text
// under the case key; the server releases the identity record and its key wrap
// to that investigator only when the access is `released` (at once, or after a
// second investigator approved it when the setting asks for that). Exact times
// here are of staff actions; the reporter is shown the day only.
import { sql } from "drizzle-orm";
import { boolean, check, date, index, jsonb, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { reports } from "./reports";
import { staffUsers } from "./staff";
import { bytea } from "./types";

export const identityAccessState = pgEnum("identity_access_state", ["pending", "released", "refused"]);

export const identityAccesses = pgTable(
  "identity_accesses",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    reasonCode: text("reason_code").notNull(),
    /** The reason's label as it read when asked, so later edits of the list do not rewrite history. */
    reasonLabelKo: text("reason_label_ko").notNull(),
    reasonLabelEn: text("reason_label_en").notNull(),
    /** Free text under the case key (aead `identity-reason`, subId = this id). */
    reasonCt: bytea("reason_ct").notNull(),
    state: identityAccessState("state").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true }).notNull(),
    decidedBy: uuid("decided_by").references(() => staffUsers.id),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    /** The day the identity was released to the requester: what the reporter is shown. */
    releasedOn: date("released_on"),
  },
  (t) => [
    index("identity_accesses_report_idx").on(t.reportId, t.requestedAt),
    // At most one open (pending or released) access per investigator and case, also for requests that race
    // (migration 0016): a lock on the caller's rows cannot serialise two first requests, there is no row yet.
    uniqueIndex("identity_accesses_open_idx")
      .on(t.reportId, t.staffUserId)
      .where(sql`${t.state} in ('pending', 'released')`),
    check("identity_accesses_decider", sql`${t.decidedBy} is null or ${t.decidedBy} <> ${t.staffUserId}`),
  ],
);

export interface IdentityReason {
  code: string;
  ko: string;
  en: string;
  /** Offered to investigators; a retired reason stays here so older accesses keep their words. */
  active: boolean;
}

/** One row (id 1) once an administrator saved the settings; the defaults in code until then. */
export const identityAccessSettings = pgTable("identity_access_settings", {
  id: smallint("id").primaryKey(),
  requireApproval: boolean("require_approval").notNull(),
  reasons: jsonb("reasons").$type<IdentityReason[]>().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});
