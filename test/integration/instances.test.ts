// Several portal instances on one PostgreSQL (issue 17, ADR 036): two servers on the same database and
// data directory, as behind a load balancer. The periodic jobs run on one instance at a time under
// their advisory lock: retention started on both at the same moment destroys a due case once with one
// tombstone, the notification run on both at once sends each e-mail once, and a lock whose connection
// died (its instance gone) is taken by the other instance's next run. Two instances starting together
// on an empty database both start, one of them migrating. Liveness and readiness answer apart. A limit
// counts what reaches either instance: wrong receipt codes spread over both are counted once in all.
// PostgreSQL only (PGlite is one process): skipped where PostgreSQL is unreachable, never under CI.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readdirSync } from "node:fs";
import { eq, and, isNotNull } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveReceiptSecrets, loadSodium, toBase64Url } from "../../crypto";
import { notifyStaff } from "../../app/.server/notifications/record";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { MIGRATIONS_DIR } from "../../db/client";
import { attachments, auditLog, reports, staffNotifications } from "../../db/schema";
import { jobLockKey } from "../../server/job-lock";
import { startPortal, type RunningPortal } from "../../server/start";
import { freshPostgresDatabase, postgresAdminUrl } from "../support/backends";
import { memoryFile } from "../support/files";
import { withSolvedPow } from "../support/pow";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { TestSmtp } from "../support/smtp";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const admin = await postgresAdminUrl();

describe.skipIf(!admin)("several instances on one PostgreSQL", () => {
  const smtp = new TestSmtp();
  let a: TestPortal;
  let b: RunningPortal;

  beforeAll(async () => {
    await loadSodium();
    await smtp.start();
    a = await startTestPortal("postgres", {
      SMTP_URL: smtp.url,
      SMTP_FROM: "Clean OKESTRO Report <no-reply@okestro.example>",
      PUBLIC_ORIGIN: "https://report.okestro.example",
      // Scheduled, so that runNow can start them, but not due again during the file.
      RETENTION_INTERVAL_MINUTES: String(24 * 60),
      NOTIFY_INTERVAL_MINUTES: String(24 * 60),
    });
    b = await a.startInstance();
    await createStaff(a, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
    await firstSignIn(a.url, "lee@okestro.example", PASSWORD);
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
    await smtp.stop();
  });

  it("retention started on both at the same moment destroys a due case once, with one tombstone", async () => {
    const info = await fetchIntakeInfo({ baseUrl: a.url });
    const made = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "due for destruction",
        body: { description: "never acknowledged", details: "", periodFrom: null, periodTo: null },
        identity: { name: null, email: null, phone: null },
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [memoryFile("evidence.txt", "text/plain", Buffer.from("evidence"))],
      info,
      { baseUrl: a.url },
    );
    const [file] = await a.services.db.select({ blobKey: attachments.blobKey }).from(attachments).where(eq(attachments.reportId, made.reportId));
    expect(await a.services.blobs.size(file!.blobKey)).toBeGreaterThan(0);
    // Never acknowledged and received long ago: past UNACKNOWLEDGED_RETENTION_MONTHS.
    await a.services.db.update(reports).set({ receivedOn: "2001-01-02" }).where(eq(reports.id, made.reportId));

    const outcomes = await Promise.all([a.jobs.runNow("retention run"), b.jobs.runNow("retention run")]);
    // Both ticks ran or one found the other's lock; none failed.
    expect(outcomes.filter((o) => o === "ran").length).toBeGreaterThanOrEqual(1);
    expect(outcomes.every((o) => o === "ran" || o === "locked elsewhere")).toBe(true);

    expect(await a.services.db.select().from(reports).where(eq(reports.id, made.reportId))).toEqual([]);
    const tombstones = await a.services.db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.action, "case.destroyed"), eq(auditLog.caseNumber, made.caseNumber)));
    expect(tombstones).toHaveLength(1);
    expect(await a.services.blobs.size(file!.blobKey)).toBeNull();
    const destroyedLines = [...a.logs].filter((l) => l.includes('"msg":"retention run"') && l.includes('"cases":1'));
    expect(destroyedLines).toHaveLength(1);
  });

  it("the notification run on both at once sends each e-mail once", async () => {
    const staff: string[] = [];
    for (const who of ["kim", "choi", "jung"]) staff.push((await createStaff(a, "investigator", `${who}@okestro.example`)).id);
    const events = ["ack_due_soon", "feedback_due_soon", "case_overdue"] as const;
    for (const [i, event] of events.entries()) {
      // Recorded, not sent: what a request records is sent right away, so these are for the job alone.
      expect(await notifyStaff(a.services.db, a.services, { event, staffUserIds: staff, dedupeKey: `instances-test-${i}` })).toBe(staff.length);
    }
    const before = smtp.received.length;

    const outcomes = await Promise.all([a.jobs.runNow("notification run"), b.jobs.runNow("notification run")]);
    expect(outcomes.every((o) => o === "ran" || o === "locked elsewhere")).toBe(true);

    const mails = smtp.received.slice(before);
    expect(mails).toHaveLength(staff.length * events.length);
    const seen = new Set(mails.map((m) => `${m.to.join(",")} ${m.text.slice(0, 400)}`));
    expect(seen.size).toBe(mails.length);
    const sent = await a.services.db
      .select({ id: staffNotifications.id })
      .from(staffNotifications)
      .where(and(isNotNull(staffNotifications.emailedAt), eq(staffNotifications.attempts, 0)));
    expect(sent.length).toBeGreaterThanOrEqual(staff.length * events.length);
    // A later run finds nothing left to send.
    await Promise.all([a.jobs.runNow("notification run"), b.jobs.runNow("notification run")]);
    expect(smtp.received.length).toBe(before + staff.length * events.length);
  });

  it("a job lock held by a connection that dies is taken by the other instance's next run", async () => {
    // An instance in the middle of upload cleanup: its lock on its own connection, as withJobLock holds it.
    const dying = postgres(a.services.config.DATABASE_URL!, { max: 1, onnotice: () => {} });
    const pid = (await dying<{ pid: number }[]>`select pg_backend_pid() as pid`)[0]!.pid;
    const key = jobLockKey("upload cleanup").toString();
    const locked = (await dying<{ locked: boolean }[]>`select pg_try_advisory_lock(${key}::bigint) as locked`)[0]!.locked;
    expect(locked).toBe(true);
    try {
      expect(await b.jobs.runNow("upload cleanup")).toBe("locked elsewhere");
      expect(await a.jobs.runNow("upload cleanup")).toBe("locked elsewhere");
      // Another job is not held up by it.
      expect(await b.jobs.runNow("flood sweep")).toBe("ran");

      // The instance dies: PostgreSQL ends its session, and the session's locks with it. The signal alone returns
      // before the backend has exited (CI once ran the job in between and found it still locked), so wait for the
      // exit (PostgreSQL 14+: the second argument waits up to that many milliseconds).
      const killer = postgres(admin!, { max: 1, onnotice: () => {} });
      const [ended] = await killer<{ ended: boolean }[]>`select pg_terminate_backend(${pid}, 30000) as ended`;
      expect(ended!.ended).toBe(true);
      await killer.end();
      expect(await b.jobs.runNow("upload cleanup")).toBe("ran");
    } finally {
      await dying.end({ timeout: 1 }).catch(() => {});
    }
  });

  it("answers liveness without the database and readiness with the database and the blob store", async () => {
    const live = await fetch(`${b.url}/livez`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${b.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready", database: { kind: "postgres", status: "up" }, blobs: { status: "up" } });
    // The probe leaves no blob behind.
    const left: string[] = [];
    for await (const blob of b.services.blobs.list()) if (blob.key.startsWith("readiness-")) left.push(blob.key);
    expect(left).toEqual([]);
    expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
  });

  it("is not ready while its blob store cannot be written, and live all the same", async () => {
    const blobsDir = a.services.config.paths.blobs;
    const aside = `${blobsDir}.aside`;
    const { rename } = await import("node:fs/promises");
    await rename(blobsDir, aside);
    await writeFile(blobsDir, "not a directory");
    try {
      // A probe's result is reused for a second (readiness.ts): ask until a new probe has run.
      let ready: Response | undefined;
      await expect.poll(async () => (ready = await fetch(`${b.url}/readyz`)).status, { timeout: 10_000, interval: 250 }).toBe(503);
      expect(await ready!.json()).toMatchObject({ status: "unavailable", database: { status: "up" }, blobs: { status: "down" } });
      expect((await fetch(`${b.url}/livez`)).status).toBe(200);
    } finally {
      await rm(blobsDir, { force: true });
      await rename(aside, blobsDir);
    }
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 10_000, interval: 250 }).toBe(200);
  });
});

describe.skipIf(!admin)("two instances starting together on an empty PostgreSQL", () => {
  it("both start; one migrates while the other waits, and every migration is applied once", async () => {
    const db = await freshPostgresDatabase();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-test-"));
    const started: RunningPortal[] = [];
    try {
      const env = {
        NODE_ENV: "test",
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        LOG_LEVEL: "warn",
        DB_UPKEEP_INTERVAL_MINUTES: "0",
      };
      const results = await Promise.allSettled([startPortal({ env, logWrite: () => {} }), startPortal({ env, logWrite: () => {} })]);
      for (const r of results) if (r.status === "fulfilled") started.push(r.value);
      expect(results.map((r) => (r.status === "rejected" ? String(r.reason) : "started"))).toEqual(["started", "started"]);
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const rows = await sql<{ hash: string }[]>`select hash from drizzle.__drizzle_migrations`;
        const files = readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql"));
        expect(rows).toHaveLength(files.length);
        expect(new Set(rows.map((r) => r.hash)).size).toBe(files.length);
      } finally {
        await sql.end();
      }
      for (const p of started) expect((await fetch(`${p.url}/readyz`)).status).toBe(200);
    } finally {
      for (const p of started) await p.close();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!admin)("limits shared by two instances on one PostgreSQL", () => {
  let a: TestPortal;
  let b: RunningPortal;
  let receipt: string;

  beforeAll(async () => {
    await loadSodium();
    a = await startTestPortal("postgres", { TRUST_PROXY: "1", RECEIPT_MIN_RESPONSE_MS: "0", RECEIPT_ATTEMPTS_PER_CLIENT: "10" });
    b = await a.startInstance();
    await createStaff(a, "investigator", "kim@okestro.example");
    receipt = (await submitTextReport(a.url, { title: "two doors", description: "made through A" })).receiptCode;
  });
  afterAll(async () => {
    await b?.close();
    await a?.stop();
  });

  it("counts ten wrong receipt codes spread over both instances as ten in all, and the eleventh is refused on either", async () => {
    const client = { "X-Forwarded-For": "203.0.113.77" };
    const wrong = toBase64Url(deriveReceiptSecrets("0000-0000-0000-0000-0000").lookup);
    const attempt = async (via: { url: string }, lookup = wrong) =>
      (
        await fetch(`${via.url}/api/followup/session`, {
          method: "POST",
          // The challenge comes from the other instance: both derive its keys from the one portal secret.
          headers: { "Content-Type": "application/json", ...(await withSolvedPow(via === a ? b.url : a.url, "followup-session", client)) },
          body: JSON.stringify({ lookup }),
        })
      ).status;
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push(await attempt(i % 2 === 0 ? a : b));
    expect(statuses).toEqual(Array(10).fill(404));
    // Each instance alone saw five: a limit kept per process would let both through.
    expect(await attempt(a)).toBe(429);
    expect(await attempt(b)).toBe(429);
    // Another client with the right code gets in through either instance, and reads the case made through A.
    const right = toBase64Url(deriveReceiptSecrets(receipt).lookup);
    const other = { "X-Forwarded-For": "203.0.113.78" };
    const opened = await fetch(`${b.url}/api/followup/session`, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(await withSolvedPow(b.url, "followup-session", other)) },
      body: JSON.stringify({ lookup: right }),
    });
    expect(opened.status).toBe(200);
  });
});
