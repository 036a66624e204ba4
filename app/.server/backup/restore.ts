// `npm run cli -- restore DIR` on the embedded default (ADR 038), with the portal stopped.
//
// Nothing in DATA_DIR changes until the whole backup is known good (the data-dir lock
// is taken first, so no portal starts meanwhile): the manifest is checked first
// (every file's size and SHA-256, no file it does not name), then the backup is
// restored into a staging directory inside DATA_DIR (the same file system, so the
// final moves are renames): the blobs, the secret, and the database, which is opened
// there (PGlite recovers it as after a crash) and checked against the blobs, every
// attachment's blob present with its size. Only then do the database, the blobs and
// the secret replace what DATA_DIR held, three renames; what was there is kept in
// DATA_DIR/before-restore-<time> (only with --force; without it a restore refuses a
// data directory that holds data). A failure before the renames leaves DATA_DIR as it
// was; a failure between them moves back what had moved.
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, rmdir, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { gunzipSync } from "node:zlib";
import { count } from "drizzle-orm";
import { openDatabase, type Db } from "../../../db/client";
import { archiveFiles, attachments, reports, uploads } from "../../../db/schema";
import { blobPath } from "../platform/blob-store";
import type { Config } from "../platform/config";
import { lockDataDir } from "../platform/data-lock";
import { PortalSecret, SECRET_FILE_NAME } from "../platform/secrets";
import { requireEmbedded } from "./backup";
import { BackupIntegrityError, BackupError, DATABASE_FILE, hashFile, SECRET_FILE, verifyBackup, type Manifest } from "./manifest";

/** What DATA_DIR holds that a restore replaces, and the names it gets there. */
const RESTORED = ["pgdata", "blobs", SECRET_FILE_NAME] as const;

export interface RestoreResult {
  manifest: Manifest;
  reports: number;
  attachments: number;
  blobs: number;
  /** Where the data DATA_DIR held before went (only with --force), or null. */
  keptAt: string | null;
  /** Things the operator must know before starting the portal. */
  warnings: string[];
}

/** The entries of `RESTORED` that hold something in `dir` (an empty directory holds nothing). */
async function occupied(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of RESTORED) {
    const st = await stat(path.join(dir, name)).catch(() => null);
    if (!st) continue;
    if (!st.isDirectory() || (await readdir(path.join(dir, name))).length > 0) out.push(name);
  }
  return out;
}

/** Copies a file of the backup into staging (0600), checking it is still the file the manifest names. */
async function copyVerified(from: string, to: string, expected: { bytes: number; sha256: string }): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
  await pipeline(createReadStream(from), createWriteStream(to, { flags: "wx", mode: 0o600 }));
  const got = await hashFile(to);
  if (got.bytes !== expected.bytes || got.sha256 !== expected.sha256) throw new BackupIntegrityError(`${from} changed while it was restored`);
  const handle = await open(to, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Every blob the restored database names must be there, whole: the copy and the blobs belong together. */
async function checkAgainstBlobs(db: Db, blobsDir: string): Promise<{ reports: number; attachments: number }> {
  const sizeOf = async (key: string) => (await stat(blobPath(blobsDir, key)).catch(() => null))?.size ?? null;
  const problems: string[] = [];
  const files = [
    ...(await db.select({ key: attachments.blobKey, bytes: attachments.ciphertextBytes }).from(attachments)),
    ...(await db.select({ key: archiveFiles.blobKey, bytes: archiveFiles.ciphertextBytes }).from(archiveFiles)),
  ];
  for (const f of files) {
    const size = await sizeOf(f.key);
    if (size !== f.bytes) problems.push(`${f.key}: ${size === null ? "missing" : `${size} bytes, not ${f.bytes}`}`);
  }
  // An upload under way when the backup was made: its acknowledged bytes at least (a part written later is cut off).
  for (const u of await db.select({ key: uploads.blobKey, received: uploads.receivedBytes }).from(uploads)) {
    const size = await sizeOf(u.key);
    if (u.received > 0 && (size ?? 0) < u.received) problems.push(`${u.key}: ${size ?? "missing"}, fewer than the ${u.received} bytes received`);
  }
  if (problems.length > 0) {
    throw new BackupIntegrityError(`the backup's database names ${problems.length} blob(s) the backup lacks or holds cut short, first ${problems[0]}`);
  }
  const [counted] = await db.select({ n: count() }).from(reports);
  return { reports: counted?.n ?? 0, attachments: files.length };
}

/** What the operator must hear when the secret the portal will start with (PORTAL_SECRET, else the restored file) is not the backup's. */
async function warnings(config: Config, manifest: Manifest, stagedSecret: string | null): Promise<string[]> {
  const out: string[] = [];
  let secret: string | null = config.PORTAL_SECRET ?? null;
  if (!secret && stagedSecret) secret = (await readFile(stagedSecret, "utf8")).trim();
  if (!secret) {
    out.push(
      `The backup holds no portal secret (it was in PORTAL_SECRET, fingerprint ${manifest.secretFingerprint}): set PORTAL_SECRET to that secret before starting the portal, or the audit chain will not verify.`,
    );
  } else if (/^[A-Za-z0-9_-]{43}$/.test(secret) && new PortalSecret(Buffer.from(secret, "base64url")).fingerprint !== manifest.secretFingerprint) {
    out.push(
      `PORTAL_SECRET is not the secret the backup's audit chain was keyed with (fingerprint ${manifest.secretFingerprint}): start the portal with that one, or the audit chain will not verify.`,
    );
  }
  return out;
}

/** Restores the backup in `dir` into DATA_DIR; the portal must be stopped. */
export async function restoreBackup(config: Config, dir: string, options: { force: boolean }): Promise<RestoreResult> {
  requireEmbedded(config, "restore");
  dir = path.resolve(dir);
  const data = config.paths.data;
  // The portal (or another command) holding DATA_DIR stops the restore here (DataDirBusyError), and none starts
  // until it is over.
  const releaseLock = lockDataDir(data);
  try {
    const manifest = await verifyBackup(dir);
    // A restore killed before it finished left its staging directory: nobody else can be using it now.
    for (const name of await readdir(data)) if (name.startsWith(".restore-")) await rm(path.join(data, name), { recursive: true, force: true });
    const present = await occupied(data);
    if (present.length > 0 && !options.force) {
      throw new BackupError(
        `${data} already holds data (${present.join(", ")}): restore replaces it only with --force, which keeps it in ${path.join(data, "before-restore-<time>")}`,
      );
    }
    const staging = await mkdtemp(path.join(data, ".restore-"));
    let keptAt: string | null = null;
    try {
      for (const f of manifest.files) {
        if (f.path === DATABASE_FILE) continue;
        const to = path.join(staging, f.path === SECRET_FILE ? SECRET_FILE_NAME : f.path);
        await copyVerified(path.join(dir, f.path), to, f);
        // Blobs keep their day-only file times (ADR 033).
        if (f.path.startsWith("blobs/")) {
          const { mtime } = await stat(path.join(dir, f.path));
          await utimes(to, mtime, mtime);
        }
      }
      await mkdir(path.join(staging, "blobs"), { recursive: true, mode: 0o700 });
      const database = path.join(dir, DATABASE_FILE);
      const gz = await readFile(database);
      const expected = manifest.files.find((f) => f.path === DATABASE_FILE)!;
      // The bytes that are restored are the bytes checked (not the file read a second time).
      if (gz.length !== expected.bytes || createHash("sha256").update(gz).digest("hex") !== expected.sha256)
        throw new BackupIntegrityError(`${database} changed while it was restored`);
      let tarball: Buffer;
      try {
        tarball = gunzipSync(gz);
      } catch (error) {
        throw new BackupIntegrityError(`${database} is not a gzip file`, { cause: error });
      }
      const handle = await openDatabase({
        pgliteDir: path.join(staging, "pgdata"),
        loadDataDir: new Blob([new Uint8Array(tarball.buffer as ArrayBuffer, tarball.byteOffset, tarball.length)]),
      }).catch((error: unknown) => {
        throw new BackupIntegrityError(`the database in ${database} does not open`, { cause: error });
      });
      let counts: { reports: number; attachments: number };
      try {
        // A backup of an earlier release is brought to this release's schema first (as the portal's start would), so
        // that the check reads it with this release's tables, and a migration that fails does so before the swap.
        await handle.migrate().catch((error: unknown) => {
          throw new BackupIntegrityError(`the database in ${database} could not be migrated to this release`, { cause: error });
        });
        counts = await checkAgainstBlobs(handle.db, path.join(staging, "blobs"));
      } finally {
        await handle.close();
      }
      const staged = path.join(staging, SECRET_FILE_NAME);
      const notes = await warnings(config, manifest, (await stat(staged).catch(() => null)) ? staged : null);

      // Everything is in staging and checked: now the swap.
      const moved: string[] = [];
      const placed: string[] = [];
      try {
        if (present.length > 0) {
          keptAt = path.join(data, `before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`);
          await mkdir(keptAt, { mode: 0o700 });
        }
        for (const name of RESTORED) {
          const at = path.join(data, name);
          const st = await stat(at).catch(() => null);
          if (!st) continue;
          if (keptAt && present.includes(name)) {
            await rename(at, path.join(keptAt, name));
            moved.push(name);
          } else if (st.isDirectory()) await rmdir(at); // empty
        }
        for (const name of RESTORED) {
          if (!(await stat(path.join(staging, name)).catch(() => null))) continue;
          await rename(path.join(staging, name), path.join(data, name));
          placed.push(name);
        }
      } catch (error) {
        for (const name of placed) await rename(path.join(data, name), path.join(staging, name)).catch(() => {});
        for (const name of moved) await rename(path.join(keptAt!, name), path.join(data, name)).catch(() => {});
        if (keptAt) await rmdir(keptAt).catch(() => {});
        keptAt = null;
        throw new BackupError(`the restored data could not be moved into ${data}; what it held is back in place`, { cause: error });
      }
      const handleDir = await open(data, "r");
      try {
        await handleDir.sync();
      } finally {
        await handleDir.close();
      }
      return { manifest, ...counts, blobs: manifest.counts.blobs, keptAt, warnings: notes };
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  } finally {
    releaseLock();
  }
}
