// Fault under load with two instances (issue 17): the load test (bench/load.ts)
// with 200 reporters spread over two portal processes on one PostgreSQL
// database and one S3 bucket (s3rver), reporter w sending to instance w % 2.
// Halfway through the load, instance B is killed (SIGKILL: no graceful
// shutdown, requests cut mid-part and mid-submission) and started again on the
// same port while the reporters go on; theirs retry as the report page does,
// and a submission whose retries run out counts as failed. Afterwards every
// acknowledged submission must be in the database and decrypt, files byte for
// byte, as an investigator reads them. A few seconds of load, since this runs
// in `npm test`; no speed figure is asserted (a slow machine submits fewer).
import os from "node:os";
import { describe, expect, it } from "vitest";
import { runLoadTest } from "../../bench/load";
import { postgresAdminUrl } from "../support/backends";
import { startTestS3 } from "../support/s3-server";

const admin = await postgresAdminUrl();

describe.skipIf(!admin)("load over two instances on one PostgreSQL and one bucket while one of them is killed and restarted", () => {
  // A bound for a crowded CI machine (runs took 20 to 37 s here under a load average of 7 to 10).
  it("keeps every acknowledged submission, readable and intact", { timeout: 300_000 }, async () => {
    const s3 = await startTestS3();
    try {
      const r = await runLoadTest({
        backend: "postgres",
        reporters: 200,
        seconds: 4,
        maxFiles: 2,
        minFileBytes: 1024,
        maxFileBytes: 64 * 1024,
        cores: os.availableParallelism(),
        instances: 2,
        restartMidway: "kill",
        // The proof of work runs for real at the tests' low difficulty (test/support/portal.ts).
        env: { ...s3.env("load"), POW_DIFFICULTY: "64" },
        log: (m) => process.stderr.write(`${m}\n`),
      });
      process.stderr.write(
        `[faults] instances-load-restart: ${r.acknowledged} acknowledged, ${r.verified} verified, ${r.lost} lost, ${r.failed} failed ${JSON.stringify(r.failures)}, ` +
          `${r.retries} retries; restart: ${JSON.stringify(r.restart)}; ${r.wallSeconds.toFixed(1)} s of load, verified in ${r.verifySeconds.toFixed(1)} s\n`,
      );
      // The kill hit submissions under way through B, not an idle process.
      expect(r.restart?.signal).toBe("SIGKILL");
      expect(r.restart!.inFlight).toBeGreaterThan(0);
      expect(r.acknowledged).toBeGreaterThan(0);
      expect(r.lostExamples).toEqual([]);
      expect(r.lost).toBe(0);
      expect(r.verified).toBe(r.acknowledged);
    } finally {
      await s3.stop();
    }
  });
});
