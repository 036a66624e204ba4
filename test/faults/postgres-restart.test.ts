// Fault: PostgreSQL is restarted (`pg_ctl restart -m fast`, three times, then
// stopped for three seconds and started) while several reporters submit
// encrypted reports with attachments. The machine's shared PostgreSQL is never
// touched: the test makes a private cluster with Debian's binaries on a free
// port. Every request must either succeed (and then its report is stored whole
// and decrypts) or get a clear error status, never a dropped connection: a
// request the outage defeated gets 503 `unavailable` as JSON with Retry-After
// (a page the plain 503 page), and the log holds nothing of the requests;
// nothing is half stored; the same server process serves new submissions
// afterwards, without retries, and soon after the database is back.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commands } from "../../cli/commands";
import { fetchIntakeInfo } from "../../app/reporter/intake-client";
import { auditStore, createInvestigator, freePort, spawnPortal, withServices, type ChildPortal } from "../support/child-portal";
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from "../support/private-postgres";
import { checkStored, SubmissionStream, tally, type Exchange } from "../support/submission-stream";
import { ko } from "../../app/i18n/ko";

const available = privatePostgresAvailable(); // throws under CI when the binaries are missing
const KiB = 1024;
const MiB = 1024 * KiB;
const RESTARTS = 3;

let portal: ChildPortal;

/** Waits for a condition; fails at once, with the server's log, if the server process died meanwhile. */
async function waitUntil(what: string, ok: () => boolean, timeoutMs = 30_000): Promise<void> {
  let exited: { code: number | null; signal: string | null } | null = null;
  void portal.exited.then((e) => (exited = e));
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (exited) throw new Error(`the server process died (${JSON.stringify(exited)}) while waiting for ${what}:\n${portal.logs.slice(-15).join("\n")}`);
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}:\n${portal.logs.slice(-15).join("\n")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.skipIf(!available)("PostgreSQL restarted during a stream of submissions", () => {
  let pg: PrivatePostgres;
  let dataDir: string;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-fault-pg-"));
    env = { DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: pg.url, DATABASE_POOL_SIZE: "6" };
    await withServices(env, async (s) => {
      await createInvestigator(s, dataDir, "inv1@okestro.example", "Investigator One");
      await createInvestigator(s, dataDir, "inv2@okestro.example", "Investigator Two");
    });
    portal = await spawnPortal(env);
  });
  afterAll(async () => {
    await portal?.kill();
    await pg?.destroy();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("answers every request clearly, stores nothing by halves, and recovers without a restart", async () => {
    const t0 = Date.now();
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    expect(info.open).toBe(true);
    const stream = new SubmissionStream({
      baseUrl: portal.url,
      info,
      clients: 4,
      retryDelaysMs: [100, 200, 400, 800, 1600],
      // Every second report has a small file, every fifth also a two-part one.
      filesFor: (c, seq) => [...((c + seq) % 2 === 0 ? [1 + ((c * 7919 + seq * 104_729) % (300 * KiB))] : []), ...((c + seq) % 5 === 0 ? [8 * MiB + 777] : [])],
    });

    // Three restarts, each after a few more reports went through.
    const restarts: [number, number][] = [];
    const outage: [number, number, number] = [0, 0, 0];
    type Answer = { status: number; retryAfter: string | null; type: string | null; body: string };
    let duringOutage: { api: Answer; page: Answer; navigation: Answer } | undefined;
    try {
      for (let r = 0; r < RESTARTS; r++) {
        const acked = stream.acknowledged().length;
        await waitUntil(`reports acknowledged before restart ${r + 1}`, () => stream.acknowledged().length >= acked + 6);
        const start = Date.now();
        await pg.restart();
        restarts.push([start, Date.now()]);
      }
      const restartEnd = restarts.at(-1)![1];
      const ackedBefore = stream.acknowledged().length;
      await waitUntil("reports acknowledged after the restart", () => stream.acknowledged().length >= ackedBefore + 12 && Date.now() - restartEnd > 2000);
      // A slower restart: the database is away for three seconds while the reporters keep trying.
      const ackedBeforeOutage = stream.acknowledged().length;
      outage[0] = Date.now();
      await pg.stop();
      // While it is away, a read, a page and a client-side navigation say so.
      const [api, page, navigation] = await Promise.all([
        fetch(`${portal.url}/api/intake/info`),
        fetch(`${portal.url}/report`, { headers: { "Accept-Language": "ko-KR,ko;q=0.9" } }),
        fetch(`${portal.url}/report.data`),
      ]);
      duringOutage = {
        api: { status: api.status, retryAfter: api.headers.get("Retry-After"), type: api.headers.get("Content-Type"), body: await api.text() },
        page: { status: page.status, retryAfter: page.headers.get("Retry-After"), type: page.headers.get("Content-Type"), body: await page.text() },
        navigation: { status: navigation.status, retryAfter: navigation.headers.get("Retry-After"), type: navigation.headers.get("Content-Type"), body: "" },
      };
      await new Promise((r) => setTimeout(r, Math.max(0, outage[0] + 3000 - Date.now())));
      await pg.start();
      outage[1] = Date.now();
      await waitUntil("reports acknowledged after the outage", () => stream.acknowledged().length >= ackedBeforeOutage + 8);
      outage[2] = Date.now();
    } finally {
      await stream.stop();
    }

    // The same server process answers at once, with no retry, after the database came back.
    const health = await fetch(`${portal.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: { kind: "postgres", status: "up" } });
    const after = new SubmissionStream({ baseUrl: portal.url, info, clients: 3, retryDelaysMs: [], filesFor: (c) => (c === 0 ? [200 * KiB] : []) });
    try {
      await waitUntil("new submissions without retries", () => after.sent.length >= 9);
    } finally {
      await after.stop();
    }
    expect(after.sent.filter((x) => !x.acknowledged).map((x) => x.error)).toEqual([]);
    expect(after.exchanges.filter((e) => e.status !== 200 && e.status !== 201)).toEqual([]);
    expect(await Promise.race([portal.exited.then(() => "exited"), new Promise((r) => setTimeout(() => r("running"), 10))])).toBe("running");

    // Every request got an answer: success, or a clear error status (never a dropped connection). What the
    // database's absence defeated is a 503 `unavailable` JSON answer with Retry-After, never a bare 500; a part
    // sent again after its answer was lost meets 409 wrong_part, and the client moves on.
    const all = [...stream.exchanges, ...after.exchanges];
    expect(all.filter((e) => e.status === "network")).toEqual([]);
    const unavailable = (e: Exchange) =>
      e.status === 503 && e.code === "unavailable" && e.retryAfter === "5" && !!e.contentType?.startsWith("application/json");
    const unclear = all.filter((e) => typeof e.status === "number" && e.status >= 400 && !(unavailable(e) || e.code === "wrong_part"));
    expect(unclear).toEqual([]);
    // The restart was felt: requests around it failed (and the clients' retries carried most reports through).
    const failedAround = stream.exchanges.filter((e) => typeof e.status === "number" && e.status >= 500 && e.endedAt >= restarts[0]![0]);
    expect(failedAround.length).toBeGreaterThan(0);
    // While the database was stopped: the API in JSON, a page as the plain 503 page in the reader's language
    // (no script), a client-side navigation as 503, each with Retry-After.
    expect(duringOutage!.api).toMatchObject({ status: 503, retryAfter: "5", type: expect.stringMatching(/^application\/json/) });
    expect(JSON.parse(duringOutage!.api.body)).toMatchObject({ error: { code: "unavailable", message: expect.any(String) } });
    expect(duringOutage!.page).toMatchObject({ status: 503, retryAfter: "5", type: expect.stringMatching(/^text\/html/) });
    expect(duringOutage!.page.body).toContain(ko["unavailable.text"]);
    expect(duringOutage!.page.body).not.toContain("<script");
    expect(duringOutage!.navigation).toMatchObject({ status: 503, retryAfter: "5" });
    // The log says the database was away, and holds nothing of the requests: no report id, no ciphertext.
    expect(portal.logs.some((l) => l.includes('"database unavailable"'))).toBe(true);
    const sentIds = [...stream.sent, ...after.sent].flatMap((x) => (x.reportId ? [x.reportId] : []));
    expect(portal.logs.filter((l) => sentIds.some((id) => l.includes(id)) || /[A-Za-z0-9_-]{60,}/.test(l))).toEqual([]);

    // Once the database is back, the server uses it again at once, not after a reconnection back-off of many seconds.
    const firstSuccess = Math.min(
      ...stream.exchanges.filter((e) => e.endedAt > outage[1] && typeof e.status === "number" && e.status < 300).map((e) => e.endedAt),
    );
    const recoveryMs = firstSuccess - outage[1];
    expect(recoveryMs).toBeLessThan(4000);
    const slowest = Math.max(...stream.since(outage[1]).map((e) => e.endedAt - e.startedAt));
    expect(slowest).toBeLessThan(8000);
    // Requests that were waiting when it came back are answered soon after.
    const lastStuck = Math.max(0, ...stream.exchanges.filter((e) => e.startedAt < outage[1] && e.endedAt > outage[1]).map((e) => e.endedAt - outage[1]));
    expect(lastStuck).toBeLessThan(5000);

    // What the database holds is whole, and all that was acknowledged is there and decrypts exactly.
    const reportsSent = [...stream.sent, ...after.sent];
    await withServices(env, async (s) => {
      const check = await checkStored(s, reportsSent, "inv1@okestro.example", 2);
      expect(check.lost).toEqual([]);
      expect(check.wrong).toEqual([]);
      expect(check.stored).toBeGreaterThanOrEqual(reportsSent.filter((x) => x.acknowledged).length);
      const audit = await auditStore(s);
      expect(audit).toMatchObject({ reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [] });
      expect(audit.reports).toBe(check.stored);
    });
    // Uploads of reports whose clients gave up go with the cleanup; then blobs and attachments match one to one.
    await withServices(
      env,
      (s) => commands["uploads:cleanup"]!(s, []),
      () => new Date(Date.now() + 25 * 3600_000),
    );
    await withServices(env, async (s) => {
      expect(await auditStore(s)).toMatchObject({ reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [], uploads: 0 });
    });

    const failedReports = stream.sent.filter((x) => x.error);
    console.info(
      `[faults] postgres-restart: ${RESTARTS} restarts took ${restarts.map(([a, b]) => b - a).join(", ")} ms, then ${outage[1] - outage[0]} ms away: first success ${recoveryMs} ms after it was back, waiting requests answered within ${lastStuck} ms, slowest request since ${slowest} ms, 8 more reports acknowledged within ${outage[2] - outage[1]} ms; ${stream.sent.length} reports in the stream ` +
        `(${stream.acknowledged().length} acknowledged, ${failedReports.length} given up: ${JSON.stringify(failedReports.map((x) => x.error))}), ` +
        `${after.sent.length} after; ${failedAround.length} requests answered 5xx around the restart; whole test ${Date.now() - t0} ms\n` +
        JSON.stringify(tally(all), null, 1),
    );
  });
});
