// The statistics section of the administration page: counts and days from
// caseStatistics, as tables with captions and header cells. No case, title or
// person is part of the data this renders.
import { Form } from "@remix-run/react";
import { DESTRUCTION_REASONS as REASONS } from "../admin/destruction-reasons";
import type { CaseStatistics, DayStats } from "../admin/wire";
import { formatDay, type Locale } from "../i18n";
import { useI18n } from "../i18n/react";
import { UserText } from "./user-text";

function formatMonth(month: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "ko" ? "ko-KR" : "en-GB", { year: "numeric", month: "long", timeZone: "UTC" }).format(
    new Date(`${month}-01T00:00:00Z`),
  );
}

export function AdminStatistics({ stats, filter }: { stats: CaseStatistics; filter: { from: string; to: string; invalid: boolean } }) {
  const { t, locale } = useI18n();
  const num = (n: number | null) => (n === null ? "—" : new Intl.NumberFormat(locale === "ko" ? "ko-KR" : "en-US", { maximumFractionDigits: 1 }).format(n));
  const dayCells = (d: DayStats) => (
    <>
      <td>{num(d.count)}</td>
      <td>{num(d.median)}</td>
      <td>{num(d.average)}</td>
      <td>{num(d.max)}</td>
    </>
  );
  const name = (x: { nameKo: string; nameEn: string }) => <UserText text={locale === "ko" ? x.nameKo : x.nameEn} />;
  const p = stats.privacyRequests;

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
        </button>{" "}
        {stats.range ? <a href={`?lang=${locale}`}>{t("admin.stats.all")}</a> : null}
      </Form>
      <p className="hint">{filter.invalid ? t("admin.stats.badRange") : t("admin.stats.rangeHint")}</p>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-status">
          <caption>{t("admin.stats.byStatus")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.col.status")}</th>
              <th scope="col">{t("admin.stats.col.cases")}</th>
            </tr>
          </thead>
          <tbody>
            {stats.cases.byStatus.map((r) => (
              <tr key={r.status}>
                <th scope="row">{t(`staff.status.${r.status}`)}</th>
                <td>{num(r.count)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("admin.stats.total")}</th>
              <td>{num(stats.cases.total)}</td>
            </tr>
          </tfoot>
        </table>
      </div>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-category">
          <caption>{t("admin.stats.byCategory")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.col.category")}</th>
              <th scope="col">{t("admin.stats.col.cases")}</th>
            </tr>
          </thead>
          <tbody>
            {stats.cases.byCategory.map((r) => (
              <tr key={r.slug}>
                <th scope="row">{name(r)}</th>
                <td>{num(r.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-times">
          <caption>{t("admin.stats.times")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.col.step")}</th>
              <th scope="col">{t("admin.stats.col.cases")}</th>
              <th scope="col">{t("admin.stats.col.median")}</th>
              <th scope="col">{t("admin.stats.col.average")}</th>
              <th scope="col">{t("admin.stats.col.max")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{t("admin.stats.times.acknowledge")}</th>
              {dayCells(stats.cases.acknowledge)}
            </tr>
            <tr>
              <th scope="row">{t("admin.stats.times.close")}</th>
              {dayCells(stats.cases.close)}
            </tr>
          </tbody>
        </table>
      </div>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-overdue">
          <caption>{t("admin.stats.overdue")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.overdue.open")}</th>
              <th scope="col">{t("admin.stats.overdue.total")}</th>
              <th scope="col">{t("admin.stats.overdue.acknowledgement")}</th>
              <th scope="col">{t("admin.stats.overdue.feedback")}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <td>{num(stats.cases.open)}</td>
              <td>{num(stats.cases.overdue.total)}</td>
              <td>{num(stats.cases.overdue.acknowledgement)}</td>
              <td>{num(stats.cases.overdue.feedback)}</td>
            </tr>
          </tbody>
        </table>
      </div>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-privacy">
          <caption>{t("admin.stats.privacy")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.col.kind")}</th>
              <th scope="col">{t("admin.stats.col.open")}</th>
              <th scope="col">{t("admin.stats.col.openOverdue")}</th>
              <th scope="col">{t("admin.stats.col.answered")}</th>
              <th scope="col">{t("admin.stats.col.answeredLate")}</th>
              <th scope="col">{t("admin.stats.col.medianDays")}</th>
              <th scope="col">{t("admin.stats.col.averageDays")}</th>
              <th scope="col">{t("admin.stats.col.maxDays")}</th>
            </tr>
          </thead>
          <tbody>
            {[
              ...p.byKind.map((r) => ({ key: r.kind, label: t(`admin.stats.kind.${r.kind}`), row: r })),
              { key: "total", label: t("admin.stats.privacy.total"), row: p.total },
            ].map(({ key, label, row }) => (
              <tr key={key}>
                <th scope="row">{label}</th>
                <td>{num(row.open)}</td>
                <td>{num(row.openOverdue)}</td>
                <td>{num(row.answered)}</td>
                <td>{num(row.answeredLate)}</td>
                <td>{num(row.response.median)}</td>
                <td>{num(row.response.average)}</td>
                <td>{num(row.response.max)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="table-scroll">
        <table className="inbox stats" data-testid="stats-provisions">
          <caption>{t("admin.stats.provisions")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.stats.col.affiliate")}</th>
              <th scope="col">{t("admin.stats.col.versions")}</th>
              <th scope="col">{t("admin.stats.col.shares")}</th>
            </tr>
          </thead>
          <tbody>
            {stats.provisions.map((r) => (
              <tr key={r.affiliate}>
                <th scope="row">{name(r)}</th>
                <td>{num(r.versions)}</td>
                <td>{num(r.shares)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      {stats.destructions.length === 0 ? (
        <>
          <h3>{t("admin.stats.destructions")}</h3>
          <p>{t("admin.stats.destructions.none")}</p>
        </>
      ) : (
        <div className="table-scroll">
          <table className="inbox stats" data-testid="stats-destructions">
            <caption>{t("admin.stats.destructions")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("admin.stats.col.month")}</th>
                {REASONS.map((r) => (
                  <th key={r} scope="col">
                    {t(`admin.stats.reason.${r}`)}
                  </th>
                ))}
                <th scope="col">{t("admin.stats.reason.other")}</th>
                <th scope="col">{t("admin.stats.col.total")}</th>
              </tr>
            </thead>
            <tbody>
              {stats.destructions.map((m) => (
                <tr key={m.month}>
                  <th scope="row">
                    <time dateTime={m.month}>{formatMonth(m.month, locale)}</time>
                  </th>
                  {REASONS.map((r) => (
                    <td key={r}>{num(m[r])}</td>
                  ))}
                  <td>{num(m.other)}</td>
                  <td>{num(m.total)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
