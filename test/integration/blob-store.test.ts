// The blob store contract, run over both stores (ADR 037): local disk, and the
// S3 store against a real S3-compatible server on loopback (s3rver).
import { HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BlobPartTooSmallError, BlobTooLargeError, LocalDiskBlobStore, type BlobStore } from "../../app/.server/platform/blob-store";
import { S3_MIN_PART_BYTES, S3BlobStore } from "../../app/.server/platform/s3-blob-store";
import { startTestS3, type TestS3 } from "../support/s3-server";

const MiB = 1024 * 1024;
const newKey = () => `upload-${randomUUID()}`;
/** A request body in small chunks, as the network delivers it. */
const bodyOf = (bytes: Buffer) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += 64 * 1024) yield bytes.subarray(i, i + 64 * 1024);
    })(),
  );

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function keysOf(store: BlobStore): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for await (const b of store.list()) found.set(b.key, b.bytes);
  return found;
}

let s3: TestS3;
let dir: string;
beforeAll(async () => {
  s3 = await startTestS3();
  dir = await mkdtemp(path.join(os.tmpdir(), "cor-blobs-"));
});
afterAll(async () => {
  await s3?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface StoreUnderTest {
  name: string;
  open(): BlobStore;
  /** Whether the stored bytes of `key` are really gone (below the interface). */
  isGone(key: string): Promise<boolean>;
  /** Only the last part may be shorter than this (0: any part may be). */
  minPart: number;
}

const s3Raw = () => new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true });

const stores: StoreUnderTest[] = [
  {
    name: "local disk",
    open: () => new LocalDiskBlobStore(dir),
    isGone: async (key) => (await new LocalDiskBlobStore(dir).size(key)) === null,
    minPart: 0,
  },
  {
    name: "S3 (s3rver)",
    open: () => new S3BlobStore({ bucket: s3.bucket, prefix: "contract/", region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true }),
    isGone: async (key) => {
      const listed = await s3Raw().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: "contract/" }));
      if ((listed.Contents ?? []).some((o) => o.Key!.includes(key))) return false;
      try {
        await s3Raw().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `contract/${key}` }));
        return false;
      } catch (error) {
        return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;
      }
    },
    minPart: S3_MIN_PART_BYTES,
  },
];

describe.each(stores)("blob store contract: $name", (t) => {
  const first = randomBytes(5 * MiB + 17); // above S3's minimum part
  const last = randomBytes(70_001);

  it("writes parts, completes, reports the size, and reads whole and by range", async () => {
    const store = t.open();
    const key = newKey();
    expect(await store.size(key)).toBeNull();
    expect(await store.writeAt(key, 0, bodyOf(first), 9 * MiB, first.length)).toBe(first.length);
    // Without a length (chunked transfer), too.
    expect(await store.writeAt(key, first.length, bodyOf(last), 9 * MiB, null)).toBe(last.length);
    expect(await store.size(key)).toBe(first.length + last.length);
    await store.complete(key);
    await store.complete(key); // a retried completion changes nothing
    const whole = Buffer.concat([first, last]);
    expect(await store.size(key)).toBe(whole.length);
    expect((await readAll(store.read(key))).equals(whole)).toBe(true);
    const start = first.length - 10;
    expect((await readAll(store.read(key, { start, end: start + 99 }))).equals(whole.subarray(start, start + 100))).toBe(true);
    expect((await readAll(store.read(key, { start: 3 }))).equals(whole.subarray(3))).toBe(true);
    expect((await keysOf(store)).get(key)).toBe(whole.length);
    await store.delete(key);
    expect(await store.size(key)).toBeNull();
    expect(await t.isGone(key)).toBe(true);
    expect((await keysOf(store)).has(key)).toBe(false);
    await expect(readAll(store.read(key))).rejects.toThrow();
  });

  it("a retried part replaces its failed attempt; an oversized one is refused and keeps what came before", async () => {
    const store = t.open();
    const key = newKey();
    await store.writeAt(key, 0, bodyOf(first), 9 * MiB, first.length);
    await expect(store.writeAt(key, first.length, bodyOf(randomBytes(5000)), 4096, null)).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await store.size(key)).toBe(first.length);
    await store.writeAt(key, first.length, bodyOf(randomBytes(last.length + 500)), 9 * MiB, null); // an attempt the server did not record
    expect(await store.writeAt(key, first.length, bodyOf(last), 9 * MiB, last.length)).toBe(last.length);
    await expect(store.writeAt(key, first.length + last.length + 1, bodyOf(last), 9 * MiB, null)).rejects.toThrow(/shorter than the write offset/);
    await store.complete(key);
    expect((await readAll(store.read(key))).equals(Buffer.concat([first, last]))).toBe(true);
    await store.delete(key);
    expect(await t.isGone(key)).toBe(true);
  });

  it("an unfinished blob is listed, and deleting it leaves nothing", async () => {
    const store = t.open();
    const key = newKey();
    await store.writeAt(key, 0, bodyOf(first), 9 * MiB, first.length);
    const listed = await keysOf(store);
    expect(listed.get(key)).toBe(first.length);
    await store.delete(key);
    expect(await store.size(key)).toBeNull();
    expect(await t.isGone(key)).toBe(true);
    await store.delete(key); // deleting what is gone is no error
  });

  it("only the last part may be shorter than the store's minimum part", async () => {
    const store = t.open();
    const key = newKey();
    const small = randomBytes(1000);
    await store.writeAt(key, 0, bodyOf(small), 9 * MiB, small.length);
    const next = store.writeAt(key, small.length, bodyOf(small), 9 * MiB, small.length);
    if (t.minPart > 0) {
      await expect(next).rejects.toBeInstanceOf(BlobPartTooSmallError);
      expect(await store.size(key)).toBe(small.length);
    } else {
      expect(await next).toBe(small.length);
    }
    await store.delete(key);
    expect(await t.isGone(key)).toBe(true);
  });

  it("reports no disk space to reserve unless it is a disk", async () => {
    const space = await t.open().space();
    if (t.minPart > 0) expect(space).toBeNull();
    else expect(space!.totalBytes).toBeGreaterThan(0);
  });
});
