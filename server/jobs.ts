// The portal's periodic background jobs, and the one helper that runs each of them: on its own timer,
// one run at a time (a tick that finds the previous run still going is skipped), logged, and
// stoppable (close() stops the timers, aborts the signal each run receives and waits for runs under
// way). State lives in the database, so a restart loses nothing and a run repeated finds nothing
// left to do.
import { expireReporterSessions } from "../app/.server/followup/followup";
import { sweepFloods } from "../app/.server/intake/flood";
import { cleanupUploads } from "../app/.server/intake/intake";
import { sweepCounters } from "../app/.server/platform/counters";
import { checkStorage } from "../app/.server/intake/upload-space";
import { describeError, type LogFields, type Logger } from "../app/.server/platform/log";
import { runRetention } from "../app/.server/retention/retention";
import type { Services } from "../app/.server/platform/services";
import { expireStaffSessions } from "../app/.server/staff/auth";
import { pruneSignInBackoff } from "../app/.server/staff/sign-in-backoff";
import { runNotifications } from "../app/.server/notifications/checks";

export interface Job<R> {
  /** Names its log lines: "<name> started" (debug), "<name>" with the result, "<name> failed". */
  name: string;
  /** Time between runs; 0 disables the job. */
  everyMs: number;
  /** When the first run starts: 0 at once, absent after one interval. */
  firstAfterMs?: number;
  /** One run. `signal` is aborted when the portal stops; a long run may stop early on it. */
  run(signal: AbortSignal): Promise<R>;
  /** The fields of the result line, or null when the run found nothing worth a line. */
  report?(result: R): LogFields | null;
}

export interface Jobs {
  schedule<R>(job: Job<R>): void;
  /** Stops the timers at once, aborts the runs' signal and resolves when no run is under way. */
  close(): Promise<void>;
}

export function createJobs(log: Logger): Jobs {
  const stop = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const underWay = new Set<Promise<void>>();
  const timer = (t: NodeJS.Timeout) => void timers.add(t.unref());

  return {
    schedule<R>(job: Job<R>) {
      if (!(job.everyMs > 0) || stop.signal.aborted) return;
      let current: Promise<void> | null = null;
      const tick = () => {
        if (current || stop.signal.aborted) return;
        // Several instances on one database: this is where a run would first take the job's lock.
        log.debug(`${job.name} started`);
        const run = new Promise<R>((resolve) => resolve(job.run(stop.signal)))
          .then((result) => {
            const fields = job.report?.(result);
            if (fields) log.info(job.name, fields);
          })
          .catch((e) => log.error(`${job.name} failed`, describeError(e)))
          .finally(() => {
            underWay.delete(run);
            current = null;
          });
        current = run;
        underWay.add(run);
      };
      const begin = () => {
        tick();
        timer(setInterval(tick, job.everyMs));
      };
      if (job.firstAfterMs === 0) begin();
      else timer(setTimeout(begin, job.firstAfterMs ?? job.everyMs));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      stop.abort();
      await Promise.all([...underWay]);
    },
  };
}

/** The limiters' pruning, the submission counters, reporter and staff session expiry and upload cleanup. */
const SWEEP_MS = 5 * 60_000;

/** Schedules the portal's jobs on its services; `close()` before the database closes. */
export function startPortalJobs(services: Services): Jobs {
  const { config, log } = services;
  const jobs = createJobs(log);
  const sweep = (name: string, run: () => Promise<unknown>) => jobs.schedule({ name, everyMs: SWEEP_MS, run });

  // Submission counters once their window is over; the flood check still reads the previous window (ADR 034).
  sweep("submission counter sweep", () => sweepCounters(services.db, services.now(), config.FLOOD_WINDOW_MINUTES * 60_000));
  sweep("flood sweep", () => sweepFloods(services));
  sweep("proof-of-work prune", () => services.proofOfWork.prune());
  sweep("session expiry", () => expireReporterSessions(services));
  sweep("staff session expiry", () => expireStaffSessions(services));
  sweep("sign-in back-off prune", () => pruneSignInBackoff(services));
  jobs.schedule({
    name: "upload cleanup",
    everyMs: SWEEP_MS,
    // Then the disk: administrators hear of a low disk before a reporter is refused (ADR 031).
    run: async () => ({ ...(await cleanupUploads(services)), ...(await checkStorage(services)) }),
    report: (r) => (r.uploads || r.orphanBlobs || r.low ? r : null),
  });

  // Destruction on schedule: at start and every RETENTION_INTERVAL_MINUTES.
  jobs.schedule({
    name: "retention run",
    everyMs: config.RETENTION_INTERVAL_MINUTES * 60_000,
    firstAfterMs: 0,
    run: () => runRetention(services),
    report: (r) =>
      r.cases.length || r.shares.length || r.archives.length
        ? { cases: r.cases.length, held: r.heldCases.length, shares: r.shares.length, archives: r.archives.length }
        : null,
  });

  // The embedded database's vacuum and statistics (PostgreSQL's autovacuum does this there): a minute
  // after start (PGlite forgets what changed when it stops; the wait keeps it off the first requests),
  // then every DB_UPKEEP_INTERVAL_MINUTES. A stop ends a run under way after its current table.
  const upkeepEveryMs = services.database.kind === "pglite" ? config.DB_UPKEEP_INTERVAL_MINUTES * 60_000 : 0;
  jobs.schedule({
    name: "database upkeep",
    everyMs: upkeepEveryMs,
    firstAfterMs: Math.min(60_000, upkeepEveryMs),
    run: async (signal) => {
      const started = performance.now();
      const tables = await services.database.upkeep(signal);
      return { tables, ms: Math.round(performance.now() - started) };
    },
    report: (r) => (r.tables === null ? null : r),
  });

  // Staff notifications: deadline reminders, the hourly audit-chain check and e-mail (single and digests)
  // at start and every NOTIFY_INTERVAL_MINUTES. What was recorded or sent is in the database, so a
  // restart sends nothing twice; events recorded by requests are also sent right away.
  jobs.schedule({
    name: "notification run",
    everyMs: config.NOTIFY_INTERVAL_MINUTES * 60_000,
    firstAfterMs: 0,
    run: () => runNotifications(services),
    report: (r) =>
      r.deadlineReminders || r.floodsEnded || r.sent || r.failed || r.digests || r.audit?.ok === false
        ? { reminders: r.deadlineReminders, floodsEnded: r.floodsEnded, sent: r.sent, failed: r.failed, digests: r.digests, auditOk: r.audit?.ok ?? null }
        : null,
  });

  return jobs;
}
