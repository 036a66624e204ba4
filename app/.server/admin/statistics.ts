// Statistics for administrators, computed by SQL aggregates over plaintext
// workflow metadata only: statuses, categories, calendar days, privacy request
// kinds and states, provision records and the audit log's destruction entries
// (and its status changes, for the funnel's "in review or investigation" step).
// Nothing here selects a title, a case number, a report id, a staff member or
// any ciphertext column; every result is a count or a number of days per
// status, category, kind, affiliate or month. The charts and the CSV export
// (statistics-csv.ts) show these figures and nothing else.
//
// `?from&to` (inclusive days, both optional) selects cases by `received_on`,
// requests by `requested_on`, provisions by `provided_on` and destructions by
// their day; a malformed or reversed period is 400 `bad_range`. Durations are
// calendar-day differences (count, median by `percentile_cont`, average to one
// decimal, longest); cases without the date are not counted. Destructions per
// month come from `case.destroyed` tombstones by `details->>'reason'`; an
// unknown reason counts as `other` and is never echoed. Everything else is
// counted from rows that exist, so a destroyed case leaves those figures.
import { and, eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn } from "drizzle-orm/pg-core";
import { affiliates, auditLog, categories, privacyRequestKind, privacyRequests, reportStatus, reports, shareProvisions } from "../../../db/schema";
import { DESTRUCTION_REASONS, type CaseStatistics, type DayStats, type DestructionReason, type PrivacyRow, type StatisticsRange } from "../../admin/wire";
import { today as todayOf } from "../platform/dates";
import type { Services } from "../platform/services";

export const DESTROYED_ACTION = "case.destroyed";

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => DAY.test(v) && new Date(`${v}T00:00:00Z`).toISOString().slice(0, 10) === v;

/** `from` and `to` from a query string: undefined when absent, null when malformed or reversed. */
export function parseStatisticsRange(q: URLSearchParams): StatisticsRange | undefined | null {
  const from = q.get("from") || undefined;
  const to = q.get("to") || undefined;
  if (!from && !to) return undefined;
  if ((from && !isDay(from)) || (to && !isDay(to)) || (from && to && from > to)) return null;
  return { ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

const int = (v: unknown): number => Number(v ?? 0);
const days = (v: unknown): number | null => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/** The aggregate expressions for a number of days (NULL rows, e.g. not yet acknowledged, are not counted). */
function dayAggregates(e: SQL) {
  return {
    count: sql<number>`count(${e})::int`,
    median: sql<number | null>`percentile_cont(0.5) within group (order by ${e})::float8`,
    average: sql<number | null>`avg(${e})::float8`,
    max: sql<number | null>`max(${e})::int`,
  };
}
const dayStats = (r: { count: unknown; median: unknown; average: unknown; max: unknown }): DayStats => ({
  count: int(r.count),
  median: days(r.median),
  average: days(r.average),
  max: days(r.max),
});

/** Conditions putting a date column inside the range. */
function within(column: PgColumn | SQL, range: StatisticsRange | undefined): SQL[] {
  const c: SQL[] = [];
  if (range?.from) c.push(sql`${column} >= ${range.from}`);
  if (range?.to) c.push(sql`${column} <= ${range.to}`);
  return c;
}

/** Months to show at most; a longer period is narrowed to the months that have cases. */
export const MAX_MONTHS = 120;

const monthIndex = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
const monthOf = (i: number) => `${String(Math.floor(i / 12)).padStart(4, "0")}-${String((i % 12) + 1).padStart(2, "0")}`;

/**
 * Every month of the period, those without cases as 0: from the period's first month (else the first case's) to its
 * last month, not past the current one (else the last case's). A span longer than MAX_MONTHS is narrowed to the
 * months with cases in it, so that a period of centuries cannot make the answer large.
 */
export function everyMonth(counted: { month: string; count: number }[], range: StatisticsRange | undefined, today: string) {
  if (counted.length === 0) return [];
  const first = monthIndex(counted[0]!.month);
  const last = monthIndex(counted[counted.length - 1]!.month);
  let start = range?.from ? monthIndex(range.from) : first;
  let end = range?.to ? Math.min(monthIndex(range.to), Math.max(monthIndex(today), last)) : last;
  if (end - start + 1 > MAX_MONTHS) [start, end] = [first, last];
  if (end - start + 1 > MAX_MONTHS) start = end - MAX_MONTHS + 1;
  const byMonth = new Map(counted.map((r) => [r.month, r.count]));
  const months: { month: string; count: number }[] = [];
  for (let i = start; i <= end; i++) months.push({ month: monthOf(i), count: byMonth.get(monthOf(i)) ?? 0 });
  return months;
}

export async function caseStatistics(s: Services, range?: StatisticsRange): Promise<CaseStatistics> {
  const tz = s.config.TIME_ZONE;
  const today = todayOf(s);
  const received = within(reports.receivedOn, range);
  const receivedWhere = received.length ? and(...received) : undefined;

  const ackDays = sql`${reports.acknowledgedOn} - ${reports.receivedOn}`;
  const closeDays = sql`${reports.closedOn} - ${reports.receivedOn}`;
  const ack = dayAggregates(ackDays);
  const close = dayAggregates(closeDays);
  const overdue = sql`${reports.status} <> 'closed' and ${reports.nextDueOn} < ${today}`;
  // Closing is measured against the feedback deadline, or the acknowledgement deadline for a case never acknowledged
  // (for an open case this is next_due_on).
  const closeDue = sql`coalesce(${reports.feedbackDueOn}, ${reports.ackDueOn})`;
  const open = sql`${reports.status} <> 'closed'`;
  const unacknowledged = sql`${reports.acknowledgedOn} is null`;
  // In review or investigation now, or once: the workflow writes each change to the audit log (case.status, details.to).
  const examined = sql`(${reports.status} in ('in_review', 'investigating') or exists (select 1 from ${auditLog} where ${auditLog.reportId} = ${reports.id} and ${auditLog.action} = 'case.status' and ${auditLog.details} ->> 'to' in ('in_review', 'investigating')))`;
  const month = sql<string>`to_char(${reports.receivedOn}, 'YYYY-MM')`;

  const answerDays = sql`${privacyRequests.answeredOn} - ${privacyRequests.requestedOn}`;
  const answer = dayAggregates(answerDays);
  const requested = within(privacyRequests.requestedOn, range);

  // Month and reason in a subquery, so the grouping does not repeat the time zone parameter.
  const destroyedAt = sql`(${auditLog.at} at time zone ${tz})`;
  const destroyed = s.db
    .select({
      month: sql<string>`to_char(${destroyedAt}, 'YYYY-MM')`.as("month"),
      reason: sql<string | null>`${auditLog.details} ->> 'reason'`.as("reason"),
    })
    .from(auditLog)
    .where(and(eq(auditLog.action, DESTROYED_ACTION), ...within(sql`${destroyedAt}::date`, range)))
    .as("destroyed");

  const [summary, byMonth, byStatus, byCategory, privacy, provisions, destructions] = await Promise.all([
    s.db
      .select({
        total: sql<number>`count(*)::int`,
        open: sql<number>`(count(*) filter (where ${reports.status} <> 'closed'))::int`,
        overdue: sql<number>`(count(*) filter (where ${overdue}))::int`,
        overdueAck: sql<number>`(count(*) filter (where ${overdue} and ${reports.status} = 'received'))::int`,
        ackCount: ack.count,
        ackMedian: ack.median,
        ackAverage: ack.average,
        ackMax: ack.max,
        closeCount: close.count,
        closeMedian: close.median,
        closeAverage: close.average,
        closeMax: close.max,
        acknowledged: sql<number>`count(${reports.acknowledgedOn})::int`,
        examined: sql<number>`(count(*) filter (where ${examined}))::int`,
        closed: sql<number>`count(${reports.closedOn})::int`,
        ackOnTime: sql<number>`(count(*) filter (where ${reports.acknowledgedOn} <= ${reports.ackDueOn}))::int`,
        ackLate: sql<number>`(count(*) filter (where ${reports.acknowledgedOn} > ${reports.ackDueOn}))::int`,
        ackOverdue: sql<number>`(count(*) filter (where ${unacknowledged} and ${open} and ${reports.ackDueOn} < ${today}))::int`,
        ackPending: sql<number>`(count(*) filter (where ${unacknowledged} and ${open} and ${reports.ackDueOn} >= ${today}))::int`,
        ackClosedWithout: sql<number>`(count(*) filter (where ${unacknowledged} and not ${open}))::int`,
        closeOnTime: sql<number>`(count(*) filter (where ${reports.closedOn} <= ${closeDue}))::int`,
        closeLate: sql<number>`(count(*) filter (where ${reports.closedOn} > ${closeDue}))::int`,
        closeOverdue: sql<number>`(count(*) filter (where ${open} and ${closeDue} < ${today}))::int`,
        closePending: sql<number>`(count(*) filter (where ${open} and ${closeDue} >= ${today}))::int`,
      })
      .from(reports)
      .where(receivedWhere),
    s.db
      .select({ month, count: sql<number>`count(*)::int` })
      .from(reports)
      .where(receivedWhere)
      .groupBy(month)
      .orderBy(month),
    s.db
      .select({ status: reports.status, count: sql<number>`count(*)::int` })
      .from(reports)
      .where(receivedWhere)
      .groupBy(reports.status),
    s.db
      .select({ slug: categories.slug, nameKo: categories.nameKo, nameEn: categories.nameEn, count: sql<number>`count(${reports.id})::int` })
      .from(categories)
      .leftJoin(reports, and(eq(reports.categoryId, categories.id), ...received))
      .groupBy(categories.id)
      .orderBy(categories.sortOrder, categories.slug),
    s.db
      .select({
        kind: privacyRequests.kind,
        open: sql<number>`(count(*) filter (where ${privacyRequests.state} = 'open'))::int`,
        answered: sql<number>`(count(*) filter (where ${privacyRequests.state} = 'answered'))::int`,
        answeredLate: sql<number>`(count(*) filter (where ${privacyRequests.answeredOn} > ${privacyRequests.dueOn}))::int`,
        openOverdue: sql<number>`(count(*) filter (where ${privacyRequests.state} = 'open' and ${privacyRequests.dueOn} < ${today}))::int`,
        ...answer,
      })
      .from(privacyRequests)
      .where(requested.length ? and(...requested) : undefined)
      // One row per kind and one (kind NULL) for all requests: medians do not add up.
      .groupBy(sql`grouping sets ((${privacyRequests.kind}), ())`),
    s.db
      .select({
        affiliate: affiliates.slug,
        nameKo: affiliates.nameKo,
        nameEn: affiliates.nameEn,
        versions: sql<number>`count(${shareProvisions.id})::int`,
        shares: sql<number>`count(distinct ${shareProvisions.shareId})::int`,
      })
      .from(affiliates)
      .leftJoin(shareProvisions, and(eq(shareProvisions.affiliateId, affiliates.id), ...within(shareProvisions.providedOn, range)))
      .groupBy(affiliates.id)
      .orderBy(affiliates.slug),
    s.db
      .select({ month: destroyed.month, reason: destroyed.reason, count: sql<number>`count(*)::int` })
      .from(destroyed)
      .groupBy(destroyed.month, destroyed.reason)
      .orderBy(destroyed.month),
  ]);

  const sum = summary[0]!;
  const statusCounts = new Map(byStatus.map((r) => [r.status, int(r.count)]));
  const privacyRow = (r: (typeof privacy)[number] | undefined): PrivacyRow => ({
    open: int(r?.open),
    answered: int(r?.answered),
    answeredLate: int(r?.answeredLate),
    openOverdue: int(r?.openOverdue),
    response: dayStats(r ?? { count: 0, median: null, average: null, max: null }),
  });

  const months = new Map<string, CaseStatistics["destructions"][number]>();
  for (const r of destructions) {
    const m = months.get(r.month) ?? {
      month: r.month,
      ...(Object.fromEntries(DESTRUCTION_REASONS.map((x) => [x, 0])) as Record<DestructionReason, number>),
      other: 0,
      total: 0,
    };
    const n = int(r.count);
    const reason = DESTRUCTION_REASONS.find((x) => x === r.reason);
    if (reason) m[reason] += n;
    else m.other += n;
    m.total += n;
    months.set(r.month, m);
  }

  return {
    today,
    timeZone: tz,
    range: range ?? null,
    rules: { ackDays: s.config.ACK_DEADLINE_DAYS, feedbackMonths: s.config.FEEDBACK_DEADLINE_MONTHS },
    cases: {
      total: int(sum.total),
      open: int(sum.open),
      byMonth: everyMonth(
        byMonth.map((r) => ({ month: r.month, count: int(r.count) })),
        range,
        today,
      ),
      funnel: [
        { step: "received", count: int(sum.total) },
        { step: "acknowledged", count: int(sum.acknowledged) },
        { step: "examined", count: int(sum.examined) },
        { step: "closed", count: int(sum.closed) },
      ],
      deadlines: {
        acknowledge: {
          onTime: int(sum.ackOnTime),
          late: int(sum.ackLate),
          overdue: int(sum.ackOverdue),
          pending: int(sum.ackPending),
          closedWithout: int(sum.ackClosedWithout),
        },
        close: { onTime: int(sum.closeOnTime), late: int(sum.closeLate), overdue: int(sum.closeOverdue), pending: int(sum.closePending) },
      },
      byStatus: reportStatus.enumValues.map((status) => ({ status, count: statusCounts.get(status) ?? 0 })),
      byCategory: byCategory.map((r) => ({ slug: r.slug, nameKo: r.nameKo, nameEn: r.nameEn, count: int(r.count) })),
      acknowledge: dayStats({ count: sum.ackCount, median: sum.ackMedian, average: sum.ackAverage, max: sum.ackMax }),
      close: dayStats({ count: sum.closeCount, median: sum.closeMedian, average: sum.closeAverage, max: sum.closeMax }),
      overdue: { total: int(sum.overdue), acknowledgement: int(sum.overdueAck), feedback: int(sum.overdue) - int(sum.overdueAck) },
    },
    privacyRequests: {
      byKind: privacyRequestKind.enumValues.map((kind) => ({ kind, ...privacyRow(privacy.find((r) => r.kind === kind)) })),
      total: privacyRow(privacy.find((r) => r.kind === null)),
    },
    provisions: provisions.map((r) => ({ affiliate: r.affiliate, nameKo: r.nameKo, nameEn: r.nameEn, versions: int(r.versions), shares: int(r.shares) })),
    destructions: [...months.values()],
  };
}
