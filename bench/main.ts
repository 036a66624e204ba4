// `npm run bench`: intake benchmarks (DESIGN.md section 6). Prints figures and
// their ratios to a floor measured in the same run; asserts nothing about time.
//
//   1. libsodium secretstream push in Chromium (the floor), and our
//      AttachmentEncryptor in the same browser;
//   2. a BENCH_FILE_MIB file through the real report form, the real upload
//      API and the real blob store (production build, child server process);
//   3. the server's peak RSS during that upload against an empty submission;
//   4. the stored blob's size against the stream-v1 ciphertext size;
//   plus diagnostics that split end-to-end time into its parts.
//
// Environment: BENCH_FILE_MIB (1024), BENCH_RAW_MIB (256, per micro run),
// BENCH_RUNS (3), BENCH_DIAG_MIB (min(file, 512); 0 skips diagnostics),
// BENCH_WARMUP_MIB (16), BENCH_WAIT_IDLE_S (30: before each timed section, wait
// up to this long for other work on the machine to stop), BENCH_KEEP_TMP (1
// keeps the temp dir), CHROMIUM_PATH.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { streamCiphertextSize } from "../crypto/attachment-stream";
import { LIMITS } from "../app/intake/limits";
import { BenchPage, rate, type Rate } from "./lib/browser-bench";
import { CdpBrowser } from "./lib/cdp";
import { startCpuAccounting, waitForIdle, type CpuUse } from "./lib/cpu";
import { launchChromium } from "./lib/chromium";
import { cdpDriver, playwrightDriver } from "./lib/drivers";
import { analyseParts, submitThroughForm, type PartAnalysis } from "./lib/intake-e2e";
import { describeMachine } from "./lib/machine";
import { diskFloor, nodeClientSubmit, nodeIngest, plainIngest, type DiskResult, type IngestResult } from "./lib/node-diagnostics";
import { measurePageWeight, type PageWeight } from "./lib/page-weight";
import { accessLines, createInvestigator, ROOT, startPortalProcess, type PortalProcess } from "./lib/portal";
import { sampleRss, type MemoryPhase } from "./lib/rss";

const MiB = 1024 * 1024;
const TARGET_E2E_MBPS = 150;
const TARGET_RSS_GROWTH_MIB = 64;
const TARGET_PAGE_GZIP_BYTES = 300 * 1000;

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got ${raw})`);
  return n;
}

const FILE_MIB = envInt("BENCH_FILE_MIB", 1024);
const RAW_MIB = envInt("BENCH_RAW_MIB", 256);
const RUNS = Math.max(1, envInt("BENCH_RUNS", 3));
const DIAG_MIB = envInt("BENCH_DIAG_MIB", Math.min(FILE_MIB, 512));
const WARMUP_MIB = envInt("BENCH_WARMUP_MIB", 16);
const KEEP_TMP = process.env.BENCH_KEEP_TMP === "1";
const WAIT_IDLE_S = envInt("BENCH_WAIT_IDLE_S", 30);
const OUT = path.join(ROOT, "bench/out/intake.json");

const fileBytes = Math.round(FILE_MIB * MiB);
const diagBytes = Math.min(fileBytes, Math.round(DIAG_MIB * MiB));
const started = Date.now();
const say = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);

async function makeFile(file: string, bytes: number): Promise<void> {
  // Random bytes (incompressible), written in 8 MiB pieces; it stays in the page cache.
  const h = await open(file, "w");
  try {
    const piece = 8 * MiB;
    for (let o = 0; o < bytes; o += piece) await h.write(randomBytes(Math.min(piece, bytes - o)), 0, Math.min(piece, bytes - o), o);
  } finally {
    await h.close();
  }
}

async function findBlob(dir: string, uploadId: string): Promise<string | null> {
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.includes(uploadId)) return path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
  }
  return null;
}

function stats(xs: number[]) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), max: s[s.length - 1]! };
}

interface Stage extends Rate {
  /** CPU time per MB of plaintext, by process role. */
  cpuMsPerMB: Record<string, number>;
  machineBusyPct: number;
}

interface BrowserDiagnostics {
  fileRead: Stage;
  encrypt: Stage;
  readEncrypt: Stage & { readMs: number; encryptMs: number };
  uploadSink: Stage;
  uploadSinkUnderPlaywright: Rate;
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
async function browserStages(cdp: CdpBrowser, file: string, bytes: number, cores: number, sinkUnderPlaywright: Rate): Promise<BrowserDiagnostics> {
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
    return { fileRead, encrypt, readEncrypt, uploadSink, uploadSinkUnderPlaywright: sinkUnderPlaywright, intakeClientToSink, workerPipelineToSink };
  } finally {
    await page.close();
  }
}

const idleWaits: { before: string; waitedS: number; idle: boolean; lastBusyPct: number }[] = [];
async function settle(before: string): Promise<void> {
  if (WAIT_IDLE_S <= 0) return;
  const r = await waitForIdle(WAIT_IDLE_S);
  idleWaits.push({ before, ...r });
  if (!r.idle) say(`WARNING: the machine stayed busy (${r.lastBusyPct.toFixed(0)} %) for ${r.waitedS.toFixed(0)} s before ${before}; measuring anyway`);
  else if (r.waitedS > 1.5) say(`waited ${r.waitedS.toFixed(0)} s for other work on the machine to stop`);
}

async function run() {
  const tmp = await mkdtemp(path.join(os.tmpdir(), "cor-bench-"));
  const dataDir = path.join(tmp, "data");
  await mkdir(dataDir);
  const bigFile = path.join(tmp, `attachment-${FILE_MIB}MiB.bin`);
  const warmFile = path.join(tmp, `warmup-${WARMUP_MIB}MiB.bin`);
  let portal: PortalProcess | null = null;
  let cdp: CdpBrowser | null = null;
  const browser = await launchChromium();
  try {
    const machine = describeMachine(browser.version());
    say(`machine: ${machine.nproc} cpu (${machine.cpuModel}), ${machine.memTotalMiB} MiB, node ${machine.node}, chromium ${machine.chromium}`);
    if (machine.loadAverage1m > 0.5 * machine.nproc) {
      say(`WARNING: load average ${machine.loadAverage1m.toFixed(2)} on ${machine.nproc} cpus: other work is running and the figures will be low and noisy`);
    }
    say(`creating a ${FILE_MIB} MiB test file in ${tmp}`);
    await makeFile(bigFile, fileBytes);
    if (WARMUP_MIB > 0) await makeFile(warmFile, Math.round(WARMUP_MIB * MiB));

    // ---------------------------------------------------------------- 1. crypto in Chromium
    say(`secretstream and AttachmentEncryptor in Chromium (playwright-core): ${RUNS} x ${RAW_MIB} MiB each`);
    const bench = await BenchPage.open(browser);
    await settle("the crypto measurements");
    const rawBytes = Math.round(RAW_MIB * MiB);
    const { raw, wasmCore, encryptor } = await bench.cryptoRates(rawBytes, LIMITS.partPlainBytes, RUNS);
    const floor = raw.median.MBps;
    say(`  raw secretstream ${floor.toFixed(1)} MB/s, wasm core ${wasmCore.median.MBps.toFixed(1)} MB/s, AttachmentEncryptor ${encryptor.median.MBps.toFixed(1)} MB/s`);

    let sinkUnderPlaywright: Rate | null = null;
    if (diagBytes > 0) {
      // Slow by design (see lib/cdp.ts): a small size tells enough.
      sinkUnderPlaywright = rate(await bench.call("uploadSink", bench.sinkUrl, Math.min(diagBytes, 64 * MiB), LIMITS.partPlainBytes));
      say(`  PUT 8 MiB parts to a discarding sink, page driven by Playwright: ${sinkUnderPlaywright.MBps.toFixed(1)} MB/s`);
    }
    await bench.close();

    cdp = await CdpBrowser.launch();
    let browserDiag: BrowserDiagnostics | null = null;
    if (diagBytes > 0) {
      await settle("the browser diagnostics");
      say(`diagnostics in Chromium (bare CDP driver) over ${(diagBytes / MiB).toFixed(0)} MiB each, with CPU time per process`);
      browserDiag = await browserStages(cdp, bigFile, diagBytes, machine.nproc, sinkUnderPlaywright!);
      const b = browserDiag;
      say(
        `  read ${b.fileRead.MBps.toFixed(0)}, encrypt ${b.encrypt.MBps.toFixed(0)}, read+encrypt ${b.readEncrypt.MBps.toFixed(0)}, ` +
          `upload to sink ${b.uploadSink.MBps.toFixed(0)}, intake-client to sink ${b.intakeClientToSink.MBps.toFixed(0)}, ` +
          `worker what-if ${b.workerPipelineToSink.MBps.toFixed(0)} MB/s`,
      );
    }

    // ---------------------------------------------------------------- the real portal
    say("creating an investigator with the CLI, starting the production server");
    await createInvestigator(dataDir, "bench-investigator@example.com");
    portal = await startPortalProcess(dataDir, {
      MAX_ATTACHMENT_BYTES: String(Math.max(4 * 1024 * MiB, fileBytes)),
    });
    say(`  server pid ${portal.pid} at ${portal.url}`);

    const pageWeight: PageWeight = await measurePageWeight(browser, portal.url);

    const warmBytes = Math.round(WARMUP_MIB * MiB);
    say("warm-up: an empty submission" + (WARMUP_MIB > 0 ? ` and a ${WARMUP_MIB} MiB upload, with each driver` : ""));
    await submitThroughForm(await cdpDriver(cdp), portal.url, "warm-up empty", {}, null);
    const warm = WARMUP_MIB > 0 ? await submitThroughForm(await cdpDriver(cdp), portal.url, "warm-up upload", { filePath: warmFile, fileBytes: warmBytes }, null) : null;
    const warmPw =
      WARMUP_MIB > 0 ? await submitThroughForm(await playwrightDriver(browser), portal.url, "warm-up upload (playwright)", { filePath: warmFile, fileBytes: warmBytes }, null) : null;
    await browser.close();

    // ---------------------------------------------------------------- 3a. empty submission
    await settle("the empty submission");
    say("empty submission (no attachments), sampling the server's RSS every 50 ms");
    const empty = await submitThroughForm(await cdpDriver(cdp), portal.url, "empty submission", {}, portal.pid);

    // ---------------------------------------------------------------- 2 + 3b. the big upload
    await settle("the big upload");
    say(`${FILE_MIB} MiB attachment through the report form`);
    const logMark = portal.lines.length;
    const big = await submitThroughForm(
      await cdpDriver(cdp),
      portal.url,
      `${FILE_MIB} MiB upload`,
      {
        filePath: bigFile,
        fileBytes,
        cpu: {
          groups: [
            { group: "server", pid: portal.pid },
            { group: "chromium", pid: cdp.pid, chromium: true },
          ],
          cores: machine.nproc,
        },
      },
      portal.pid,
    );
    const bigMBps = fileBytes / 1e6 / (big.ms / 1000);
    say(`  ${big.ms.toFixed(0)} ms click to receipt (${big.inPageMs.toFixed(0)} ms in the page): ${bigMBps.toFixed(1)} MB/s`);
    const serverPartMs = accessLines(portal.lines.slice(logMark))
      .filter((l) => l.method === "PUT" && /\/parts\/\d+$/.test(l.path))
      .map((l) => l.ms);
    await cdp.close();
    cdp = null;

    // ---------------------------------------------------------------- 4. stored size
    const expectedBlobBytes = streamCiphertextSize(fileBytes);
    const blobPath = big.uploadIds.length === 1 ? await findBlob(path.join(dataDir, "blobs"), big.uploadIds[0]!) : null;
    const blobBytes = blobPath ? (await stat(blobPath)).size : null;
    const blobOk = blobBytes === expectedBlobBytes;
    say(`  stored blob ${blobBytes} bytes, expected ${expectedBlobBytes}: ${blobOk ? "OK" : "MISMATCH"}`);

    // ---------------------------------------------------------------- diagnostics against the server
    let ingest: (IngestResult & { memory: MemoryPhase; serverPartMs: ReturnType<typeof stats>; cpuMsPerMB: Record<string, number> }) | null = null;
    let nodeClient: Rate | null = null;
    let plain: (IngestResult & { serverCpuMsPerMB: number }) | null = null;
    let disk: DiskResult | null = null;
    if (diagBytes > 0) {
      await settle("the server diagnostics");
      say(`diagnostics: Node PUTs ready-made parts (${(diagBytes / MiB).toFixed(0)} MiB) to the server's upload API`);
      const mark = portal.lines.length;
      const mem = sampleRss(portal.pid, "node ingest");
      const acct = startCpuAccounting([{ group: "server", pid: portal.pid }], machine.nproc);
      const r = await nodeIngest(portal.url, diagBytes);
      const cpu = acct.stop();
      ingest = {
        ...r,
        cpuMsPerMB: perMB(cpu, r.bytes),
        memory: mem.stop(),
        serverPartMs: stats(accessLines(portal.lines.slice(mark)).filter((l) => l.method === "PUT").map((l) => l.ms)),
      };
      say(`  ${ingest.MBps.toFixed(1)} MB/s`);
      say("diagnostics: the same PUTs to a plain node:http server writing to a file");
      plain = await plainIngest(dataDir, diagBytes, machine.nproc);
      say(`  ${plain.MBps.toFixed(1)} MB/s, its CPU ${plain.serverCpuMsPerMB.toFixed(2)} ms/MB`);
      say("diagnostics: intake-client (the same code) run in Node");
      nodeClient = await nodeClientSubmit(portal.url, bigFile, diagBytes);
      say(`  ${nodeClient.MBps.toFixed(1)} MB/s`);
      say("diagnostics: disk write and write+fsync per 8 MiB part in DATA_DIR");
      disk = await diskFloor(dataDir, diagBytes, LIMITS.partPlainBytes);
      say(`  write ${disk.writeOnly.MBps.toFixed(0)} MB/s, write+fsync ${disk.writeFsyncPerPart.MBps.toFixed(0)} MB/s (fsync ${disk.meanFsyncMs.toFixed(1)} ms)`);
    }

    await portal.stop();
    portal = null;

    // ---------------------------------------------------------------- report
    const parts: PartAnalysis | null = analyseParts(big);
    // Peak of a phase: the kernel's high-water mark where it could be reset, else the highest sample.
    const peakOf = (m: MemoryPhase | null) => (m ? Math.max(m.peakMiB, m.kernelPeakMiB ?? 0) : null);
    const growthOf = (m: MemoryPhase | null) => (m ? peakOf(m)! - m.startMiB : null);
    const emptyGrowth = growthOf(empty.memory);
    const uploadGrowth = growthOf(big.memory);
    const result = {
      benchmark: "intake",
      date: new Date().toISOString(),
      command: "npm run bench",
      settings: { FILE_MIB, RAW_MIB, RUNS, DIAG_MIB: diagBytes / MiB, WARMUP_MIB, partPlainBytes: LIMITS.partPlainBytes, chunkBytes: 65536 },
      units: { rate: "MB/s = 10^6 bytes per second of plaintext", size: "MiB = 2^20 bytes" },
      machine,
      idleWaits,
      crypto: {
        rawSecretstream: raw,
        wasmCore,
        attachmentEncryptor: encryptor,
        floorMBps: floor,
        encryptorVsFloor: encryptor.median.MBps / floor,
        wasmCoreVsFloor: wasmCore.median.MBps / floor,
      },
      endToEnd: {
        fileBytes,
        ms: big.ms,
        inPageMs: big.inPageMs,
        MBps: bigMBps,
        vsFloor: bigMBps / floor,
        vsTarget: bigMBps / TARGET_E2E_MBPS,
        targetMBps: TARGET_E2E_MBPS,
        caseNumber: big.caseNumber,
        parts,
        cpu: big.cpu,
        serverPartMs: stats(serverPartMs),
        // Per part: page-side ms in flight, ms of pause before it, server-side ms (access log).
        partSeries: big.parts.map((p, i) => ({
          i: p.index,
          inFlightMs: Math.round(p.endAt - p.fetchAt),
          gapBeforeMs: i === 0 ? null : Math.round(p.fetchAt - big.parts[i - 1]!.endAt),
          serverMs: serverPartMs[i] === undefined ? null : Math.round(serverPartMs[i]!),
        })),
        driver: big.driver,
        warmup: warm ? { fileBytes: warm.fileBytes, ms: warm.ms, MBps: warm.fileBytes / 1e6 / (warm.ms / 1000), parts: analyseParts(warm) } : null,
        warmupUnderPlaywright: warmPw
          ? { fileBytes: warmPw.fileBytes, ms: warmPw.ms, MBps: warmPw.fileBytes / 1e6 / (warmPw.ms / 1000), parts: analyseParts(warmPw) }
          : null,
        emptySubmissionMs: empty.ms,
      },
      memory: {
        empty: empty.memory,
        upload: big.memory,
        baselineMiB: empty.memory?.startMiB ?? null,
        emptyPeakMiB: peakOf(empty.memory),
        uploadStartMiB: big.memory?.startMiB ?? null,
        uploadPeakMiB: peakOf(big.memory),
        /** Peak minus the RSS at the phase's start: robust against GC moving the baseline between phases. */
        emptyGrowthMiB: emptyGrowth,
        uploadGrowthMiB: uploadGrowth,
        uploadGrowthBeyondEmptyMiB: uploadGrowth !== null && emptyGrowth !== null ? uploadGrowth - emptyGrowth : null,
        /** Upload peak minus empty-submission peak: sensitive to GC between the phases (can even be negative). */
        peakDifferenceMiB: big.memory && empty.memory ? peakOf(big.memory)! - peakOf(empty.memory)! : null,
        targetGrowthMiB: TARGET_RSS_GROWTH_MIB,
      },
      correctness: { uploadIds: big.uploadIds, blobBytes, expectedBlobBytes, ok: blobOk },
      pageWeight: { ...pageWeight, targetGzipBytes: TARGET_PAGE_GZIP_BYTES },
      diagnostics: diagBytes > 0 ? { bytes: diagBytes, browser: browserDiag, serverIngestFromNode: ingest, plainNodeIngest: plain, nodeIntakeClient: nodeClient, disk } : null,
    };
    return result;
  } finally {
    await portal?.stop().catch(() => {});
    await cdp?.close().catch(() => {});
    await browser.close().catch(() => {});
    if (KEEP_TMP) say(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

type Result = Awaited<ReturnType<typeof run>>;

function printTable(r: Result): void {
  const floor = r.crypto.floorMBps;
  const rows: [string, string, string, string][] = [];
  const mb = (x: number) => `${x.toFixed(1)} MB/s`;
  const ratio = (x: number) => `${x.toFixed(2)} x floor`;
  const kb = (x: number) => `${(x / 1000).toFixed(1)} KB`;
  const mib = (x: number | null | undefined) => (x == null ? "n/a" : `${x.toFixed(1)} MiB`);
  rows.push(["secretstream push, Chromium (floor)", mb(floor), ratio(1), "~260 MB/s expected"]);
  rows.push(["  same C call, no wrapper copies", mb(r.crypto.wasmCore.median.MBps), ratio(r.crypto.wasmCore.median.MBps / floor), "info"]);
  rows.push(["AttachmentEncryptor, Chromium", mb(r.crypto.attachmentEncryptor.median.MBps), ratio(r.crypto.attachmentEncryptor.median.MBps / floor), ""]);
  const e = r.endToEnd;
  rows.push([
    `end to end, ${(e.fileBytes / MiB).toFixed(0)} MiB via the form`,
    mb(e.MBps),
    ratio(e.MBps / floor),
    `>= 150 MB/s: ${(e.MBps / TARGET_E2E_MBPS).toFixed(2)} x target`,
  ]);
  rows.push(["  click to receipt", `${(e.ms / 1000).toFixed(2)} s`, "", ""]);
  if (e.warmup) rows.push([`  warm-up ${(e.warmup.fileBytes / MiB).toFixed(0)} MiB via the form`, mb(e.warmup.MBps), ratio(e.warmup.MBps / floor), "info"]);
  if (e.warmupUnderPlaywright) {
    rows.push([
      `  same, driven by Playwright`,
      mb(e.warmupUnderPlaywright.MBps),
      ratio(e.warmupUnderPlaywright.MBps / floor),
      "CDP Network domain on: bodies copied to DevTools",
    ]);
  }
  rows.push(["  empty submission, click to receipt", `${e.emptySubmissionMs.toFixed(0)} ms`, "", ""]);
  const m = r.memory;
  rows.push([
    "server RSS, empty submission: start / peak",
    `${mib(m.baselineMiB)} / ${mib(m.emptyPeakMiB)}`,
    "",
    `growth ${mib(m.emptyGrowthMiB)}`,
  ]);
  rows.push([
    `server RSS, ${(e.fileBytes / MiB).toFixed(0)} MiB upload: start / peak`,
    `${mib(m.uploadStartMiB)} / ${mib(m.uploadPeakMiB)}`,
    "",
    `growth ${mib(m.uploadGrowthMiB)}; peak - empty peak ${mib(m.peakDifferenceMiB)} (GC-sensitive)`,
  ]);
  rows.push([
    "server RSS growth during the upload",
    mib(m.uploadGrowthMiB),
    "",
    `<= 64 MiB: ${m.uploadGrowthMiB == null ? "n/a" : m.uploadGrowthMiB <= TARGET_RSS_GROWTH_MIB ? "within" : "OVER"}; beyond the empty submission's ${mib(m.uploadGrowthBeyondEmptyMiB)}`,
  ]);
  rows.push(["stored blob size = streamCiphertextSize", `${r.correctness.blobBytes ?? "missing"}`, "", r.correctness.ok ? "OK" : `MISMATCH (want ${r.correctness.expectedBlobBytes})`]);
  rows.push([
    "report page JS+CSS gzip, initial",
    kb(r.pageWeight.initialGzipBytes),
    "",
    `<= 300 KB: ${r.pageWeight.initialGzipBytes <= TARGET_PAGE_GZIP_BYTES ? "within" : "OVER"}`,
  ]);
  rows.push(["  + lazily loaded (libsodium chunk)", kb(r.pageWeight.lazyGzipBytes), "", `total ${kb(r.pageWeight.totalGzipBytes)}`]);
  if (e.parts) {
    const p = e.parts;
    rows.push([`upload parts (${p.parts} x ${(LIMITS.partPlainBytes / MiB).toFixed(0)} MiB): mean in flight`, `${p.meanPartMs.toFixed(1)} ms`, "", `${mb(p.inFlightMBps)} while in flight`]);
    rows.push(["  time in flight / gaps / head / tail", `${(p.inFlightMs / 1000).toFixed(2)} / ${(p.gapMs / 1000).toFixed(2)} / ${(p.headMs / 1000).toFixed(2)} / ${(p.tailMs / 1000).toFixed(2)} s`, "", ""]);
    rows.push([
      "  per part: queued / send+server / response",
      `${p.meanQueueMs.toFixed(1)} / ${p.meanSendAndServerMs.toFixed(1)} / ${p.meanResponseMs.toFixed(1)} ms`,
      "",
      "page Resource Timing",
    ]);
    rows.push([
      "  page main thread held up (>10 ms)",
      `${(p.mainThreadBlockedMs / 1000).toFixed(2)} s`,
      "",
      `in gaps ${(p.gapBlockedMs / 1000).toFixed(2)} s, queued ${(p.queuedBlockedMs / 1000).toFixed(2)} s, sending ${(p.sendingBlockedMs / 1000).toFixed(2)} s`,
    ]);
    if (e.serverPartMs) rows.push(["  server time per part (access log)", `${e.serverPartMs.mean.toFixed(1)} ms mean`, "", `p95 ${e.serverPartMs.p95.toFixed(1)} ms`]);
  }
  if (e.cpu) {
    rows.push(["CPU during the upload: machine busy", `${e.cpu.machineBusyPct.toFixed(0)} % of ${e.cpu.cores} cores`, "", ""]);
    for (const c of e.cpu.byProcess.slice(0, 6)) {
      rows.push([
        `  ${c.group}: ${c.role}`,
        `${(c.cpuMs / 1000).toFixed(2)} CPU-s`,
        "",
        `${c.pctOfOneCore.toFixed(0)} % of one core, ${((c.sysMs / Math.max(1, c.cpuMs)) * 100).toFixed(0)} % in the kernel`,
      ]);
    }
    const ours = e.cpu.byProcess.reduce((n, c) => n + c.cpuMs, 0);
    const perMb = ours / (e.fileBytes / 1e6);
    rows.push([
      "  CPU per MB, all processes of the run",
      `${perMb.toFixed(2)} ms/MB`,
      "",
      `CPU-bound ceiling on ${e.cpu.cores} cores: ${((e.cpu.cores * 1000) / perMb).toFixed(0)} MB/s`,
    ]);
    rows.push(["  other processes on the machine", `${(e.cpu.otherCpuMs / 1000).toFixed(2)} CPU-s`, "", `${((e.cpu.otherCpuMs / e.cpu.wallMs) * 100).toFixed(0)} % of one core`]);
  }
  const d = r.diagnostics;
  if (d) {
    const size = `${(d.bytes / MiB).toFixed(0)} MiB`;
    if (d.browser) {
      const b = d.browser;
      const cost = (st: Stage) =>
        Object.entries(st.cpuMsPerMB)
          .filter(([, v]) => v >= 0.05)
          .sort((x, y) => y[1] - x[1])
          .slice(0, 3)
          .map(([k, v]) => `${k.replace(/^chromium: /, "")} ${v.toFixed(1)}`)
          .join(", ");
      rows.push([`diag: Chromium Blob.slice().arrayBuffer(), ${size}`, mb(b.fileRead.MBps), ratio(b.fileRead.MBps / floor), `CPU ms/MB: ${cost(b.fileRead)}`]);
      rows.push([`diag: Chromium AttachmentEncryptor, ${size}`, mb(b.encrypt.MBps), ratio(b.encrypt.MBps / floor), `CPU ms/MB: ${cost(b.encrypt)}`]);
      rows.push([`diag: Chromium read then encrypt, ${size}`, mb(b.readEncrypt.MBps), ratio(b.readEncrypt.MBps / floor), `read ${(b.readEncrypt.readMs / 1000).toFixed(2)} s, encrypt ${(b.readEncrypt.encryptMs / 1000).toFixed(2)} s`]);
      rows.push([`diag: Chromium PUT 8 MiB parts to a sink, ${size}`, mb(b.uploadSink.MBps), ratio(b.uploadSink.MBps / floor), `CPU ms/MB: ${cost(b.uploadSink)}`]);
      rows.push([`  same, page driven by Playwright`, mb(b.uploadSinkUnderPlaywright.MBps), ratio(b.uploadSinkUnderPlaywright.MBps / floor), "request bodies copied to DevTools"]);
      rows.push([`diag: intake-client in Chromium to the sink, ${size}`, mb(b.intakeClientToSink.MBps), ratio(b.intakeClientToSink.MBps / floor), `no server; CPU ms/MB: ${cost(b.intakeClientToSink)}`]);
      rows.push([`  what-if: encryption in a worker, ${size}`, mb(b.workerPipelineToSink.MBps), ratio(b.workerPipelineToSink.MBps / floor), `CPU ms/MB: ${cost(b.workerPipelineToSink)}`]);
    }
    if (d.serverIngestFromNode) {
      const i = d.serverIngestFromNode;
      rows.push([
        `diag: Node PUTs parts to the upload API, ${size}`,
        mb(i.MBps),
        ratio(i.MBps / floor),
        `${i.meanPartMs.toFixed(1)} ms/part; server CPU ${(i.cpuMsPerMB["server: server"] ?? 0).toFixed(1)} ms/MB; RSS peak ${mib(i.memory.peakMiB)}`,
      ]);
    }
    if (d.plainNodeIngest) {
      const q = d.plainNodeIngest;
      rows.push([`  same PUTs to plain node:http -> file`, mb(q.MBps), ratio(q.MBps / floor), `${q.meanPartMs.toFixed(1)} ms/part; its CPU ${q.serverCpuMsPerMB.toFixed(1)} ms/MB`]);
    }
    if (d.nodeIntakeClient) rows.push([`diag: intake-client in Node, ${size}`, mb(d.nodeIntakeClient.MBps), ratio(d.nodeIntakeClient.MBps / floor), ""]);
    if (d.disk) {
      rows.push([`diag: disk write 8 MiB parts, ${size}`, mb(d.disk.writeOnly.MBps), "", ""]);
      rows.push([`diag: disk write + fsync per part, ${size}`, mb(d.disk.writeFsyncPerPart.MBps), "", `fsync ${d.disk.meanFsyncMs.toFixed(1)} ms`]);
    }
  }
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  const ma = r.machine;
  process.stdout.write(
    `\nIntake benchmark on ${ma.nproc} x ${ma.cpuModel}, ${ma.memTotalMiB} MiB, Node ${ma.node}, Chromium ${ma.chromium}; load average at start ${ma.loadAverage1m.toFixed(2)}\n`,
  );
  process.stdout.write(`${line(["measure", "figure", "ratio", "target / note"])}\n${w.map((n) => "-".repeat(n)).join("  ")}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

/** Receipt look-ups (follow-up) and the inbox at scale (investigator workspace), after intake. */
async function runLaterSections(): Promise<void> {
  const { benchReceiptLookups } = await import("./receipt-lookup");
  const { benchInbox } = await import("./inbox");
  const { freshPostgresDatabase, postgresAdminUrl } = await import("../test/support/backends");
  const hasPg = (await postgresAdminUrl()) !== null;
  const rows: string[][] = [];
  const receipt = [];
  say("receipt look-ups on PGlite");
  receipt.push(await benchReceiptLookups("pglite", undefined));
  if (hasPg) {
    say("receipt look-ups on PostgreSQL");
    const pg = await freshPostgresDatabase();
    try {
      receipt.push(await benchReceiptLookups("postgres", pg.url));
    } finally {
      await pg.drop();
    }
  }
  for (const r of receipt) {
    rows.push([`receipt log-in, ${r.backend} (${r.cases} cases)`, `${r.fullPerSecond.toFixed(0)}/s`, `${r.httpRatio.toFixed(2)}x`, `vs derivation + query + one HTTP round trip (${r.httpFloorPerSecond.toFixed(0)}/s); bare derivation + query ${r.floorPerSecond.toFixed(0)}/s (${r.ratio.toFixed(3)}x); p50 ${r.fullP50Ms.toFixed(1)} ms, p95 ${r.fullP95Ms.toFixed(1)} ms`]);
  }
  let inbox = null;
  if (hasPg) {
    const cases = envInt("BENCH_INBOX_CASES", 100_000);
    say(`inbox: seeding ${cases} cases in PostgreSQL`);
    inbox = await benchInbox({ cases, iterations: 50, chromiumPath: process.env.CHROMIUM_PATH || "/usr/bin/chromium" });
    for (const [name, q] of Object.entries(inbox.queries)) {
      rows.push([`inbox query: ${name}`, `p95 ${q.p95.toFixed(1)} ms`, `${(inbox.targetP95 / q.p95).toFixed(2)}x`, `p50 ${q.p50.toFixed(1)} ms; target p95 <= ${inbox.targetP95} ms`]);
    }
    if (inbox.decrypt50Ms !== null) rows.push(["inbox: decrypt 50 titles in Chromium", `${inbox.decrypt50Ms.toFixed(1)} ms`, `${(inbox.decryptTargetMs / inbox.decrypt50Ms).toFixed(1)}x`, `target <= ${inbox.decryptTargetMs} ms`]);
  }
  await writeFile(path.join(path.dirname(OUT), "later.json"), `${JSON.stringify({ receipt, inbox }, null, 2)}\n`);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  process.stdout.write(`\nFollow-up and inbox\n${line(["measure", "figure", "ratio", "floor / target"])}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

async function main() {
  const result = await run();
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  if (process.env.BENCH_ONLY !== "intake") await runLaterSections();
  process.stdout.write(`\nJSON: ${path.relative(process.cwd(), OUT)}   (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  if (!result.correctness.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
