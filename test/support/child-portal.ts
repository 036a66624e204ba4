// The portal as a separate operating-system process (`node --import tsx
// server/main.ts`, the production build), so fault tests can SIGKILL it and
// start it again on the same port and data directory. Also: a free port,
// opening the services in this process as the CLI does (with the data-dir
// lock), and comparing the blob directory with the attachments table.
import { spawn, type ChildProcess } from "node:child_process";
import { readdir, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { commands } from "../../cli/commands";
import { loadConfig } from "../../app/.server/platform/config";
import { lockDataDir } from "../../app/.server/platform/data-lock";
import { createLogger } from "../../app/.server/platform/log";
import type { Services } from "../../app/.server/platform/services";
import { openServices } from "../../server/start";
import { attachments, reportKeyEnvelopes, reports, uploads } from "../../db/schema";
import { PASSWORD } from "./staff";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A TCP port nobody listens on right now (the OS's pick, released at once). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface ChildPortal {
  pid: number;
  url: string;
  /** Every stderr/stdout line of this process. */
  logs: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL: no shutdown code runs; resolves once the process is gone (and reaped). */
  kill(): Promise<void>;
  /** SIGTERM: the portal's own graceful shutdown. */
  stop(): Promise<void>;
}

/** The environment of a portal process; the caller adds DATA_DIR, PORT and maybe DATABASE_URL. */
export function portalEnv(env: Record<string, string | undefined>): Record<string, string> {
  const base: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    DATABASE_URL: undefined,
    RETENTION_INTERVAL_MINUTES: "0",
    UPLOADS_PER_CLIENT_PER_HOUR: "100000",
    // One loopback client for every request (ADR 031, 034): uploads a killed portal left open count against it.
    MAX_OPEN_UPLOADS_PER_CLIENT: "100",
    REPORTS_PER_CLIENT: "10000",
    FOLLOWUP_POSTS_PER_SESSION: "10000",
    FLOOD_REPORTS: "100000",
    // The proof of work runs for real at a low difficulty (test/support/pow.ts).
    POW_DIFFICULTY: "64",
    ...env,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}

/** Starts `server/main.ts` in its own process and resolves once it listens. */
export async function spawnPortal(env: Record<string, string | undefined>, startTimeoutMs = 60_000): Promise<ChildPortal> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: portalEnv(env) as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`portal did not start in ${startTimeoutMs} ms:\n${logs.join("\n")}`)), startTimeoutMs);
    let buffered = "";
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString("utf8");
      const lines = buffered.split("\n");
      buffered = lines.pop()!;
      for (const line of lines) {
        logs.push(line);
        const m = /is listening on (http:\/\/\S+)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`portal exited (${code ?? signal}) before listening:\n${logs.join("\n")}`));
    });
  });
  return {
    pid: child.pid!,
    url,
    logs,
    exited,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Opens the portal's services in this process, as the CLI does (taking the
 * data-dir lock on the embedded database), runs `fn`, and closes them.
 */
export async function withServices<T>(env: Record<string, string | undefined>, fn: (s: Services) => Promise<T>, now?: () => Date): Promise<T> {
  const config = loadConfig(portalEnv({ LOG_LEVEL: "warn", ...env }));
  const release = config.DATABASE_URL ? () => {} : lockDataDir(config.paths.data);
  try {
    const services = await openServices(config, createLogger("warn"), now);
    try {
      return await fn(services);
    } finally {
      await services.database.close();
    }
  } finally {
    release();
  }
}

/** An investigator made through the CLI command (password PASSWORD from ./staff). */
export async function createInvestigator(s: Services, dir: string, email: string, name: string): Promise<string> {
  const file = path.join(dir, `pw-${email}.txt`);
  await writeFile(file, `${PASSWORD}\n`);
  const output = await commands["user:create"]!(s, ["--role", "investigator", "--email", email, "--password-file", file, "--name", name]);
  const id = /\(id ([0-9a-f-]{36})\)/.exec(output)?.[1];
  if (!id) throw new Error(`user:create printed no id: ${output}`);
  return id;
}

/** Every file under the blob directory (whatever its name), with its size. */
export async function blobFiles(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const walk = async (d: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const name of names) {
      const p = path.join(d, name);
      const st = await stat(p);
      if (st.isDirectory()) await walk(p);
      else out.set(path.relative(dir, p), st.size);
    }
  };
  await walk(dir);
  return out;
}

export interface StoreAudit {
  reports: number;
  /** Report rows with no key envelope (unreadable: a half-stored report). */
  reportsWithoutEnvelopes: string[];
  /** Attachment rows whose blob is missing or has the wrong size. */
  attachmentsWithoutBlob: string[];
  /** Blob files no attachments row (or, unless `attachmentsOnly`, no uploads row) names. */
  strayBlobs: string[];
  uploads: number;
}

/**
 * Checks that what the database says is stored is whole: every report has
 * envelopes, every attachment its complete blob, and no blob is unaccounted for.
 */
export async function auditStore(s: Services): Promise<StoreAudit> {
  const reportRows = await s.db.select({ id: reports.id }).from(reports);
  const envelopeRows = await s.db.select({ reportId: reportKeyEnvelopes.reportId }).from(reportKeyEnvelopes);
  const withEnvelope = new Set(envelopeRows.map((e) => e.reportId));
  const attachmentRows = await s.db.select().from(attachments);
  const uploadRows = await s.db.select().from(uploads);
  const files = await blobFiles(s.config.paths.blobs);
  const byKey = new Map([...files].map(([rel, size]) => [path.basename(rel), { rel, size }]));
  const named = new Set<string>();
  const attachmentsWithoutBlob: string[] = [];
  for (const a of attachmentRows) {
    const f = byKey.get(a.blobKey);
    named.add(f?.rel ?? a.blobKey);
    if (!f || f.size !== a.ciphertextBytes || f.rel !== path.join(a.blobKey.slice(-2), a.blobKey)) attachmentsWithoutBlob.push(a.id);
  }
  for (const u of uploadRows) named.add(path.join(u.blobKey.slice(-2), u.blobKey));
  return {
    reports: reportRows.length,
    reportsWithoutEnvelopes: reportRows.filter((r) => !withEnvelope.has(r.id)).map((r) => r.id),
    attachmentsWithoutBlob,
    strayBlobs: [...files.keys()].filter((rel) => !named.has(rel)),
    uploads: uploadRows.length,
  };
}
