// The reporter's side of a case after intake: follow-up sessions opened with
// the receipt, the encrypted dialogue and privacy requests.
import { sql } from "drizzle-orm";
import { check, date, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { reports } from "./reports";
import { staffUsers } from "./staff";
import { bytea } from "./types";

/**
 * A follow-up session: a bearer token (kept only as a hash) bound to one
 * report. Rows are short-lived (15 minutes idle) and deleted at log-out.
 */
export const reporterSessions = pgTable(
  "reporter_sessions",
  {
    tokenHash: bytea("token_hash").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("reporter_sessions_report_idx").on(t.reportId)],
);

export const messageAuthor = pgEnum("message_author", ["reporter", "investigator"]);

/** Dialogue between reporter and investigators, encrypted under the report key. */
export const messages = pgTable(
  "messages",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    /** Position in the case's dialogue: order without times of day. */
    seq: integer("seq").notNull(),
    author: messageAuthor("author").notNull(),
    staffUserId: uuid("staff_user_id").references(() => staffUsers.id),
    bodyCt: bytea("body_ct").notNull(),
    sentOn: date("sent_on").notNull(),
    readByReporter: date("read_by_reporter_on"),
  },
  (t) => [
    uniqueIndex("messages_report_seq_idx").on(t.reportId, t.seq),
    check("messages_staff_author", sql`(${t.author} = 'investigator') = (${t.staffUserId} is not null)`),
  ],
);

export const privacyRequestKind = pgEnum("privacy_request_kind", ["access", "correction", "deletion", "suspension"]);
export const privacyRequestState = pgEnum("privacy_request_state", ["open", "answered"]);
/** How a deletion request was decided; a refusal carries its reason, which the reporter is shown. */
export const privacyOutcome = pgEnum("privacy_outcome", ["granted", "refused"]);
export const privacyRefusal = pgEnum("privacy_refusal", ["legal_hold", "legal_retention"]);

/** Data-subject requests made with the receipt; a staff answer is due in 10 days. */
export const privacyRequests = pgTable(
  "privacy_requests",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    kind: privacyRequestKind("kind").notNull(),
    state: privacyRequestState("state").notNull().default("open"),
    /** The reporter's own words (a correction addendum, reasons), under the report key. */
    detailCt: bytea("detail_ct"),
    requestedOn: date("requested_on").notNull(),
    dueOn: date("due_on").notNull(),
    answerCt: bytea("answer_ct"),
    answeredOn: date("answered_on"),
    answeredBy: uuid("answered_by").references(() => staffUsers.id),
    outcome: privacyOutcome("outcome"),
    refusalReason: privacyRefusal("refusal_reason"),
    /** For a refusal under legal retention: which statute (retention_basis code). */
    refusalBasis: text("refusal_basis"),
  },
  (t) => [index("privacy_requests_report_idx").on(t.reportId), index("privacy_requests_due_idx").on(t.state, t.dueOn)],
);
