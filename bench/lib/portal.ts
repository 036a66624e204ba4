// The real portal as an operator runs it: the production build served by
// server/main.ts in a child process of its own (so that its memory and CPU can
// be read from /proc), PGlite (or PostgreSQL at a given DATABASE_URL) and
// blobs in a temporary DATA_DIR, and one investigator created beforehand with
// the CLI.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface PortalProcess {
  url: string;
  pid: number;
  dataDir: string;
  /** Every line the server wrote to stderr/stdout. */
  lines: string[];
  /** SIGTERM (the portal's graceful shutdown), SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown code runs; resolves once the process is gone. */
  kill(): Promise<void>;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited ${code}:\n${out}`))));
  });
}

export function portalEnv(dataDir: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: "info" };
  delete env.DATABASE_URL; // PGlite in DATA_DIR unless the caller names a database, whatever the shell says
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export const INVESTIGATOR_PASSWORD = "bench password: correct horse battery staple";

/** `npm run cli -- user:create --role investigator ...`, before the server holds the data-dir lock. */
export async function createInvestigator(dataDir: string, email: string, databaseUrl?: string): Promise<string> {
  const pwFile = path.join(dataDir, "..", "investigator-password.txt");
  await writeFile(pwFile, `${INVESTIGATOR_PASSWORD}\n`, { mode: 0o600 });
  const out = await run(
    "npm",
    ["run", "--silent", "cli", "--", "user:create", "--role", "investigator", "--email", email, "--password-file", pwFile, "--name", "Bench Investigator"],
    portalEnv(dataDir, { DATABASE_URL: databaseUrl }),
  );
  const id = /\(id ([0-9a-f-]{36})\)/.exec(out)?.[1];
  if (!id) throw new Error(`user:create printed no id:\n${out}`);
  return id;
}

/** The Node flags `npm start` gives the server (package.json: `tsx <flags> server/main.ts`), so the bench runs what users run. */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const between = /\btsx((?:\s+--[^\s]+)*)\s+server\/main\.ts/.exec(pkg.scripts.start ?? "");
  if (!between) throw new Error("package.json's start script no longer reads `tsx [flags] server/main.ts`");
  return between[1]!.trim().split(/\s+/).filter(Boolean);
}

/**
 * Starts `npm start`'s server (`NODE_ENV=production tsx <flags> server/main.ts`) as
 * `node <flags> --import tsx server/main.ts`: the same program without tsx's wrapper process, so the pid is
 * the server's own.
 */
export async function startPortalProcess(dataDir: string, extraEnv: Record<string, string | undefined> = {}, nodeArgs: string[] = []): Promise<PortalProcess> {
  const env = portalEnv(dataDir, { NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", ...extraEnv });
  const child: ChildProcess = spawn(process.execPath, [...startScriptNodeFlags(), ...nodeArgs, "--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  let pending = "";
  const onData = (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    lines.push(...parts.filter((l) => l.length > 0));
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s:\n${lines.join("\n")}`)), 120_000);
    const poll = setInterval(() => {
      for (const l of lines) {
        const m = /listening on (http:\/\/[^\s]+)/.exec(l);
        if (m) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve(m[1]!);
          return;
        }
      }
    }, 50);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${lines.join("\n")}`));
    });
  });

  return {
    url,
    pid: child.pid!,
    dataDir,
    lines,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timeout = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 15_000).unref());
      if ((await Promise.race([exited, timeout])) === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
  };
}

export interface AccessLine {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** The server's access-log lines (one per request, with its duration). */
export function accessLines(lines: string[]): AccessLine[] {
  const out: AccessLine[] = [];
  for (const l of lines) {
    if (!l.startsWith("{")) continue;
    try {
      const o = JSON.parse(l) as { msg?: string; method?: string; path?: string; status?: number; ms?: number };
      if (o.msg === "request" && o.method && o.path && typeof o.ms === "number") {
        out.push({ method: o.method, path: o.path, status: o.status ?? 0, ms: o.ms });
      }
    } catch {
      /* not a log line */
    }
  }
  return out;
}
