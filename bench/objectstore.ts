// Attachments in object storage against local disk (issue 17, ADR 037): the
// same file of BENCH_OBJECTSTORE_MIB (1 GiB) uploaded and downloaded through the
// production server with its blobs on local disk, then with BLOB_STORE_URL on
// s3rver (in a process of its own), one database, one run. Uploads are made by
// the reporter's intake client (app/reporter/intake-client.ts) in Node: the code
// the report page runs, without the browser, whose CPU would otherwise hide the
// store (the browser's figure is the `attachments` section). Downloads are the
// investigator's: signed in through the real API, a GET of the attachment's
// ciphertext, streamed. Figures: MB/s each way, the server's RSS growth during
// each (DESIGN.md section 6: at most 64 MiB whatever the file size), and the
// ratios S3 / disk against floors that mean "no large regression".
// Correctness: every downloaded part is byte for byte the part the client sent
// (SHA-256 per part), and the download is exactly the ciphertext's size.
import { createHash } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { TARGET_RSS_GROWTH_MIB } from "./attachments";
import { streamCiphertextSize, streamPaddedBytes } from "../crypto/attachment-stream";
import { LIMITS } from "../app/intake/limits";
import { firstSignIn, type SignedInStaff } from "../test/support/staff-session";
import { databaseFor, type Backend } from "./lib/backends";
import { startCpuAccounting, type CpuUse } from "./lib/cpu";
import { partCipherBytes } from "./lib/intake-e2e";
import { nodeClientSubmit } from "./lib/node-diagnostics";
import { accessLines, createInvestigator, INVESTIGATOR_PASSWORD, startPortalProcess, type PortalProcess } from "./lib/portal";
import { sampleRss, type MemoryPhase } from "./lib/rss";
import { startS3rverProcess, type S3rverProcess } from "./lib/s3rver-process";
import { fmt, median, printTable, say, settle, stats, type Stats } from "./lib/util";

const MiB = 1024 * 1024;
/**
 * S3 / disk, upload and download: at least half. s3rver runs on the same two cores as the client and the
 * server, and does more per byte than the disk path (MD5 of every part, each part written to a file, then
 * on completion every part read, hashed and written again as the object); a real bucket does that work on
 * other machines. Below half, the portal's own S3 path would cost more than all of the disk path.
 */
export const MIN_S3_RATIO = 0.5;
// The upload's floor applies without its completion: s3rver completes a multipart upload by reading,
// hashing and writing all of it again (seconds per GiB), where a real bucket answers in well under a second.

export type Store = "disk" | "s3";

export interface Transfer {
  bytes: number;
  ms: number;
  MBps: number;
  memory: MemoryPhase;
  /** Peak (kernel high-water mark where it could be reset, else the highest sample) minus the RSS at the start. */
  growthMiB: number;
  cpu: CpuUse;
}

export interface Upload extends Transfer {
  /** Time the server spent on each part (its access log), and on the completion. */
  serverPartMs: Stats | null;
  completeMs: number | null;
  /** MB/s without the completion's time. */
  MBpsWithoutCompletion: number;
}

export interface Download extends Transfer {
  ttfbMs: number;
  /** Null: every downloaded part equals the part sent, and nothing more or less came. */
  mismatch: string | null;
}

interface StoreRuns {
  store: Store;
  uploads: Upload[];
  downloads: Download[];
}

export interface StoreResult extends StoreRuns {
  /** Medians over the runs. */
  uploadMBps: number;
  uploadWithoutCompletionMBps: number;
  downloadMBps: number;
  maxUploadGrowthMiB: number;
  maxDownloadGrowthMiB: number;
  intact: boolean;
}

export interface ObjectStoreResult {
  backend: Backend;
  fileBytes: number;
  /** Local disk, then S3. */
  stores: StoreResult[];
  /** S3 / disk, of the medians. */
  uploadRatio: number | null;
  uploadWithoutCompletionRatio: number | null;
  downloadRatio: number | null;
}

const growthOf = (m: MemoryPhase) => Math.max(m.peakMiB, m.kernelPeakMiB ?? 0) - m.startMiB;
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

interface SentParts {
  /** The upload's id, which becomes the attachment's id. */
  uploadId: string | null;
  /** SHA-256 of each part's body, by part number. */
  sha256: Map<number, string>;
}

/** A fetch that keeps what the intake client uploads (it sends each part as a Uint8Array). */
function recordingFetch(sent: SentParts): typeof fetch {
  return async (input, init) => {
    const m = /\/api\/intake\/uploads\/([0-9a-f-]{36})\/parts\/(\d+)$/.exec(String(input));
    if (m && init?.method === "PUT" && init.body instanceof Uint8Array) {
      sent.uploadId = m[1]!;
      sent.sha256.set(Number(m[2]), createHash("sha256").update(init.body).digest("hex"));
    }
    return fetch(input, init);
  };
}

/** Reads the download, hashing it part by part as the upload cut it; compares with what was sent. */
async function readAndCompare(
  body: ReadableStream<Uint8Array>,
  fileBytes: number,
  sent: Map<number, string>,
): Promise<{ bytes: number; mismatch: string | null }> {
  const parts = Math.max(1, Math.ceil(streamPaddedBytes(fileBytes) / LIMITS.partPlainBytes));
  let index = 0;
  let left = partCipherBytes(0, fileBytes);
  let hash = createHash("sha256");
  let bytes = 0;
  let mismatch: string | null = null;
  const endPart = () => {
    const got = hash.digest("hex");
    if (!mismatch && got !== sent.get(index)) mismatch = `part ${index} differs from what was sent`;
    index++;
    hash = createHash("sha256");
    left = index < parts ? partCipherBytes(index, fileBytes) : Infinity;
  };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(left, chunk.length - at);
      hash.update(chunk.subarray(at, at + take));
      at += take;
      left -= take;
      if (left === 0) endPart();
    }
  }
  if (!mismatch && index !== parts) mismatch = `the download ended in part ${index} of ${parts}`;
  return { bytes, mismatch };
}

/** One production server on one store, with the investigator signed in. */
interface Station {
  store: Store;
  portal: PortalProcess;
  staff: SignedInStaff;
  /** Processes whose CPU time counts for this store: the server, and s3rver. */
  groups: { group: string; pid: number }[];
  release(): Promise<void>;
}

async function openStation(o: ObjectStoreOptions, store: Store, s3: S3rverProcess | null): Promise<Station> {
  const db = await databaseFor(o.backend);
  const dataDir = path.join(o.tmp, `objectstore-${store}`);
  await mkdir(dataDir, { recursive: true });
  let portal: PortalProcess | null = null;
  const release = async () => {
    await portal?.stop().catch(() => {});
    await db.release().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const email = "bench-investigator@example.com";
    await createInvestigator(dataDir, email, db.url);
    portal = await startPortalProcess(
      dataDir,
      { DATABASE_URL: db.url, MAX_ATTACHMENT_BYTES: String(Math.max(4 * 1024 * MiB, o.file.bytes)), ...(s3 ? s3.env("attachments") : {}) },
      o.serverNodeArgs,
    );
    say(`[objectstore ${store}] server pid ${portal.pid} at ${portal.url}${s3 ? `, BLOB_STORE_URL on s3rver (pid ${s3.pid})` : ", blobs in DATA_DIR"}`);
    const staff = await firstSignIn(portal.url, email, INVESTIGATOR_PASSWORD);
    if (o.warmFile) await nodeClientSubmit(portal.url, o.warmFile.path, o.warmFile.bytes);
    return { store, portal, staff, groups: [{ group: "server", pid: portal.pid }, ...(s3 ? [{ group: "s3rver", pid: s3.pid }] : [])], release };
  } catch (error) {
    await release();
    throw error;
  }
}

interface Uploaded {
  upload: Upload;
  reportId: string;
  sent: SentParts;
}

async function upload(st: Station, o: ObjectStoreOptions): Promise<Uploaded> {
  await settle(`the ${st.store} upload`);
  say(`[objectstore ${st.store}] ${(o.file.bytes / MiB).toFixed(0)} MiB uploaded by the intake client in Node`);
  const p = st.portal;
  const sent: SentParts = { uploadId: null, sha256: new Map() };
  const mark = p.lines.length;
  const mem = sampleRss(p.pid, `upload (${st.store})`);
  const acct = startCpuAccounting(st.groups, o.cores);
  const up = await nodeClientSubmit(p.url, o.file.path, o.file.bytes, { fetch: recordingFetch(sent) });
  const cpu = acct.stop();
  const memory = mem.stop();
  const access = accessLines(p.lines.slice(mark));
  const completeMs = access.find((l) => l.method === "POST" && l.path.endsWith("/complete"))?.ms ?? null;
  const u: Upload = {
    bytes: o.file.bytes,
    ms: up.ms,
    MBps: up.MBps,
    memory,
    growthMiB: growthOf(memory),
    cpu,
    serverPartMs: stats(access.filter((l) => l.method === "PUT" && /\/parts\/\d+$/.test(l.path)).map((l) => l.ms)),
    completeMs,
    MBpsWithoutCompletion: mbps(o.file.bytes, up.ms - (completeMs ?? 0)),
  };
  say(`  ${u.MBps.toFixed(1)} MB/s (${(u.ms / 1000).toFixed(2)} s), server RSS growth ${fmt.mib(u.growthMiB)}`);
  return { upload: u, reportId: up.reportId, sent };
}

async function download(st: Station, o: ObjectStoreOptions, up: Uploaded): Promise<Download> {
  if (!up.sent.uploadId) throw new Error("the intake client sent no part");
  await settle(`the ${st.store} download`);
  say(`[objectstore ${st.store}] the investigator downloads it`);
  const mem = sampleRss(st.portal.pid, `download (${st.store})`);
  const acct = startCpuAccounting(st.groups, o.cores);
  const t0 = performance.now();
  // The attachment's id is its upload's.
  const res = await st.staff.client.raw(`/api/staff/cases/${up.reportId}/attachments/${up.sent.uploadId}`);
  const ttfbMs = performance.now() - t0;
  const read = await readAndCompare(res.body!, o.file.bytes, up.sent.sha256);
  const ms = performance.now() - t0;
  const cpu = acct.stop();
  const memory = mem.stop();
  const expected = streamCiphertextSize(o.file.bytes);
  const mismatch = read.mismatch ?? (read.bytes !== expected ? `downloaded ${read.bytes} bytes, expected ${expected}` : null);
  const d: Download = { bytes: read.bytes, ms, MBps: mbps(read.bytes, ms), ttfbMs, memory, growthMiB: growthOf(memory), cpu, mismatch };
  say(`  ${d.MBps.toFixed(1)} MB/s (${(ms / 1000).toFixed(2)} s), server RSS growth ${fmt.mib(d.growthMiB)}; ${mismatch ?? "every part as sent"}`);
  return d;
}

export interface ObjectStoreOptions {
  backend: Backend;
  tmp: string;
  file: { path: string; bytes: number };
  warmFile: { path: string; bytes: number } | null;
  /** Rounds of upload disk, upload S3, download disk, download S3. */
  runs: number;
  cores: number;
  serverNodeArgs: string[];
}

/**
 * Two servers, each on a fresh database: blobs on local disk, and on s3rver. The measurements alternate
 * between them (upload on disk, on S3, download on disk, on S3, `runs` times), so that other work on a
 * shared machine falls on both alike; each store's figure is the median of its runs.
 */
export async function benchObjectStore(o: ObjectStoreOptions): Promise<ObjectStoreResult> {
  const s3 = await startS3rverProcess();
  const stations: Station[] = [];
  try {
    stations.push(await openStation(o, "disk", null));
    stations.push(await openStation(o, "s3", s3));
    const runs = new Map<Store, StoreRuns>(stations.map((st) => [st.store, { store: st.store, uploads: [], downloads: [] }]));
    for (let i = 0; i < o.runs; i++) {
      const uploaded: Uploaded[] = [];
      for (const st of stations) {
        const up = await upload(st, o);
        runs.get(st.store)!.uploads.push(up.upload);
        uploaded.push(up);
      }
      for (const [j, st] of stations.entries()) runs.get(st.store)!.downloads.push(await download(st, o, uploaded[j]!));
    }
    const out = [...runs.values()].map((r) => ({
      ...r,
      uploadMBps: median(r.uploads.map((u) => u.MBps)),
      uploadWithoutCompletionMBps: median(r.uploads.map((u) => u.MBpsWithoutCompletion)),
      downloadMBps: median(r.downloads.map((d) => d.MBps)),
      maxUploadGrowthMiB: Math.max(...r.uploads.map((u) => u.growthMiB)),
      maxDownloadGrowthMiB: Math.max(...r.downloads.map((d) => d.growthMiB)),
      intact: r.downloads.every((d) => d.mismatch === null),
    }));
    const [disk, onS3] = out;
    return {
      backend: o.backend,
      fileBytes: o.file.bytes,
      stores: out,
      uploadRatio: disk && onS3 ? onS3.uploadMBps / disk.uploadMBps : null,
      uploadWithoutCompletionRatio: disk && onS3 ? onS3.uploadWithoutCompletionMBps / disk.uploadWithoutCompletionMBps : null,
      downloadRatio: disk && onS3 ? onS3.downloadMBps / disk.downloadMBps : null,
    };
  } finally {
    for (const st of stations) await st.release();
    await s3.stop();
  }
}

const cpuLine = (c: CpuUse) =>
  c.byProcess
    .slice(0, 3)
    .map((p) => `${p.group === "bench" ? "client" : p.group} ${(p.cpuMs / 1000).toFixed(2)}`)
    .join(", ") + `; other ${(c.otherCpuMs / 1000).toFixed(2)} CPU-s`;

export function printObjectStore(r: ObjectStoreResult): void {
  const size = `${(r.fileBytes / MiB).toFixed(0)} MiB`;
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const rows: string[][] = [];
  for (const s of r.stores) {
    rows.push([
      `${s.store}: upload ${size} (intake client in Node)`,
      `${fmt.mbps(s.uploadMBps)} median`,
      `RSS growth at most ${fmt.mib(s.maxUploadGrowthMiB)}: <= ${TARGET_RSS_GROWTH_MIB} MiB ${met(s.maxUploadGrowthMiB <= TARGET_RSS_GROWTH_MIB)}`,
      `runs ${s.uploads.map((u) => u.MBps.toFixed(1)).join(", ")} MB/s; without the completion ${fmt.mbps(s.uploadWithoutCompletionMBps)} median`,
    ]);
    for (const [i, u] of s.uploads.entries()) {
      rows.push([
        `  run ${i + 1}`,
        `${(u.ms / 1000).toFixed(2)} s`,
        `RSS growth ${fmt.mib(u.growthMiB)}`,
        `parts in the server p50 ${fmt.ms(u.serverPartMs?.p50)} / p95 ${fmt.ms(u.serverPartMs?.p95)}; completion ${fmt.ms(u.completeMs, 0)}; CPU-s: ${cpuLine(u.cpu)}`,
      ]);
    }
    rows.push([
      `${s.store}: download ${size} (investigator)`,
      `${fmt.mbps(s.downloadMBps)} median`,
      `RSS growth at most ${fmt.mib(s.maxDownloadGrowthMiB)}: ${s.maxDownloadGrowthMiB <= TARGET_RSS_GROWTH_MIB ? "within" : "ABOVE"} the upload bound`,
      `runs ${s.downloads.map((d) => d.MBps.toFixed(1)).join(", ")} MB/s; ${s.intact ? "every part as sent" : "NOT INTACT"}`,
    ]);
    for (const [i, d] of s.downloads.entries()) {
      rows.push([
        `  run ${i + 1}`,
        `${(d.ms / 1000).toFixed(2)} s`,
        `RSS growth ${fmt.mib(d.growthMiB)}`,
        `first byte ${fmt.ms(d.ttfbMs, 0)}; ${d.mismatch ?? "every part as sent"}; CPU-s: ${cpuLine(d.cpu)}`,
      ]);
    }
  }
  const ratio = (name: string, x: number | null, floored: boolean) =>
    rows.push([
      `S3 / disk, ${name}`,
      fmt.ratio(x),
      floored ? `floor ${MIN_S3_RATIO}x: ${x === null ? "n/a" : met(x >= MIN_S3_RATIO)}` : "",
      floored ? "of the medians; s3rver shares the cores" : "of the medians; with s3rver's completion (it rewrites the whole object)",
    ]);
  ratio("upload, call to receipt", r.uploadRatio, false);
  ratio("upload without the completion", r.uploadWithoutCompletionRatio, true);
  ratio("download", r.downloadRatio, true);
  printTable(`Attachments in object storage (s3rver) against local disk, ${r.backend}`, ["measure", "figure", "target / floor", "note"], rows);
}
