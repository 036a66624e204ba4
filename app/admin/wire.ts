// What the administrators' pages and API receive from the server. The response
// schemas document the answers (docs/openapi.json) and are checked against them
// with API_RESPONSE_CHECK on (ADR 024); the types are inferred from them, so the
// server, which declares its results with these types, and the browser, which
// imports the types only, cannot drift.
import { z } from "zod";
import { DESTRUCTION_REASONS, type DestructionReason } from "./destruction-reasons";
import { aeadField, dayString, envelopeField, instantString, keyHolder, RETENTION_BASIS_CODES, sealedFile } from "../shared/wire";

/** Calendar days (YYYY-MM-DD, inclusive) in TIME_ZONE; either end may be open. */
const statisticsRange = z.object({ from: dayString.optional(), to: dayString.optional() });
export type StatisticsRange = z.infer<typeof statisticsRange>;

/** count, median, average (1 decimal) and maximum of a number of calendar days; null when nothing was counted. */
const dayStats = z
  .object({ count: z.number().int(), median: z.number().nullable(), average: z.number().nullable(), max: z.number().nullable() })
  .describe("count, median, average (1 decimal) and maximum of a number of calendar days; null when nothing was counted");
export type DayStats = z.infer<typeof dayStats>;

const caseStatus = z.enum(["received", "acknowledged", "in_review", "investigating", "closed"]);
export type CaseStatus = z.infer<typeof caseStatus>;
const privacyKind = z.enum(["access", "correction", "deletion", "suspension"]);
export type PrivacyKind = z.infer<typeof privacyKind>;
export { DESTRUCTION_REASONS, type DestructionReason };

const privacyRow = z.object({
  open: z.number().int(),
  answered: z.number().int(),
  answeredLate: z.number().int().describe("answered after the due date"),
  openOverdue: z.number().int().describe("still open and past the due date today"),
  response: dayStats.describe("days from requested_on to answered_on"),
});
export type PrivacyRow = z.infer<typeof privacyRow>;

const count = z.number().int();

/** The steps of the status funnel: every case is received; the others count the cases that reached the step. */
export const FUNNEL_STEPS = ["received", "acknowledged", "examined", "closed"] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

/** How the cases stand against one deadline; the parts add up to the cases counted. */
const deadlineSplit = z.object({
  onTime: count.describe("done on or before the deadline"),
  late: count.describe("done after the deadline"),
  overdue: count.describe("not done, still open and the deadline before today"),
  pending: count.describe("not done, still open and the deadline today or later"),
});
export type DeadlineSplit = z.infer<typeof deadlineSplit>;

/** GET /api/admin/statistics: workflow metadata only (counts and days; no case, title or person). */
export const caseStatisticsResponse = z.object({
  today: dayString.describe("today in TIME_ZONE: what overdue is measured against"),
  timeZone: z.string().describe("the portal's TIME_ZONE (IANA name)"),
  range: statisticsRange.nullable().describe("the days asked for (by received_on, requested_on, provided_on, destruction day); null: all"),
  rules: z
    .object({ ackDays: count, feedbackMonths: count })
    .describe("the deadlines measured against: ACK_DEADLINE_DAYS after receipt, FEEDBACK_DEADLINE_MONTHS after acknowledgement"),
  cases: z.object({
    total: count,
    open: count,
    byMonth: z
      .array(z.object({ month: z.string().describe("YYYY-MM"), count }))
      .describe("cases received per month, every month from the period's start (or the first case) to its end (or the last case)"),
    funnel: z
      .array(z.object({ step: z.enum(FUNNEL_STEPS), count }))
      .describe("cases that reached each step: received, acknowledged, in review or investigation, closed (a case may be closed without every step)"),
    deadlines: z
      .object({
        acknowledge: deadlineSplit.extend({ closedWithout: count.describe("closed without an acknowledgement") }),
        close: deadlineSplit.describe("closing against the feedback deadline (the acknowledgement deadline while there is none)"),
      })
      .describe("each case once per deadline"),
    byStatus: z.array(z.object({ status: caseStatus, count })),
    byCategory: z.array(z.object({ slug: z.string(), nameKo: z.string(), nameEn: z.string(), count })),
    acknowledge: dayStats.describe("days from received_on to acknowledged_on"),
    close: dayStats.describe("days from received_on to closed_on"),
    overdue: z
      .object({ total: count, acknowledgement: count, feedback: count })
      .describe("open cases whose next deadline is before today: in all, and split by the deadline missed"),
  }),
  privacyRequests: z.object({ byKind: z.array(privacyRow.extend({ kind: privacyKind })), total: privacyRow }),
  provisions: z
    .array(z.object({ affiliate: z.string(), nameKo: z.string(), nameEn: z.string(), versions: count, shares: count }))
    .describe("provision records per affiliate: versions provided and distinct shares"),
  destructions: z
    .array(
      z.object({
        month: z.string().describe("YYYY-MM in TIME_ZONE"),
        total: count,
        other: count.describe("destructions for a reason not listed here"),
        ...(Object.fromEntries(DESTRUCTION_REASONS.map((r) => [r, count])) as Record<DestructionReason, typeof count>),
      }),
    )
    .describe("case.destroyed audit entries per month and reason"),
});
export type CaseStatistics = z.infer<typeof caseStatisticsResponse>;

const legalBasis = z.enum(RETENTION_BASIS_CODES).describe("the statute the records are kept under");
const archiveCommon = {
  id: z.string().describe("archive id"),
  caseNumber: z.string(),
  legalBasis,
  archivedOn: dayString,
  retainUntil: dayString.describe("the day after which the archive is destroyed"),
};
/** GET /api/admin/archives. */
export const archiveListResponse = z.array(
  z.object({
    ...archiveCommon,
    hasKey: z.boolean().describe("whether the caller holds the archive's key"),
    awaiting: z.array(keyHolder).describe("active administrators without the key yet: one who holds it can seal it to them"),
  }),
);
/** GET /api/admin/archives/:archiveId. */
export const archiveViewResponse = z.object({
  ...archiveCommon,
  envelope: envelopeField("0x03", "the archive key"),
  package: aeadField("archive-package"),
  files: z.array(sealedFile("archive-file-key")),
});

const auditEntry = z.object({
  seq: z.number().int().describe("position in the hash chain"),
  at: instantString,
  actorType: z.enum(["staff", "system"]),
  actorId: z.string().nullable().describe("staff user id"),
  action: z.string().describe("what happened, e.g. case.status_changed"),
  caseNumber: z.string().nullable(),
  details: z.record(z.union([z.string(), z.number(), z.boolean(), z.null()])).describe("ids, codes and counts; never content"),
  hash: z.string().describe("the first 16 hex digits of the entry's chain hash"),
});
/** GET /api/admin/audit: a page of entries, or with ?verify=1 the chain's verification. */
export const auditResponse = z.union([
  z.array(auditEntry).describe("up to 100 entries, newest first"),
  z.object({
    ok: z.literal(true),
    entries: z.number().int().describe("entries verified"),
    keyedFrom: z.number().int().nullable().describe("sequence number of the first keyed entry (ADR 028); null for an empty log"),
    head: z.string().nullable().describe("hash of the last entry, lowercase hex (the head a checkpoint records); null for an empty log"),
  }),
  z.object({
    ok: z.literal(false),
    entries: z.number().int(),
    brokenAt: z.number().int().describe("sequence number of the first entry that does not verify"),
    reason: z.string(),
  }),
]);
