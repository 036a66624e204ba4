// Staff sign-in: second factor, server-side sessions, invitations (and the
// one-time first-run setup link, which is an invitation of kind "setup").
import { boolean, index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { affiliates } from "./org";
import { staffRole, staffUsers } from "./staff";
import { bytea } from "./types";

/** TOTP (RFC 6238) state per staff member. The secret must be readable by the server to check codes. */
export const staffTotp = pgTable("staff_totp", {
  staffUserId: uuid("staff_user_id")
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: "cascade" }),
  secret: bytea("secret").notNull(),
  enabledAt: timestamp("enabled_at", { withTimezone: true }),
  /** The last accepted time step: a code is never accepted twice. */
  lastStep: integer("last_step").notNull().default(0),
});

/** One-time recovery codes for the second factor, kept as hashes. */
export const staffRecoveryCodes = pgTable(
  "staff_recovery_codes",
  {
    codeHash: bytea("code_hash").primaryKey(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    usedAt: timestamp("used_at", { withTimezone: true }),
  },
  (t) => [index("recovery_codes_user_idx").on(t.staffUserId)],
);

/** The last successful sign-in, shown to administrators. (Release 0.1.0 also kept a failure count and a lock here; ADR 030 removed both.) */
export const staffLoginState = pgTable("staff_login_state", {
  staffUserId: uuid("staff_user_id")
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: "cascade" }),
  lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
});

/**
 * Sign-in back-off (ADR 030), in the database so that every instance sees the same state and a
 * restart keeps it. `subject` is a keyed hash of the e-mail address (the portal secret's
 * `sign-in-backoff` key), the same for known and unknown addresses, never the address; `client` the
 * request's client pseudonym (ADR 027). Three kinds of row: (subject, client) slows the pair down,
 * ("*", client) the client over all addresses, (subject, "*") only counts failures for one address
 * over every client, for the administrators' notice; it never slows anyone down.
 */
export const staffSignInBackoff = pgTable(
  "staff_sign_in_backoff",
  {
    subject: text("subject").notNull(),
    client: text("client").notNull(),
    failures: integer("failures").notNull().default(0),
    /** Start of the counting window of a (subject, "*") row. */
    firstFailureAt: timestamp("first_failure_at", { withTimezone: true }),
    lastFailureAt: timestamp("last_failure_at", { withTimezone: true }),
    /** When administrators were last told of failures for this subject (its (subject, "*") row). */
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.subject, t.client] }), index("staff_sign_in_backoff_last_idx").on(t.lastFailureAt)],
);

/** Server-side staff sessions; the cookie holds the token, the table its hash. */
export const staffSessions = pgTable(
  "staff_sessions",
  {
    tokenHash: bytea("token_hash").primaryKey(),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull(),
    /** Signed in with password only; the second factor is still to come (or to be set up). */
    pendingSecondFactor: boolean("pending_second_factor").notNull().default(true),
  },
  (t) => [index("staff_sessions_user_idx").on(t.staffUserId)],
);

export const invitationKind = pgEnum("invitation_kind", ["invite", "setup"]);

/** Invitations to activate a staff account in the browser (keys made there). */
export const staffInvitations = pgTable("staff_invitations", {
  tokenHash: bytea("token_hash").primaryKey(),
  kind: invitationKind("kind").notNull(),
  email: text("email"),
  role: staffRole("role"),
  affiliateId: uuid("affiliate_id").references(() => affiliates.id),
  displayName: text("display_name"),
  createdBy: uuid("created_by").references(() => staffUsers.id),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  usedAt: timestamp("used_at", { withTimezone: true }),
});
