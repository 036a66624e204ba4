// `npm run cli -- <command>`: operator commands on the configured database.
//
// The CLI raises the default log level from `info` to `warn`, so its output is
// the command's own text. On PGlite a command refuses to run while the portal
// holds the data directory (`DataDirBusyError`): exit status 2, "Stop it, run
// this command, then start it again". With `DATABASE_URL` commands run beside
// the portal; the job commands then take the portal's job locks and exit with
// status 2 (`JobBusyError`) when an instance's run of the job did not end within
// their --wait (ADR 040).
// `backup` and `restore` open the data directory themselves (ADR 038):
// a backup asks a running portal for its database copy.
import { ConfigError, loadConfig } from "../app/.server/platform/config";
import { DataDirBusyError, lockDataDir } from "../app/.server/platform/data-lock";
import { UnpatchedDriverError } from "../db/patched-driver";
import { PortalSecretError } from "../app/.server/platform/secrets";
import { createLogger } from "../app/.server/platform/log";
import { openServices } from "../server/start";
import { BackupError } from "../app/.server/backup/manifest";
import { exportVerify } from "./export-verify";
import { AuditBrokenError, commands, dataDirCommands, JobBusyError, USAGE, UsageError } from "./commands";

const [name, ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  if (!name || name === "help" || name === "--help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  // Reads a ZIP and at most the portal secret: no database, its own exit statuses (cli/export-verify.ts).
  if (name === "export:verify") {
    const r = await exportVerify(rest);
    (r.code === 0 || r.code === 3 || r.code === 4 ? process.stdout : process.stderr).write(`${r.text}\n`);
    return r.code;
  }
  const dataDirCommand = dataDirCommands[name];
  if (dataDirCommand) {
    process.stdout.write(`${await dataDirCommand(loadConfig(), rest)}\n`);
    return 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`Unknown command: ${name}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig();
  const release = config.DATABASE_URL ? () => {} : lockDataDir(config.paths.data);
  try {
    const services = await openServices(config, createLogger(config.LOG_LEVEL === "info" ? "warn" : config.LOG_LEVEL));
    try {
      process.stdout.write(`${await command(services, rest)}\n`);
      return 0;
    } finally {
      await services.database.close();
    }
  } finally {
    release();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof AuditBrokenError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    if (
      error instanceof UsageError ||
      error instanceof JobBusyError ||
      error instanceof BackupError ||
      error instanceof ConfigError ||
      error instanceof DataDirBusyError ||
      error instanceof UnpatchedDriverError ||
      error instanceof PortalSecretError
    ) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
