// Readiness: whether this instance can serve requests now, i.e. reach its database and its blob store.
// The blob store is probed by writing, reading the size of and deleting a small blob under a fresh key,
// through the BlobStore interface, so the probe means the same for every store (a full or read-only
// disk, an unreachable bucket). A probe blob left by a crash in between is an orphan the upload
// cleanup removes.
//
// The route is anonymous, so the probe is shared: callers within REUSE_MS of a probe get its result
// (concurrent ones wait for the same probe). However often anyone asks, an instance writes at most one
// probe blob a second.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { describeError } from "./log";
import type { Services } from "./services";

export interface Check {
  status: "up" | "down";
  ms?: number;
}

export interface Readiness {
  ready: boolean;
  database: Check & { kind: "pglite" | "postgres" };
  blobs: Check;
}

const PROBE = Buffer.from("ready");

async function timed(what: string, s: Services, check: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  try {
    await check();
    return { status: "up", ms: Math.round(performance.now() - started) };
  } catch (error) {
    s.log.error(`readiness check: ${what} down`, describeError(error));
    return { status: "down" };
  }
}

const REUSE_MS = 1000;
const recent = new WeakMap<Services, { at: number; result: Promise<Readiness> }>();

/** The readiness of this instance, probed at most once a second (see above). */
export function checkReadiness(s: Services): Promise<Readiness> {
  const now = performance.now();
  const last = recent.get(s);
  if (last && now - last.at < REUSE_MS) return last.result;
  const result = probeReadiness(s);
  recent.set(s, { at: now, result });
  return result;
}

async function probeReadiness(s: Services): Promise<Readiness> {
  const [database, blobs] = await Promise.all([
    timed("database", s, () => s.database.ping()),
    timed("blob store", s, async () => {
      const key = `readiness-${randomBytes(8).toString("hex")}`;
      try {
        await s.blobs.writeAt(key, 0, Readable.from([PROBE]), PROBE.length);
        const size = await s.blobs.size(key);
        if (size !== PROBE.length) throw new Error(`the probe blob reads back as ${size} bytes, not ${PROBE.length}`);
      } finally {
        await s.blobs.delete(key).catch(() => {});
      }
    }),
  ]);
  return { ready: database.status === "up" && blobs.status === "up", database: { kind: s.database.kind, ...database }, blobs };
}
