// The case header's deadlines in words (ADR 049): calendar days between two YYYY-MM-DD days, the state that picks
// the colour and icon, and the phrase in English (with its plural) and Korean.
import { describe, expect, it } from "vitest";
import { daysUntil, deadlinePhrase, deadlineStatus } from "../../app/components/staff-case/deadline";
import { translator } from "../../app/i18n";

const en = translator("en");
const ko = translator("ko");
const phrase = (dueOn: string, today: string, t = en) => deadlinePhrase(t, deadlineStatus(dueOn, today));

describe("case deadlines in words", () => {
  it("counts calendar days, across months, years and a leap day, whatever the clock's zone", () => {
    expect(daysUntil("2026-12-08", "2026-12-08")).toBe(0);
    expect(daysUntil("2027-01-02", "2026-12-30")).toBe(3);
    expect(daysUntil("2028-03-01", "2028-02-28")).toBe(2);
    expect(daysUntil("2026-11-30", "2026-12-08")).toBe(-8);
    expect(daysUntil("2027-03-29", "2027-03-27")).toBe(2); // a European summer-time change in between changes nothing
  });

  it("refuses what is not a calendar day instead of guessing", () => {
    expect(() => daysUntil("2026-12-8", "2026-12-08")).toThrow(RangeError);
    expect(() => daysUntil("2026-12-08T00:00:00Z", "2026-12-08")).toThrow(RangeError);
  });

  it("tells overdue, today, soon (two days, the reminders' 48 hours) and later apart", () => {
    expect(deadlineStatus("2026-12-07", "2026-12-08")).toEqual({ kind: "overdue", days: -1 });
    expect(deadlineStatus("2026-12-08", "2026-12-08")).toEqual({ kind: "today", days: 0 });
    expect(deadlineStatus("2026-12-09", "2026-12-08")).toEqual({ kind: "soon", days: 1 });
    expect(deadlineStatus("2026-12-10", "2026-12-08")).toEqual({ kind: "soon", days: 2 });
    expect(deadlineStatus("2026-12-11", "2026-12-08")).toEqual({ kind: "later", days: 3 });
  });

  it("says it in English with the right plural", () => {
    expect(phrase("2026-12-08", "2026-12-08")).toBe("due today");
    expect(phrase("2026-12-09", "2026-12-08")).toBe("due in 1 day");
    expect(phrase("2026-12-15", "2026-12-08")).toBe("due in 7 days");
    expect(phrase("2026-12-07", "2026-12-08")).toBe("overdue by 1 day");
    expect(phrase("2026-11-08", "2026-12-08")).toBe("overdue by 30 days");
  });

  it("says it in Korean", () => {
    expect(phrase("2026-12-08", "2026-12-08", ko)).toBe("오늘 마감");
    expect(phrase("2026-12-09", "2026-12-08", ko)).toBe("1일 남음");
    expect(phrase("2026-12-15", "2026-12-08", ko)).toBe("7일 남음");
    expect(phrase("2026-12-07", "2026-12-08", ko)).toBe("기한 1일 지남");
    expect(phrase("2026-11-08", "2026-12-08", ko)).toBe("기한 30일 지남");
  });

  it("says nothing for a deadline that is met or has not started (the header has its own sentence for those)", () => {
    expect(deadlinePhrase(en, { kind: "done", days: 0 })).toBe("");
    expect(deadlinePhrase(en, { kind: "pending", days: 0 })).toBe("");
  });
});
