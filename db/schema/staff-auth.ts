// Staff sign-in: second factor, server-side sessions, invitations (and the
// one-time first-run setup link, which is an invitation of kind "setup").
import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
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

/** Failed sign-ins and locks, visible to administrators. */
export const staffLoginState = pgTable("staff_login_state", {
  staffUserId: uuid("staff_user_id")
    .primaryKey()
    .references(() => staffUsers.id, { onDelete: "cascade" }),
  failedAttempts: integer("failed_attempts").notNull().default(0),
  lastFailedAt: timestamp("last_failed_at", { withTimezone: true }),
  lockedAt: timestamp("locked_at", { withTimezone: true }),
  lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
});

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
