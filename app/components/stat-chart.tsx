// A chart of one statistics table, drawn as SVG by React (ADR 048: no charting
// library renders SVG without style attributes, which the nonce CSP refuses).
// Everything is an element with attributes and class names; colours and
// hatching come from app.css and <pattern>s, so the server-rendered markup
// carries no style attribute and needs no script. The SVG is aria-hidden: the
// table next to it is the accessible source of truth, and every bar also shows
// its number, so colour is never the only way to read it.
import { useId } from "react";
import type { StatTable } from "../admin/statistics-tables";
import { useI18n } from "../i18n/react";

const W = 360;
const FONT = 11;
/** Height of one bar with its label, of one legend line, and of the columns chart. */
const PITCH = 34;
const LEGEND = 18;
const COLUMNS_HEIGHT = 166;

/**
 * The fill of series `k`: a colour class (app.css), or for every second series a hatching over its colour, so that
 * neighbouring parts differ by more than colour. A class's fill would override the attribute, hence no class there.
 */
const fillOf = (k: number, patternId: string) => (k % 2 ? { fill: `url(#${patternId}-${k})` } : { className: `chart-f${k}` });

const share = (value: number, max: number, width: number) => (max > 0 ? (value / max) * width : 0);
const fmt = (n: number) => String(Math.round(n * 10) / 10);

/** The chartable rows (totals left out) and, per row, the numbers of the drawn series (null as 0). */
function seriesOf(table: StatTable) {
  const series = table.chart?.series ?? table.columns.slice(1).map((_, i) => i);
  const rows = table.rows.filter((r) => !r.total).map((r) => ({ row: r, values: series.map((i) => r.values[i] ?? 0) }));
  return { series, rows };
}

/** One bar per row, label above it and the number after it; `stacked`: the bar split by series, with a legend. */
function Bars({ table, stacked, patternId }: { table: StatTable; stacked: boolean; patternId: string }) {
  const { series, rows } = seriesOf(table);
  const max = Math.max(0, ...rows.map((r) => (stacked ? r.values.reduce((a, b) => a + b, 0) : Math.max(...r.values))));
  const pitch = PITCH;
  const barW = W - 44;
  const legend = stacked ? series.map((i) => table.columns[i + 1]!) : [];
  return (
    <>
      {rows.map(({ row, values }, r) => {
        const y = r * pitch;
        let x = 0;
        const total = values.reduce((a, b) => a + b, 0);
        return (
          <g key={row.key}>
            <text x={0} y={y + FONT} className="chart-label" fontSize={FONT}>
              {row.label}
            </text>
            {stacked ? (
              values.map((v, k) => {
                const w = share(v, max, barW);
                const seg = (
                  <g key={k}>
                    <rect x={x} y={y + 15} width={w} height={14} {...fillOf(k, patternId)} />
                    {w >= 16 ? (
                      <text x={x + w / 2} y={y + 26} textAnchor="middle" className="chart-in" fontSize={FONT - 1}>
                        {fmt(v)}
                      </text>
                    ) : null}
                  </g>
                );
                x += w;
                return seg;
              })
            ) : (
              <rect x={0} y={y + 15} width={share(values[0]!, max, barW)} height={14} className="chart-f0" />
            )}
            <text x={(stacked ? x : share(values[0]!, max, barW)) + 4} y={y + 26} className="chart-value" fontSize={FONT}>
              {fmt(stacked ? total : values[0]!)}
            </text>
          </g>
        );
      })}
      {legend.map((label, k) => {
        const y = rows.length * pitch + k * LEGEND;
        return (
          <g key={label}>
            <rect x={0} y={y + 4} width={12} height={12} {...fillOf(k, patternId)} />
            <text x={18} y={y + 14} className="chart-label" fontSize={FONT}>
              {label}
            </text>
          </g>
        );
      })}
    </>
  );
}

/** Columns, one per row (months): the number above each and the month's short name below while they fit, the year under January. */
function Columns({ table }: { table: StatTable }) {
  const { locale } = useI18n();
  const short = new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", { month: "short", timeZone: "UTC" });
  const { rows } = seriesOf(table);
  const max = Math.max(0, ...rows.map((r) => r.values[0]!));
  const top = 16;
  const plot = 120;
  const n = Math.max(rows.length, 1);
  const step = (W - 2) / n;
  const gap = Math.min(4, step * 0.2);
  const labelled = n <= 24;
  return (
    <>
      {rows.map(({ row, values }, i) => {
        const h = share(values[0]!, max, plot);
        const x = 1 + i * step;
        const month = row.month ?? row.key;
        const isFirst = i === 0 || month.endsWith("-01");
        return (
          <g key={row.key}>
            <rect x={x + gap / 2} y={top + plot - h} width={step - gap} height={h} className="chart-f0" />
            {labelled ? (
              <text x={x + step / 2} y={top + plot - h - 3} textAnchor="middle" className="chart-value" fontSize={FONT - 1}>
                {fmt(values[0]!)}
              </text>
            ) : null}
            {labelled ? (
              <text x={x + step / 2} y={top + plot + 13} textAnchor="middle" className="chart-label" fontSize={FONT - 1}>
                {short.format(new Date(`${month}-01T00:00:00Z`))}
              </text>
            ) : null}
            {isFirst ? (
              <text
                x={x + (labelled ? step / 2 : 0)}
                y={top + plot + 26}
                textAnchor={labelled ? "middle" : "start"}
                className="chart-label"
                fontSize={FONT - 1}
              >
                {month.slice(0, 4)}
              </text>
            ) : null}
          </g>
        );
      })}
      <line x1={0} x2={W} y1={top + plot} y2={top + plot} className="chart-axis" />
      {labelled ? null : (
        <text x={0} y={FONT} className="chart-value" fontSize={FONT - 1}>
          {fmt(max)}
        </text>
      )}
    </>
  );
}

/** The chart of `table` (none when it has no chart or no rows). */
export function StatChart({ table }: { table: StatTable }) {
  const patternId = `p${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
  const kind = table.chart?.kind;
  if (!kind || table.rows.filter((r) => !r.total).length === 0) return null;
  const { rows } = seriesOf(table);
  const stackedSeries = kind === "stacked" ? (table.chart?.series ?? table.columns.slice(1).map((_, i) => i)).length : 0;
  const height = kind === "columns" ? COLUMNS_HEIGHT : rows.length * PITCH + stackedSeries * LEGEND + 4;
  return (
    <svg className="stat-chart" viewBox={`0 0 ${W} ${height}`} width={W} height={height} aria-hidden="true" focusable="false" data-testid={`chart-${table.id}`}>
      {kind === "stacked" ? (
        <defs>
          {[1, 3].map((k) => (
            <pattern key={k} id={`${patternId}-${k}`} width={6} height={6} patternUnits="userSpaceOnUse" patternTransform={`rotate(${k === 1 ? 45 : -45})`}>
              <rect width={6} height={6} className={`chart-f${k}`} />
              <line x1={0} y1={0} x2={0} y2={6} className="chart-hatch" strokeWidth={3} />
            </pattern>
          ))}
        </defs>
      ) : null}
      {kind === "columns" ? <Columns table={table} /> : <Bars table={table} stacked={kind === "stacked"} patternId={patternId} />}
    </svg>
  );
}
