// CSV as RFC 4180 writes it, for spreadsheets: records end in CRLF; a field
// with a comma, a double quote, CR or LF is quoted, its quotes doubled. The
// file starts with a UTF-8 byte order mark, without which Excel reads UTF-8
// as the system's code page and Korean comes out garbled.
//
// Formula injection: a spreadsheet runs a cell that starts with =, +, - or @
// (and, in some, after leading white space, or as their full-width forms that a
// Korean or Japanese keyboard types) as a formula, so a category named
// `=HYPERLINK(...)` would become a link or worse on an administrator's machine.
// Such a text cell gets a leading apostrophe, which spreadsheets take as
// "text" and do not show (OWASP's advice). Numbers are written as numbers:
// they come from the server's counts, never from a person.
export type CsvCell = string | number | null;

export const CSV_BOM = "\uFEFF";
const FORMULA_START = /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One field: a number as it is, null as empty, text neutralised against formulas and quoted where RFC 4180 needs it. */
export function csvField(cell: CsvCell): string {
  if (cell === null) return "";
  if (typeof cell === "number") {
    if (!Number.isFinite(cell)) throw new RangeError("a CSV number must be finite");
    return String(cell);
  }
  const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The whole file: the byte order mark, then each record ended by CRLF. */
export function toCsv(records: readonly (readonly CsvCell[])[]): string {
  return CSV_BOM + records.map((r) => `${r.map(csvField).join(",")}\r\n`).join("");
}
