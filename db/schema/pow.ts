// Proof-of-work state (ADR 032): each spent challenge, so a solution works once,
// and so the recent rate of anonymous actions (per client and in all) sets the
// next difficulty. Kept in the database so that a restart does not reset it and
// several instances on one PostgreSQL share one count.
import { boolean, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { bytea } from "./types";

/**
 * A challenge that was solved and spent on an action. Rows live as long as the
 * longer of the challenge lifetime and the rate window, then the sweep deletes
 * them. `clientKey` is the daily-rotating keyed pseudonym (ADR 027), never an
 * address; `spentAt` is cut to the minute.
 */
export const powSpent = pgTable(
  "pow_spent",
  {
    /** SHA-256 of the challenge's signature: one row per challenge. */
    challengeHash: bytea("challenge_hash").primaryKey(),
    clientKey: text("client_key").notNull(),
    /** report, upload, followup-session, followup-post, staff-sign-in */
    action: text("action").notNull(),
    spentAt: timestamp("spent_at", { withTimezone: true }).notNull(),
    /** A receipt-code look-up that found nothing (counted for the per-client limit and the storm level). */
    failed: boolean("failed").notNull().default(false),
  },
  (t) => [index("pow_spent_spent_at_idx").on(t.spentAt), index("pow_spent_client_idx").on(t.clientKey, t.spentAt)],
);
