// Boots the portal: configuration, database (migrated, organisation
// initialised on first start), blob store, the HTTP app and the background
// jobs (server/jobs.ts).
// Used by `npm start`, by the tests and by the benchmarks.
//
// - `trust proxy` is `TRUST_PROXY` hops, off by default: forwarded headers are
//   ignored and `req.ip` is the socket address, used only for the rate-limit
//   pseudonyms (ADR 007).
// - Compression skips `/api/`: upload parts and downloads are ciphertext
//   (incompressible) and JSON answers are small.
// - Static files: `/assets/*` (content-hashed names) `immutable, max-age=1y`,
//   the rest of `build/client` `max-age=1h`, no directory index.
// - `server.requestTimeout` is 15 minutes: an 8 MiB upload part on a slow link.
// - The error handler answers an error that carries a 4xx status (a malformed
//   URL escape, say) with that status, as JSON under `/api/`; a database outage
//   via server/unavailable.ts; anything else is logged with `describeError` and
//   answered 500.
// - At start it logs a warning while no active investigator exists: the report
//   form stays closed until one does.
// - With METRICS_PORT set, a second listener serves GET /metrics for Prometheus
//   (server/metrics.ts, ADR 040); requests are counted by route pattern.
// - On the embedded default it listens on DATA_DIR/control.sock (0600) for
//   `npm run cli -- backup`, which cannot open the database itself (ADR 038).
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express from "express";
import { openDatabase, type DatabaseHandle } from "../db/client";
import { openBlobStore } from "../app/.server/platform/open-blob-store";
import { startOfDayIn } from "../app/.server/platform/dates";
import { loadConfig, type Config } from "../app/.server/platform/config";
import { lockDataDir } from "../app/.server/platform/data-lock";
import { ensureSetupLink } from "../app/.server/staff/invitations";
import { signInPowLevel } from "../app/.server/staff/sign-in-backoff";
import { createMailer } from "../app/.server/platform/mailer";
import { settleStaffNotifications } from "../app/.server/notifications/outbox";
import { createLogger, describeError, type Logger } from "../app/.server/platform/log";
import { ClientPseudonyms } from "../app/.server/platform/client-pseudonyms";
import { SIGN_IN_BACKOFF } from "../app/.server/platform/backoff";
import { loadPortalSecret } from "../app/.server/platform/secrets";
import { sealAuditChain } from "../app/.server/audit/audit";
import { ProofOfWork } from "../app/.server/pow/pow";
import { initOrganisation, isInitialised } from "../app/.server/org/org";
import type { Services } from "../app/.server/platform/services";
import { countActiveInvestigators } from "../app/.server/staff/accounts";
import { listenForBackups } from "../app/.server/backup/control-socket";
import { accessLog } from "./access-log";
import { apiDispatch } from "./api-dispatch";
import { drainUnreadBodies } from "./drain-unread-body";
import { startPortalJobs, type Jobs } from "./jobs";
import { ListenError } from "./listen-error";
import { createPortalMetrics, listenForMetrics, type MetricsListener } from "./metrics";
import { routePatterns } from "./route-pattern";
import { sameOriginWrites, securityHeaders } from "./security-headers";
import { answerUnavailable } from "./unavailable";
import { uploadPartHandler, uploadPartRoute } from "./upload-parts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** IPv4 addresses as they are; IPv6 by /64, since one host usually has a whole /64 to pick from. */
export function clientNetwork(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4) return v4[1]!;
  if (!ip.includes(":")) return ip;
  const [head = "", tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const full = [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t];
  return `${full
    .slice(0, 4)
    .map((x) => x.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Vite dev server with HMR instead of the production build. */
  dev?: boolean;
  /** Log sink; defaults to stderr. */
  logWrite?: (line: string) => void;
  /** Overrides the clock (tests). */
  now?: () => Date;
}

export interface RunningPortal {
  url: string;
  server: Server;
  services: Services;
  /** The periodic jobs (server/jobs.ts): `runNow(name)` starts one tick as its timer would. */
  jobs: Jobs;
  /** `http://host:port/metrics` with METRICS_PORT set, else null (nothing listens). */
  metricsUrl: string | null;
  close(): Promise<void>;
}

export async function openServices(config: Config, log: Logger, now: () => Date = () => new Date()): Promise<Services> {
  // Before the database: a bad secret stops the start with nothing opened.
  const secret = loadPortalSecret({ value: config.PORTAL_SECRET, dataDir: config.paths.data });
  // Likewise an object store that cannot be listed (ADR 037).
  const blobs = await openBlobStore(config, () => startOfDayIn(config.TIME_ZONE, now()));
  const database: DatabaseHandle = await openDatabase({
    url: config.DATABASE_URL,
    pgliteDir: config.paths.pglite,
    poolSize: config.DATABASE_POOL_SIZE,
  });
  // A start that fails here (a migration, the audit seal) closes the database it opened.
  try {
    const migrated = await database.migrate({ onWaiting: () => log.info("waiting for another instance to finish migrating") });
    if (migrated.applied.length) log.info("migrations applied", { migrations: migrated.applied.join(",") });
    if (migrated.finished) log.warn("migration finished: its index builds had been interrupted", { migration: migrated.finished });
    if (!(await isInitialised(database.db))) {
      const r = await initOrganisation(database.db);
      log.info("organisation initialised", { affiliates: r.affiliatesCreated, categories: r.categoriesCreated });
    }
    // Before anything is appended: an unkeyed chain from release 0.1.x is anchored under the key (ADR 028).
    const seal = await sealAuditChain(database.db, { secret }, now());
    if (seal.sealed) log.warn("audit chain: unkeyed entries anchored under the portal secret", { unkeyedEntries: seal.unkeyedEntries, seq: seal.seq });
  } catch (error) {
    await database.close().catch(() => {});
    throw error;
  }
  const services: Services = {
    // A sign-in past the back-off is priced by the client's sign-in failures (ADR 035), read from the live policy.
    proofOfWork: new ProofOfWork({
      db: database.db,
      config,
      secret,
      now,
      actionLevel: (clientKey, action) => (action === "staff-sign-in" ? signInPowLevel(services, clientKey) : Promise.resolve(0)),
    }),
    config,
    database,
    db: database.db,
    secret,
    pseudonyms: new ClientPseudonyms(secret),
    blobs,
    mailer: createMailer(config),
    log,
    now,
    signInBackoff: SIGN_IN_BACKOFF,
  };
  return services;
}

export async function startPortal(options: StartOptions = {}): Promise<RunningPortal> {
  const config = loadConfig(options.env ?? process.env);
  const log = createLogger(config.LOG_LEVEL, options.logWrite);
  const release = config.DATABASE_URL ? () => {} : lockDataDir(config.paths.data);
  const services = await openServices(config, log, options.now).catch((error) => {
    release();
    throw error;
  });
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.TRUST_PROXY === 0 ? false : config.TRUST_PROXY);
  const pseudonyms = services.pseudonyms;
  // Counted by route pattern (server/route-pattern.ts), once the build's routes are known; the built files as one.
  const metrics = config.METRICS_PORT === undefined ? null : createPortalMetrics(services);
  let patternOf: (path: string) => string | null = () => null;
  let topFiles = new Set<string>();
  if (metrics) app.use(metrics.http((p) => (p.startsWith("/assets/") || topFiles.has(p) ? "static" : (patternOf(p) ?? "unmatched"))));
  app.use(drainUnreadBodies);
  app.use(securityHeaders({ dev: !!options.dev, hsts: config.HSTS }));
  app.use(accessLog(log));
  app.use(sameOriginWrites(config.PUBLIC_ORIGIN));
  // Compress pages and scripts, never upload or download streams.
  app.use(compression({ filter: (req, res) => !req.path.startsWith("/api/") && compression.filter(req, res) }));
  // Upload parts stream straight to the blob store, not through Remix (ADR 018).
  app.all(uploadPartRoute.path, uploadPartHandler(services));

  let build: ServerBuild | (() => Promise<ServerBuild>);
  let closeVite = async () => {};
  if (options.dev) {
    const vite = await import("vite").then((v) => v.createServer({ root: ROOT, server: { middlewareMode: true } }));
    app.use(vite.middlewares);
    build = () => vite.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>;
    closeVite = () => vite.close();
    // The routes as at start; a route added while the dev server runs counts as "/*" until a restart.
    if (metrics)
      build().then(
        (b) => (patternOf = routePatterns(b, [uploadPartRoute.path])),
        (error: unknown) => log.warn("metrics: the dev build's routes could not be read", describeError(error)),
      );
  } else {
    const clientDir = path.join(ROOT, "build/client");
    app.use("/assets", express.static(path.join(clientDir, "assets"), { immutable: true, maxAge: "1y", index: false }));
    // The files of public/ sit at the top of the client build: only their paths reach the static handler, so a
    // page or an API request costs no file-system look-up.
    topFiles = new Set(
      readdirSync(clientDir, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => `/${entry.name}`),
    );
    const topStatic = express.static(clientDir, { maxAge: "1h", index: false });
    app.use((req, res, next) => (topFiles.has(req.path) ? topStatic(req, res, next) : next()));
    const built = (await import(pathToFileURL(path.join(ROOT, "build/server/index.js")).href)) as ServerBuild;
    patternOf = routePatterns(built, [uploadPartRoute.path]);
    build = built;
  }

  // The address is hashed here and goes no further: see app/.server/platform/client-pseudonyms.ts.
  const getLoadContext = (req: express.Request, res: express.Response) => ({
    services,
    cspNonce: String(res.locals.cspNonce),
    clientKey: pseudonyms.of(clientNetwork(req.ip ?? "unknown")),
  });
  // The JSON API is answered here, not through Remix (server/api-dispatch.ts).
  app.use(apiDispatch(build, getLoadContext));
  app.all("*", createRequestHandler({ build, mode: options.dev ? "development" : "production", getLoadContext }));
  app.use((error: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    // Errors Express marks as the client's (a path that does not percent-decode: 400) are answered as such.
    const status = (error as { status?: unknown } | null)?.status;
    if (typeof status === "number" && status >= 400 && status < 500) {
      if (res.headersSent) return;
      res.status(status).set("Cache-Control", "no-store");
      if (req.path.startsWith("/api/")) res.json({ error: { code: "bad_request", message: "the request URL could not be read" } });
      else res.type("text/plain").send("Bad request");
      return;
    }
    if (answerUnavailable(error, req, res, log)) return;
    log.error("unhandled error", describeError(error));
    if (!res.headersSent) res.status(500).type("text/plain").send("Internal error");
  });

  let metricsListener: MetricsListener | null = null;
  /** What the start opened before the HTTP server, closed in the reverse order: on a failed start and at close(). */
  const closeOpened = async () => {
    await metricsListener?.close();
    metrics?.close();
    await closeVite();
    await services.database.close();
    release();
  };
  if (metrics) {
    // A port in use stops the start with everything it opened closed.
    metricsListener = await listenForMetrics(metrics, config.METRICS_HOST, config.METRICS_PORT!, log).catch(async (error: unknown) => {
      await closeOpened();
      throw new ListenError("METRICS_PORT", config.METRICS_HOST, config.METRICS_PORT!, error);
    });
    log.info("metrics for Prometheus", { url: metricsListener.url });
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.on("error", reject);
  }).catch(async (error: unknown) => {
    await closeOpened();
    throw new ListenError("PORT", config.HOST, config.PORT, error);
  });
  server.requestTimeout = 15 * 60_000;
  // Idle keep-alive connections outlast what clients assume: with Node's 5 s a client whose idle timer ran late
  // (undici keeps the announced timeout less 1 s; a proxy in front keeps 60 s) sent a request into the closed
  // connection and got no answer, and a POST is not retried (test/faults/keep-alive.test.ts). The headers timeout
  // stays above it, so it never ends a connection that is still only idle.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const { port } = server.address() as AddressInfo;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;
  const url = `http://${host}:${port}`;

  const jobs = startPortalJobs(services, metrics?.jobTick);
  const backups = await listenForBackups(services);

  const setup = await ensureSetupLink(services);
  if (setup) {
    // The one way in on an empty installation: printed for the operator, valid once, for 24 hours.
    log.warn("first-run setup: open this link to create the first administrator and investigator", {
      setupLink: `${config.PUBLIC_ORIGIN ?? url}${setup.path}`,
      validUntil: setup.expiresAt.toISOString(),
    });
  }
  if ((await countActiveInvestigators(services.db)) === 0) {
    log.warn("no investigator account yet: the report form stays closed until one exists", {
      hint: "npm run cli -- user:create --role investigator --email you@example.com --password-file ./pw.txt",
    });
  }

  return {
    url,
    server,
    services,
    jobs,
    metricsUrl: metricsListener?.url ?? null,
    close: async () => {
      // Timers stop and runs under way are told to stop at once; they are waited for before the database closes.
      const jobsStopped = jobs.close();
      // Idle connections close at once; one busy now goes idle after its answer, and then closes after 5 s as
      // with Node's default, not after 65 s.
      server.keepAliveTimeout = 5000;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await settleStaffNotifications(services);
      await jobsStopped;
      // A backup under way fails (its CLI says so); blob deletions it held are done now.
      await backups?.close();
      await closeOpened();
    },
  };
}
