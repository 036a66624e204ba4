// Reasons the destruction job records (the statistics' columns); anything else is counted as "other" and never
// echoed. A module of its own so that the statistics page imports this list without the wire schemas (zod).
export const DESTRUCTION_REASONS = ["retention", "unacknowledged", "deletion_request", "archived"] as const;
export type DestructionReason = (typeof DESTRUCTION_REASONS)[number];
