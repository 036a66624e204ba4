// The portal's periodic background jobs, and the one helper that runs each of them: on its own timer,
// one run at a time (a tick that finds the previous run still going is skipped), on one instance at a
// time (each run holds the job's PostgreSQL advisory lock, keyed by its name; a tick that finds the
// lock taken by another instance is skipped, ADR 036), logged, and stoppable (close() stops the
// timers, aborts the signal each run receives and waits for runs under way). State lives in the
// database, so a restart loses nothing, an instance that died leaves its job to the next tick of
// another, and a run repeated finds nothing left to do.
import { expireReporterSessions } from "../app/.server/followup/followup";
import { sweepFloods } from "../app/.server/intake/flood";
import { cleanupUploads } from "../app/.server/intake/intake";
import { clearStaleSpools } from "../app/.server/nojs/server-sealed-file";
import { sweepCounters } from "../app/.server/platform/counters";
import { checkStorage } from "../app/.server/intake/upload-space";
import { describeError, type LogFields, type Logger } from "../app/.server/platform/log";
import { runRetention } from "../app/.server/retention/retention";
import type { Services } from "../app/.server/platform/services";
import { expireStaffSessions } from "../app/.server/staff/auth";
import { pruneSignInBackoff } from "../app/.server/staff/sign-in-backoff";
import { runNotifications } from "../app/.server/notifications/checks";
import { jobLockKey } from "./job-lock";

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

/**
 * What became of a tick: it ran, found this instance's previous run still going, found another
 * instance holding the job's lock, or failed (logged).
 */
export type TickOutcome = "ran" | "busy" | "locked elsewhere" | "failed";

/** Runs `run` under the job's lock: the database's advisory lock (PostgreSQL) or nothing (PGlite). */
export type JobLock = <T>(key: bigint, run: () => Promise<T>) => Promise<{ locked: true; value: T } | { locked: false }>;

export interface Jobs {
  schedule<R>(job: Job<R>): void;
  /** One tick of a scheduled job now, as its timer would start it (operators' tools and the tests). */
  runNow(name: string): Promise<TickOutcome>;
  /** Stops the timers at once, aborts the runs' signal and resolves when no run is under way. */
  close(): Promise<void>;
}

/** Told of every tick: the job, what became of it, and how long it took (the metrics, ADR 040). */
export type TickObserver = (job: string, outcome: TickOutcome, seconds: number) => void;

export function createJobs(log: Logger, lock: JobLock, observe?: TickObserver): Jobs {
  const stop = new AbortController();
  const timers = new Set<NodeJS.Timeout>();
  const underWay = new Set<Promise<unknown>>();
  const ticks = new Map<string, () => Promise<TickOutcome>>();
  const timer = (t: NodeJS.Timeout) => void timers.add(t.unref());

  return {
    schedule<R>(job: Job<R>) {
      if (!(job.everyMs > 0) || stop.signal.aborted) return;
      const key = jobLockKey(job.name);
      let current: Promise<TickOutcome> | null = null;
      const tick = (): Promise<TickOutcome> => {
        if (stop.signal.aborted) return Promise.resolve("busy");
        if (current) {
          observe?.(job.name, "busy", 0);
          return Promise.resolve("busy");
        }
        const started = performance.now();
        const run: Promise<TickOutcome> = lock(key, async () => {
          log.debug(`${job.name} started`);
          return job.run(stop.signal);
        })
          .then((outcome): TickOutcome => {
            if (!outcome.locked) {
              // Another instance runs it now; this one tries again at its next tick.
              log.debug(`${job.name} skipped: another instance holds its lock`);
              return "locked elsewhere";
            }
            const fields = job.report?.(outcome.value);
            if (fields) log.info(job.name, fields);
            return "ran";
          })
          .catch((e): TickOutcome => {
            log.error(`${job.name} failed`, describeError(e));
            return "failed";
          })
          .then((outcome) => {
            try {
              observe?.(job.name, outcome, (performance.now() - started) / 1000);
            } catch (e) {
              log.error(`${job.name}: its metrics failed`, describeError(e));
            }
            return outcome;
          })
          .finally(() => {
            underWay.delete(run);
            current = null;
          });
        current = run;
        underWay.add(run);
        return run;
      };
      ticks.set(job.name, tick);
      const begin = () => {
        void tick();
        timer(setInterval(() => void tick(), job.everyMs));
      };
      if (job.firstAfterMs === 0) begin();
      else timer(setTimeout(begin, job.firstAfterMs ?? job.everyMs));
    },
    runNow(name) {
      const tick = ticks.get(name);
      if (!tick) throw new Error(`no job named "${name}" is scheduled`);
      return tick();
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      stop.abort();
      await Promise.all([...underWay]);
    },
  };
}

/**
 * The jobs whose work an operator command also does (`uploads:cleanup`, `retention:run`, `notify:run`): the
 * command takes the same lock by the same name (ADR 040). A name is part of the contract between releases.
 */
export const JOB_NAMES = { uploadCleanup: "upload cleanup", retention: "retention run", notifications: "notification run" } as const;

/** The limiters' pruning, the submission counters, reporter and staff session expiry. */
const SWEEP_MS = 5 * 60_000;

/** Schedules the portal's jobs on its services; `close()` before the database closes. */
export function startPortalJobs(services: Services, observe?: TickObserver): Jobs {
  const { config, log } = services;
  const jobs = createJobs(log, (key, run) => services.database.withJobLock(key, run), observe);
  const sweep = (name: string, run: () => Promise<unknown>) => jobs.schedule({ name, everyMs: SWEEP_MS, run });

  // Submission counters once their window is over; the flood check still reads the previous window (ADR 034).
  sweep("submission counter sweep", () => sweepCounters(services.db, services.now(), config.FLOOD_WINDOW_MINUTES * 60_000));
  sweep("flood sweep", () => sweepFloods(services));
  sweep("proof-of-work prune", () => services.proofOfWork.prune());
  sweep("session expiry", () => expireReporterSessions(services));
  sweep("staff session expiry", () => expireStaffSessions(services));
  sweep("sign-in back-off prune", () => pruneSignInBackoff(services));
  jobs.schedule({
    name: JOB_NAMES.uploadCleanup,
    everyMs: config.UPLOAD_CLEANUP_INTERVAL_MINUTES * 60_000,
    // Then the disk: administrators hear of a low disk before a reporter is refused (ADR 031).
    run: async () => ({ ...(await cleanupUploads(services)), staleSpools: await clearStaleSpools(services), ...(await checkStorage(services)) }),
    report: (r) => (r.uploads || r.orphanBlobs || r.staleSpools || r.low ? r : null),
  });

  // Destruction on schedule: at start and every RETENTION_INTERVAL_MINUTES.
  jobs.schedule({
    name: JOB_NAMES.retention,
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
    name: JOB_NAMES.notifications,
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
