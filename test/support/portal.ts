// Starts the real portal (production build, real database, real blob store)
// on an ephemeral port for a test file, with its logs captured.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { inject } from "vitest";
import { commands } from "../../cli/commands";
import { startPortal, type RunningPortal } from "../../server/start";
import { freshPostgresDatabase, type Backend } from "./backends";

export interface TestPortal extends RunningPortal {
  backend: Backend;
  dataDir: string;
  logs: string[];
  /** Moves the portal's clock (upload cleanup, deadlines). */
  setNow(date: Date | null): void;
  cli(command: string, ...args: string[]): Promise<string>;
  /** Stops the server and starts it again on the same data directory and database (a new port: read `url` again). */
  restart(): Promise<void>;
  /** Another instance on the same database and data directory, as a second server behind a load balancer (PostgreSQL only: PGlite admits one process per directory); the caller closes it. */
  startInstance(): Promise<RunningPortal>;
  stop(): Promise<void>;
}

export interface TestPortalOptions {
  /**
   * Start on an empty database, as a new installation does (initdb on PGlite), instead of the run's migrated
   * snapshot (test/setup/database-snapshots.ts). For the tests about first start and migrations.
   */
  emptyDatabase?: boolean;
}

/**
 * The environment every test portal starts with (a test's own values go on top): loopback on a free port, checked
 * answers, and the limits that a suite's many requests from 127.0.0.1 would otherwise hit.
 */
export const TEST_PORTAL_ENV: Record<string, string> = {
  NODE_ENV: "test",
  PORT: "0",
  HOST: "127.0.0.1",
  LOG_LEVEL: "debug",
  // The embedded database's upkeep (ADR 019) only where a test asks for it: a pass in the middle of a
  // long suite would only add timing noise.
  DB_UPKEEP_INTERVAL_MINUTES: "0",
  // Every JSON answer a test receives is checked against its declared response schema, strictly (ADR 024).
  API_RESPONSE_CHECK: "true",
  // Every test request comes from 127.0.0.1: one client for the per-client and per-session limits, and the
  // suites' reports would make floods (ADR 034). The tests of those limits set their own values.
  REPORTS_PER_CLIENT: "10000",
  NOJS_REPORTS_PER_CLIENT: "10000",
  FOLLOWUP_POSTS_PER_SESSION: "10000",
  FLOOD_REPORTS: "100000",
  // The proof of work (ADR 032) runs for real, at a low difficulty: solving stays a few milliseconds in Node.
  POW_DIFFICULTY: "64",
};

export async function startTestPortal(backend: Backend, env: Record<string, string> = {}, options: TestPortalOptions = {}): Promise<TestPortal> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-test-"));
  // Without the global setup (another config) there is no snapshot: the portal starts empty, only slower.
  const snapshot = options.emptyDatabase ? undefined : inject("pgliteSnapshot");
  const template = options.emptyDatabase ? undefined : inject("postgresTemplate");
  // cp(1): about 1,100 files, which fs.cp copies one by one in JavaScript for as much CPU as the portal's start.
  if (backend === "pglite" && snapshot) await promisify(execFile)("cp", ["-R", snapshot, path.join(dataDir, "pgdata")]); // config.paths.pglite
  const pg = backend === "postgres" ? await freshPostgresDatabase(template || undefined) : null;
  const logs: string[] = [];
  let now: Date | null = null;
  const start = () =>
    startPortal({
      env: {
        ...TEST_PORTAL_ENV,
        DATA_DIR: dataDir,
        DATABASE_URL: pg?.url,
        ...env,
      },
      logWrite: (line) => logs.push(line),
      now: () => now ?? new Date(),
    });
  const self: TestPortal = {
    ...(await start()),
    backend,
    dataDir,
    logs,
    setNow: (d) => {
      now = d;
    },
    cli: (command, ...args) => commands[command]!(self.services, args),
    restart: async () => {
      await self.close();
      const again = await start();
      Object.assign(self, {
        url: again.url,
        server: again.server,
        services: again.services,
        jobs: again.jobs,
        metricsUrl: again.metricsUrl,
        close: again.close,
      });
    },
    startInstance: async () => {
      if (backend !== "postgres") throw new Error("a second instance needs PostgreSQL");
      return start();
    },
    stop: async () => {
      await self.close();
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return self;
}
