// Which databases the integration tests run on. PGlite always; real
// PostgreSQL at TEST_DATABASE_URL (default: the local server's `test`
// database). Under CI a missing PostgreSQL fails the run instead of skipping.
import postgres from "postgres";

export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";
export const CI = process.env.CI === "true" || process.env.CI === "1";

export type Backend = "pglite" | "postgres";

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export async function postgresAdminUrl(): Promise<string | null> {
  const url = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL;
  if (await reachable(url)) return url;
  if (CI) throw new Error(`PostgreSQL is required under CI but ${url} is not reachable (set TEST_DATABASE_URL)`);
  return null;
}

/** Backends to run on: both where PostgreSQL is reachable (always under CI). */
export async function backends(): Promise<Backend[]> {
  return (await postgresAdminUrl()) ? ["pglite", "postgres"] : ["pglite"];
}

/**
 * A fresh database on the PostgreSQL server for one test file, empty or a copy of `template` (a database
 * nobody is connected to); drop() removes it.
 */
export async function freshPostgresDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = await postgresAdminUrl();
  if (!admin) throw new Error("PostgreSQL is not reachable");
  const name = `cor_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(template ? `create database ${name} template ${template}` : `create database ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const s = postgres(admin, { max: 1, onnotice: () => {} });
      await s.unsafe(`drop database if exists ${name} with (force)`);
      await s.end();
    },
  };
}
