// The statistics as one CSV file: the same tables as the administration page
// (app/admin/statistics-tables.ts), written long, one figure a record, so that
// every record has the same four fields (table, row, column, value) whatever
// the table, and the file sorts and filters in a spreadsheet. The first
// records name the period and the day it was counted. Months are written
// YYYY-MM; labels in the language asked for; category and affiliate names as
// the data has them (neutralised against formulas by csv.ts).
import { statisticsTables } from "../../admin/statistics-tables";
import type { CaseStatistics } from "../../admin/wire";
import { translator, type Locale } from "../../i18n";
import { toCsv, type CsvCell } from "./csv";

export function statisticsCsv(stats: CaseStatistics, locale: Locale): string {
  const t = translator(locale);
  const period = t("admin.stats.csv.period");
  const records: CsvCell[][] = [
    [t("admin.stats.csv.table"), t("admin.stats.csv.row"), t("admin.stats.csv.column"), t("admin.stats.csv.value")],
    [period, t("admin.stats.from"), "", stats.range?.from ?? t("admin.stats.csv.allTime")],
    [period, t("admin.stats.to"), "", stats.range?.to ?? t("admin.stats.csv.allTime")],
    [period, t("admin.stats.csv.today"), stats.timeZone, stats.today],
  ];
  for (const table of statisticsTables(stats, t, locale)) {
    for (const row of table.rows) {
      row.values.forEach((value, i) => records.push([table.caption, row.month ?? row.label, table.columns[i + 1]!, value]));
    }
  }
  return toCsv(records);
}

/** The download's file name: the period in it, ASCII only. */
export function statisticsCsvName(stats: CaseStatistics): string {
  return `statistics_${stats.range?.from ?? "start"}_${stats.range?.to ?? stats.today}.csv`;
}
