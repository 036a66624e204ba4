// PGlite is an in-process database: only one process may open DATA_DIR at a
// time. The server and the CLI both take this lock (an exclusively created
// pid file); a stale file left by a dead process is replaced.
//
// A pid file naming this very process that this process does not hold is stale
// too (a restarted container often gets the same pid again); a different live
// process that happens to reuse a dead portal's pid still blocks start-up (safe
// side).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DataDirBusyError extends Error {
  constructor(
    readonly pid: number,
    dir: string,
  ) {
    super(
      `Another process (${pid}) has the embedded database in ${dir} open: the portal or a CLI command. ` +
        "Stop it, run this command, then start it again. With DATABASE_URL set, commands can run while the portal runs.",
    );
    this.name = "DataDirBusyError";
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Data directories this process holds. A pid file naming this process but not
 * listed here was left by an earlier process that had the same pid and was
 * killed (a restarted container starts the same way each time, and often gets
 * the same pid): it is stale, not ours to respect.
 */
const held = new Set<string>();

export function lockFile(dataDir: string): string {
  return path.join(dataDir, "portal.pid");
}

function holder(dataDir: string): number | null {
  try {
    const pid = Number(readFileSync(lockFile(dataDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Takes the data directory for this process; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const key = path.resolve(dataDir);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile(dataDir), `${process.pid}\n`, { flag: "wx" });
      held.add(key);
      return () => {
        held.delete(key);
        if (holder(dataDir) === process.pid) rmSync(lockFile(dataDir), { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = holder(dataDir);
      if (pid !== null && (pid === process.pid ? held.has(key) : alive(pid))) throw new DataDirBusyError(pid, dataDir);
      rmSync(lockFile(dataDir), { force: true }); // stale: its process is gone
    }
  }
  throw new DataDirBusyError(holder(dataDir) ?? 0, dataDir);
}
