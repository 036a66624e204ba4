// PGlite is an in-process database: only one process may open DATA_DIR at a
// time. The server holds this lock; the CLI checks it before touching the data.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export class DataDirBusyError extends Error {
  constructor(readonly pid: number, dir: string) {
    super(
      `The portal (process ${pid}) is running on the embedded database in ${dir}. ` +
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

export function lockFile(dataDir: string): string {
  return path.join(dataDir, "portal.pid");
}

/** Throws DataDirBusyError if another live process holds the data directory. */
export function assertDataDirFree(dataDir: string): void {
  try {
    const pid = Number(readFileSync(lockFile(dataDir), "utf8").trim());
    if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new DataDirBusyError(pid, dataDir);
  } catch (error) {
    if (error instanceof DataDirBusyError) throw error;
  }
}

/** Takes the data directory for this process; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  assertDataDirFree(dataDir);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(lockFile(dataDir), `${process.pid}\n`);
  return () => rmSync(lockFile(dataDir), { force: true });
}
