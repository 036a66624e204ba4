// The embedded database's upkeep (ADR 019): PGlite runs no autovacuum, so
// the portal vacuums and analyses it, at start and on a timer. What vacuum
// and analyze leave behind is read from pg_class, which they write directly:
// relallvisible (pages the visibility map marks all-visible, what index-only
// scans need) and reltuples (-1 until a table was first analysed).
import { getTableName, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { fetchIntakeInfo } from "../../app/reporter/intake-client";
import { loadSodium } from "../../crypto";
import type { Db } from "../../db/client";
import { categories, reports } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff } from "../support/staff";

interface RelState {
  relpages: number;
  relallvisible: number;
  reltuples: number;
  rows: number;
}

async function relState(db: Db, table: typeof reports | typeof categories): Promise<RelState> {
  const result = (await db.execute(
    sql`select relpages, relallvisible, reltuples, (select count(*)::int from ${table}) as rows from pg_class where relname = ${getTableName(table)}`,
  )) as unknown;
  const [r] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  return { relpages: Number(r!.relpages), relallvisible: Number(r!.relallvisible), reltuples: Number(r!.reltuples), rows: Number(r!.rows) };
}

async function submitSome(portal: TestPortal, n: number): Promise<void> {
  const info = await fetchIntakeInfo({ baseUrl: portal.url });
  for (let i = 0; i < n; i++) await submitTextReport(portal.url, { title: `Report ${i}`, description: "x".repeat(400), category: i }, info);
}

let portal: TestPortal | null = null;
afterEach(async () => {
  await portal?.stop();
  portal = null;
});

describe("database upkeep on pglite", () => {
  it("vacuums and analyses every table when asked, which nothing else does", async () => {
    await loadSodium();
    portal = await startTestPortal("pglite"); // test portals run no upkeep unless asked
    await createStaff(portal, "investigator", "lee@okestro.example");
    await submitSome(portal, 40);
    const db = portal.services.database.db;
    // A report's status changes leave dead row versions behind, as in daily use.
    await db.execute(sql`update reports set priority = 'high'`);
    const before = await relState(db, reports);
    expect(before.rows).toBe(40);
    expect(before.relallvisible).toBe(0);
    expect(before.reltuples).toBe(-1);

    expect(await portal.services.database.upkeep()).toBeGreaterThan(20);
    const after = await relState(db, reports);
    expect(after.relpages).toBeGreaterThan(0);
    expect(after.relallvisible).toBe(after.relpages);
    expect(after.reltuples).toBe(40);
  });

  it("runs on its own after start and then on its timer, logging how long it took", async () => {
    // 0.01 minutes: the first run after 0.6 s (a minute, or the interval if shorter), then every 0.6 s.
    portal = await startTestPortal("pglite", { DB_UPKEEP_INTERVAL_MINUTES: "0.01" });
    const db = portal.services.database.db;
    const runs = () => portal!.logs.filter((l) => l.includes('"database upkeep"'));
    for (let i = 0; i < 200 && runs().length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(runs().length).toBeGreaterThanOrEqual(2);
    expect(runs()[0]).toMatch(/"tables":\d+,"ms":\d+/);
    const state = await relState(db, categories);
    expect(state.rows).toBeGreaterThan(0);
    expect(state.reltuples).toBe(state.rows);
    expect(state.relallvisible).toBe(state.relpages);
  });

  it("stops a run under way after its current table when the server stops, and closes the database after it", async () => {
    portal = await startTestPortal("pglite", { DB_UPKEEP_INTERVAL_MINUTES: "0.01" });
    const database = portal.services.database;
    const real = database.upkeep.bind(database);
    // The server's next run goes through this stand-in, which holds it at "a table under way" until released.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let signal: AbortSignal | undefined;
    database.upkeep = async (stop) => {
      signal = stop;
      await held;
      return real(stop);
    };
    for (let i = 0; i < 100 && !signal; i++) await new Promise((r) => setTimeout(r, 20));
    expect(signal).toBeDefined();
    const logs = portal.logs;
    let stopped = false;
    const stopping = portal.stop().then(() => (stopped = true));
    portal = null;
    await new Promise((r) => setTimeout(r, 300));
    expect(signal!.aborted).toBe(true);
    expect(stopped).toBe(false);
    release();
    await stopping;
    // The run saw the abort before its first table: no table was vacuumed after the stop began, nothing failed.
    expect(logs.filter((l) => l.includes('"database upkeep"'))).toEqual([expect.stringContaining('"tables":0')]);
    expect(logs.filter((l) => l.includes('"level":"error"'))).toEqual([]);
  });
});

for (const backend of (await backends()).filter((b) => b === "postgres")) {
  describe(`database upkeep on ${backend}`, () => {
    it("leaves PostgreSQL to its autovacuum and runs nothing, even when the interval is set", async () => {
      portal = await startTestPortal(backend, { DB_UPKEEP_INTERVAL_MINUTES: "0.01" });
      expect(await portal.services.database.upkeep()).toBeNull();
      // Long enough for two runs on PGlite (the first after 0.6 s).
      await new Promise((r) => setTimeout(r, 1500));
      expect(portal.logs.some((l) => l.includes('"database upkeep"'))).toBe(false);
      const result = (await portal.services.database.db.execute(
        sql`select count(*)::int as n from pg_stat_user_tables where last_vacuum is not null or last_analyze is not null`,
      )) as unknown;
      const [row] = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
      expect(row!.n).toBe(0);
    });
  });
}
