// The CSV writer of the statistics export: RFC 4180 quoting, the byte order mark Excel needs for UTF-8, and text
// cells that a spreadsheet would run as formulas neutralised; and the statistics' months filled in, bounded.
import { describe, expect, it } from "vitest";
import { csvField, toCsv, CSV_BOM } from "../../app/.server/admin/csv";
import { everyMonth, MAX_MONTHS } from "../../app/.server/admin/statistics";

describe("csv", () => {
  it("quotes only where RFC 4180 needs it, doubling quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField("부정 청탁")).toBe("부정 청탁");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
    expect(csvField("")).toBe("");
    expect(csvField(null)).toBe("");
    expect(csvField(0)).toBe("0");
    expect(csvField(10.5)).toBe("10.5");
    expect(() => csvField(Number.NaN)).toThrow(RangeError);
  });

  it("neutralises text that a spreadsheet would run as a formula", () => {
    for (const start of ["=", "+", "-", "@", "\t", "\r"]) {
      const cell = `${start}HYPERLINK("http://evil.example","x")`;
      const out = csvField(cell);
      // The apostrophe comes first, inside the quotes where quoting is needed, so no cell starts with the trigger.
      const unquoted = out.startsWith('"') ? out.slice(1, -1).replaceAll('""', '"') : out;
      expect(unquoted).toBe(`'${cell}`);
    }
    expect(csvField("=1+2")).toBe("'=1+2");
    expect(csvField("-5")).toBe("'-5"); // as text it is neutralised too; counts are numbers and are never negative
    expect(csvField("a=b")).toBe("a=b");
    // After white space, or in the full-width forms a Korean keyboard types, a trigger still counts.
    for (const cell of [" =x", "\n=x", "\u3000@x", "\uFF1D1+2", "\uFF0Bx", "\uFF0Dx", "\uFF20x"]) {
      const out = csvField(cell);
      expect(out.startsWith('"') ? out.slice(1, -1) : out).toBe(`'${cell}`);
    }
    expect(csvField("a \uFF1D b")).toBe("a \uFF1D b");
  });

  it("writes a BOM, CRLF after every record and the same number of fields per record", () => {
    const text = toCsv([
      ["표", "행", "열", "값"],
      ["유형별 사건", "=cmd|' /C calc'!A0", "사건 수", 3],
      ["x", 'a "b", c', null, 0],
    ]);
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(Buffer.from(text, "utf8").subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(text.slice(1)).toBe(`표,행,열,값\r\n유형별 사건,'=cmd|' /C calc'!A0,사건 수,3\r\nx,"a ""b"", c",,0\r\n`);
    expect(toCsv([])).toBe(CSV_BOM);
  });
});

describe("months of the statistics", () => {
  const counted = [
    { month: "2031-01", count: 2 },
    { month: "2031-04", count: 1 },
  ];
  it("fills the months without cases between the first and the last", () => {
    expect(everyMonth(counted, undefined, "2031-06-10")).toEqual([
      { month: "2031-01", count: 2 },
      { month: "2031-02", count: 0 },
      { month: "2031-03", count: 0 },
      { month: "2031-04", count: 1 },
    ]);
    expect(everyMonth([], { from: "2030-01-01" }, "2031-06-10")).toEqual([]);
  });
  it("runs from the period's first month to its last, not past the current month", () => {
    const m = everyMonth(counted, { from: "2030-12-15", to: "2040-01-01" }, "2031-06-10");
    expect(m[0]).toEqual({ month: "2030-12", count: 0 });
    expect(m.at(-1)).toEqual({ month: "2031-06", count: 0 });
    expect(m).toHaveLength(7);
  });
  it("narrows a period of centuries to the months with cases", () => {
    const m = everyMonth(counted, { from: "0001-01-01", to: "9999-12-31" }, "2031-06-10");
    expect(m.map((x) => x.month)).toEqual(["2031-01", "2031-02", "2031-03", "2031-04"]);
    const far = everyMonth([{ month: "1990-01", count: 1 }, ...counted], { from: "1900-01-01" }, "2031-06-10");
    expect(far).toHaveLength(MAX_MONTHS);
    expect(far.at(-1)!.month).toBe("2031-04");
  });
});
