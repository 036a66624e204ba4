// `npm start` (production build) and `npm run dev` (Vite with HMR).
//
// A `ConfigError` or a port in use (`ListenError`) exits with status 2 and a
// message naming the variable; SIGINT and SIGTERM close the portal (jobs, HTTP
// server, database, data-dir lock) before exiting.
import { ConfigError } from "../app/.server/platform/config";
import { DataDirBusyError } from "../app/.server/platform/data-lock";
import { UnpatchedDriverError } from "../db/patched-driver";
import { PortalSecretError } from "../app/.server/platform/secrets";
import { ListenError } from "./listen-error";
import { startPortal } from "./start";

const dev = process.argv.includes("--dev");

try {
  const portal = await startPortal({ dev });
  process.stderr.write(
    `Clean OKESTRO Report is listening on ${portal.url} (database: ${portal.services.database.kind}, data: ${portal.services.config.paths.data})\n`,
  );
  if (portal.metricsUrl) process.stderr.write(`Metrics for Prometheus: ${portal.metricsUrl}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${signal}: shutting down\n`);
    portal.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
} catch (error) {
  // Operator errors: the message says what to do; a stack trace would only hide it.
  if (
    error instanceof ConfigError ||
    error instanceof DataDirBusyError ||
    error instanceof UnpatchedDriverError ||
    error instanceof PortalSecretError ||
    error instanceof ListenError
  ) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
