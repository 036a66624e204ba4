// The operator commands that do a periodic job's work (uploads:cleanup, retention:run, notify:run) take
// the lock a portal instance's run of that job takes (ADR 036, 040): while another session holds it, a
// command with --wait 0 does nothing and says so (the CLI exits with status 2); with time to wait it says
// it is waiting, and runs once the lock is released. retention:run --dry-run destroys nothing and takes
// no lock. PostgreSQL only (PGlite is one process, and the CLI refuses to open it beside the portal).
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands, JobBusyError } from "../../cli/commands";
import { jobLockKey } from "../../server/job-lock";
import { JOB_NAMES } from "../../server/jobs";
import { postgresAdminUrl } from "../support/backends";
import { ROOT } from "../support/child-portal";
import { startTestPortal, type TestPortal } from "../support/portal";

const admin = await postgresAdminUrl();

/** `npm run cli -- <args>` as its own process on the portal's database and data directory. */
function runCli(portal: TestPortal, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "cli/main.ts", ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "", DATA_DIR: portal.dataDir, DATABASE_URL: portal.services.config.DATABASE_URL },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!admin)("operator job commands under the portal's job locks", () => {
  let portal: TestPortal;
  /** Another instance's lock connection, in the middle of a run. */
  let instance: postgres.Sql;

  const hold = async (job: string) => {
    const [row] = await instance<{ locked: boolean }[]>`select pg_try_advisory_lock(${jobLockKey(job).toString()}::bigint) as locked`;
    expect(row!.locked).toBe(true);
  };
  const release = async (job: string) => {
    const [row] = await instance<{ unlocked: boolean }[]>`select pg_advisory_unlock(${jobLockKey(job).toString()}::bigint) as unlocked`;
    expect(row!.unlocked).toBe(true);
  };

  /** A blob no row names, three days before the portal's clock: the upload cleanup's to remove. */
  const strayBlob = async () => {
    // Written today (the store dates a blob by the portal's clock, ADR 033), found three days later.
    portal.setNow(null);
    const key = `upload-${randomUUID()}`;
    await portal.services.blobs.writeAt(key, 0, Readable.from([Buffer.alloc(1000, 7)]), 4096, 1000);
    await portal.services.blobs.complete(key);
    portal.setNow(new Date(Date.now() + 3 * 24 * 3600_000));
    return key;
  };
  const blobKeys = async () => {
    const keys: string[] = [];
    for await (const blob of portal.services.blobs.list()) keys.push(blob.key);
    return keys;
  };

  beforeAll(async () => {
    // The portal's own runs stay off: only the held lock below stands for an instance's run.
    portal = await startTestPortal("postgres", { RETENTION_INTERVAL_MINUTES: "0", NOTIFY_INTERVAL_MINUTES: "0" });
    instance = postgres(portal.services.config.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    portal?.setNow(null);
    await instance?.end({ timeout: 1 });
    await portal?.stop();
  });

  it("with --wait 0 does nothing while an instance's run holds the lock, and says so", async () => {
    const stray = await strayBlob();
    for (const job of Object.values(JOB_NAMES)) await hold(job);
    try {
      for (const [command, job] of [
        ["uploads:cleanup", JOB_NAMES.uploadCleanup],
        ["retention:run", JOB_NAMES.retention],
        ["notify:run", JOB_NAMES.notifications],
      ] as const) {
        const notices: string[] = [];
        const refused = commands[command]!(portal.services, ["--wait", "0"], (line) => notices.push(line));
        await expect(refused).rejects.toThrow(JobBusyError);
        await expect(refused).rejects.toThrow(`Nothing done: the ${job} is still under way on a portal instance (it holds the job's lock).`);
        // No time to wait: no "waiting" line either.
        expect(notices).toEqual([]);
      }
      expect(await blobKeys()).toContain(stray);
      // A dry run destroys nothing and takes no lock.
      expect(await portal.cli("retention:run", "--dry-run")).toMatch(/\(dry run: nothing changed\)/);
    } finally {
      for (const job of Object.values(JOB_NAMES)) await release(job);
    }
    expect(await portal.cli("uploads:cleanup", "--wait", "0")).toBe("Removed 0 unclaimed upload(s) and 1 stray blob(s).");
    expect(await blobKeys()).not.toContain(stray);
  });

  it("waits for the run under way, saying so, and runs once the lock is released", async () => {
    const stray = await strayBlob();
    await hold(JOB_NAMES.uploadCleanup);
    let settled = false;
    const notices: string[] = [];
    const cleanup = commands["uploads:cleanup"]!(portal.services, ["--wait", "120"], (line) => notices.push(line)).finally(() => (settled = true));
    try {
      await expect
        .poll(() => notices, { timeout: 30_000 })
        .toEqual(["The upload cleanup is under way on a portal instance (it holds the job's lock): waiting up to 120 s for it to end..."]);
      // Still waiting: the lock is held, and nothing was removed.
      expect(settled).toBe(false);
      expect(await blobKeys()).toContain(stray);
    } finally {
      await release(JOB_NAMES.uploadCleanup);
    }
    expect(await cleanup).toBe("Removed 0 unclaimed upload(s) and 1 stray blob(s).");
    expect(await blobKeys()).not.toContain(stray);
  });

  it("the CLI exits with status 2 and the message while the lock is held, and runs after its release", async () => {
    await hold(JOB_NAMES.notifications);
    let refused;
    try {
      refused = await runCli(portal, ["notify:run", "--wait", "0"]);
    } finally {
      await release(JOB_NAMES.notifications);
    }
    expect(refused.stderr).toContain("Nothing done: the notification run is still under way on a portal instance (it holds the job's lock).");
    expect(refused.stdout).toBe("");
    expect(refused.code).toBe(2);

    const ran = await runCli(portal, ["notify:run", "--wait", "0"]);
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toMatch(/^Notifications as of \d{4}-\d{2}-\d{2}:\n/);
    expect(ran.code).toBe(0);
  });

  it("refuses a --wait that is not a number of seconds", async () => {
    await expect(portal.cli("notify:run", "--wait", "soon")).rejects.toThrow("--wait must be a whole number of seconds from 0 to 86400, not soon");
    await expect(portal.cli("uploads:cleanup", "--wait", "86401")).rejects.toThrow("--wait must be a whole number of seconds");
  });
});
