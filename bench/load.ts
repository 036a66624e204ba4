// Load test (issue 8): BENCH_LOAD_REPORTERS (200) concurrent reporters submit
// reports with attachments for BENCH_LOAD_SECONDS (60) against the production
// server in a child process, each with the app's own intake client in Node
// (everything sealed and encrypted before it leaves, attachments uploaded in
// parts, the report submitted, the receipt received), retrying as the report
// page does. When the time is up, submissions already under way finish; then
// the server is stopped, the database is opened afresh from disk and every
// acknowledged submission is read back and decrypted as an investigator
// would (password -> private key -> the report's envelope -> title, body,
// identity, file names and every file's bytes; test/support/investigator.ts)
// and compared with what was sent. None may be lost.
//
// Several instances (issue 17): on PostgreSQL, `instances` portal processes
// share the database (and the blob store `env` names, e.g. an S3 bucket, or
// else the one DATA_DIR), reporter w sending to instance w % instances; with
// `restartMidway` the last instance is stopped halfway through the load time
// (SIGKILL or SIGTERM) and started again on the same port while the
// reporters go on. Its reporters' requests fail meanwhile and are retried as
// the page retries them; one whose retries run out counts as failed. Every
// acknowledged submission must still read back.
//
// Used by `npm run bench` (section `load`) and, smaller, by `npm run test:load`
// (test/load/intake.load.ts). Prints figures only; the one failing condition
// is a lost or altered submission.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { fetchIntakeInfo, submitEncryptedReport, IntakeError } from "../app/reporter/intake-client";
import { loadConfig } from "../app/.server/platform/config";
import { openBlobStore } from "../app/.server/platform/open-blob-store";
import { AttachmentDecryptor, decryptBody, decryptFileMeta, decryptTitle, loadSodium, openEnvelope, openIdentity, unwrapFileKey } from "../crypto";
import { openDatabase } from "../db/client";
import { attachments, reportKeyEnvelopes, reports, uploads } from "../db/schema";
import type { Services } from "../app/.server/platform/services";
import { unlockStaff } from "../test/support/investigator";
import { databaseFor, postgresCpu, type Backend } from "./lib/backends";
import { startCpuAccounting } from "./lib/cpu";
import { createInvestigator, INVESTIGATOR_PASSWORD, startPortalProcess, type PortalProcess } from "./lib/portal";
import { countingFetch, randomReport, type SentReport } from "./lib/reporters";
import { envNum, fmt, printTable, stats, type Stats } from "./lib/util";

export interface LoadOptions {
  backend: Backend;
  reporters: number;
  seconds: number;
  /** Attachments per report: 1 to this many. */
  maxFiles: number;
  minFileBytes: number;
  maxFileBytes: number;
  cores: number;
  log?: (msg: string) => void;
  /** Portal processes on the one database, reporter w sending to instance w % instances; more than one needs PostgreSQL. Default 1. */
  instances?: number;
  /** Stops the last instance halfway through `seconds` and starts it again on the same port: SIGKILL ("kill") or SIGTERM ("term"). */
  restartMidway?: "kill" | "term";
  /** More environment for every instance, e.g. an S3 bucket (BLOB_STORE_URL, S3_*); the read-back opens the blob store it names. */
  env?: Record<string, string>;
}

export interface RestartFigures {
  signal: "SIGKILL" | "SIGTERM";
  /** Submissions under way through the instance when it was stopped. */
  inFlight: number;
  /** Of those, acknowledged in the end (their requests retried until the instance was back). */
  inFlightAcknowledged: number;
  /** From the signal until the new process listened. */
  downSeconds: number;
}

export function loadOptionsFromEnv(backend: Backend, cores: number, defaults: { reporters: number; seconds: number }): LoadOptions {
  return {
    backend,
    reporters: Math.max(1, Math.round(envNum("BENCH_LOAD_REPORTERS", defaults.reporters))),
    seconds: envNum("BENCH_LOAD_SECONDS", defaults.seconds),
    maxFiles: Math.max(1, Math.round(envNum("BENCH_LOAD_MAX_FILES", 2))),
    minFileBytes: Math.round(envNum("BENCH_LOAD_MIN_FILE_KIB", 1) * 1024),
    maxFileBytes: Math.round(envNum("BENCH_LOAD_MAX_FILE_KIB", 256) * 1024),
    cores,
  };
}

export interface LoadResult {
  backend: Backend;
  instances: number;
  restart: RestartFigures | null;
  reporters: number;
  seconds: number;
  /** From the first submission's start to the last one's end (those under way at the deadline finish). */
  wallSeconds: number;
  attempted: number;
  acknowledged: number;
  failed: number;
  failures: Record<string, number>;
  verified: number;
  /** Acknowledged but not found, or found but not what was sent. */
  lost: number;
  lostExamples: string[];
  /** Stored reports nobody got a receipt for (a reporter's answer lost): not lost, listed. */
  storedUnacknowledged: number;
  /** Upload rows left open (failed submissions); the server's cleanup removes them after UPLOAD_TTL_HOURS. */
  leftoverUploads: number;
  files: number;
  plaintextBytes: number;
  submissionsPerSecond: number;
  requests: number;
  requestsPerSecond: number;
  submissionLatency: Stats | null;
  requestLatency: Stats | null;
  retries: number;
  /** CPU over the run: the server processes (with PGlite inside; not a restarted instance's new process), this process (the reporters), PostgreSQL's processes for the database, everything else. */
  cpuSeconds: { server: number; client: number; postgres: number; other: number };
  verifySeconds: number;
}

/** Reads every acknowledged report back from a freshly opened database and the blob store, decrypting as an investigator. */
async function verify(
  sent: SentReport[],
  where: { dataDir: string; databaseUrl: string | undefined; env: Record<string, string> },
  email: string,
): Promise<Pick<LoadResult, "verified" | "lost" | "lostExamples" | "storedUnacknowledged" | "leftoverUploads">> {
  const handle = await openDatabase({ url: where.databaseUrl, pgliteDir: path.join(where.dataDir, "pgdata"), poolSize: 4 });
  // The blob store the servers were configured with: DATA_DIR's blobs, or the bucket `env` names.
  try {
    const blobs = await openBlobStore(loadConfig({ ...where.env, DATA_DIR: where.dataDir, DATABASE_URL: where.databaseUrl }), () => new Date());
    const s = { db: handle.db } as unknown as Services;
    const { user, keyPair } = await unlockStaff(s, email, INVESTIGATOR_PASSWORD);
    let verified = 0;
    const lostExamples: string[] = [];
    let lost = 0;
    let notStored = 0;
    const miss = (r: SentReport, why: string) => {
      lost++;
      if (lostExamples.length < 10) lostExamples.push(`${r.caseNumber} (${r.reportId}): ${why}`);
    };
    for (const r of sent) {
      const [report] = await handle.db.select().from(reports).where(eq(reports.id, r.reportId));
      if (!report) {
        notStored++;
        miss(r, "not stored");
        continue;
      }
      try {
        if (report.caseNumber !== r.caseNumber) throw new Error(`case number ${report.caseNumber}, receipt said ${r.caseNumber}`);
        const [env] = await handle.db
          .select()
          .from(reportKeyEnvelopes)
          .where(sql`${reportKeyEnvelopes.reportId} = ${r.reportId} and ${reportKeyEnvelopes.staffUserId} = ${user.id}`);
        if (!env) throw new Error("no envelope for the investigator");
        const { reportKey } = openEnvelope(env.envelope, r.reportId, keyPair);
        if (decryptTitle(reportKey, r.reportId, report.titleCt) !== r.title) throw new Error("title differs");
        if (JSON.stringify(decryptBody(reportKey, r.reportId, report.bodyCt)) !== JSON.stringify(r.body)) throw new Error("body differs");
        // Under its own identity key since ADR 052 (the wrap is under the report key), or the report key before.
        const identity = report.identityCt ? openIdentity(reportKey, r.reportId, report.identityCt, report.identityKeyWrapped) : null;
        if (JSON.stringify(identity) !== JSON.stringify(r.identity)) throw new Error("identity differs");
        const got: SentReport["files"] = [];
        for (const a of await handle.db.select().from(attachments).where(eq(attachments.reportId, r.reportId))) {
          const meta = decryptFileMeta(reportKey, r.reportId, a.id, a.metaCt);
          const decryptor = new AttachmentDecryptor(unwrapFileKey(reportKey, r.reportId, a.id, a.fileKeyWrapped), { reportId: r.reportId, attachmentId: a.id });
          const hash = createHash("sha256");
          let size = 0;
          for await (const piece of blobs.read(a.blobKey)) {
            for (const p of decryptor.push(new Uint8Array(piece as Buffer))) {
              hash.update(p);
              size += p.length;
            }
          }
          for (const p of decryptor.finish()) {
            hash.update(p);
            size += p.length;
          }
          if (size !== meta.size) throw new Error(`file ${meta.name}: ${size} bytes, meta says ${meta.size}`);
          got.push({ name: meta.name, type: meta.type, size, sha256: hash.digest("hex") });
        }
        const key = (f: SentReport["files"][number]) => `${f.name}|${f.type}|${f.size}|${f.sha256}`;
        const want = r.files.map(key).sort();
        const have = got.map(key).sort();
        if (JSON.stringify(want) !== JSON.stringify(have)) throw new Error(`files differ: sent ${want.length}, stored ${have.length}`);
        verified++;
      } catch (error) {
        miss(r, error instanceof Error ? error.message : String(error));
      }
    }
    const [{ n: storedTotal }] = (await handle.db.select({ n: sql<number>`count(*)::int` }).from(reports)) as [{ n: number }];
    const [{ n: leftover }] = (await handle.db.select({ n: sql<number>`count(*)::int` }).from(uploads)) as [{ n: number }];
    const acknowledgedStored = sent.length - notStored;
    return { verified, lost, lostExamples, storedUnacknowledged: Math.max(0, storedTotal - acknowledgedStored), leftoverUploads: leftover };
  } finally {
    await handle.close();
  }
}

export async function runLoadTest(o: LoadOptions): Promise<LoadResult> {
  const log = o.log ?? (() => {});
  const instances = Math.max(1, o.instances ?? 1);
  if (instances > 1 && o.backend !== "postgres") throw new Error("several instances need PostgreSQL (PGlite admits one process per directory)");
  await loadSodium();
  const tmp = await mkdtemp(path.join(os.tmpdir(), `cor-load-${o.backend}-`));
  const dataDir = path.join(tmp, "data");
  await mkdir(dataDir);
  const db = await databaseFor(o.backend);
  const email = "load-investigator@example.com";
  const env = o.env ?? {};
  try {
    await createInvestigator(dataDir, email, db.url);
    // Each reporter is a client of its own, as 200 people are: its own address in X-Forwarded-For behind one
    // trusted proxy hop. One reporter still submits far more often than a person, which the per-client upload
    // and report limits would stop; the flood check still counts every report, only its threshold is out of
    // reach (ADR 034). Likewise the proof of work stays at its normal difficulty instead of doubling for a
    // client's (and everyone's) many actions (ADR 032), and a reporter whose submissions failed (a restart) may
    // leave more unfinished uploads behind than the 4 a client may hold. On PostgreSQL the instances share DATA_DIR (its portal
    // secret, and the blobs unless `env` names a bucket).
    const start = (port: number) =>
      startPortalProcess(dataDir, {
        DATABASE_URL: db.url,
        TRUST_PROXY: "1",
        UPLOADS_PER_CLIENT_PER_HOUR: "100000000",
        MAX_OPEN_UPLOADS_PER_CLIENT: "100",
        POW_CLIENT_ACTIONS: "100000000",
        POW_GLOBAL_ACTIONS: "100000000",
        REPORTS_PER_CLIENT: "10000",
        FLOOD_REPORTS: "100000",
        ...env,
        PORT: String(port),
      });
    const portals: PortalProcess[] = [];
    let result: Omit<LoadResult, "verified" | "lost" | "lostExamples" | "storedUnacknowledged" | "leftoverUploads" | "verifySeconds">;
    const sent: SentReport[] = [];
    try {
      for (let i = 0; i < instances; i++) portals.push(await start(0));
      const urls = portals.map((p) => p.url);
      const info = await fetchIntakeInfo({ baseUrl: urls[0] });
      log(
        `[${o.backend}] load: ${o.reporters} concurrent reporters for ${o.seconds} s${instances > 1 ? ` over ${instances} instances` : ""}, 1 to ${o.maxFiles} attachments of ${(o.minFileBytes / 1024).toFixed(0)} to ${(o.maxFileBytes / 1024).toFixed(0)} KiB each${o.restartMidway ? `; the last instance restarted (${o.restartMidway}) halfway` : ""}`,
      );
      const counter = countingFetch();
      const failures: Record<string, number> = {};
      let attempted = 0;
      let files = 0;
      let plaintextBytes = 0;
      let retries = 0;
      const latencies: number[] = [];
      const acct = startCpuAccounting(
        portals.map((p) => ({ group: "server", pid: p.pid })),
        o.cores,
      );
      const pgAcct = db.url ? await postgresCpu(db.url) : null;
      const t0 = performance.now();
      const end = t0 + o.seconds * 1000;
      let lastReport = t0;
      // Submissions under way, by instance; those caught by the restart, and how many of them were acknowledged.
      const underway = new Map<number, number>();
      let caught: Set<number> | null = null;
      let caughtAcknowledged = 0;
      let submissionSeq = 0;
      const progress = setInterval(
        () => log(`  ${sent.length} acknowledged, ${Object.values(failures).reduce((a, b) => a + b, 0)} failed, ${counter.latencies.length} requests`),
        15_000,
      );
      const victim = instances - 1;
      const restarting = o.restartMidway
        ? (async (): Promise<RestartFigures> => {
            await new Promise((r) => setTimeout(r, (o.seconds * 1000) / 2));
            const old = portals[victim]!;
            caught = new Set([...underway].filter(([, at]) => at === victim).map(([seq]) => seq));
            const stoppedAt = performance.now();
            log(
              `  restarting instance ${victim + 1} (${o.restartMidway === "kill" ? "SIGKILL" : "SIGTERM"}) with ${caught.size} submissions under way through it`,
            );
            await (o.restartMidway === "kill" ? old.kill() : old.stop());
            portals[victim] = await start(Number(new URL(old.url).port));
            const downSeconds = (performance.now() - stoppedAt) / 1000;
            log(`  instance ${victim + 1} listens again ${downSeconds.toFixed(1)} s after the signal`);
            return { signal: o.restartMidway === "kill" ? "SIGKILL" : "SIGTERM", inFlight: caught.size, inFlightAcknowledged: 0, downSeconds };
          })()
        : Promise.resolve(null);
      restarting.catch(() => {}); // awaited below, after the reporters
      try {
        await Promise.all(
          Array.from({ length: o.reporters }, async (_, w) => {
            const at = w % instances;
            // An address of the benchmarking range 198.18.0.0/15 (RFC 2544) for each reporter.
            const address = `198.${18 + ((w >> 16) & 1)}.${(w >> 8) & 255}.${w & 255}`;
            const fetchAs: typeof fetch = (input, init) =>
              counter.fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string> | undefined), "X-Forwarded-For": address } });
            for (let i = 0; performance.now() < end; i++) {
              attempted++;
              const seq = submissionSeq++;
              const nFiles = 1 + Math.floor(Math.random() * o.maxFiles);
              const r = randomReport(info, `load-${w}-${i}`, nFiles, o.minFileBytes, o.maxFileBytes);
              const a = performance.now();
              underway.set(seq, at);
              try {
                const ack = await submitEncryptedReport(r.draft, r.files, info, {
                  baseUrl: urls[at],
                  fetch: fetchAs,
                  // The page's own retry schedule, shortened to fit a bounded run.
                  retryDelaysMs: [250, 500, 1000, 2000, 4000],
                  onProgress: (p) => {
                    if (p.phase === "retrying") retries++;
                  },
                });
                const ms = performance.now() - a;
                latencies.push(ms);
                files += r.files.length;
                plaintextBytes += r.sent.files.reduce((n, f) => n + f.size, 0);
                sent.push({ ...r.sent, reportId: ack.reportId, caseNumber: ack.caseNumber, latencyMs: ms });
                if ((caught as Set<number> | null)?.has(seq)) caughtAcknowledged++;
                lastReport = performance.now();
              } catch (error) {
                const code =
                  error instanceof IntakeError
                    ? `${error.code}${error.status ? ` (${error.status})` : ""}`
                    : error instanceof Error
                      ? error.message
                      : String(error);
                failures[code] = (failures[code] ?? 0) + 1;
              } finally {
                underway.delete(seq);
              }
            }
          }),
        );
      } finally {
        clearInterval(progress);
      }
      const restart = await restarting;
      if (restart) restart.inFlightAcknowledged = caughtAcknowledged;
      const wallSeconds = (Math.max(lastReport, performance.now()) - t0) / 1000;
      const pgMs = (await pgAcct?.stop()) ?? 0;
      const cpu = acct.stop();
      const failed = Object.values(failures).reduce((a, b) => a + b, 0);
      result = {
        backend: o.backend,
        instances,
        restart,
        reporters: o.reporters,
        seconds: o.seconds,
        wallSeconds,
        attempted,
        acknowledged: sent.length,
        failed,
        failures,
        files,
        plaintextBytes,
        submissionsPerSecond: sent.length / wallSeconds,
        requests: counter.latencies.length,
        requestsPerSecond: counter.latencies.length / wallSeconds,
        submissionLatency: stats(latencies),
        requestLatency: stats(counter.latencies),
        retries,
        cpuSeconds: {
          server: cpu.byProcess.filter((p) => p.group === "server").reduce((n, p) => n + p.cpuMs, 0) / 1000,
          client: (cpu.byProcess.find((p) => p.group === "bench")?.cpuMs ?? 0) / 1000,
          postgres: pgMs / 1000,
          other: Math.max(0, cpu.otherCpuMs - pgMs) / 1000,
        },
      };
      log(
        `  ${sent.length} acknowledged (${fmt.perS(result.submissionsPerSecond)}), ${failed} failed, ${result.requests} requests (${fmt.perS(result.requestsPerSecond)}); stopping the server${instances > 1 ? "s" : ""}`,
      );
    } finally {
      for (const p of portals) await p.stop();
    }
    log(`[${o.backend}] reading back and decrypting ${sent.length} acknowledged submissions from the database opened afresh`);
    const v0 = performance.now();
    const checked = await verify(sent, { dataDir, databaseUrl: db.url, env }, email);
    const verifySeconds = (performance.now() - v0) / 1000;
    log(
      `  verified ${checked.verified}, lost ${checked.lost}${checked.lostExamples.length ? `: ${checked.lostExamples.join("; ")}` : ""} (${verifySeconds.toFixed(1)} s)`,
    );
    return { ...result, ...checked, verifySeconds };
  } finally {
    await db.release();
    await rm(tmp, { recursive: true, force: true });
  }
}

export function printLoad(results: LoadResult[]): void {
  const rows: string[][] = [];
  for (const r of results) {
    rows.push([
      `${r.backend}${r.instances > 1 ? ` x${r.instances} instances` : ""}: ${r.reporters} reporters, ${r.seconds} s`,
      `${r.acknowledged} acknowledged`,
      `${r.verified} verified`,
      `${r.lost} lost`,
      `${fmt.perS(r.submissionsPerSecond)} submissions`,
      `p50 ${fmt.ms(r.submissionLatency?.p50, 0)} / p99 ${fmt.ms(r.submissionLatency?.p99, 0)}`,
      `${r.failed} failed${
        r.failed
          ? ` (${Object.entries(r.failures)
              .map(([k, v]) => `${k}: ${v}`)
              .join(", ")})`
          : ""
      }, ${r.retries} retries`,
    ]);
    rows.push([
      "",
      `${r.files} files, ${(r.plaintextBytes / 1e6).toFixed(0)} MB`,
      `${r.storedUnacknowledged} stored unacked`,
      `${r.leftoverUploads} open uploads`,
      `${fmt.perS(r.requestsPerSecond)} requests`,
      `p50 ${fmt.ms(r.requestLatency?.p50, 0)} / p99 ${fmt.ms(r.requestLatency?.p99, 0)}`,
      `${r.wallSeconds.toFixed(1)} s wall; CPU-s server ${r.cpuSeconds.server.toFixed(0)}${r.backend === "postgres" ? `, PostgreSQL ${r.cpuSeconds.postgres.toFixed(0)}` : ""}, reporters ${r.cpuSeconds.client.toFixed(0)}, other processes ${r.cpuSeconds.other.toFixed(0)}; verified in ${r.verifySeconds.toFixed(1)} s`,
    ]);
    if (r.restart) {
      rows.push([
        "",
        `restart: ${r.restart.signal}`,
        `${r.restart.inFlight} under way`,
        `${r.restart.inFlightAcknowledged} of them acknowledged`,
        "",
        "",
        `listening again ${r.restart.downSeconds.toFixed(1)} s after the signal`,
      ]);
    }
  }
  printTable(
    "Load test: concurrent reporters with attachments, then every acknowledged submission decrypted and compared",
    ["run", "acknowledged", "verified", "lost", "rate", "latency", "note"],
    rows,
  );
}
