// The databases the benchmarks run on: PGlite always, PostgreSQL where the
// tests' server is reachable (TEST_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test), each section on a fresh database
// of its own that is dropped afterwards. BENCH_BACKENDS=pglite,postgres picks.
import postgres from "postgres";
import { freshPostgresDatabase, postgresAdminUrl, type Backend } from "../../test/support/backends";
import { processCpuMs } from "./cpu";
import { envList, say } from "./util";

export type { Backend };

export async function benchBackends(): Promise<Backend[]> {
  const wanted = envList("BENCH_BACKENDS", ["pglite", "postgres"]);
  for (const b of wanted) if (b !== "pglite" && b !== "postgres") throw new Error(`BENCH_BACKENDS: unknown backend ${b}`);
  const out: Backend[] = [];
  if (wanted.includes("pglite")) out.push("pglite");
  if (wanted.includes("postgres")) {
    if (await postgresAdminUrl()) out.push("postgres");
    else say("WARNING: PostgreSQL is not reachable (TEST_DATABASE_URL): PostgreSQL figures are skipped");
  }
  return out;
}

/** A fresh database for `backend` (undefined URL: PGlite in the data directory), on PostgreSQL a copy of `template` if given; dropped by release(). */
export async function databaseFor(backend: Backend, template?: string): Promise<{ url: string | undefined; release(): Promise<void> }> {
  if (backend === "pglite") return { url: undefined, release: async () => {} };
  const pg = await freshPostgresDatabase(template);
  return { url: pg.url, release: () => pg.drop() };
}

/**
 * CPU time of the PostgreSQL server processes serving one database (its
 * connections, from pg_stat_activity, read in /proc: the server runs on this
 * machine), between start and stop(). Without it, PostgreSQL's work would show
 * only as "other processes", mixed with whatever else runs on the machine.
 * Connections opened meanwhile count from their start; ones closed meanwhile
 * are missed (the pools keep theirs open).
 */
export async function postgresCpu(url: string): Promise<{ stop(): Promise<number> }> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const pids = async () =>
    (await sql<{ pid: number }[]>`select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`).map((r) => r.pid);
  const before = new Map<number, number>();
  for (const pid of await pids()) before.set(pid, processCpuMs(pid) ?? 0);
  return {
    stop: async () => {
      let ms = 0;
      try {
        for (const pid of new Set([...before.keys(), ...(await pids())])) {
          const now = processCpuMs(pid);
          if (now !== null) ms += now - (before.get(pid) ?? 0);
        }
      } finally {
        await sql.end({ timeout: 2 });
      }
      return ms;
    },
  };
}
