// Masks on a case's texts (ADR 053). What a mask covers (which record, which
// passage) and why are inside the ciphertext under the case key; the row holds
// only who masked and when, and, once lifted, who lifted it, when and the
// reason code. A lifted mask's row stays as the case's record of it; rows go
// with the case (cascade) when it is destroyed.
import { index, pgEnum, pgTable, timestamp, uuid } from "drizzle-orm/pg-core";
import { reports } from "./reports";
import { staffUsers } from "./staff";
import { bytea } from "./types";

/** Why a masked passage was shown or unmasked: codes only, as free text would stay in the audit log for good. */
export const MASK_REASONS = ["investigation_need", "reporter_request", "masked_in_error", "legal_obligation"] as const;
export const maskReason = pgEnum("mask_reason", MASK_REASONS);

export const caseMasks = pgTable(
  "case_masks",
  {
    id: uuid("id").primaryKey(),
    reportId: uuid("report_id")
      .notNull()
      .references(() => reports.id, { onDelete: "cascade" }),
    staffUserId: uuid("staff_user_id")
      .notNull()
      .references(() => staffUsers.id),
    /** aead-v1 `mask` record under the case key (docs/CRYPTO.md §3.3). */
    bodyCt: bytea("body_ct").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    liftedAt: timestamp("lifted_at", { withTimezone: true }),
    liftedBy: uuid("lifted_by").references(() => staffUsers.id),
    liftReason: maskReason("lift_reason"),
  },
  (t) => [index("case_masks_report_idx").on(t.reportId, t.createdAt)],
);
