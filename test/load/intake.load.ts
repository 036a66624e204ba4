// Many reporters at once, with attachments, then every acknowledged
// submission read back from the database (opened afresh after the server
// stopped) and decrypted as an investigator would, compared with what was
// sent: none may be lost or altered. The smaller variant of the load test in
// `npm run bench` (same code, bench/load.ts): 200 reporters for 10 s with files
// up to 64 KiB by default; BENCH_LOAD_REPORTERS, BENCH_LOAD_SECONDS,
// BENCH_LOAD_MAX_FILES and BENCH_LOAD_MIN/MAX_FILE_KIB change it. It asserts no
// figure of speed: a slow machine only submits fewer reports.
import os from "node:os";
import { describe, expect, it } from "vitest";
import { backends } from "../support/backends";
import { loadOptionsFromEnv, runLoadTest } from "../../bench/load";

process.env.BENCH_LOAD_SECONDS ??= "10";
process.env.BENCH_LOAD_MAX_FILE_KIB ??= "64";

describe.each(await backends())("load on %s", (backend) => {
  it("keeps every acknowledged submission, readable and intact", async () => {
    const r = await runLoadTest({
      ...loadOptionsFromEnv(backend, os.availableParallelism(), { reporters: 200, seconds: 10 }),
      log: (m) => process.stderr.write(`${m}\n`),
    });
    process.stderr.write(
      `[load ${backend}] ${r.reporters} reporters, ${r.seconds} s: ${r.acknowledged} acknowledged, ${r.verified} verified, ${r.lost} lost, ` +
        `${r.failed} failed ${JSON.stringify(r.failures)}, ${r.submissionsPerSecond.toFixed(1)} submissions/s, ` +
        `p50 ${r.submissionLatency?.p50.toFixed(0)} ms, p99 ${r.submissionLatency?.p99.toFixed(0)} ms\n`,
    );
    expect(r.lostExamples).toEqual([]);
    expect(r.lost).toBe(0);
    expect(r.acknowledged).toBeGreaterThan(0);
    expect(r.verified).toBe(r.acknowledged);
  });
});
