// Attachment pipeline (DESIGN.md section 6): files of BENCH_FILE_MIB (100 MiB
// and 1 GiB by default) from Chromium through the real report form, the real
// upload API and the real blob store, on PGlite and on PostgreSQL, against the
// floor measured in the same run: libsodium's secretstream push in the same
// Chromium. Also the server's RSS growth during each upload, the stored blob's
// size, and diagnostics that split end-to-end time into its parts.
import { randomBytes } from "node:crypto";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Browser } from "playwright-core";
import { streamCiphertextSize } from "../crypto/attachment-stream";
import { LIMITS } from "../app/intake/limits";
import type { Backend } from "./lib/backends";
import { BenchPage, rate, type Rate } from "./lib/browser-bench";
import type { CdpBrowser } from "./lib/cdp";
import { startCpuAccounting, type CpuUse } from "./lib/cpu";
import { cdpDriver, playwrightDriver } from "./lib/drivers";
import { analyseParts, submitThroughForm, type PartAnalysis, type Submission } from "./lib/intake-e2e";
import { diskFloor, nodeClientSubmit, nodeIngest, plainIngest, type DiskResult, type IngestResult } from "./lib/node-diagnostics";
import { accessLines, type PortalProcess } from "./lib/portal";
import { sampleRss, type MemoryPhase } from "./lib/rss";
import { fmt, printTable, say, settle, stats, type Stats } from "./lib/util";

const MiB = 1024 * 1024;
export const TARGET_E2E_MBPS = 150;
/** Issue 18: 1 GiB through the form at this share of the in-browser secretstream floor of the same run. */
export const TARGET_E2E_VS_FLOOR = 0.8;
export const TARGET_RSS_GROWTH_MIB = 64;
/** Issue 18: the page answers input during a 1 GiB upload. */
export const TARGET_LONGEST_TASK_MS = 200;

export async function makeFile(file: string, bytes: number): Promise<void> {
  // Random bytes (incompressible), written in 8 MiB pieces; it stays in the page cache.
  const h = await open(file, "w");
  try {
    const piece = 8 * MiB;
    for (let o = 0; o < bytes; o += piece) await h.write(randomBytes(Math.min(piece, bytes - o)), 0, Math.min(piece, bytes - o), o);
  } finally {
    await h.close();
  }
}

async function blobFiles(dir: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (e.isFile()) out.add(path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
  }
  return out;
}

/**
 * The blob an upload stored: the one file in the blob store that was not there before it. (The
 * parts are sent by the upload worker since ADR 041, whose requests the page's Resource Timing does
 * not list, and the access log masks ids.)
 */
async function newBlob(dir: string, before: Set<string>): Promise<string | null> {
  const added = [...(await blobFiles(dir))].filter((f) => !before.has(f));
  return added.length === 1 ? added[0]! : null;
}

// ------------------------------------------------------------------ the floor

export interface CryptoFloor {
  raw: { runs: Rate[]; median: Rate };
  wasmCore: { runs: Rate[]; median: Rate };
  encryptor: { runs: Rate[]; median: Rate };
  floorMBps: number;
  /** PUTs to a discarding sink from a page that Playwright drives (diagnostic of its Network instrumentation). */
  sinkUnderPlaywright: Rate | null;
}

/** secretstream push in Chromium (the floor), the bare C call, and our AttachmentEncryptor. */
export async function measureCryptoFloor(browser: Browser, rawBytes: number, runs: number, sinkBytes: number): Promise<CryptoFloor> {
  say(`secretstream and AttachmentEncryptor in Chromium (playwright-core): ${runs} x ${(rawBytes / MiB).toFixed(0)} MiB each`);
  const bench = await BenchPage.open(browser);
  try {
    await settle("the crypto measurements");
    const { raw, wasmCore, encryptor } = await bench.cryptoRates(rawBytes, LIMITS.partPlainBytes, runs);
    say(
      `  raw secretstream ${raw.median.MBps.toFixed(1)} MB/s, wasm core ${wasmCore.median.MBps.toFixed(1)} MB/s, AttachmentEncryptor ${encryptor.median.MBps.toFixed(1)} MB/s`,
    );
    let sinkUnderPlaywright: Rate | null = null;
    if (sinkBytes > 0) {
      // Slow by design (see lib/cdp.ts): a small size tells enough.
      sinkUnderPlaywright = rate(await bench.call("uploadSink", bench.sinkUrl, Math.min(sinkBytes, 64 * MiB), LIMITS.partPlainBytes));
      say(`  PUT 8 MiB parts to a discarding sink, page driven by Playwright: ${sinkUnderPlaywright.MBps.toFixed(1)} MB/s`);
    }
    return { raw, wasmCore, encryptor, floorMBps: raw.median.MBps, sinkUnderPlaywright };
  } finally {
    await bench.close();
  }
}

// ------------------------------------------------------------------ browser diagnostics

interface Stage extends Rate {
  /** CPU time per MB of plaintext, by process role. */
  cpuMsPerMB: Record<string, number>;
  machineBusyPct: number;
}

export interface BrowserDiagnostics {
  fileRead: Stage;
  encrypt: Stage;
  readEncrypt: Stage & { readMs: number; encryptMs: number };
  uploadSink: Stage;
  intakeClientToSink: Stage;
  workerPipelineToSink: Stage;
}

function perMB(cpu: CpuUse, bytes: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of cpu.byProcess) out[`${p.group}: ${p.role}`] = p.cpuMs / (bytes / 1e6);
  out["other processes"] = cpu.otherCpuMs / (bytes / 1e6);
  return out;
}

/** Each stage of the browser side alone, in the uninstrumented browser, with the CPU it costs per MB. */
export async function browserDiagnostics(cdp: CdpBrowser, file: string, bytes: number, cores: number): Promise<BrowserDiagnostics> {
  await settle("the browser diagnostics");
  say(`diagnostics in Chromium (bare CDP driver) over ${(bytes / MiB).toFixed(0)} MiB each, with CPU time per process`);
  const page = await BenchPage.open(cdp);
  try {
    await page.chooseFile(file);
    const part = LIMITS.partPlainBytes;
    const stage = async <T extends { bytes: number; ms: number }>(fn: () => Promise<T>): Promise<Stage & T> => {
      const acct = startCpuAccounting([{ group: "chromium", pid: cdp.pid, chromium: true }], cores);
      const r = await fn();
      const cpu = acct.stop();
      return { ...r, ...rate(r), cpuMsPerMB: perMB(cpu, r.bytes), machineBusyPct: cpu.machineBusyPct };
    };
    await page.call("encryptorPush", Math.min(bytes, 64 * MiB), part); // warm-up (WebAssembly tier-up)
    const fileRead = await stage(() => page.call("fileRead", bytes, part));
    const encrypt = await stage(() => page.call("encryptorPush", bytes, part));
    const readEncrypt = await stage(() => page.call("readEncrypt", bytes, part));
    const uploadSink = await stage(() => page.call("uploadSink", page.sinkUrl, bytes, part));
    const intakeClientToSink = await stage(() => page.call("intakeClientToSink", bytes, page.sinkUrl));
    const workerPipelineToSink = await stage(() => page.call("workerPipelineToSink", bytes, part, page.sinkUrl));
    const b = { fileRead, encrypt, readEncrypt, uploadSink, intakeClientToSink, workerPipelineToSink };
    say(
      `  read ${b.fileRead.MBps.toFixed(0)}, encrypt ${b.encrypt.MBps.toFixed(0)}, read+encrypt ${b.readEncrypt.MBps.toFixed(0)}, ` +
        `upload to sink ${b.uploadSink.MBps.toFixed(0)}, intake-client to sink ${b.intakeClientToSink.MBps.toFixed(0)}, ` +
        `worker what-if ${b.workerPipelineToSink.MBps.toFixed(0)} MB/s`,
    );
    return b;
  } finally {
    await page.close();
  }
}

// ------------------------------------------------------------------ end to end on one backend

export interface UploadRun {
  fileBytes: number;
  ms: number;
  inPageMs: number;
  MBps: number;
  vsFloor: number;
  vsTarget: number;
  caseNumber: string | null;
  memory: MemoryPhase | null;
  /** Peak (kernel high-water mark where it could be reset, else the highest sample) minus the RSS at the phase's start. */
  growthMiB: number | null;
  blobBytes: number | null;
  expectedBlobBytes: number;
  blobOk: boolean;
  parts: PartAnalysis | null;
  cpu: CpuUse | null;
  serverPartMs: Stats | null;
  /** The page's longest main-thread task between click and receipt (PerformanceObserver 'longtask'; 0: none over 50 ms). */
  longestTaskMs: number;
  longTasks: number;
  longTasksTotalMs: number;
}

export interface ServerDiagnostics {
  bytes: number;
  ingest: IngestResult & { memory: MemoryPhase; serverPartMs: Stats | null; cpuMsPerMB: Record<string, number> };
  plain: IngestResult & { serverCpuMsPerMB: number };
  nodeClient: Rate;
  disk: DiskResult;
}

export interface AttachmentBackendResult {
  backend: Backend;
  emptySubmissionMs: number;
  emptyMemory: MemoryPhase | null;
  emptyGrowthMiB: number | null;
  warmup: { fileBytes: number; MBps: number } | null;
  warmupUnderPlaywright: { fileBytes: number; MBps: number } | null;
  runs: UploadRun[];
  serverDiagnostics: ServerDiagnostics | null;
}

const peakOf = (m: MemoryPhase | null) => (m ? Math.max(m.peakMiB, m.kernelPeakMiB ?? 0) : null);
const growthOf = (m: MemoryPhase | null) => (m ? peakOf(m)! - m.startMiB : null);

export interface AttachmentOptions {
  backend: Backend;
  portal: PortalProcess;
  cdp: CdpBrowser;
  /** Launches a browser for the Playwright warm-up (a diagnostic of its instrumentation), closed before the timed runs; null skips it. */
  playwright: (() => Promise<Browser>) | null;
  files: { path: string; bytes: number }[];
  warmFile: { path: string; bytes: number } | null;
  floorMBps: number;
  cores: number;
  /** Server-side diagnostics over this many bytes (0: none); `bigFile` feeds intake-client in Node. */
  diagBytes: number;
  bigFile: string;
}

export async function benchAttachmentsOn(o: AttachmentOptions): Promise<AttachmentBackendResult> {
  const { portal, cdp } = o;
  say(`[${o.backend}] warm-up: an empty submission` + (o.warmFile ? ` and a ${(o.warmFile.bytes / MiB).toFixed(0)} MiB upload` : ""));
  await submitThroughForm(await cdpDriver(cdp), portal.url, "warm-up empty", {}, null);
  const warm = o.warmFile
    ? await submitThroughForm(await cdpDriver(cdp), portal.url, "warm-up upload", { filePath: o.warmFile.path, fileBytes: o.warmFile.bytes }, null)
    : null;
  let warmPw: Submission | null = null;
  if (o.warmFile && o.playwright) {
    const browser = await o.playwright();
    try {
      warmPw = await submitThroughForm(
        await playwrightDriver(browser),
        portal.url,
        "warm-up upload (playwright)",
        { filePath: o.warmFile.path, fileBytes: o.warmFile.bytes },
        null,
      );
    } finally {
      await browser.close();
    }
  }
  const mbps = (s: Submission) => s.fileBytes / 1e6 / (s.ms / 1000);

  await settle("the empty submission");
  say(`[${o.backend}] empty submission (no attachments), sampling the server's RSS every 50 ms`);
  const empty = await submitThroughForm(await cdpDriver(cdp), portal.url, "empty submission", {}, portal.pid);

  const runs: UploadRun[] = [];
  for (const f of o.files) {
    await settle(`the ${(f.bytes / MiB).toFixed(0)} MiB upload`);
    say(`[${o.backend}] ${(f.bytes / MiB).toFixed(0)} MiB attachment through the report form`);
    const mark = portal.lines.length;
    const blobsDir = path.join(portal.dataDir, "blobs");
    const before = await blobFiles(blobsDir);
    const s = await submitThroughForm(
      await cdpDriver(cdp),
      portal.url,
      `${(f.bytes / MiB).toFixed(0)} MiB upload`,
      {
        filePath: f.path,
        fileBytes: f.bytes,
        cpu: {
          groups: [
            { group: "server", pid: portal.pid },
            { group: "chromium", pid: cdp.pid, chromium: true },
          ],
          cores: o.cores,
        },
      },
      portal.pid,
    );
    const serverPartMs = accessLines(portal.lines.slice(mark))
      .filter((l) => l.method === "PUT" && /\/parts\/\d+$/.test(l.path))
      .map((l) => l.ms);
    const expectedBlobBytes = streamCiphertextSize(f.bytes);
    const blobPath = await newBlob(blobsDir, before);
    const blobBytes = blobPath ? (await stat(blobPath)).size : null;
    const run: UploadRun = {
      fileBytes: f.bytes,
      ms: s.ms,
      inPageMs: s.inPageMs,
      MBps: mbps(s),
      vsFloor: mbps(s) / o.floorMBps,
      vsTarget: mbps(s) / TARGET_E2E_MBPS,
      caseNumber: s.caseNumber,
      memory: s.memory,
      growthMiB: growthOf(s.memory),
      blobBytes,
      expectedBlobBytes,
      blobOk: blobBytes === expectedBlobBytes,
      parts: analyseParts(s),
      cpu: s.cpu,
      serverPartMs: stats(serverPartMs),
      longestTaskMs: s.longestTaskMs,
      longTasks: s.longTasks.length,
      longTasksTotalMs: s.longTasks.reduce((n, t) => n + t.duration, 0),
    };
    runs.push(run);
    say(
      `  ${run.ms.toFixed(0)} ms click to receipt: ${run.MBps.toFixed(1)} MB/s (${run.vsFloor.toFixed(2)} x floor); ` +
        `longest main-thread task ${run.longestTaskMs.toFixed(0)} ms (${run.longTasks} over 50 ms, ${run.longTasksTotalMs.toFixed(0)} ms in all); ` +
        `RSS growth ${fmt.mib(run.growthMiB)}; blob ${blobBytes} bytes, expected ${expectedBlobBytes}: ${run.blobOk ? "OK" : "MISMATCH"}`,
    );
  }

  let serverDiagnostics: ServerDiagnostics | null = null;
  if (o.diagBytes > 0) {
    await settle("the server diagnostics");
    say(`[${o.backend}] diagnostics: Node PUTs ready-made parts (${(o.diagBytes / MiB).toFixed(0)} MiB) to the server's upload API`);
    const mark = portal.lines.length;
    const mem = sampleRss(portal.pid, "node ingest");
    const acct = startCpuAccounting([{ group: "server", pid: portal.pid }], o.cores);
    const r = await nodeIngest(portal.url, o.diagBytes);
    const cpu = acct.stop();
    const ingest = {
      ...r,
      cpuMsPerMB: perMB(cpu, r.bytes),
      memory: mem.stop(),
      serverPartMs: stats(
        accessLines(portal.lines.slice(mark))
          .filter((l) => l.method === "PUT")
          .map((l) => l.ms),
      ),
    };
    say(`  ${ingest.MBps.toFixed(1)} MB/s`);
    say("diagnostics: the same PUTs to a plain node:http server writing to a file");
    const plain = await plainIngest(portal.dataDir, o.diagBytes, o.cores);
    say(`  ${plain.MBps.toFixed(1)} MB/s, its CPU ${plain.serverCpuMsPerMB.toFixed(2)} ms/MB`);
    say("diagnostics: intake-client (the same code) run in Node");
    const nodeClient = await nodeClientSubmit(portal.url, o.bigFile, o.diagBytes);
    say(`  ${nodeClient.MBps.toFixed(1)} MB/s`);
    say("diagnostics: disk write and write+fsync per 8 MiB part in DATA_DIR");
    const disk = await diskFloor(portal.dataDir, o.diagBytes, LIMITS.partPlainBytes);
    say(`  write ${disk.writeOnly.MBps.toFixed(0)} MB/s, write+fsync ${disk.writeFsyncPerPart.MBps.toFixed(0)} MB/s (fsync ${disk.meanFsyncMs.toFixed(1)} ms)`);
    serverDiagnostics = { bytes: o.diagBytes, ingest, plain, nodeClient, disk };
  }

  return {
    backend: o.backend,
    emptySubmissionMs: empty.ms,
    emptyMemory: empty.memory,
    emptyGrowthMiB: growthOf(empty.memory),
    warmup: warm ? { fileBytes: warm.fileBytes, MBps: mbps(warm) } : null,
    warmupUnderPlaywright: warmPw ? { fileBytes: warmPw.fileBytes, MBps: mbps(warmPw) } : null,
    runs,
    serverDiagnostics,
  };
}

// ------------------------------------------------------------------ printing

export function printAttachments(floor: CryptoFloor, results: AttachmentBackendResult[], browserDiag: BrowserDiagnostics | null, diagBytes: number): void {
  const f = floor.floorMBps;
  const ratio = (x: number) => `${x.toFixed(2)} x floor`;
  const rows: string[][] = [];
  rows.push(["secretstream push, Chromium (floor)", fmt.mbps(f), ratio(1), "DESIGN.md expected ~260 MB/s"]);
  rows.push(["  same C call, no wrapper copies", fmt.mbps(floor.wasmCore.median.MBps), ratio(floor.wasmCore.median.MBps / f), "info"]);
  rows.push(["AttachmentEncryptor, Chromium", fmt.mbps(floor.encryptor.median.MBps), ratio(floor.encryptor.median.MBps / f), ""]);
  for (const r of results) {
    for (const u of r.runs) {
      const size = `${(u.fileBytes / MiB).toFixed(0)} MiB`;
      rows.push([
        `${r.backend}: ${size} via the form, click to receipt`,
        `${fmt.mbps(u.MBps)} (${(u.ms / 1000).toFixed(2)} s)`,
        ratio(u.vsFloor),
        `>= ${TARGET_E2E_MBPS} MB/s: ${u.vsTarget.toFixed(2)} x target, ${u.MBps >= TARGET_E2E_MBPS ? "met" : "NOT met"}`,
      ]);
      rows.push([
        `${r.backend}:   longest main-thread task`,
        fmt.ms(u.longestTaskMs, 0),
        `${((u.longestTaskMs / u.ms) * 100).toFixed(1)} % of the upload`,
        `<= ${TARGET_LONGEST_TASK_MS} ms: ${u.longestTaskMs <= TARGET_LONGEST_TASK_MS ? "met" : "NOT met"}; ${u.longTasks} tasks over 50 ms, ${fmt.ms(u.longTasksTotalMs, 0)} in all`,
      ]);
      rows.push([
        `${r.backend}:   server RSS start / peak, growth`,
        `${fmt.mib(u.memory?.startMiB)} / ${fmt.mib(peakOf(u.memory))}`,
        "",
        `growth ${fmt.mib(u.growthMiB)}: <= ${TARGET_RSS_GROWTH_MIB} MiB ${u.growthMiB != null && u.growthMiB <= TARGET_RSS_GROWTH_MIB ? "met" : "NOT met"}`,
      ]);
      rows.push([
        `${r.backend}:   stored blob = streamCiphertextSize`,
        `${u.blobBytes ?? "missing"}`,
        "",
        u.blobOk ? "OK" : `MISMATCH (want ${u.expectedBlobBytes})`,
      ]);
      if (u.cpu) {
        const ours = u.cpu.byProcess.reduce((n, c) => n + c.cpuMs, 0);
        const top = u.cpu.byProcess
          .slice(0, 4)
          .map((c) => `${c.role} ${(c.cpuMs / 1000).toFixed(2)}`)
          .join(", ");
        rows.push([
          `${r.backend}:   CPU-s during the upload`,
          top,
          "",
          `${(ours / (u.fileBytes / 1e6)).toFixed(2)} ms/MB ours; other processes ${(u.cpu.otherCpuMs / 1000).toFixed(2)} CPU-s`,
        ]);
      }
      if (u.parts) {
        const p = u.parts;
        rows.push([
          `${r.backend}:   parts in flight / gaps / head / tail`,
          `${(p.inFlightMs / 1000).toFixed(2)} / ${(p.gapMs / 1000).toFixed(2)} / ${(p.headMs / 1000).toFixed(2)} / ${(p.tailMs / 1000).toFixed(2)} s`,
          "",
          `${p.parts} parts, ${p.meanPartMs.toFixed(1)} ms each in flight; main thread held up ${(p.mainThreadBlockedMs / 1000).toFixed(2)} s`,
        ]);
      }
    }
    rows.push([`${r.backend}: empty submission, click to receipt`, fmt.ms(r.emptySubmissionMs, 0), "", `RSS growth ${fmt.mib(r.emptyGrowthMiB)}`]);
    if (r.warmup)
      rows.push([
        `${r.backend}: warm-up ${(r.warmup.fileBytes / MiB).toFixed(0)} MiB via the form`,
        fmt.mbps(r.warmup.MBps),
        ratio(r.warmup.MBps / f),
        "fixed costs dominate",
      ]);
    if (r.warmupUnderPlaywright) {
      rows.push([
        `${r.backend}:   same, driven by Playwright`,
        fmt.mbps(r.warmupUnderPlaywright.MBps),
        ratio(r.warmupUnderPlaywright.MBps / f),
        "CDP Network domain on: bodies copied to DevTools",
      ]);
    }
    const d = r.serverDiagnostics;
    if (d) {
      const size = `${(d.bytes / MiB).toFixed(0)} MiB`;
      rows.push([
        `diag (${r.backend}): Node PUTs parts to the upload API, ${size}`,
        fmt.mbps(d.ingest.MBps),
        ratio(d.ingest.MBps / f),
        `${d.ingest.meanPartMs.toFixed(1)} ms/part; server CPU ${(d.ingest.cpuMsPerMB["server: server"] ?? 0).toFixed(1)} ms/MB`,
      ]);
      rows.push([
        `  same PUTs to plain node:http -> file`,
        fmt.mbps(d.plain.MBps),
        ratio(d.plain.MBps / f),
        `${d.plain.meanPartMs.toFixed(1)} ms/part; its CPU ${d.plain.serverCpuMsPerMB.toFixed(1)} ms/MB`,
      ]);
      rows.push([`diag (${r.backend}): intake-client in Node, ${size}`, fmt.mbps(d.nodeClient.MBps), ratio(d.nodeClient.MBps / f), ""]);
      rows.push([
        `diag: disk write 8 MiB parts / + fsync each`,
        `${fmt.mbps(d.disk.writeOnly.MBps)} / ${fmt.mbps(d.disk.writeFsyncPerPart.MBps)}`,
        "",
        `fsync ${d.disk.meanFsyncMs.toFixed(1)} ms`,
      ]);
    }
  }
  if (browserDiag) {
    const b = browserDiag;
    const size = `${(diagBytes / MiB).toFixed(0)} MiB`;
    const cost = (st: Stage) =>
      Object.entries(st.cpuMsPerMB)
        .filter(([, v]) => v >= 0.05)
        .sort((x, y) => y[1] - x[1])
        .slice(0, 3)
        .map(([k, v]) => `${k.replace(/^chromium: /, "")} ${v.toFixed(1)}`)
        .join(", ");
    rows.push([`diag: Chromium Blob.slice().arrayBuffer(), ${size}`, fmt.mbps(b.fileRead.MBps), ratio(b.fileRead.MBps / f), `CPU ms/MB: ${cost(b.fileRead)}`]);
    rows.push([`diag: Chromium AttachmentEncryptor, ${size}`, fmt.mbps(b.encrypt.MBps), ratio(b.encrypt.MBps / f), `CPU ms/MB: ${cost(b.encrypt)}`]);
    rows.push([
      `diag: Chromium read then encrypt, ${size}`,
      fmt.mbps(b.readEncrypt.MBps),
      ratio(b.readEncrypt.MBps / f),
      `read ${(b.readEncrypt.readMs / 1000).toFixed(2)} s, encrypt ${(b.readEncrypt.encryptMs / 1000).toFixed(2)} s`,
    ]);
    rows.push([
      `diag: Chromium PUT 8 MiB parts to a sink, ${size}`,
      fmt.mbps(b.uploadSink.MBps),
      ratio(b.uploadSink.MBps / f),
      `CPU ms/MB: ${cost(b.uploadSink)}`,
    ]);
    if (floor.sinkUnderPlaywright)
      rows.push([
        `  same, page driven by Playwright`,
        fmt.mbps(floor.sinkUnderPlaywright.MBps),
        ratio(floor.sinkUnderPlaywright.MBps / f),
        "request bodies copied to DevTools",
      ]);
    rows.push([
      `diag: intake-client in Chromium to the sink, ${size}`,
      fmt.mbps(b.intakeClientToSink.MBps),
      ratio(b.intakeClientToSink.MBps / f),
      `no server; CPU ms/MB: ${cost(b.intakeClientToSink)}`,
    ]);
    rows.push([
      `  what-if: encryption in a worker, ${size}`,
      fmt.mbps(b.workerPipelineToSink.MBps),
      ratio(b.workerPipelineToSink.MBps / f),
      `CPU ms/MB: ${cost(b.workerPipelineToSink)}`,
    ]);
  }
  printTable("Attachment pipeline (floor: secretstream push in the same Chromium)", ["measure", "figure", "ratio", "target / note"], rows);
}
