// Why a masked passage is shown or unmasked (ADR 053): codes only, as free text would stay in the audit log for
// good. Its own module so that the case page can list them without loading the wire schemas (zod).
// db/schema/masks.ts holds the same list as a database enum (test/unit/masks.test.ts compares them).
export const MASK_REASON_CODES = ["investigation_need", "reporter_request", "masked_in_error", "legal_obligation"] as const;
export type MaskReasonCode = (typeof MASK_REASON_CODES)[number];
