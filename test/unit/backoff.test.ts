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
});
