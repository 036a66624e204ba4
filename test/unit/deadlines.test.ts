// The deadline phrase of the inbox chips and the case header (app/i18n/deadlines.ts): days counted
// between calendar days (across months, years, a leap day), one and many, today, overdue, both languages.
import { describe, expect, it } from "vitest";
import { daysBetween, deadlineOf, deadlinePhrase } from "../../app/i18n/deadlines";

describe("deadlinePhrase", () => {
  it("says how many days are left, in English and Korean, one and many", () => {
    expect(deadlinePhrase("2026-12-09", "2026-12-08", "en")).toBe("due in 1 day");
    expect(deadlinePhrase("2026-12-10", "2026-12-08", "en")).toBe("due in 2 days");
    expect(deadlinePhrase("2027-03-08", "2026-12-08", "en")).toBe("due in 90 days");
    expect(deadlinePhrase("2026-12-09", "2026-12-08", "ko")).toBe("1일 남음");
    expect(deadlinePhrase("2026-12-15", "2026-12-08", "ko")).toBe("7일 남음");
  });

  it("says due today on the day itself", () => {
    expect(deadlinePhrase("2026-12-08", "2026-12-08", "en")).toBe("due today");
    expect(deadlinePhrase("2026-12-08", "2026-12-08", "ko")).toBe("오늘 마감");
  });

  it("says by how much a deadline is past, one and many", () => {
    expect(deadlinePhrase("2026-12-07", "2026-12-08", "en")).toBe("overdue by 1 day");
    expect(deadlinePhrase("2026-11-28", "2026-12-08", "en")).toBe("overdue by 10 days");
    expect(deadlinePhrase("2026-12-07", "2026-12-08", "ko")).toBe("기한 1일 지남");
    expect(deadlinePhrase("2025-12-08", "2026-12-08", "ko")).toBe("기한 365일 지남");
  });

  it("counts calendar days across months, years and leap days, whatever the machine's zone", () => {
    expect(daysBetween("2026-12-31", "2027-01-01")).toBe(1);
    expect(daysBetween("2028-02-28", "2028-03-01")).toBe(2);
    expect(daysBetween("2027-02-28", "2027-03-01")).toBe(1);
    // Spans a European daylight-saving change: whole days all the same.
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-10-26", "2026-10-24")).toBe(-2);
  });

  it("names the urgency for styling: overdue, today, soon (two days or fewer), later", () => {
    expect(deadlineOf("2026-12-01", "2026-12-08")).toEqual({ state: "overdue", days: 7 });
    expect(deadlineOf("2026-12-08", "2026-12-08")).toEqual({ state: "today", days: 0 });
    expect(deadlineOf("2026-12-10", "2026-12-08")).toEqual({ state: "soon", days: 2 });
    expect(deadlineOf("2026-12-11", "2026-12-08")).toEqual({ state: "later", days: 3 });
  });

  it("refuses what is not a calendar day instead of guessing", () => {
    expect(() => deadlinePhrase("8 Dec 2026", "2026-12-08", "en")).toThrow(RangeError);
    expect(() => deadlinePhrase("2026-12-08", "", "en")).toThrow(RangeError);
  });
});
