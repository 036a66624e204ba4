// A private PostgreSQL cluster for one test file, made with Debian's server
// binaries (/usr/lib/postgresql/<version>/bin: initdb, pg_ctl) in a temporary
// directory on a free port, so a test may restart or stop it without touching
// the machine's shared server. As root, the binaries run as the `postgres`
// user (initdb refuses root). Locally, missing binaries skip the tests that
// need them; under CI they fail them.
import { execFile, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { CI } from "./backends";
import { freePort } from "./child-portal";

const run = promisify(execFile);

export interface PrivatePostgres {
  /** postgres:// URL of the database `portal` on the private cluster. */
  url: string;
  port: number;
  dir: string;
  /** `pg_ctl restart -m fast`: ends every session, checkpoints, starts again; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`: the server is gone until start(). */
  stop(): Promise<void>;
  /** Starts it again (same port and settings); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the cluster (immediately) and removes its directory. */
  destroy(): Promise<void>;
  /** The server's log so far. */
  log(): string;
}

/** The newest Debian PostgreSQL bin directory with initdb and pg_ctl (PG_BINDIR overrides). */
export function postgresBinDir(): string | null {
  const candidates = process.env.PG_BINDIR
    ? [process.env.PG_BINDIR]
    : (existsSync("/usr/lib/postgresql") ? readdirSync("/usr/lib/postgresql") : [])
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  return candidates.find((d) => existsSync(path.join(d, "initdb")) && existsSync(path.join(d, "pg_ctl"))) ?? null;
}

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const line = readFileSync("/etc/passwd", "utf8")
      .split("\n")
      .find((l) => l.startsWith("postgres:"));
    if (!line) return null;
    const [, , uid, gid] = line.split(":");
    return { uid: Number(uid), gid: Number(gid) };
  } catch {
    return null;
  }
}

/** Why a private cluster cannot be made here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!postgresBinDir())
    return "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin (apt-get install postgresql, or set PG_BINDIR)";
  if (process.getuid?.() === 0 && !postgresUser()) return "running as root and no `postgres` user to run initdb as";
  return null;
}

/** Whether to run tests that need a private cluster: false locally when unavailable; throws under CI. */
export function privatePostgresAvailable(): boolean {
  const why = privatePostgresUnavailable();
  if (why && CI) throw new Error(`a private PostgreSQL cluster is required under CI: ${why}`);
  return why === null;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const why = privatePostgresUnavailable();
  if (why) throw new Error(why);
  const bin = postgresBinDir()!;
  const dir = await mkdtemp(path.join(os.tmpdir(), "cor-pg-"));
  const asUser = process.getuid?.() === 0 ? postgresUser()! : null;
  if (asUser) await chown(dir, asUser.uid, asUser.gid);
  const data = path.join(dir, "data");
  const logFile = path.join(dir, "server.log");
  const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C", TZ: "UTC" } as unknown as NodeJS.ProcessEnv;
  const exec = (cmd: string, args: string[]) =>
    run(path.join(bin, cmd), args, { env, cwd: dir, timeout: 120_000, ...(asUser ?? {}) }).catch((error: Error & { stderr?: string }) => {
      throw new Error(`${cmd} ${args.join(" ")} failed: ${error.message}\n${error.stderr ?? ""}\n${readLog()}`);
    });
  const readLog = () => {
    try {
      return readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };
  await exec("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c max_connections=60",
    "-c shared_buffers=32MB",
    // A restart is a clean shutdown: what was committed is written at the shutdown checkpoint.
    "-c fsync=off",
  ].join(" ");
  await exec("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
  // Should this process die without destroy(), a watchdog stops the cluster and removes it.
  spawn(
    "/bin/sh",
    ["-c", `while [ -d /proc/${process.pid} ]; do sleep 2; done; "${path.join(bin, "pg_ctl")}" -D "${data}" -m immediate stop; rm -rf "${dir}"`],
    {
      detached: true,
      stdio: "ignore",
      env,
      ...(asUser ?? {}),
    },
  ).unref();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe("create database portal");
  } finally {
    await sql.end({ timeout: 5 });
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/portal`,
    port,
    dir,
    restart: async () => {
      await exec("pg_ctl", ["-D", data, "-l", logFile, "-m", "fast", "-w", "-t", "60", "restart"]);
    },
    stop: async () => {
      await exec("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]);
    },
    start: async () => {
      await exec("pg_ctl", ["-D", data, "-l", logFile, "-o", options, "-w", "-t", "60", "start"]);
    },
    destroy: async () => {
      await exec("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"]).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
    log: readLog,
  };
}
