// The one database client factory: embedded PGlite under DATA_DIR when no
// DATABASE_URL is given, PostgreSQL through postgres.js when it is.
//
// postgres.js is opened with notices discarded, no statement or parameter
// logging (THREAT-MODEL §2.9) and `application_name` `clean-okestro-report`.
// Migrating (db/migrator.ts, ADR 039) on PostgreSQL holds a session-level advisory
// lock on a dedicated connection; closing that connection releases the lock after a
// failure too.
// The periodic jobs' locks (ADR 036) live on one more dedicated connection, opened
// at the first run, so that a dead instance's locks go with its connection.
// `DatabaseHandle` is `db`, `kind`, `migrate()`, `ping()`, `upkeep()`,
// `withJobLock()`, `dump()`, `close()`.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { is, sql, type SQL } from "drizzle-orm";
import { PgTable, type PgDatabase, type PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { applyMigrations, readMigrations, type MigrationSession, type MigrationSummary, type Row } from "./migrator";
import { assertPatchedDriver } from "./patched-driver";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Db;
  kind: "pglite" | "postgres";
  /** Applies the committed migrations; safe to run from several servers at once (one migrates, the others wait). */
  migrate(options?: MigrateOptions): Promise<MigrateResult>;
  ping(): Promise<void>;
  /**
   * Vacuums and analyses every table of the schema, one at a time, where nothing else does: on PGlite.
   * Returns how many tables it did (it stops between tables once `stop` is aborted), or null on
   * PostgreSQL, whose autovacuum does it (ADR 019).
   */
  upkeep(stop?: AbortSignal): Promise<number | null>;
  /**
   * Runs `run` while this instance holds the advisory lock `key`, or not at all when another instance
   * holds it (`{ locked: false }`, without waiting). On PostgreSQL the lock is session-level on a
   * connection of its own, outside the pool the run's statements use, so it is held for the whole run
   * and released when the run ends or the connection dies. On PGlite, one process, `run` just runs.
   */
  withJobLock<T>(key: bigint, run: () => Promise<T>): Promise<{ locked: true; value: T } | { locked: false }>;
  /**
   * PGlite: a consistent copy of the data directory as an uncompressed tarball (for a backup, ADR 038), taken
   * between two statements (queries wait meanwhile); what a transaction open at that moment wrote is rolled back
   * when the copy is opened, as after a crash. Null on PostgreSQL, whose own tools back it up.
   */
  dump(): Promise<Blob | null>;
  close(): Promise<void>;
}

/** The rows of a raw query: postgres.js answers with the rows themselves, PGlite with a result that holds them. */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows;
}

/** The schema's tables, for upkeep: names come from the schema objects, never from strings. */
const TABLES: PgTable[] = (Object.values(schema) as unknown[]).filter((v): v is PgTable => is(v, PgTable));

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

/** The advisory lock key that lets one instance at a time migrate. */
export const MIGRATION_LOCK_KEY = 7426351;
/** How often an instance asks again for the migration lock while another holds it. */
const MIGRATION_LOCK_POLL_MS = 250;

export interface MigrateOptions {
  /** Another folder of migrations (tests); default db/migrations. */
  folder?: string;
  /** Called once when another instance is migrating and this one starts to wait. */
  onWaiting?: () => void;
}

export interface MigrateResult extends MigrationSummary {
  /** Whether this instance waited for another's migrations. */
  waited: boolean;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; "memory://" for a throwaway database. */
  pgliteDir?: string;
  /** postgres.js pool size. */
  poolSize?: number;
  /** PGlite: fill the (empty) data directory from this tarball of `dump()` first (a restore, ADR 038). */
  loadDataDir?: Blob;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.pgliteDir ?? "memory://", options.loadDataDir);
}

async function openPglite(dir: string, loadDataDir?: Blob): Promise<DatabaseHandle> {
  if (!dir.startsWith("memory://")) mkdirSync(path.resolve(dir), { recursive: true });
  const client = await PGlite.create(dir, loadDataDir ? { loadDataDir } : {});
  const db = drizzlePglite({ client, schema }) as Db;
  return {
    db,
    kind: "pglite",
    // One process per data directory: nobody to wait for, and nobody whose writes an index build could block.
    // PGlite 0.5.16 runs CREATE INDEX CONCURRENTLY outside a transaction like PostgreSQL does.
    migrate: async (options) => {
      const migrations = readMigrations(options?.folder ?? MIGRATIONS_DIR);
      const session: MigrationSession = { run: async (statement, params) => (await client.query<Row>(statement, params)).rows };
      return { ...(await applyMigrations(session, migrations)), waited: false };
    },
    ping: async () => {
      await client.query("select 1");
    },
    // PGlite is PostgreSQL in single-user mode: no autovacuum runs, and its activity counters do not
    // survive a restart, so without this no table is ever vacuumed or analysed. Dead rows would pile
    // up, index-only scans would visit the heap for every row (the inbox's visibility check and count)
    // and the planner would plan with the statistics of an empty database. One statement per table,
    // so that requests queued meanwhile run in between, and a shutdown waits for one table at most.
    upkeep: async (stop) => {
      let done = 0;
      for (const table of TABLES) {
        if (stop?.aborted) break;
        await db.execute(sql`vacuum (analyze) ${table}`);
        done++;
      }
      return done;
    },
    // PGlite admits one process per data directory (app/.server/platform/data-lock.ts): nobody to exclude.
    withJobLock: async (_key, run) => ({ locked: true, value: await run() }),
    dump: () => client.dumpDataDir("none"),
    close: () => client.close(),
  };
}

/**
 * Takes the migration lock on `one`, asking again every MIGRATION_LOCK_POLL_MS while another instance holds
 * it; says whether it waited. Not pg_advisory_lock: a session waiting in it holds a snapshot, which the
 * holder's CREATE INDEX CONCURRENTLY waits to see ended, so the two would deadlock (ADR 039).
 */
/** The migration's connection was replaced between two statements: the lock and any open transaction are gone. */
export class MigrationSessionLostError extends Error {
  constructor() {
    super("the database connection that held the migration lock was lost; nothing more was run on another (start again)");
    this.name = "MigrationSessionLostError";
  }
}

async function takeMigrationLock(one: postgres.Sql, onWaiting?: () => void): Promise<boolean> {
  for (let waited = false; ; waited = true) {
    const [row] = await one<{ locked: boolean }[]>`select pg_try_advisory_lock(${MIGRATION_LOCK_KEY}::bigint) as locked`;
    if (row?.locked) return waited;
    if (!waited) onWaiting?.();
    await new Promise((resolve) => setTimeout(resolve, MIGRATION_LOCK_POLL_MS));
  }
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
  // Refuse to run without the install-time fixes to postgres.js (db/patched-driver.ts, ADR 020).
  assertPatchedDriver(postgres);
  // No statement or parameter logging: parameters hold ciphertext and receipt look-ups.
  const client = postgres(url, {
    max: poolSize,
    onnotice: () => {},
    connection: { application_name: "clean-okestro-report" },
    // Wait at most about a second before connecting again. postgres.js waits 3^n/100 s after n failed
    // attempts (shared by the pool, up to 20 s), so after a database restart under load every request
    // waited many seconds although the database was back (test/faults/postgres-restart.test.ts).
    backoff: (attempts: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** attempts, 1),
  });
  const db = drizzlePostgres({ client, schema }) as Db;
  // One connection for every job lock of this instance (an instance holds several at once: locks are
  // per key, and a session may hold many). Opened at the first run; postgres.js reconnects after a
  // loss, and a lock held by the lost session is already gone then (its unlock answers false).
  let locks: postgres.Sql | null = null;
  const lockConnection = () =>
    (locks ??= postgres(url, {
      max: 1,
      onnotice: () => {},
      // Kept open while the instance runs: a connection postgres.js retired after its default max_lifetime (30-60
      // minutes) would drop every job lock held on it, in the middle of the runs they guard.
      max_lifetime: 0, // 0: never (postgres.js's timer is off for a falsy value)
      connection: { application_name: "clean-okestro-report jobs" },
      backoff: (attempts: number) => (0.5 + Math.random() / 2) * Math.min(0.05 * 2 ** attempts, 1),
    }));
  return {
    db,
    kind: "postgres",
    migrate: async (options) => {
      const migrations = readMigrations(options?.folder ?? MIGRATIONS_DIR);
      // Never closed by postgres.js itself (its default max_lifetime ends a connection after 30-60 minutes, and a
      // long index build outlasts that): the lock, and an open transaction, live exactly as long as this session.
      const one = postgres(url, {
        max: 1,
        onnotice: () => {},
        max_lifetime: 0, // 0: never (postgres.js's timer is off for a falsy value)
        connection: { application_name: "clean-okestro-report migrate" },
      });
      try {
        const waited = await takeMigrationLock(one, options?.onWaiting);
        const [{ pid }] = (await one`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
        // Every statement on this one connection, the lock's session: transactions and index builds alike. Should the
        // connection be lost between statements, postgres.js would quietly open another, where the rest of a migration
        // would run without the lock and outside its transaction: each statement first checks it is still that session.
        const session: MigrationSession = {
          run: async (statement, params) => {
            const [now] = (await one`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
            if (now.pid !== pid) throw new MigrationSessionLostError();
            return one.unsafe<Row[]>(statement, params as postgres.ParameterOrJSON<never>[]);
          },
        };
        const summary = await applyMigrations(session, migrations);
        await one`select pg_advisory_unlock(${MIGRATION_LOCK_KEY}::bigint)`;
        return { ...summary, waited };
      } finally {
        await one.end({ timeout: 5 });
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    upkeep: async () => null,
    dump: async () => null,
    withJobLock: async (key, run) => {
      const one = lockConnection();
      const k = key.toString();
      const [row] = await one<{ locked: boolean }[]>`select pg_try_advisory_lock(${k}::bigint) as locked`;
      if (!row?.locked) return { locked: false };
      try {
        return { locked: true, value: await run() };
      } finally {
        // A failed unlock (the connection was lost, and the lock with it) must not hide the run's result.
        await one`select pg_advisory_unlock(${k}::bigint)`.catch(() => {});
      }
    },
    close: async () => {
      await locks?.end({ timeout: 5 });
      await client.end({ timeout: 5 });
    },
  };
}
