// The periodic-job helper (server/jobs.ts) on vitest's fake clock: the schedule is exact, and the
// runs are real promises that the tests hold and release. The lock is the PGlite one (run at once), or
// one the test refuses, as another instance holding it would; the PostgreSQL lock itself is in
// test/integration/instances.test.ts.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../app/.server/platform/log";
import { createJobs, type JobLock, type Jobs } from "../../server/jobs";
import { jobLockKey } from "../../server/job-lock";

/** A run the test finishes by hand. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

let lines: Record<string, unknown>[];
let jobs: Jobs;
/** Keys another instance holds now: a run under one of them is refused. */
let heldElsewhere: Set<bigint>;
let asked: bigint[];

const lock: JobLock = async (key, run) => {
  asked.push(key);
  if (heldElsewhere.has(key)) return { locked: false };
  return { locked: true, value: await run() };
};

beforeEach(() => {
  vi.useFakeTimers();
  lines = [];
  heldElsewhere = new Set();
  asked = [];
  jobs = createJobs(
    createLogger("debug", (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
    lock,
  );
});

afterEach(async () => {
  await jobs.close();
  vi.useRealTimers();
});

const messages = () => lines.map((l) => l.msg);

describe("periodic jobs", () => {
  it("first runs after one interval by default, at once with firstAfterMs 0, or after the given delay", async () => {
    const runs = { late: 0, now: 0, delayed: 0 };
    jobs.schedule({ name: "late", everyMs: 1000, run: async () => void runs.late++ });
    jobs.schedule({ name: "now", everyMs: 1000, firstAfterMs: 0, run: async () => void runs.now++ });
    jobs.schedule({ name: "delayed", everyMs: 1000, firstAfterMs: 300, run: async () => void runs.delayed++ });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toEqual({ late: 0, now: 1, delayed: 0 });
    await vi.advanceTimersByTimeAsync(300);
    expect(runs).toEqual({ late: 0, now: 1, delayed: 1 });
    await vi.advanceTimersByTimeAsync(700);
    expect(runs).toEqual({ late: 1, now: 2, delayed: 1 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toEqual({ late: 2, now: 3, delayed: 2 });
  });

  it("never starts a run while the previous one is under way, and carries on after it", async () => {
    let active = 0;
    let most = 0;
    let started = 0;
    const gates: ReturnType<typeof gate>[] = [];
    jobs.schedule({
      name: "slow",
      everyMs: 100,
      firstAfterMs: 0,
      run: async () => {
        started++;
        active++;
        most = Math.max(most, active);
        const g = gate();
        gates.push(g);
        await g.done;
        active--;
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(started).toBe(1);
    gates[0]!.open();
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(2);
    gates[1]!.open();
    await vi.advanceTimersByTimeAsync(100);
    expect(started).toBe(3);
    gates[2]!.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(most).toBe(1);
  });

  it("runs nothing and sets no timer when the interval is 0", async () => {
    let runs = 0;
    jobs.schedule({ name: "off", everyMs: 0, firstAfterMs: 0, run: async () => void runs++ });
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(24 * 3600_000);
    expect(runs).toBe(0);
    expect(lines).toEqual([]);
  });

  it("logs the start, a result line only when the job reports one, and a failure with its cause; the next run still comes", async () => {
    let n = 0;
    jobs.schedule({
      name: "cleanup",
      everyMs: 1000,
      firstAfterMs: 0,
      run: async () => {
        n++;
        if (n === 2) throw new Error("disk gone", { cause: new Error("EIO") });
        return { removed: n === 1 ? 0 : 3 };
      },
      report: (r) => (r.removed ? r : null),
    });
    await vi.advanceTimersByTimeAsync(2000);
    expect(n).toBe(3);
    expect(messages()).toEqual(["cleanup started", "cleanup started", "cleanup failed", "cleanup started", "cleanup"]);
    expect(lines[2]).toMatchObject({ level: "error", error: "Error: disk gone", cause: "Error: EIO" });
    expect(lines[4]).toMatchObject({ level: "info", removed: 3 });
  });

  it("counts a run that throws before its first await as a failed run", async () => {
    let n = 0;
    jobs.schedule({
      name: "sync",
      everyMs: 1000,
      firstAfterMs: 0,
      run: () => {
        n++;
        throw new Error("at once");
      },
    });
    await vi.advanceTimersByTimeAsync(1000);
    expect(n).toBe(2);
    expect(messages().filter((m) => m === "sync failed")).toHaveLength(2);
  });

  it("close() stops the timers, aborts the signal and waits for the run under way", async () => {
    const g = gate();
    let signal: AbortSignal | undefined;
    let runs = 0;
    jobs.schedule({
      name: "upkeep",
      everyMs: 100,
      firstAfterMs: 0,
      run: async (s) => {
        runs++;
        signal = s;
        await g.done;
        return s.aborted ? "stopped" : "finished";
      },
      report: (r) => ({ r }),
    });
    await vi.advanceTimersByTimeAsync(0);
    let closed = false;
    const closing = jobs.close().then(() => (closed = true));
    expect(signal!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(closed).toBe(false);
    g.open();
    await closing;
    expect(runs).toBe(1);
    expect(lines.at(-1)).toMatchObject({ msg: "upkeep", r: "stopped" });
    // Nothing starts after close, not even a newly scheduled job.
    jobs.schedule({ name: "late", everyMs: 100, firstAfterMs: 0, run: async () => void runs++ });
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(1);
  });

  it("takes the job's own lock for each run; a tick refused the lock skips with a debug line, and the next tick runs", async () => {
    let runs = 0;
    jobs.schedule({ name: "retention run", everyMs: 1000, firstAfterMs: 0, run: async () => ++runs, report: (n) => ({ n }) });
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);
    heldElsewhere.add(jobLockKey("retention run"));
    await vi.advanceTimersByTimeAsync(1000);
    expect(await jobs.runNow("retention run")).toBe("locked elsewhere");
    expect(runs).toBe(1);
    expect(lines.filter((l) => l.msg === "retention run skipped: another instance holds its lock")).toHaveLength(2);
    expect(lines.find((l) => String(l.msg).includes("skipped"))).toMatchObject({ level: "debug" });
    heldElsewhere.clear();
    expect(await jobs.runNow("retention run")).toBe("ran");
    expect(runs).toBe(2);
    expect(new Set(asked)).toEqual(new Set([jobLockKey("retention run")]));
    // No "started" line for the skipped ticks: the lock comes first.
    expect(messages().filter((m) => m === "retention run started")).toHaveLength(2);
  });

  it("tells its observer (the metrics) what became of every tick, and how long a run took", async () => {
    const ticks: [string, string, number][] = [];
    const observed = createJobs(createLogger("silent"), lock, (job, outcome, seconds) => ticks.push([job, outcome, seconds]));
    const g = gate();
    let fail = false;
    observed.schedule({ name: "observed", everyMs: 60_000, run: () => (fail ? Promise.reject(new Error("down")) : g.done) });
    const first = observed.runNow("observed");
    expect(await observed.runNow("observed")).toBe("busy");
    await vi.advanceTimersByTimeAsync(1500);
    g.open();
    expect(await first).toBe("ran");
    heldElsewhere.add(jobLockKey("observed"));
    expect(await observed.runNow("observed")).toBe("locked elsewhere");
    heldElsewhere.clear();
    fail = true;
    expect(await observed.runNow("observed")).toBe("failed");
    expect(ticks.map(([job, outcome]) => [job, outcome])).toEqual([
      ["observed", "busy"],
      ["observed", "ran"],
      ["observed", "locked elsewhere"],
      ["observed", "failed"],
    ]);
    // The run lasted the 1.5 s the fake clock moved while it was held.
    expect(ticks[1]![2]).toBeCloseTo(1.5, 1);
    await observed.close();
  });

  it("runNow answers busy while this instance's run is under way, and refuses a name never scheduled", async () => {
    const g = gate();
    jobs.schedule({ name: "slow", everyMs: 1000, firstAfterMs: 0, run: () => g.done });
    await vi.advanceTimersByTimeAsync(0);
    expect(await jobs.runNow("slow")).toBe("busy");
    g.open();
    await vi.advanceTimersByTimeAsync(0);
    expect(await jobs.runNow("slow")).toBe("ran");
    expect(() => jobs.runNow("nothing")).toThrow(/no job named/);
  });
});

describe("job lock keys", () => {
  it("are stable signed 64-bit integers, one per name", () => {
    const names = ["retention run", "notification run", "upload cleanup", "database upkeep", "flood sweep", "session expiry"];
    const keys = names.map(jobLockKey);
    for (const k of keys) expect(k >= -(2n ** 63n) && k < 2n ** 63n).toBe(true);
    expect(new Set(keys).size).toBe(names.length);
    // Fixed by the name alone: every instance and every release must compute the same key.
    expect(jobLockKey("retention run")).toBe(jobLockKey("retention run"));
    expect(jobLockKey("retention run")).toMatchInlineSnapshot(`4994469985757254734n`);
    expect(() => jobLockKey("")).toThrow(RangeError);
  });
});
