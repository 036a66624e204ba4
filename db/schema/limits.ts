// Submission counters (ADR 034): how many reports a client, or posts a
// reporter session, made in the current fixed window, and how many reports
// everyone made (the flood check). In the database so that a limit holds
// across restarts and does not multiply with instances. The subject names a
// client only by its keyed daily pseudonym (ADR 027), never its address;
// rows are deleted by the sweep soon after their window ends, so no lasting
// record of when anyone submitted is kept.
import { index, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

export const submissionCounters = pgTable(
  "submission_counters",
  {
    /** `client:{pseudonym}`, `session:{token hash prefix}` or `all`. */
    subject: text("subject").notNull(),
    /** The end of the fixed window counted. */
    windowEnd: timestamp("window_end", { withTimezone: true }).notNull(),
    count: integer("count").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subject, t.windowEnd] }), index("submission_counters_end_idx").on(t.windowEnd)],
);
