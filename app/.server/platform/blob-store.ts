// Attachment ciphertext storage. The interface is small so that shared storage
// (an object store, a network file system) can replace the local disk; the
// local implementation keeps blobs under DATA_DIR/blobs, the default, and
// `S3BlobStore` (s3-blob-store.ts) keeps them in a bucket (BLOB_STORE_URL, ADR 037).
//
// `LocalDiskBlobStore` keeps blob `k` at `DATA_DIR/blobs/<last two characters
// of k>/k`: the tail is random, so directories stay small. Keys are made by the
// server (`upload-<uuid>`) and checked against `^[a-z0-9][a-z0-9-]{7,80}$`; no
// path comes from a request. `writeAt` cuts the blob at the offset, writes
// through a size-limiting stream with a 1 MiB write buffer and fsyncs, so
// server memory does not grow with the file and acknowledged bytes survive a
// crash. Several servers share blobs through a shared file system. Blobs hold
// only stream ciphertext (stream-v2, or stream-v1 from before it).
//
// Modification and access times say only the day (ADR 033): after every change
// the blob, and its shard directory, are stamped with the start of the day that
// `stampOf` gives (the organisation's calendar day), so `ls -l`, a backup, `tar`
// or `rsync -t` copy no time of day. The inode's change time (ctime) cannot be
// set from user space; it stays exact on the live file system (THREAT-MODEL.md).
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, readdir, rm, stat, statfs, truncate, utimes } from "node:fs/promises";
import path from "node:path";
import { Transform, type Readable, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`blob part exceeds ${limit} bytes`);
    this.name = "BlobTooLargeError";
  }
}

/** Passes a body through, counting its bytes, and fails with BlobTooLargeError past `maxBytes`: every store's write. */
export class ByteLimiter extends Transform {
  written = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.written += chunk.length;
    if (this.written > this.maxBytes) done(new BlobTooLargeError(this.maxBytes));
    else done(null, chunk);
  }
}

/** A part after one shorter than an object store's minimum part (S3: 5 MiB): only a blob's last part may be short. */
export class BlobPartTooSmallError extends Error {
  constructor(readonly minimum: number) {
    super(`every part but the last must be at least ${minimum} bytes`);
    this.name = "BlobPartTooSmallError";
  }
}

export interface BlobInfo {
  key: string;
  bytes: number;
  modifiedAt: Date;
}

export interface BlobStore {
  /**
   * Writes `body` at `offset`, replacing whatever was there from that offset on
   * (so a retried part overwrites its failed attempt). Rejects, keeping what is
   * before `offset`, if the body exceeds `maxBytes`. Resolves to bytes written. `length`, when the request
   * announced it, lets an object store stream the part instead of collecting it (ADR 037).
   */
  writeAt(key: string, offset: number, body: Readable, maxBytes: number, length?: number | null): Promise<number>;
  /** Makes a fully written blob readable (finishes an object store's multipart upload); repeating it does nothing. */
  complete(key: string): Promise<void>;
  /** Cuts the blob to `length` bytes (drops a failed part's tail); an object store cuts only where a part ends. */
  truncate(key: string, length: number): Promise<void>;
  read(key: string, range?: { start: number; end?: number }): Readable;
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  list(): AsyncIterable<BlobInfo>;
  /** Free and total bytes where blobs are written (for the disk reserve, ADR 031); null where unbounded. */
  space(): Promise<{ freeBytes: number; totalBytes: number } | null>;
}

const KEY_RE = /^[a-z0-9][a-z0-9-]{7,80}$/;

/** Midnight UTC of the current day: the stamp when no calendar is given (tests, tools). */
export const utcDayStart = (): Date => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
};

export class LocalDiskBlobStore implements BlobStore {
  /** @param stampOf the start of the current day, which every blob's mtime and atime are set to. */
  constructor(
    private readonly root: string,
    private readonly stampOf: () => Date = utcDayStart,
  ) {}

  /** Sets the blob's and its shard directory's mtime and atime to the start of the day. */
  private async stamp(file: string): Promise<void> {
    const day = this.stampOf();
    await utimes(file, day, day).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await utimes(path.dirname(file), day, day).catch(() => {}); // a directory another server just removed
  }

  private file(key: string): string {
    // Keys are generated by the server, but check anyway: no path ever comes from a request.
    if (!KEY_RE.test(key)) throw new Error("invalid blob key");
    // Shard on the key's random tail so directories stay small.
    return path.join(this.root, key.slice(-2), key);
  }

  async writeAt(key: string, offset: number, body: Readable, maxBytes: number): Promise<number> {
    const file = this.file(key);
    const created = await mkdir(path.dirname(file), { recursive: true });
    if (created) await utimes(this.root, this.stampOf(), this.stampOf()).catch(() => {});
    await (await open(file, "a")).close(); // create it if missing
    const { size } = await stat(file);
    if (size < offset) throw new Error(`blob ${key} is shorter than the write offset`);
    await truncate(file, offset);
    const limiter = new ByteLimiter(maxBytes);
    try {
      await pipeline(body, limiter, createWriteStream(file, { flags: "r+", start: offset, highWaterMark: 1 << 20 }));
      // Acknowledged bytes must survive a crash of the server or the machine.
      const handle = await open(file, "r");
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      await truncate(file, offset).catch(() => {});
      await this.stamp(file).catch(() => {});
      throw error;
    }
    await this.stamp(file);
    return limiter.written;
  }

  /** Bytes on disk are readable as soon as they are written. */
  complete(): Promise<void> {
    return Promise.resolve();
  }

  async truncate(key: string, length: number): Promise<void> {
    const file = this.file(key);
    const handle = await open(file, "r+");
    try {
      await handle.truncate(length);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.stamp(file);
  }

  read(key: string, range?: { start: number; end?: number }): Readable {
    return createReadStream(this.file(key), range ? { start: range.start, end: range.end } : undefined);
  }

  async size(key: string): Promise<number | null> {
    try {
      return (await stat(this.file(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const file = this.file(key);
    await rm(file, { force: true });
    // The shard directory's mtime would otherwise tell when a blob was last removed.
    await utimes(path.dirname(file), this.stampOf(), this.stampOf()).catch(() => {});
  }

  async space(): Promise<{ freeBytes: number; totalBytes: number }> {
    await mkdir(this.root, { recursive: true });
    const s = await statfs(this.root);
    // bavail: what an unprivileged process may still write (bfree includes root's reserved blocks).
    return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
  }

  async *list(): AsyncIterable<BlobInfo> {
    let shards: string[];
    try {
      shards = await readdir(this.root);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const shard of shards) {
      for (const name of await readdir(path.join(this.root, shard)).catch(() => [] as string[])) {
        if (!KEY_RE.test(name)) continue;
        const s = await stat(path.join(this.root, shard, name)).catch(() => null);
        if (s?.isFile()) yield { key: name, bytes: s.size, modifiedAt: s.mtime };
      }
    }
  }
}
