// The portal's metrics for Prometheus, off unless METRICS_PORT is set (ADR 040), and the second HTTP
// listener that serves them: GET /metrics on METRICS_HOST:METRICS_PORT (loopback by default), nothing
// else; the portal's own port has no /metrics.
//
// Counts and latencies only, never anything about a report or a person. Every label value comes from a
// set fixed in the code or the route tree:
// - route: the declared route pattern (server/route-pattern.ts), "static" for the built files, "/*" for
//   every path no other route takes; never the raw path, which carries case numbers, ids and tokens;
// - method: the seven methods the portal's routes use, "other" for any other;
// - status: the class ("2xx" … "5xx"), or "aborted" for a request whose client left before the answer;
// - job and outcome: the names in server/jobs.ts and its TickOutcome;
// - part, database, blob_store, kind, stat: fixed words.
// No address, user agent, header, query string, id or time of anything but the process itself.
//
// Requests are published by the minute, as the log gives their time (ADR 033): a request is counted in
// what GET /metrics shows once the minute it ended in is over, so however often Prometheus scrapes, a
// report's submission is placed no closer than its minute. Jobs and the process are published at once.
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import type { NextFunction, Request, Response } from "express";
import { describeError, type Logger } from "../app/.server/platform/log";
import { checkReadiness } from "../app/.server/platform/readiness";
import type { Services } from "../app/.server/platform/services";
import type { TickOutcome } from "./jobs";
import { Collected, Counter, EXPOSITION_CONTENT_TYPE, Histogram, Registry, type Sample } from "./metrics-registry";

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : "other";
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";
}

/** Request latencies: from static files (milliseconds) to upload parts on slow links (minutes). */
const HTTP_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120];
/** Job runs: from an empty sweep to a large retention run. */
const JOB_SECONDS = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];
/** Garbage-collection pauses. */
const GC_SECONDS = [0.001, 0.01, 0.1, 1, 2, 5];

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb",
};

export interface PortalMetrics {
  /** Express middleware that counts every request under the label `routeOf` gives its path (see above). */
  http(routeOf: (path: string) => string): (req: Request, res: Response, next: NextFunction) => void;
  /** Observer of the jobs' ticks (server/jobs.ts createJobs). */
  jobTick(job: string, outcome: TickOutcome, seconds: number): void;
  /** The exposition text of every metric. */
  render(): Promise<string>;
  /** Stops the event-loop and garbage-collection observers. */
  close(): void;
}

export function createPortalMetrics(services: Services): PortalMetrics {
  const registry = new Registry();
  const requestsHelp = "HTTP requests answered, by route pattern, method and status class (published after the minute they ended in)";
  const requests = registry.add(new Counter("portal_http_requests_total", requestsHelp, ["route", "method", "status"]));
  const secondsHelp = "Time from a request's arrival to the end of its answer (published after the minute it ended in)";
  const requestSeconds = registry.add(new Histogram("portal_http_request_duration_seconds", secondsHelp, ["route", "method"], HTTP_SECONDS));
  // This minute's requests, moved into the published ones above when the minute is over.
  const minuteRequests = new Counter(requests.name, requestsHelp, ["route", "method", "status"]);
  const minuteSeconds = new Histogram(requestSeconds.name, secondsHelp, ["route", "method"], HTTP_SECONDS);
  let minute = Math.floor(services.now().getTime() / 60_000);
  const publishPastMinute = () => {
    const current = Math.floor(services.now().getTime() / 60_000);
    if (current === minute) return;
    minute = current;
    minuteRequests.moveInto(requests);
    minuteSeconds.moveInto(requestSeconds);
  };
  const jobRuns = registry.add(new Counter("portal_job_runs_total", "Ticks of the periodic jobs, by job and outcome", ["job", "outcome"]));
  const jobSeconds = registry.add(
    new Histogram("portal_job_run_duration_seconds", "Duration of the jobs' runs on this instance (ran or failed)", ["job"], JOB_SECONDS),
  );
  registry.add(
    new Collected("portal_info", "The kind of database and blob store", "gauge", ["database", "blob_store"], () => [
      { labels: { database: services.database.kind, blob_store: services.config.blobStore.kind }, value: 1 },
    ]),
  );
  // The probe /readyz answers with, shared with it (at most one a second, app/.server/platform/readiness.ts).
  registry.add(
    new Collected("portal_ready", "Whether the database answers and the blob store takes a write (1) or not (0)", "gauge", ["part"], async () => {
      const r = await checkReadiness(services);
      return [
        { labels: { part: "database" }, value: r.database.status === "up" ? 1 : 0 },
        { labels: { part: "blobs" }, value: r.blobs.status === "up" ? 1 : 0 },
      ];
    }),
  );

  // The process, under the names prom-client's defaults use, so that common dashboards read them.
  const cpu = (which: "user" | "system" | "total") => () => {
    const u = process.cpuUsage();
    return [{ labels: {}, value: (which === "user" ? u.user : which === "system" ? u.system : u.user + u.system) / 1e6 }];
  };
  registry.add(new Collected("process_cpu_user_seconds_total", "User CPU time spent, in seconds", "counter", [], cpu("user")));
  registry.add(new Collected("process_cpu_system_seconds_total", "System CPU time spent, in seconds", "counter", [], cpu("system")));
  registry.add(new Collected("process_cpu_seconds_total", "User and system CPU time spent, in seconds", "counter", [], cpu("total")));
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  registry.add(
    new Collected("process_start_time_seconds", "Start of the process since the Unix epoch, in seconds", "gauge", [], () => [
      { labels: {}, value: startSeconds },
    ]),
  );
  registry.add(
    new Collected("process_resident_memory_bytes", "Resident memory size, in bytes", "gauge", [], () => [{ labels: {}, value: process.memoryUsage.rss() }]),
  );
  if (process.platform === "linux") {
    registry.add(new Collected("process_open_fds", "Open file descriptors", "gauge", [], () => [{ labels: {}, value: readdirSync("/proc/self/fd").length }]));
  }
  const heap = (pick: (m: NodeJS.MemoryUsage) => number) => () => [{ labels: {}, value: pick(process.memoryUsage()) }];
  registry.add(
    new Collected(
      "nodejs_heap_size_total_bytes",
      "V8 heap size, in bytes",
      "gauge",
      [],
      heap((m) => m.heapTotal),
    ),
  );
  registry.add(
    new Collected(
      "nodejs_heap_size_used_bytes",
      "V8 heap used, in bytes",
      "gauge",
      [],
      heap((m) => m.heapUsed),
    ),
  );
  registry.add(
    new Collected(
      "nodejs_external_memory_bytes",
      "Memory of C++ objects bound to JavaScript, in bytes",
      "gauge",
      [],
      heap((m) => m.external),
    ),
  );
  registry.add(
    new Collected("nodejs_active_resources_total", "Resources keeping the event loop alive (handles, requests, timers)", "gauge", [], () => [
      { labels: {}, value: process.getActiveResourcesInfo().length },
    ]),
  );
  registry.add(new Collected("nodejs_version_info", "Node.js version", "gauge", ["version"], () => [{ labels: { version: process.version }, value: 1 }]));
  // Event-loop delay since the previous scrape (the monitor is reset by each), as prom-client does.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  registry.add(
    new Collected("nodejs_eventloop_lag_seconds", "Event-loop delay since the previous scrape: median, 99th percentile and maximum", "gauge", ["stat"], () => {
      const samples: Sample[] = [
        { labels: { stat: "p50" }, value: loopDelay.percentile(50) / 1e9 },
        { labels: { stat: "p99" }, value: loopDelay.percentile(99) / 1e9 },
        { labels: { stat: "max" }, value: loopDelay.max / 1e9 },
      ];
      loopDelay.reset();
      return samples;
    }),
  );
  const gcSeconds = registry.add(new Histogram("nodejs_gc_duration_seconds", "Garbage-collection pauses, by kind", ["kind"], GC_SECONDS));
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? "other";
      gcSeconds.observe({ kind }, entry.duration / 1000);
    }
  });
  gc.observe({ entryTypes: ["gc"] });

  return {
    http: (routeOf) => (req, res, next) => {
      const started = process.hrtime.bigint();
      // The path as it arrived: mounted middleware (the static files) rewrites req.url while it answers.
      const path = (req.originalUrl || req.url).split("?")[0]!;
      // "close" follows "finish", and comes alone when the client left before the answer ended.
      res.once("close", () => {
        const route = routeOf(path);
        const method = methodLabel(req.method);
        publishPastMinute();
        minuteRequests.inc({ route, method, status: res.writableFinished ? statusClass(res.statusCode) : "aborted" });
        minuteSeconds.observe({ route, method }, Number(process.hrtime.bigint() - started) / 1e9);
      });
      next();
    },
    jobTick: (job, outcome, seconds) => {
      jobRuns.inc({ job, outcome });
      if (outcome === "ran" || outcome === "failed") jobSeconds.observe({ job }, seconds);
    },
    render: () => {
      publishPastMinute();
      return registry.render();
    },
    close: () => {
      loopDelay.disable();
      gc.disconnect();
    },
  };
}

export interface MetricsListener {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** The second listener: GET (or HEAD) /metrics, 404 for any other path, 405 for another method. */
export async function listenForMetrics(metrics: PortalMetrics, host: string, port: number, log: Logger): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    res.setHeader("Cache-Control", "no-store");
    if (path !== "/metrics") {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found: the metrics are at /metrics\n");
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("Use GET\n");
      return;
    }
    metrics.render().then(
      (text) => {
        res.writeHead(200, { "Content-Type": EXPOSITION_CONTENT_TYPE });
        res.end(req.method === "HEAD" ? undefined : text);
      },
      (error: unknown) => {
        log.error("metrics could not be collected", describeError(error));
        res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("The metrics could not be collected\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  const shown = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shown}:${bound}/metrics`,
    server,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A scrape takes milliseconds: nothing worth waiting for on a connection, idle or not.
      server.closeAllConnections();
      await closed;
    },
  };
}
