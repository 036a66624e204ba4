// Fault: PostgreSQL terminates the portal's connections (pg_terminate_backend,
// what an administrator, a fail-over or a connection limit does) while queries
// are running and more are arriving. Every query must settle, with its result or
// a connection error; what was acknowledged must be stored; the process must not
// die; the pool must serve again at once, without a restart. postgres.js 3.4.x
// failed each of these (patches/postgres+3.4.7.patch, ADR 020): queries
// sent between a socket's error and its close waited for ever; an INSERT was
// reported done before its commit, which then failed; a termination while a new
// connection fetched its types was an unhandled rejection. The first four tests
// drive db/client.ts directly, which makes those moments certain or frequent; the
// last terminates the connections of a running portal under a stream of
// submissions.
import { setTimeout as sleep } from "node:timers/promises";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo } from "../../app/reporter/intake-client";
import { openDatabase, type DatabaseHandle } from "../../db/client";
import { freshPostgresDatabase, postgresAdminUrl } from "../support/backends";
import { auditStore, createInvestigator, freePort, spawnPortal, withServices, type ChildPortal } from "../support/child-portal";
import { checkStored, SubmissionStream, tally, type Exchange } from "../support/submission-stream";

const available = (await postgresAdminUrl()) !== null; // throws under CI when PostgreSQL is missing
const HUNG_AFTER_MS = 5000;
/** What a query may end in once its connection is gone: PostgreSQL's admin_shutdown, or postgres.js's connection errors. */
const CONNECTION_ERRORS = new Set(["57P01", "CONNECTION_CLOSED", "CONNECTION_DESTROYED", "ECONNRESET", "EPIPE"]);

type Outcome = "ok" | "hung" | string;

function codeOf(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  return String(e?.cause?.code ?? e?.code ?? error);
}

/** Settles a query: "ok", its error code, or "hung" when it has not settled in time. */
function settle(query: Promise<unknown>, ms = HUNG_AFTER_MS): Promise<Outcome> {
  return Promise.race([query.then(() => "ok", codeOf), sleep(ms).then(() => "hung" as const)]);
}

describe.skipIf(!available)("PostgreSQL terminates the connections", () => {
  let fresh: { url: string; drop(): Promise<void> };
  let admin: postgres.Sql;

  /** Terminates the portal's connections to the test database; returns how many. */
  async function terminateAll(): Promise<number> {
    const rows = await admin`
      select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and application_name = 'clean-okestro-report'`;
    return rows.length;
  }

  async function untilRunning(count: number): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [row] = await admin`
        select count(*)::int as n from pg_stat_activity
        where datname = current_database() and state = 'active' and query like 'select pg_sleep%'`;
      if (row!.n >= count) return;
      await sleep(10);
    }
    throw new Error(`${count} sleeping queries did not start`);
  }

  beforeAll(async () => {
    fresh = await freshPostgresDatabase();
    admin = postgres(fresh.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await admin?.end({ timeout: 5 });
    await fresh?.drop();
  });

  /**
   * Runs `sleepers` long queries, terminates their connections, and from the first failure on keeps
   * `workers` callers busy, each sending its next query the moment the previous one settled, as an
   * application under load does (answering the next request, or retrying). Some of those queries land
   * on a connection between its socket error and its close, the moment the bug was in.
   */
  async function terminateDuringQueries(handle: DatabaseHandle, sleepers: number, workers: number, each: number) {
    await Promise.all(Array.from({ length: sleepers }, () => handle.db.execute(sql`select 1`)));
    const sleeping = Array.from({ length: sleepers }, () => settle(handle.db.execute(sql`select pg_sleep(30)`)));
    await untilRunning(sleepers);
    expect(await terminateAll()).toBe(sleepers);
    await Promise.race(sleeping);
    const during = (
      await Promise.all(
        Array.from({ length: workers }, async () => {
          const outcomes: Outcome[] = [];
          for (let i = 0; i < each; i++) outcomes.push(await settle(handle.db.execute(sql`select 1`)));
          return outcomes;
        }),
      )
    ).flat();
    return { sleeping: await Promise.all(sleeping), during };
  }

  /** Closing must not wait for a query that was rejected long ago. */
  async function closes(handle: DatabaseHandle): Promise<Outcome> {
    return Promise.race([handle.close().then(() => "closed"), sleep(HUNG_AFTER_MS).then(() => "hung")]);
  }

  it("with one connection: every query settles, and the next ones succeed at once", async () => {
    const handle = await openDatabase({ url: fresh.url, poolSize: 1 });
    try {
      for (let round = 0; round < 4; round++) {
        const { sleeping, during } = await terminateDuringQueries(handle, 1, 1, 8);
        expect(sleeping.filter((o) => !CONNECTION_ERRORS.has(o))).toEqual([]);
        expect(
          during.filter((o) => o !== "ok" && !CONNECTION_ERRORS.has(o)),
          `round ${round}: ${during}`,
        ).toEqual([]);
        const after = [];
        for (let i = 0; i < 5; i++) after.push(await settle(handle.db.execute(sql`select 1`), 2000));
        expect(after, `round ${round}`).toEqual(["ok", "ok", "ok", "ok", "ok"]);
      }
    } catch (error) {
      await closes(handle);
      throw error;
    }
    expect(await closes(handle)).toBe("closed");
  });

  it("with a pool of ten: every query settles, and the pool serves again at once", async () => {
    const handle = await openDatabase({ url: fresh.url, poolSize: 10 });
    try {
      for (let round = 0; round < 4; round++) {
        const { sleeping, during } = await terminateDuringQueries(handle, 10, 20, 8);
        expect(sleeping.filter((o) => !CONNECTION_ERRORS.has(o))).toEqual([]);
        expect(
          during.filter((o) => o !== "ok" && !CONNECTION_ERRORS.has(o)),
          `round ${round}: ${during}`,
        ).toEqual([]);
        const after = await Promise.all(Array.from({ length: 30 }, () => settle(handle.db.execute(sql`select 1`), 3000)));
        expect(
          after.filter((o) => o !== "ok"),
          `round ${round}`,
        ).toEqual([]);
      }
    } catch (error) {
      await closes(handle);
      throw error;
    }
    expect(await closes(handle)).toBe("closed");
  });

  it("reports a statement as done only once PostgreSQL has committed it", async () => {
    // An autocommit statement commits at the end of its message series (Sync), after PostgreSQL has
    // sent its CommandComplete. A deferred constraint fails at exactly that point: the INSERT itself
    // completes, the commit does not. postgres.js resolved at CommandComplete, so this INSERT "succeeded"
    // and the error was dropped; the same moment is where a terminated backend lost an acknowledged
    // submission (the stress test below).
    await admin`create table deferred_once (id int, constraint deferred_once_unique unique (id) deferrable initially deferred)`;
    const handle = await openDatabase({ url: fresh.url, poolSize: 2 });
    try {
      await handle.db.execute(sql`insert into deferred_once (id) values (${1})`);
      const second = await settle(handle.db.execute(sql`insert into deferred_once (id) values (${1})`));
      expect(second).toBe("23505");
      expect(await admin`select count(*)::int as n from deferred_once`).toEqual([{ n: 1 }]);
      // The connection serves on.
      expect(await settle(handle.db.execute(sql`select 1`))).toBe("ok");
    } finally {
      await closes(handle);
    }
  });

  it("under terminations every few milliseconds: no crash, and every acknowledged insert is stored", async () => {
    // Terminations land everywhere: during statements, between a statement and its commit, and while
    // a new connection fetches its types (postgres.js did not handle that failure: an unhandled
    // rejection, which ends a Node process).
    await admin`create table acknowledged (id int primary key, pad text not null)`;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const handle = await openDatabase({ url: fresh.url, poolSize: 8 });
    const acked: number[] = [];
    const failures = new Map<string, number>();
    let running = true;
    let next = 0;
    let kills = 0;
    try {
      const pad = "x".repeat(2000);
      const workers = Array.from({ length: 8 }, async () => {
        while (running) {
          const id = next++;
          const outcome = await settle(handle.db.execute(sql`insert into acknowledged (id, pad) values (${id}, ${pad})`));
          if (outcome === "ok") acked.push(id);
          else failures.set(outcome, (failures.get(outcome) ?? 0) + 1);
        }
      });
      const killer = (async () => {
        while (running) {
          kills += await terminateAll();
          await sleep(2 + Math.random() * 20);
        }
      })();
      // Counts, not a time window: how much gets through depends on the machine's load. The burst
      // lasts at least 6 s and until 50 terminations and 20 acknowledged inserts (at most 60 s).
      const started = Date.now();
      while (Date.now() - started < 6000 || ((kills < 50 || acked.length < 20) && Date.now() - started < 60_000)) await sleep(50);
      running = false;
      await Promise.all([...workers, killer]);
      const stored = new Set((await admin`select id from acknowledged`).map((r) => r.id as number));
      expect(kills).toBeGreaterThan(0);
      expect([...failures.keys()].filter((o) => !CONNECTION_ERRORS.has(o))).toEqual([]);
      expect(acked.length, "some inserts are acknowledged between terminations").toBeGreaterThan(0);
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      expect(unhandled).toEqual([]);
      console.info(
        `[faults] postgres-terminate stress: ${kills} connections terminated, ${acked.length} inserts acknowledged and stored, failures ${JSON.stringify(Object.fromEntries(failures))}`,
      );
    } finally {
      running = false;
      process.off("unhandledRejection", onUnhandled);
      await closes(handle);
    }
  });

  describe("a running portal", () => {
    let portal: ChildPortal;
    let dataDir: string;
    let env: Record<string, string | undefined>;

    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-fault-term-"));
      env = { DATA_DIR: dataDir, PORT: String(await freePort()), DATABASE_URL: fresh.url, DATABASE_POOL_SIZE: "6" };
      await withServices(env, async (s) => {
        await createInvestigator(s, dataDir, "inv1@okestro.example", "Investigator One");
        await createInvestigator(s, dataDir, "inv2@okestro.example", "Investigator Two");
      });
      portal = await spawnPortal(env);
    });
    afterAll(async () => {
      await portal?.kill();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it("answers every request while its connections are terminated, stores nothing by halves, and serves on", async () => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const stream = new SubmissionStream({
        baseUrl: portal.url,
        info,
        clients: 6,
        retryDelaysMs: [100, 200, 400, 800],
        filesFor: (c, seq) => ((c + seq) % 3 === 0 ? [1 + ((c * 7919 + seq * 104_729) % (200 * 1024))] : []),
      });
      /** A request without an answer for this long is stuck (the bug made it wait for ever). */
      const stuck = () => stream.exchanges.filter((e) => e.endedAt === 0 && Date.now() - e.startedAt > 10_000);
      const terminated: number[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          const acked = stream.acknowledged().length;
          for (let t = 0; stream.acknowledged().length < acked + 3; t++) {
            expect(stuck(), "requests without an answer").toEqual([]);
            if (t > 1500) {
              const recent = JSON.stringify(tally(stream.since(Date.now() - 5000)));
              throw new Error(`no reports acknowledged after termination ${i}; the last 5 s: ${recent}\n${portal.logs.slice(-10).join("\n")}`);
            }
            await sleep(20);
          }
          terminated.push(await terminateAll());
          await sleep(50 + ((i * 37) % 200));
        }
        // The stream goes on after the last termination: wait until requests started since then are answered.
        const last = Date.now();
        while (stream.since(last).filter((e) => e.endedAt > 0).length < 20) {
          expect(stuck(), "requests without an answer").toEqual([]);
          await sleep(20);
        }
      } finally {
        await stream.stop();
      }
      expect(terminated.reduce((a, b) => a + b, 0)).toBeGreaterThan(8);

      // The same process serves new submissions without retries.
      const after = new SubmissionStream({ baseUrl: portal.url, info, clients: 3, retryDelaysMs: [] });
      try {
        while (after.sent.length < 9) await sleep(20);
      } finally {
        await after.stop();
      }
      expect(after.sent.filter((x) => !x.acknowledged).map((x) => x.error)).toEqual([]);

      // Every request got an answer; a failure is a 503 `unavailable` (or 409 wrong_part for a part sent again).
      const all = [...stream.exchanges, ...after.exchanges];
      expect(all.filter((e) => e.status === "network")).toEqual([]);
      const clear = (e: Exchange) => (e.status === 503 && e.code === "unavailable" && e.retryAfter === "5") || e.code === "wrong_part";
      expect(all.filter((e) => typeof e.status === "number" && e.status >= 400 && !clear(e))).toEqual([]);
      const slowest = Math.max(...all.map((e) => e.endedAt - e.startedAt));
      expect(slowest).toBeLessThan(10_000);

      const reportsSent = [...stream.sent, ...after.sent];
      await withServices(env, async (s) => {
        const check = await checkStored(s, reportsSent, "inv1@okestro.example", 2);
        expect(check.lost).toEqual([]);
        expect(check.wrong).toEqual([]);
        expect(await auditStore(s)).toMatchObject({ reportsWithoutEnvelopes: [], attachmentsWithoutBlob: [], strayBlobs: [] });
      });
      console.info(
        `[faults] postgres-terminate: ${terminated.length} terminations (${terminated.join(", ")} connections); ` +
          `${stream.sent.length} reports in the stream (${stream.acknowledged().length} acknowledged, ${stream.sent.filter((x) => x.error).length} given up), ` +
          `${after.sent.length} after; slowest request ${slowest} ms\n` +
          JSON.stringify(tally(all), null, 1),
      );
    });
  });
});
