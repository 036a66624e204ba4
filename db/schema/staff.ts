// Staff accounts. The server holds only argon2(authKey) and the X25519 secret
// key wrapped in the browser (docs/CRYPTO.md, "staff-kdf-v1").
import { sql } from "drizzle-orm";
import { check, integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { affiliates } from "./org";
import { bytea } from "./types";

export const staffRole = pgEnum("staff_role", ["admin", "investigator", "affiliate"]);
export const staffStatus = pgEnum("staff_status", ["active", "disabled"]);

export const staffUsers = pgTable(
  "staff_users",
  {
    id: uuid("id").primaryKey(),
    email: text("email").notNull().unique(),
    displayName: text("display_name").notNull(),
    role: staffRole("role").notNull(),
    affiliateId: uuid("affiliate_id").references(() => affiliates.id),
    status: staffStatus("status").notNull().default("active"),
    kdfVersion: integer("kdf_version").notNull(),
    kdfSalt: bytea("kdf_salt").notNull(),
    authHash: text("auth_hash").notNull(),
    publicKey: bytea("public_key").notNull(),
    secretKeyWrapped: bytea("secret_key_wrapped").notNull(),
    secretKeyRecoveryWrapped: bytea("secret_key_recovery_wrapped").notNull(),
    /** sha256 of a value derived from the recovery key: proves possession when resetting the password. */
    recoveryVerifier: bytea("recovery_verifier").notNull(),
    /** The Ed25519 key the investigator's exports are signed with (ADR 054), pinned at their first export. */
    exportSigningKey: bytea("export_signing_key"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("staff_affiliate_matches_role", sql`(${t.role} = 'affiliate') = (${t.affiliateId} is not null)`),
    check("staff_email_lower", sql`${t.email} = lower(${t.email})`),
  ],
);
