// The sign-in back-off's arithmetic (ADR 030): free failures, doubling, the cap, forgetting; and the price of a
// proof of work past it (ADR 035).
import { describe, expect, it } from "vitest";
import { delayAfter, powLevelAfter, SIGN_IN_BACKOFF, waitMs } from "../../app/.server/platform/backoff";

const rule = SIGN_IN_BACKOFF.pair;
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe("sign-in back-off", () => {
  it("costs nothing for the free failures, then doubles from 1 s to a 15-minute cap", () => {
    expect([0, 1, 10].map((n) => delayAfter(n, rule))).toEqual([0, 0, 0]);
    expect([11, 12, 13, 20].map((n) => delayAfter(n, rule))).toEqual([1000, 2000, 4000, 512_000]);
    expect(delayAfter(21, rule)).toBe(15 * 60_000);
    expect(delayAfter(10_000, rule)).toBe(15 * 60_000);
  });

  it("waits from the last failure, and forgets a day after it", () => {
    const state = { failures: 12, lastFailureAt: at(0) };
    expect(waitMs(state, at(500), rule)).toBe(1500);
    expect(waitMs(state, at(2000), rule)).toBe(0);
    const capped = { failures: 40, lastFailureAt: at(0) };
    expect(waitMs(capped, at(60_000), rule)).toBe(14 * 60_000);
    expect(waitMs(capped, at(24 * 3600_000), rule)).toBe(0);
    expect(waitMs(undefined, at(0), rule)).toBe(0);
  });

  it("never waits within the free failures, nor longer than the delay, whatever the clocks say", () => {
    expect(waitMs({ failures: 5, lastFailureAt: at(60_000) }, at(0), rule)).toBe(0);
    expect(waitMs({ failures: 11, lastFailureAt: at(60_000) }, at(0), rule)).toBe(1000);
  });

  it("prices a proof of work past the wait one level per failure beyond the free ones, as the wait doubles", () => {
    expect([0, 1, 10].map((n) => powLevelAfter(n, rule))).toEqual([0, 0, 0]);
    expect([11, 12, 13, 20].map((n) => powLevelAfter(n, rule))).toEqual([1, 2, 3, 10]);
    // Where the wait starts, the work starts: one level for the first failure that costs a delay.
    for (const n of [10, 11, 30]) expect(powLevelAfter(n, rule) > 0).toBe(delayAfter(n, rule) > 0);
    expect(powLevelAfter(51, SIGN_IN_BACKOFF.client)).toBe(1);
  });

  it("holds a guesser of second-factor codes (who has the password) to 115 guesses in the first day and 96 a day after (ADR 035)", () => {
    const codes = SIGN_IN_BACKOFF.secondFactor;
    expect(codes).toEqual({ free: 10, baseMs: 1000, capMs: 15 * 60_000, forgetMs: 24 * 3600_000 });
    // Every guess as soon as the wait allows, each a failure: when does guess n come?
    const times: number[] = [];
    let state = { failures: 0, lastFailureAt: null as Date | null };
    let t = 0;
    while (t < 3 * 24 * 3600_000) {
      t += waitMs(state, at(t), codes);
      times.push(t);
      state = { failures: state.failures + 1, lastFailureAt: at(t) };
    }
    const within = (from: number, to: number) => times.filter((x) => x >= from && x < to).length;
    const DAY = 24 * 3600_000;
    expect(within(0, DAY)).toBe(115);
    expect(within(DAY, 2 * DAY)).toBe(96);
    // The free ten and the eleventh at once, then 1 s, 2 s, … 512 s, then every 15 minutes.
    expect(within(0, 1)).toBe(11);
    expect(times[20]).toBe(1023_000);
    expect(times[21]! - times[20]!).toBe(900_000);
  });
});
