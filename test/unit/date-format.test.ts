// The one date and time format of staff, affiliate and administration pages (app/i18n/dates.ts): a day,
// 24-hour time and the offset of the portal's TIME_ZONE, put together from numeric parts so that Node
// and the browser write the same text.
import { describe, expect, it } from "vitest";
import { formatDateTime, formatDay, offsetLabel, zonedParts } from "../../app/i18n/dates";

describe("formatDateTime", () => {
  it("writes an instant in the portal's zone, with its offset, in each language", () => {
    expect(formatDateTime("2026-12-07T21:53:46.123Z", "en", "Asia/Seoul")).toBe("8 December 2026, 06:53 (UTC+9)");
    expect(formatDateTime("2026-12-07T21:53:46.123Z", "ko", "Asia/Seoul")).toBe("2026년 12월 8일 06:53 (UTC+9)");
    expect(formatDateTime("2026-12-07T21:53:46Z", "en", "UTC")).toBe("7 December 2026, 21:53 (UTC)");
  });

  it("follows daylight saving time and half-hour offsets", () => {
    expect(formatDateTime("2026-07-01T12:00:00Z", "en", "Europe/Berlin")).toBe("1 July 2026, 14:00 (UTC+2)");
    expect(formatDateTime("2026-01-01T12:00:00Z", "en", "Europe/Berlin")).toBe("1 January 2026, 13:00 (UTC+1)");
    expect(formatDateTime("2026-01-01T12:00:00Z", "en", "Asia/Kolkata")).toBe("1 January 2026, 17:30 (UTC+5:30)");
    expect(formatDateTime("2026-01-01T12:00:00Z", "ko", "America/St_Johns")).toBe("2026년 1월 1일 08:30 (UTC-3:30)");
  });

  it("writes midnight as 00 and crosses into the zone's next day and year", () => {
    expect(formatDateTime("2026-12-31T15:00:00Z", "en", "Asia/Seoul")).toBe("1 January 2027, 00:00 (UTC+9)");
    expect(zonedParts(new Date("2026-12-31T15:00:00Z"), "Asia/Seoul")).toMatchObject({ year: 2027, month: 1, day: 1, hour: 0, minute: 0, offsetMinutes: 540 });
  });

  it("leaves text that is not an instant as it is", () => {
    expect(formatDateTime("not a date", "en", "Asia/Seoul")).toBe("not a date");
  });

  it("labels offsets", () => {
    expect([0, 540, -180, 330, -210, 345].map(offsetLabel)).toEqual(["UTC", "UTC+9", "UTC-3", "UTC+5:30", "UTC-3:30", "UTC+5:45"]);
  });
});

describe("formatDay", () => {
  it("writes a calendar day as the long date of each language, the same as ICU's own", () => {
    for (const day of ["2026-01-01", "2026-02-28", "2027-12-31", "2030-09-09"]) {
      const at = new Date(`${day}T00:00:00Z`);
      expect(formatDay(day, "en")).toBe(new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeZone: "UTC" }).format(at));
      expect(formatDay(day, "ko")).toBe(new Intl.DateTimeFormat("ko-KR", { dateStyle: "long", timeZone: "UTC" }).format(at));
    }
    expect(formatDay("2026-12-08", "en")).toBe("8 December 2026");
    expect(formatDay("2026-12-08", "ko")).toBe("2026년 12월 8일");
  });

  it("the day of an instant reads the same as its date-time", () => {
    expect(formatDateTime("2026-12-07T21:53:46Z", "ko", "Asia/Seoul").startsWith(formatDay("2026-12-08", "ko"))).toBe(true);
    expect(formatDateTime("2026-12-07T21:53:46Z", "en", "Asia/Seoul").startsWith(formatDay("2026-12-08", "en"))).toBe(true);
  });
});
