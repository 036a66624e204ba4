// The migrator (db/migrator.ts, ADR 039) through the portal's own DatabaseHandle.migrate(), on real
// PostgreSQL and PGlite, with the fixture migrations in test/fixtures/migrations/ (a table "big" filled with
// many rows, then an index on it). On PostgreSQL the index build is held at its first wait by a transaction
// that has written to the table, and what the test asserts is the locks: the build holds only SHARE UPDATE
// EXCLUSIVE on the table, and other connections' inserts, updates and deletes go through while it is held
// (the same migration written as a plain CREATE INDEX asks for SHARE and the writers queue behind it). A
// build killed there leaves an INVALID index, which the next migrate drops and builds again; a second
// instance waits for the first and then finds nothing to do; databases drizzle's migrator made continue.
import { cpSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate as drizzleMigrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, openDatabase, queryRows, type DatabaseHandle } from "../../db/client";
import { classify, MigrationError, MigrationFileError, readMigrations } from "../../db/migrator";
import { backends, freshPostgresDatabase, postgresAdminUrl } from "../support/backends";
import { sql } from "drizzle-orm";

const FIXTURES = fileURLToPath(new URL("../fixtures/migrations", import.meta.url));
const ROWS = 200_000;
const scratch = mkdtempSync(path.join(os.tmpdir(), "cor-migrator-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** A migrations folder of the given fixtures, in order, each `when` from its number (as drizzle-kit's journal). */
function folderOf(...tags: string[]): string {
  const dir = mkdtempSync(path.join(scratch, "m-"));
  mkdirSync(path.join(dir, "meta"));
  for (const tag of tags) cpSync(path.join(FIXTURES, `${tag}.sql`), path.join(dir, `${tag}.sql`));
  const entries = tags.map((tag, idx) => ({ idx, version: "7", when: 1_800_000_000_000 + Number(tag.slice(0, 4)) * 1000, tag, breakpoints: true }));
  writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect: "postgresql", entries }));
  return dir;
}

const caught = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e,
  );

async function recorded(h: DatabaseHandle): Promise<{ hash: string; created_at: string }[]> {
  return queryRows(h.db, sql`select hash, created_at::text as created_at from drizzle.__drizzle_migrations order by id`);
}

async function indexValid(h: DatabaseHandle, name: string): Promise<boolean | null> {
  const [row] = await queryRows<{ valid: boolean }>(h.db, sql`select indisvalid as valid from pg_index where indexrelid = to_regclass(${name})`);
  return row ? row.valid : null;
}

describe("migration files", () => {
  it("reads every committed migration as drizzle does (same split, same hashes), none of them marked", () => {
    const ours = readMigrations(MIGRATIONS_DIR);
    const drizzles = readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR });
    expect(ours.map((m) => [m.hash, m.folderMillis])).toEqual(drizzles.map((m) => [m.hash, m.folderMillis]));
    expect(ours.flatMap((m) => m.concurrent)).toEqual([]);
  });

  it("takes the marked fixture apart: the transaction's statements, then the concurrent ones", () => {
    const [, marked] = readMigrations(folderOf("0000_big_table", "0001_big_v_index"));
    expect(marked!.statements).toHaveLength(1);
    expect(marked!.concurrent).toMatchObject([{ kind: "create-index", index: '"big_v_idx"', table: '"big"' }]);
  });

  it.each([
    ["a CONCURRENTLY statement without the marker", 'CREATE INDEX CONCURRENTLY IF NOT EXISTS "i" ON "t" ("a");', /needs the marker/],
    ["the marker without one", '-- migrate: concurrently\nCREATE INDEX "i" ON "t" ("a");', /no CONCURRENTLY statement/],
    ["a build without IF NOT EXISTS", '-- migrate: concurrently\nCREATE INDEX CONCURRENTLY "i" ON "t" ("a");', /only `CREATE/],
    ["a drop without IF EXISTS", '-- migrate: concurrently\nDROP INDEX CONCURRENTLY "i";', /only `CREATE/],
    ["REINDEX CONCURRENTLY", '-- migrate: concurrently\nREINDEX INDEX CONCURRENTLY "i";', /only `CREATE/],
    ["two statements in one chunk", '-- migrate: concurrently\nDROP INDEX CONCURRENTLY IF EXISTS "i"; DROP INDEX CONCURRENTLY IF EXISTS "j";', /alone/],
    [
      "a transactional statement after a concurrent one",
      '-- migrate: concurrently\nDROP INDEX CONCURRENTLY IF EXISTS "i";--> statement-breakpoint\nCREATE TABLE "x" ("a" int);',
      /before the CONCURRENTLY ones/,
    ],
  ])("refuses %s, naming the file", (_what, source, message) => {
    const error = (() => {
      try {
        classify("0099_example", source, source.split("--> statement-breakpoint"));
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(MigrationFileError);
    expect(String((error as Error).message)).toMatch(message);
    expect(String((error as Error).message)).toContain("db/migrations/0099_example.sql");
  });
});

describe.each(await backends())("on %s", (backend) => {
  const open = async () => {
    if (backend === "pglite") return { handle: await openDatabase({}), drop: async () => {} };
    const db = await freshPostgresDatabase();
    return { handle: await openDatabase({ url: db.url, poolSize: 2 }), drop: db.drop };
  };

  it("runs each migration in its own transaction: a failing one leaves those before it applied", async () => {
    const { handle, drop } = await open();
    try {
      const error = await caught(handle.migrate({ folder: folderOf("0000_big_table", "0001_big_v_index", "0002_fails") }));
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/^migration 0002_fails: failed and was rolled back/);
      expect((error as Error).cause).toMatchObject({ code: "22012" });
      expect(await recorded(handle)).toHaveLength(2);
      expect(await indexValid(handle, "big_v_idx")).toBe(true);
      expect(await queryRows(handle.db, sql`select to_regclass('later') as t`)).toEqual([{ t: null }]);
    } finally {
      await handle.close();
      await drop();
    }
  });

  it("builds a unique index whose build failed on duplicates again at the next migrate, once they are gone", async () => {
    const { handle, drop } = await open();
    try {
      await handle.migrate({ folder: folderOf("0000_big_table") });
      await handle.db.execute(sql`insert into big (v) values (1), (1), (2)`);
      const folder = folderOf("0000_big_table", "0001_big_v_unique");
      const error = await caught(handle.migrate({ folder }));
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).cause).toMatchObject({ code: "23505" });
      // The build got as far as the catalog: the index is there, INVALID (IF NOT EXISTS alone would keep it so).
      expect(await indexValid(handle, "big_v_key")).toBe(false);
      await handle.db.execute(sql`delete from big where id = (select max(id) from big where v = 1)`);
      expect(await handle.migrate({ folder })).toMatchObject({ applied: [], finished: "0001_big_v_unique" });
      expect(await indexValid(handle, "big_v_key")).toBe(true);
      expect(await recorded(handle)).toHaveLength(2);
      // Done: the next start asks nothing of the index.
      expect(await handle.migrate({ folder })).toMatchObject({ applied: [], finished: null });
    } finally {
      await handle.close();
      await drop();
    }
  });

  it("drops an index concurrently, and a repeat finds it gone", async () => {
    const { handle, drop } = await open();
    try {
      const folder = folderOf("0000_big_table", "0001_big_v_index", "0002_drop_big_v_index");
      expect(await handle.migrate({ folder })).toMatchObject({ applied: ["0000_big_table", "0001_big_v_index", "0002_drop_big_v_index"], finished: null });
      expect(await indexValid(handle, "big_v_idx")).toBeNull();
      expect(await handle.migrate({ folder })).toMatchObject({ applied: [], finished: null });
    } finally {
      await handle.close();
      await drop();
    }
  });
});

const admin = await postgresAdminUrl();

describe.skipIf(!admin)("index builds on PostgreSQL", () => {
  const clients: postgres.Sql[] = [];
  const connect = (url: string, name: string) => {
    const c = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: name } });
    clients.push(c);
    return c;
  };
  afterAll(async () => {
    for (const c of clients) await c.end({ timeout: 1 });
  });

  /**
   * A database with "big" of ROWS rows and a transaction that has written to it and stays open (the hold).
   * The fixture turns autovacuum off for "big": its SHARE UPDATE EXCLUSIVE lock would be another wait.
   */
  async function heldTable() {
    const db = await freshPostgresDatabase();
    const handle = await openDatabase({ url: db.url, poolSize: 2 });
    await handle.migrate({ folder: folderOf("0000_big_table") });
    const watch = connect(db.url, "migrator-test watch");
    await watch`insert into big (v) select g from generate_series(1, ${ROWS}) g`;
    const holder = connect(db.url, "migrator-test holder");
    await holder.unsafe("begin");
    await holder`insert into big (v) values (-1)`;
    /**
     * The migrating backend once its index build waits at the hold (it has entered the build): for the
     * holder's transaction to end (CONCURRENTLY) or for its lock on the table (plain).
     */
    const buildWaiting = async (statement: RegExp, waitEvent: "virtualxid" | "relation" = "virtualxid") => {
      let pid = 0;
      await expect
        .poll(
          async () => {
            const rows = await watch<{ pid: number; query: string; wait: string | null }[]>`
              select pid, query, wait_event as wait from pg_stat_activity
              where datname = current_database() and application_name = 'clean-okestro-report migrate' and state = 'active'`;
            const row = rows.find((r) => statement.test(r.query) && r.wait === waitEvent);
            pid = row?.pid ?? 0;
            return pid !== 0;
          },
          { timeout: 60_000, interval: 100 },
        )
        .toBe(true);
      return pid;
    };
    const tableLocks = async (pid: number) =>
      (
        await watch<{ mode: string; granted: boolean }[]>`
          select mode, granted from pg_locks where pid = ${pid} and locktype = 'relation' and relation = 'big'::regclass`
      ).map((l) => `${l.mode}${l.granted ? "" : " (waiting)"}`);
    const close = async () => {
      await holder.unsafe("rollback").catch(() => {});
      await handle.close();
      await db.drop();
    };
    return { db, handle, watch, holder, buildWaiting, tableLocks, close };
  }

  it("builds a marked migration's index CONCURRENTLY: while it runs, other connections insert, update and delete in that table", async () => {
    const t = await heldTable();
    try {
      const migrating = t.handle.migrate({ folder: folderOf("0000_big_table", "0001_big_v_index") });
      const pid = await t.buildWaiting(/create index concurrently/i);
      expect(await t.tableLocks(pid)).toEqual(["ShareUpdateExclusiveLock"]);
      // The migration's transaction has committed before the build: its table and its row are there.
      expect(await t.watch`select to_regclass('big_notes') is not null as there`).toEqual([{ there: true }]);
      expect(await t.watch`select count(*)::int as n from drizzle.__drizzle_migrations`).toEqual([{ n: 2 }]);

      const writer = connect(t.db.url, "migrator-test writer");
      await writer`insert into big (v) select g from generate_series(1, 1000) g`;
      await writer`update big set v = v + 1 where id <= 100`;
      await writer`delete from big where id = 5`;
      // Written while the build was still waiting at the hold.
      expect(await t.tableLocks(pid)).toEqual(["ShareUpdateExclusiveLock"]);

      await t.holder.unsafe("commit");
      expect(await migrating).toEqual({ applied: ["0001_big_v_index"], finished: null, waited: false });
      expect(await indexValid(t.handle, "big_v_idx")).toBe(true);
      expect(await t.watch`select count(*)::int as n from big`).toEqual([{ n: ROWS + 1 + 1000 - 1 }]);
      // The index holds the rows written during the build.
      expect(await t.watch`select count(*)::int as n from big where v = -1`).toEqual([{ n: 1 }]);
    } finally {
      await t.close();
    }
  });

  it("(the contrast) the same index as a plain CREATE INDEX asks for SHARE, and a writer queues behind it", async () => {
    const t = await heldTable();
    try {
      const migrating = t.handle.migrate({ folder: folderOf("0000_big_table", "0001_big_v_index_plain") });
      const pid = await t.buildWaiting(/create index "big_v_idx"/i, "relation");
      expect(await t.tableLocks(pid)).toEqual(["ShareLock (waiting)"]);
      const writer = connect(t.db.url, "migrator-test writer");
      const writing = writer`insert into big (v) values (7)`.execute();
      const writerLocks = async () => {
        const [w] = await t.watch<{ pid: number }[]>`select pid from pg_stat_activity where application_name = 'migrator-test writer'`;
        return w ? t.tableLocks(w.pid) : [];
      };
      await expect.poll(writerLocks, { timeout: 60_000, interval: 100 }).toEqual(["RowExclusiveLock (waiting)"]);
      await t.holder.unsafe("commit");
      await writing;
      expect(await migrating).toMatchObject({ applied: ["0001_big_v_index_plain"] });
    } finally {
      await t.close();
    }
  });

  it("rebuilds at the next migrate an index left INVALID by a build that was killed", async () => {
    const t = await heldTable();
    try {
      const folder = folderOf("0000_big_table", "0001_big_v_index");
      const migrating = caught(t.handle.migrate({ folder }));
      const pid = await t.buildWaiting(/create index concurrently/i);
      await t.watch`select pg_terminate_backend(${pid})`;
      const error = await migrating;
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as Error).message).toMatch(/^migration 0001_big_v_index: CREATE INDEX CONCURRENTLY .* failed; the next start runs it again$/);
      expect(await indexValid(t.handle, "big_v_idx")).toBe(false);
      expect(await recorded(t.handle)).toHaveLength(2);
      await t.holder.unsafe("rollback");

      expect(await t.handle.migrate({ folder })).toEqual({ applied: [], finished: "0001_big_v_index", waited: false });
      expect(await indexValid(t.handle, "big_v_idx")).toBe(true);
      expect(await t.watch`select count(*)::int as n from pg_index where indrelid = 'big'::regclass`).toEqual([{ n: 2 }]);
      expect(await recorded(t.handle)).toHaveLength(2);
      expect(await t.handle.migrate({ folder })).toEqual({ applied: [], finished: null, waited: false });
    } finally {
      await t.close();
    }
  });

  it("a second instance waits while the first builds, without deadlocking the build, then finds nothing to do", async () => {
    const t = await heldTable();
    const other = await openDatabase({ url: t.db.url, poolSize: 1 });
    try {
      const folder = folderOf("0000_big_table", "0001_big_v_index");
      const first = t.handle.migrate({ folder });
      await t.buildWaiting(/create index concurrently/i);
      let waiting = false;
      let settled = false;
      const second = other.migrate({ folder, onWaiting: () => (waiting = true) }).finally(() => (settled = true));
      await expect.poll(() => waiting, { timeout: 60_000, interval: 50 }).toBe(true);
      expect(settled).toBe(false);
      // The build's last phase waits for every older snapshot to end: one in a waiting pg_advisory_lock would
      // never end, and PostgreSQL would break the deadlock by failing one of the two.
      await t.holder.unsafe("commit");
      expect(await first).toEqual({ applied: ["0001_big_v_index"], finished: null, waited: false });
      expect(await second).toEqual({ applied: [], finished: null, waited: true });
      expect(await indexValid(t.handle, "big_v_idx")).toBe(true);
      expect(await recorded(t.handle)).toHaveLength(2);
    } finally {
      await other.close();
      await t.close();
    }
  });

  it("continues a database drizzle's migrator made, and keeps drizzle's bookkeeping", async () => {
    const viaDrizzle = await freshPostgresDatabase();
    const viaOurs = await freshPostgresDatabase();
    const d = connect(viaDrizzle.url, "migrator-test drizzle");
    const ours = await openDatabase({ url: viaOurs.url, poolSize: 1 });
    const continued = await openDatabase({ url: viaDrizzle.url, poolSize: 1 });
    try {
      await drizzleMigrate(drizzle({ client: d }), { migrationsFolder: MIGRATIONS_DIR });
      const all = readMigrations(MIGRATIONS_DIR).map((m) => m.tag);
      expect(await ours.migrate()).toEqual({ applied: all, finished: null, waited: false });
      // The same rows and the same schema either way.
      expect(await recorded(ours)).toEqual(await recorded(continued));
      const schemaOf = (h: DatabaseHandle) =>
        queryRows(
          h.db,
          sql`select 'column' as k, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as d
              from information_schema.columns where table_schema = 'public'
              union all select 'index', indexdef from pg_indexes where schemaname = 'public'
              union all select 'constraint', conrelid::regclass || ' ' || pg_get_constraintdef(oid) from pg_constraint where connamespace = 'public'::regnamespace
              order by 1, 2`,
        );
      expect(await schemaOf(ours)).toEqual(await schemaOf(continued));
      // Drizzle's database continues here: nothing pending.
      expect(await continued.migrate()).toEqual({ applied: [], finished: null, waited: false });
    } finally {
      await ours.close();
      await continued.close();
      await viaDrizzle.drop();
      await viaOurs.drop();
    }
  });

  it("applies after drizzle's rows only what is newer", async () => {
    const db = await freshPostgresDatabase();
    const d = connect(db.url, "migrator-test drizzle");
    const handle = await openDatabase({ url: db.url, poolSize: 1 });
    try {
      await drizzleMigrate(drizzle({ client: d }), { migrationsFolder: folderOf("0000_big_table") });
      const before = await recorded(handle);
      expect(await handle.migrate({ folder: folderOf("0000_big_table", "0001_big_v_index") })).toEqual({
        applied: ["0001_big_v_index"],
        finished: null,
        waited: false,
      });
      const after = await recorded(handle);
      expect(after.slice(0, 1)).toEqual(before);
      expect(after[1]).toEqual({ hash: readMigrations(folderOf("0001_big_v_index"))[0]!.hash, created_at: "1800000001000" });
      expect(await indexValid(handle, "big_v_idx")).toBe(true);
    } finally {
      await handle.close();
      await db.drop();
    }
  });
});
