// The parts of a backup that need no portal (ADR 038): the manifest check that restore runs before it
// writes anything, against directories changed in the ways a damaged or forged backup would be; and the
// local blob store's deletion hold, which nests and deletes what it held once the last hold ends.
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackupError, BackupIntegrityError, newManifest, verifyBackup, type ManifestFile } from "../../app/.server/backup/manifest";
import { LocalDiskBlobStore } from "../../app/.server/platform/blob-store";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const KEY = "upload-0f8c2a4e-5b1d-4c3e-9a7f-1e2d3c4b5a6f";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "cor-manifest-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A backup directory with the given files, and a manifest that names `listed` (all of them unless given). */
async function backupWith(files: Record<string, Buffer>, listed?: ManifestFile[]): Promise<void> {
  for (const [p, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, p)), { recursive: true });
    await writeFile(path.join(dir, p), bytes);
  }
  const manifest = newManifest({
    createdAt: "2026-12-07T10:00:00.000Z",
    takenFrom: "running portal",
    portalSecret: "included",
    secretFingerprint: "0123456789abcdef",
    files: listed ?? Object.entries(files).map(([p, bytes]) => ({ path: p, bytes: bytes.length, sha256: sha256(bytes) })),
  });
  await writeFile(path.join(dir, "manifest.json"), JSON.stringify(manifest));
}

const GOOD = {
  "database.tar.gz": Buffer.from("not really a tarball"),
  "portal-secret": Buffer.from("secret\n"),
  [`blobs/${KEY.slice(-2)}/${KEY}`]: Buffer.from("ciphertext"),
};

describe("verifyBackup", () => {
  it("accepts a directory that matches its manifest, and counts it", async () => {
    await backupWith(GOOD);
    const m = await verifyBackup(dir);
    expect(m.counts).toEqual({ files: 3, blobs: 1, blobBytes: "ciphertext".length });
  });

  it("refuses a file with one byte changed, a missing file and a file the manifest does not name", async () => {
    await backupWith(GOOD);
    await writeFile(path.join(dir, "portal-secret"), "sekret\n");
    await expect(verifyBackup(dir)).rejects.toThrow(/portal-secret .* is not the file the manifest names/);

    await backupWith(GOOD);
    await rm(path.join(dir, "blobs", KEY.slice(-2), KEY));
    await expect(verifyBackup(dir)).rejects.toThrow(/is missing/);

    await backupWith(GOOD);
    await writeFile(path.join(dir, "blobs", "extra"), "x");
    await expect(verifyBackup(dir)).rejects.toThrow(/holds blobs\/extra, which its manifest does not name/);
  });

  it("refuses a link in place of a file, rather than reading what it points to", async () => {
    await backupWith(GOOD);
    const elsewhere = path.join(dir, "..", `${path.basename(dir)}-elsewhere`);
    await writeFile(elsewhere, "secret\n"); // the same bytes the manifest names for portal-secret
    try {
      await rm(path.join(dir, "portal-secret"));
      await symlink(elsewhere, path.join(dir, "portal-secret"));
      await expect(verifyBackup(dir)).rejects.toThrow(/portal-secret is not a regular file \(a link, a pipe or a device\)/);
    } finally {
      await rm(elsewhere, { force: true });
    }
  });

  it("refuses a manifest that names a path outside the backup's layout, or no database", async () => {
    const bytes = Buffer.from("x");
    for (const p of ["../outside", "/etc/passwd", "blobs/zz/upload-0f8c2a4e-5b1d-4c3e-9a7f-1e2d3c4b5a6f", "blobs/6f/../../x", "pgdata/PG_VERSION"]) {
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir);
      await backupWith({ "database.tar.gz": bytes }, [
        { path: "database.tar.gz", bytes: 1, sha256: sha256(bytes) },
        { path: p, bytes: 1, sha256: sha256(bytes) },
      ]);
      // Refused by its name, before any file is opened: "../outside" is never read.
      await expect(verifyBackup(dir), p).rejects.toThrow(/files\.1\.path: not a file a backup holds/);
      await expect(verifyBackup(dir), p).rejects.toBeInstanceOf(BackupIntegrityError);
    }
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    await backupWith({ "portal-secret": bytes });
    await expect(verifyBackup(dir)).rejects.toThrow(/names no database.tar.gz/);
  });

  it("refuses what is not a manifest, and a directory without one", async () => {
    await expect(verifyBackup(dir)).rejects.toThrow(/is not a backup: cannot read its manifest.json/);
    await writeFile(path.join(dir, "manifest.json"), "{ not json");
    await expect(verifyBackup(dir)).rejects.toBeInstanceOf(BackupIntegrityError);
    await writeFile(path.join(dir, "manifest.json"), JSON.stringify({ format: "clean-okestro-report-backup", version: 2 }));
    await expect(verifyBackup(dir)).rejects.toThrow(/not a backup manifest of this release/);
    await expect(verifyBackup(dir)).rejects.toBeInstanceOf(BackupError);
  });
});

describe("LocalDiskBlobStore.holdDeletions", () => {
  it("defers deletions until the last hold ends, then deletes them; a release counts once", async () => {
    const store = new LocalDiskBlobStore(path.join(dir, "blobs"));
    await store.writeAt(KEY, 0, Readable.from([Buffer.from("ciphertext")]), 100);
    const first = store.holdDeletions();
    const second = store.holdDeletions();
    await store.delete(KEY);
    expect(await store.size(KEY)).toBe(10);
    await first();
    await first(); // no effect: the second hold is still on
    expect(await store.size(KEY)).toBe(10);
    await second();
    expect(await store.size(KEY)).toBeNull();
    // Without a hold a deletion is immediate again.
    await store.writeAt(KEY, 0, Readable.from([Buffer.from("again")]), 100);
    await store.delete(KEY);
    expect(await store.size(KEY)).toBeNull();
  });
});
