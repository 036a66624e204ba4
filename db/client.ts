// The one database client factory: embedded PGlite under DATA_DIR when no
// DATABASE_URL is given, PostgreSQL through postgres.js when it is.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  db: Db;
  kind: "pglite" | "postgres";
  /** Applies the committed migrations; safe to run from several servers at once. */
  migrate(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL("./migrations", import.meta.url));

export interface DatabaseOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data directory; "memory://" for a throwaway database. */
  pgliteDir?: string;
  /** postgres.js pool size. */
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url) return openPostgres(options.url, options.poolSize ?? 10);
  return openPglite(options.pgliteDir ?? "memory://");
}

async function openPglite(dir: string): Promise<DatabaseHandle> {
  if (!dir.startsWith("memory://")) mkdirSync(path.resolve(dir), { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    db,
    kind: "pglite",
    migrate: () => migratePglite(drizzlePglite({ client }), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      await client.query("select 1");
    },
    close: () => client.close(),
  };
}

async function openPostgres(url: string, poolSize: number): Promise<DatabaseHandle> {
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
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    migrate: async () => {
      const one = postgres(url, { max: 1, onnotice: () => {} });
      try {
        // A session-level advisory lock serialises servers that start together.
        await one`select pg_advisory_lock(7426351)`;
        await migratePostgres(drizzlePostgres({ client: one }), { migrationsFolder: MIGRATIONS_DIR });
        await one`select pg_advisory_unlock(7426351)`;
      } finally {
        await one.end({ timeout: 5 });
      }
    },
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
