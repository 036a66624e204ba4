// `npm run cli -- backup DIR` on the embedded default (ADR 038): a consistent copy
// of the database, the blobs and DATA_DIR/portal-secret, with a manifest.
//
// While the portal runs, it copies its own database and holds blob deletions until
// this process has copied the blobs (control-socket.ts); while it is stopped, this
// process takes the data-dir lock and copies the database itself. Either way the
// database is copied first and the blobs after, so every blob a row of the copy
// names is in the backup (blobs written after the copy may be too: strays, which
// the upload cleanup removes after a restore). Files are written 0600 in a 0700
// directory and fsynced; the manifest is written last, so a directory without one
// is an interrupted backup.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { createGzip } from "node:zlib";
import { openDatabase } from "../../../db/client";
import { blobPath, LocalDiskBlobStore } from "../platform/blob-store";
import type { Config } from "../platform/config";
import { DataDirBusyError, lockDataDir } from "../platform/data-lock";
import { loadPortalSecret, SECRET_FILE_NAME } from "../platform/secrets";
import { requestPortalCopy, type PortalCopy } from "./control-socket";
import { BackupError, DATABASE_FILE, MANIFEST_FILE, newManifest, SECRET_FILE, type Manifest, type ManifestFile } from "./manifest";

const DEPLOYMENT_BACKUPS = 'docs/DEPLOYMENT.md, "Backups"';

/** Backups and restores are for the embedded default: PostgreSQL and object storage have their own (the message says where). */
export function requireEmbedded(config: Config, command: "backup" | "restore"): void {
  if (config.DATABASE_URL) {
    throw new BackupError(
      `${command} is for the embedded database, and DATABASE_URL is set: back up PostgreSQL with its own tools (pg_dump, or base backups with WAL archiving for point-in-time recovery); see ${DEPLOYMENT_BACKUPS}.`,
    );
  }
  if (config.blobStore.kind !== "local") {
    throw new BackupError(
      `${command} is for attachments on local disk, and BLOB_STORE_URL is set: protect the bucket with its own versioning and replication; see ${DEPLOYMENT_BACKUPS}.`,
    );
  }
}

/** Makes DIR (0700) for a backup, refusing one that exists with anything in it. */
async function prepareDirectory(dir: string): Promise<void> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw new BackupError(`cannot use ${dir} for the backup: ${error.code ?? error.message}`, { cause: error });
  });
  if (entries && entries.length > 0) throw new BackupError(`${dir} exists and is not empty: give a new or empty directory for the backup`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Writes `source` (through `transform`, when given) to `file` (0600, new), fsynced; returns its size and SHA-256. */
async function writeHashed(file: string, source: Readable, transform?: Transform): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const target = createWriteStream(file, { flags: "wx", mode: 0o600 });
  await (transform ? pipeline(source, transform, tap, target) : pipeline(source, tap, target));
  const handle = await open(file, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** Syncs a directory, so the names of the files just written in it survive a crash. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
}

/** The database as a tarball: from the running portal, or opened here under the data-dir lock. */
async function copyDatabase(config: Config): Promise<{ copy: PortalCopy | null; tarball: Readable; at: Date; release: () => void }> {
  let release: () => void;
  try {
    release = lockDataDir(config.paths.data);
  } catch (error) {
    if (!(error instanceof DataDirBusyError)) throw error;
    const copy = await requestPortalCopy(config.paths.data);
    return { copy, tarball: copy.tarball, at: copy.at, release: () => {} };
  }
  try {
    const found = await stat(path.join(config.paths.pglite, "PG_VERSION")).catch(() => null);
    if (!found) throw new BackupError(`there is no database in ${config.paths.pglite} to back up (is DATA_DIR right?)`);
    const at = new Date();
    const database = await openDatabase({ pgliteDir: config.paths.pglite });
    try {
      const dump = (await database.dump())!;
      return { copy: null, tarball: Readable.fromWeb(dump.stream() as NodeReadableStream<Uint8Array>), at, release };
    } finally {
      await database.close();
    }
  } catch (error) {
    release();
    throw error;
  }
}

/** Makes a backup of the embedded default in `dir` (new or empty). */
export async function makeBackup(config: Config, dir: string): Promise<BackupResult> {
  requireEmbedded(config, "backup");
  dir = path.resolve(dir);
  const data = config.paths.data;
  if (dir === data || dir.startsWith(data + path.sep)) throw new BackupError(`the backup cannot go inside DATA_DIR (${data}): give a directory elsewhere`);
  // Before anything is copied: a backup without the secret that keys the audit chain would restore a broken chain.
  const secret = loadPortalSecret({ value: config.PORTAL_SECRET, dataDir: data, create: false });
  await prepareDirectory(dir);
  const db = await copyDatabase(config);
  let released = false;
  try {
    const files: ManifestFile[] = [];
    files.push({ path: DATABASE_FILE, ...(await writeHashed(path.join(dir, DATABASE_FILE), db.tarball, createGzip())) });
    // The file only when it is the secret in use: with PORTAL_SECRET set, a file left in DATA_DIR is not copied, so
    // that a backup never holds the key to the audit chain the operator chose to keep apart (ADR 027).
    const secretFile = path.join(data, SECRET_FILE_NAME);
    const hasSecretFile = !config.PORTAL_SECRET && ((await stat(secretFile).catch(() => null))?.isFile() ?? false);
    if (hasSecretFile) files.push({ path: SECRET_FILE, ...(await writeHashed(path.join(dir, SECRET_FILE), createReadStream(secretFile))) });
    // Every blob there now: the ones the copy names (none is deleted until the release), and maybe newer ones.
    // A blob that vanishes meanwhile fails the backup: with deletions held, something outside the portal removed it.
    const store = new LocalDiskBlobStore(config.paths.blobs);
    for await (const blob of store.list()) {
      const from = blobPath(config.paths.blobs, blob.key);
      const rel = `blobs/${blob.key.slice(-2)}/${blob.key}`;
      const to = path.join(dir, rel);
      const copied = await writeHashed(to, createReadStream(from));
      // Keep the day-only file times (ADR 033).
      await utimes(to, blob.modifiedAt, blob.modifiedAt);
      files.push({ path: rel, ...copied });
    }
    for (const shard of new Set(files.filter((f) => f.path.startsWith("blobs/")).map((f) => path.dirname(path.join(dir, f.path))))) await syncDirectory(shard);
    // Only after every blob is copied: the portal's hold lasted the whole copy, or the backup is refused.
    await db.copy?.release();
    released = true;
    const manifest = newManifest({
      createdAt: db.at.toISOString(),
      takenFrom: db.copy ? "running portal" : "stopped portal",
      portalSecret: hasSecretFile ? "included" : "environment",
      secretFingerprint: secret.fingerprint,
      files,
    });
    await writeFile(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await syncDirectory(dir);
    return { dir, manifest };
  } catch (error) {
    // Nothing that could pass for a backup stays: what was written goes (the directory was new or empty).
    if (!released) db.copy?.abandon();
    for (const name of await readdir(dir).catch(() => [] as string[])) await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => {});
    throw error;
  } finally {
    db.release();
  }
}
