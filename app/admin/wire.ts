// What the administrators' pages receive from the server, as types both sides
// import (browser-safe: no server imports). The server declares its results
// with these, so a change on either side fails the type check.

/** Calendar days (YYYY-MM-DD, inclusive) in TIME_ZONE; either end may be open. */
export interface StatisticsRange {
  from?: string;
  to?: string;
}

/** count, median, average (1 decimal) and maximum of a number of calendar days; null when nothing was counted. */
export interface DayStats {
  count: number;
  median: number | null;
  average: number | null;
  max: number | null;
}

export type CaseStatus = "received" | "acknowledged" | "in_review" | "investigating" | "closed";
export type PrivacyKind = "access" | "correction" | "deletion" | "suspension";
/** Reasons the destruction job records; anything else is counted as "other" and never echoed. */
export const DESTRUCTION_REASONS = ["retention", "unacknowledged", "deletion_request", "archived"] as const;
export type DestructionReason = (typeof DESTRUCTION_REASONS)[number];

export interface PrivacyRow {
  open: number;
  answered: number;
  /** Answered after the due date. */
  answeredLate: number;
  /** Still open and past the due date today. */
  openOverdue: number;
  /** requested_on → answered_on */
  response: DayStats;
}

export interface CaseStatistics {
  /** Today in TIME_ZONE: what "overdue" is measured against. */
  today: string;
  timeZone: string;
  range: StatisticsRange | null;
  cases: {
    total: number;
    open: number;
    byStatus: { status: CaseStatus; count: number }[];
    byCategory: { slug: string; nameKo: string; nameEn: string; count: number }[];
    /** received_on → acknowledged_on */
    acknowledge: DayStats;
    /** received_on → closed_on */
    close: DayStats;
    /** Open cases whose next deadline is before today: in all, and split by the deadline missed. */
    overdue: { total: number; acknowledgement: number; feedback: number };
  };
  privacyRequests: { byKind: ({ kind: PrivacyKind } & PrivacyRow)[]; total: PrivacyRow };
  /** Provision records per affiliate: versions provided and distinct shares. */
  provisions: { affiliate: string; nameKo: string; nameEn: string; versions: number; shares: number }[];
  /** case.destroyed audit entries per month (YYYY-MM of `at` in TIME_ZONE) and reason. */
  destructions: ({ month: string; total: number; other: number } & Record<DestructionReason, number>)[];
}
