// The statistics section of the administration pages: counts and days from
// caseStatistics for a period kept in the address (?from&to, so a view can be
// bookmarked), each table with its chart (stat-chart.tsx) and a CSV download of
// the same tables (app/admin/statistics-tables.ts). The tables are the
// accessible source of truth; the charts are drawn for the eye and hidden from
// assistive technology. No case, title or person is part of the data this renders.
import { Form } from "@remix-run/react";
import { statisticsTables, type StatRow, type StatTable } from "../admin/statistics-tables";
import type { CaseStatistics } from "../admin/wire";
import { formatDay } from "../i18n";
import { useI18n } from "../i18n/react";
import { StatChart } from "./stat-chart";
import { UserText } from "./user-text";
import { TableScroll } from "./table-scroll";

/** Where the CSV of the period comes from (GET, the administrator's session cookie). */
export const STATISTICS_CSV_PATH = "/api/admin/statistics/csv";

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  return `?${q.toString()}`;
}

/** Periods offered as links: this calendar year, and the last twelve months including the current one. */
function presets(today: string) {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const start = new Date(Date.UTC(year, month - 12, 1)).toISOString().slice(0, 10);
  return { year: { from: `${year}-01-01`, to: today }, last12: { from: start, to: today } };
}

function Label({ row }: { row: StatRow }) {
  if (row.data) return <UserText text={row.label} />;
  if (row.month) return <time dateTime={row.month}>{row.label}</time>;
  return <>{row.label}</>;
}

function DataTable({ table }: { table: StatTable }) {
  const { locale } = useI18n();
  const num = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat(locale === "ko" ? "ko-KR" : "en-US", { maximumFractionDigits: 1 }).format(n));
  const line = (r: StatRow) => (
    <tr key={r.key} data-row={r.key}>
      <th scope="row">
        <Label row={r} />
      </th>
      {r.values.map((v, i) => (
        <td key={i}>{num(v)}</td>
      ))}
    </tr>
  );
  const totals = table.rows.filter((r) => r.total);
  return (
    <TableScroll label={table.caption}>
      <table className="inbox stats" data-testid={`stats-${table.id}`}>
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            {table.columns.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{table.rows.filter((r) => !r.total).map(line)}</tbody>
        {totals.length ? <tfoot>{totals.map(line)}</tfoot> : null}
      </table>
    </TableScroll>
  );
}

export function AdminStatistics({ stats, filter }: { stats: CaseStatistics; filter: { from: string; to: string; invalid: boolean } }) {
  const { t, locale } = useI18n();
  const tables = statisticsTables(stats, t, locale);
  const p = presets(stats.today);
  const csv = `${STATISTICS_CSV_PATH}${query({ from: stats.range?.from, to: stats.range?.to, lang: locale })}`;

  return (
    <section aria-labelledby="a-stats" data-testid="statistics">
      <h2 id="a-stats">{t("admin.stats")}</h2>
      <p className="hint">{t("admin.stats.intro", { timeZone: stats.timeZone, today: formatDay(stats.today, locale) })}</p>
      <Form method="get" className="filters">
        <input type="hidden" name="lang" value={locale} />
        <label>
          {t("admin.stats.from")} <input type="date" name="from" defaultValue={filter.from} />
        </label>
        <label>
          {t("admin.stats.to")} <input type="date" name="to" defaultValue={filter.to} />
        </label>
        <button type="submit" className="button">
          {t("admin.stats.apply")}
        </button>
      </Form>
      <p className="stat-presets">
        <a href={query({ ...p.year, lang: locale })}>{t("admin.stats.preset.year")}</a>{" "}
        <a href={query({ ...p.last12, lang: locale })}>{t("admin.stats.preset.last12")}</a>{" "}
        {stats.range ? <a href={query({ lang: locale })}>{t("admin.stats.all")}</a> : null}
      </p>
      <p className="hint">{filter.invalid ? t("admin.stats.badRange") : t("admin.stats.rangeHint")}</p>
      <p>
        <a href={csv} download className="button" data-testid="stats-csv">
          {t("admin.stats.csv")}
        </a>
      </p>
      <p className="hint">{t("admin.stats.chartHint")}</p>

      {tables.map((table) =>
        table.rows.length === 0 ? (
          <div key={table.id} className="stat-block">
            <h3>{table.caption}</h3>
            <p>{table.empty}</p>
          </div>
        ) : (
          <div key={table.id} className="stat-block">
            <StatChart table={table} />
            <DataTable table={table} />
            {table.id === "funnel" ? <p className="hint">{t("admin.stats.funnel.hint")}</p> : null}
          </div>
        ),
      )}
    </section>
  );
}
