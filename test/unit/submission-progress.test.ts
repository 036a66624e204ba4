// The whole submission's progress figures: bytes over all files, the
// percentage, the time left from a sliding window, and the sparse
// announcements for screen readers.
import { describe, expect, it } from "vitest";
import { dueAnnouncement, roundedTimeLeft, SubmissionMeter } from "../../app/reporter/submission-progress";

const MB = 1_000_000;

describe("SubmissionMeter", () => {
  it("counts every file's bytes into one total, the files before the current one as sent", () => {
    const meter = new SubmissionMeter([10 * MB, 30 * MB]);
    expect(meter.update(0, 5 * MB, 0)).toMatchObject({ sentBytes: 5 * MB, totalBytes: 40 * MB, percent: 12, file: 0, files: 2 });
    const second = meter.update(1, 10 * MB, 1_000);
    expect(second).toMatchObject({ sentBytes: 20 * MB, percent: 50, file: 1 });
    expect(meter.update(1, 30 * MB, 2_000)).toMatchObject({ sentBytes: 40 * MB, percent: 100 });
  });

  it("estimates no time left until the rate is measured over two seconds", () => {
    const meter = new SubmissionMeter([100 * MB]);
    expect(meter.update(0, 0, 0).secondsLeft).toBeNull();
    expect(meter.update(0, 8 * MB, 1_000).secondsLeft).toBeNull();
    // 16 MB in 2 s: 8 MB/s, 84 MB to go.
    expect(meter.update(0, 16 * MB, 2_000).secondsLeft).toBe(11);
  });

  it("takes the rate from the last window only, so a slower link shows within it", () => {
    const meter = new SubmissionMeter([1_000 * MB], 20_000);
    for (let s = 0; s <= 60; s += 5) meter.update(0, s * 10 * MB, s * 1000); // 10 MB/s for a minute: 600 MB
    // Then 1 MB/s for 30 s: the window (20 s and the sample before it) sees only the slow stretch.
    let f = meter.update(0, 600 * MB, 60_000);
    for (let s = 65; s <= 90; s += 5) f = meter.update(0, 600 * MB + (s - 60) * MB, s * 1000);
    expect(f.sentBytes).toBe(630 * MB);
    expect(f.secondsLeft).toBe(370); // 370 MB at 1 MB/s, not at the average of the whole upload
  });

  it("says nothing of the time left while nothing moves (the connection is lost)", () => {
    const meter = new SubmissionMeter([100 * MB], 20_000);
    meter.update(0, 10 * MB, 0);
    meter.update(0, 20 * MB, 5_000);
    expect(meter.update(0, 20 * MB, 40_000).secondsLeft).toBeNull();
  });

  it("is complete at once for files with nothing to send", () => {
    expect(new SubmissionMeter([]).update(0, 0, 0)).toMatchObject({ percent: 100, totalBytes: 0, files: 0 });
  });
});

describe("announcements", () => {
  it("announce the first figures, then each further 10 % step at most every five seconds", () => {
    expect(dueAnnouncement(null, 3, 0)).toBe(true);
    expect(dueAnnouncement({ percent: 3, at: 0 }, 9, 10_000)).toBe(false); // same step
    expect(dueAnnouncement({ percent: 3, at: 0 }, 12, 1_000)).toBe(false); // too soon
    expect(dueAnnouncement({ percent: 3, at: 0 }, 12, 5_000)).toBe(true);
    expect(dueAnnouncement({ percent: 12, at: 0 }, 47, 6_000)).toBe(true);
  });
});

describe("roundedTimeLeft", () => {
  it("rounds as a person says it", () => {
    expect(roundedTimeLeft(1)).toEqual({ unit: "seconds", n: 5 });
    expect(roundedTimeLeft(41)).toEqual({ unit: "seconds", n: 45 });
    expect(roundedTimeLeft(60)).toEqual({ unit: "minutes", n: 1 });
    expect(roundedTimeLeft(61)).toEqual({ unit: "minutes", n: 2 });
    expect(roundedTimeLeft(89 * 60)).toEqual({ unit: "minutes", n: 89 });
    expect(roundedTimeLeft(95 * 60)).toEqual({ unit: "hours", h: 1, m: 35 });
  });
});
