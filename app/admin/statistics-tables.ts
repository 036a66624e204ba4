// The statistics as tables: one model that the administration page renders
// (each table with its chart, app/components/admin-statistics.tsx) and the CSV
// export writes (app/.server/admin/statistics-csv.ts), so that the page, its
// charts and the file cannot disagree. Labels come from the catalogs; category
// and affiliate names as the data has them. Browser-safe: no server code.
import type { Translate } from "../i18n";
import type { Locale } from "../i18n";
import { DESTRUCTION_REASONS } from "./destruction-reasons";
import type { CaseStatistics, DayStats } from "./wire";

/** How a table is drawn: columns per row (months), one bar per row, or one bar per row split by the value columns. */
export type ChartKind = "columns" | "bars" | "stacked";

export interface StatRow {
  /** Stable key (status, slug, kind, YYYY-MM…): test ids and React keys. */
  key: string;
  label: string;
  /** The label is data (a category's or affiliate's name), rendered as user text. */
  data?: boolean;
  /** YYYY-MM for a month row: the page's <time dateTime> and the CSV's label. */
  month?: string;
  /** null: nothing counted ("—"). */
  values: (number | null)[];
  /** A total row (tfoot), left out of the chart. */
  total?: boolean;
}

export interface StatTable {
  id: string;
  caption: string;
  /** The row header's column, then one per value. */
  columns: string[];
  rows: StatRow[];
  /** Which value columns the chart draws (all when absent), and how; no chart when absent. */
  chart?: { kind: ChartKind; series?: number[] };
  /** Shown when there are no rows. */
  empty?: string;
}

const dayValues = (d: DayStats) => [d.count, d.median, d.average, d.max];

export function monthLabel(month: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", { year: "numeric", month: "long", timeZone: "UTC" }).format(
    new Date(`${month}-01T00:00:00Z`),
  );
}

export function statisticsTables(stats: CaseStatistics, t: Translate, locale: Locale): StatTable[] {
  const name = (x: { nameKo: string; nameEn: string }) => (locale === "ko" ? x.nameKo : x.nameEn);
  const c = stats.cases;
  const ack = c.deadlines.acknowledge;
  const close = c.deadlines.close;
  const p = stats.privacyRequests;
  return [
    {
      id: "month",
      caption: t("admin.stats.byMonth"),
      columns: [t("admin.stats.col.month"), t("admin.stats.col.cases")],
      rows: c.byMonth.map((m) => ({ key: m.month, label: monthLabel(m.month, locale), month: m.month, values: [m.count] })),
      chart: { kind: "columns" },
      empty: t("admin.stats.none"),
    },
    {
      id: "category",
      caption: t("admin.stats.byCategory"),
      columns: [t("admin.stats.col.category"), t("admin.stats.col.cases")],
      rows: c.byCategory.map((r) => ({ key: r.slug, label: name(r), data: true, values: [r.count] })),
      chart: { kind: "bars" },
    },
    {
      id: "status",
      caption: t("admin.stats.byStatus"),
      columns: [t("admin.stats.col.status"), t("admin.stats.col.cases")],
      rows: [
        ...c.byStatus.map((r) => ({ key: r.status, label: t(`staff.status.${r.status}`), values: [r.count] })),
        { key: "total", label: t("admin.stats.total"), values: [c.total], total: true },
      ],
      chart: { kind: "bars" },
    },
    {
      id: "funnel",
      caption: t("admin.stats.funnel"),
      columns: [t("admin.stats.col.step"), t("admin.stats.col.cases")],
      rows: c.funnel.map((r) => ({ key: r.step, label: t(`admin.stats.funnel.${r.step}`), values: [r.count] })),
      chart: { kind: "bars" },
    },
    {
      id: "deadlines",
      caption: t("admin.stats.deadlines", { days: stats.rules.ackDays, months: stats.rules.feedbackMonths }),
      columns: [
        t("admin.stats.col.deadline"),
        t("admin.stats.deadline.onTime"),
        t("admin.stats.deadline.late"),
        t("admin.stats.deadline.overdue"),
        t("admin.stats.deadline.pending"),
        t("admin.stats.deadline.closedWithout"),
      ],
      rows: [
        {
          key: "acknowledge",
          label: t("admin.stats.deadline.acknowledge", { days: stats.rules.ackDays }),
          values: [ack.onTime, ack.late, ack.overdue, ack.pending, ack.closedWithout],
        },
        {
          key: "close",
          label: t("admin.stats.deadline.close", { months: stats.rules.feedbackMonths }),
          values: [close.onTime, close.late, close.overdue, close.pending, null],
        },
      ],
      chart: { kind: "stacked" },
    },
    {
      id: "times",
      caption: t("admin.stats.times"),
      columns: [t("admin.stats.col.step"), t("admin.stats.col.cases"), t("admin.stats.col.median"), t("admin.stats.col.average"), t("admin.stats.col.max")],
      rows: [
        { key: "acknowledge", label: t("admin.stats.times.acknowledge"), values: dayValues(c.acknowledge) },
        { key: "close", label: t("admin.stats.times.close"), values: dayValues(c.close) },
      ],
      chart: { kind: "bars", series: [1] },
    },
    {
      id: "overdue",
      caption: t("admin.stats.overdue"),
      columns: [t("admin.stats.col.measure"), t("admin.stats.col.cases")],
      rows: [
        { key: "open", label: t("admin.stats.overdue.open"), values: [c.open] },
        { key: "overdue", label: t("admin.stats.overdue.total"), values: [c.overdue.total] },
        { key: "acknowledgement", label: t("admin.stats.overdue.acknowledgement"), values: [c.overdue.acknowledgement] },
        { key: "feedback", label: t("admin.stats.overdue.feedback"), values: [c.overdue.feedback] },
      ],
      chart: { kind: "bars" },
    },
    {
      id: "privacy",
      caption: t("admin.stats.privacy"),
      columns: [
        t("admin.stats.col.kind"),
        t("admin.stats.col.open"),
        t("admin.stats.col.openOverdue"),
        t("admin.stats.col.answered"),
        t("admin.stats.col.answeredLate"),
        t("admin.stats.col.medianDays"),
        t("admin.stats.col.averageDays"),
        t("admin.stats.col.maxDays"),
      ],
      rows: [
        ...p.byKind.map((r) => ({ key: r.kind, label: t(`admin.stats.kind.${r.kind}`), row: r })),
        { key: "total", label: t("admin.stats.privacy.total"), row: p.total, total: true },
      ].map(({ row, ...r }) => ({
        ...r,
        values: [row.open, row.openOverdue, row.answered, row.answeredLate, row.response.median, row.response.average, row.response.max],
      })),
      chart: { kind: "stacked", series: [0, 2] },
    },
    {
      id: "provisions",
      caption: t("admin.stats.provisions"),
      columns: [t("admin.stats.col.affiliate"), t("admin.stats.col.shares"), t("admin.stats.col.versions")],
      rows: stats.provisions.map((r) => ({ key: r.affiliate, label: name(r), data: true, values: [r.shares, r.versions] })),
      chart: { kind: "bars", series: [0] },
    },
    {
      id: "destructions",
      caption: t("admin.stats.destructions"),
      columns: [
        t("admin.stats.col.month"),
        ...DESTRUCTION_REASONS.map((r) => t(`admin.stats.reason.${r}`)),
        t("admin.stats.reason.other"),
        t("admin.stats.col.total"),
      ],
      rows: stats.destructions.map((m) => ({
        key: m.month,
        label: monthLabel(m.month, locale),
        month: m.month,
        values: [...DESTRUCTION_REASONS.map((r) => m[r]), m.other, m.total],
      })),
      empty: t("admin.stats.destructions.none"),
    },
  ];
}
