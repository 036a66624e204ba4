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
// BENCH_WARMUP_MIB (16), BENCH_KEEP_TMP (1 keeps the temp dir), CHROMIUM_PATH.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { streamCiphertextSize } from "../crypto/attachment-stream";
import { LIMITS } from "../app/intake/limits";
import { BenchPage, rate, type Rate } from "./lib/browser-bench";
import { CdpBrowser } from "./lib/cdp";
import { launchChromium } from "./lib/chromium";
import { cdpDriver, playwrightDriver } from "./lib/drivers";
import { analyseParts, submitThroughForm, type PartAnalysis } from "./lib/intake-e2e";
import { describeMachine } from "./lib/machine";
import { diskFloor, nodeClientSubmit, nodeIngest, type DiskResult, type IngestResult } from "./lib/node-diagnostics";
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
    say(`creating a ${FILE_MIB} MiB test file in ${tmp}`);
    await makeFile(bigFile, fileBytes);
    if (WARMUP_MIB > 0) await makeFile(warmFile, Math.round(WARMUP_MIB * MiB));

    // ---------------------------------------------------------------- 1. crypto in Chromium
    say(`secretstream and AttachmentEncryptor in Chromium (playwright-core): ${RUNS} x ${RAW_MIB} MiB each`);
    const bench = await BenchPage.open(browser);
    const rawBytes = Math.round(RAW_MIB * MiB);
    const { raw, wasmCore, encryptor } = await bench.cryptoRates(rawBytes, LIMITS.partPlainBytes, RUNS);
    const floor = raw.median.MBps;
    say(`  raw secretstream ${floor.toFixed(1)} MB/s, wasm core ${wasmCore.median.MBps.toFixed(1)} MB/s, AttachmentEncryptor ${encryptor.median.MBps.toFixed(1)} MB/s`);

    let browserDiag: {
      fileRead: Rate;
      readEncrypt: Rate & { readMs: number; encryptMs: number };
      uploadSinkPlaywright: Rate;
      uploadSinkCdp: Rate;
    } | null = null;
    if (diagBytes > 0) {
      say(`diagnostics in Chromium over ${(diagBytes / MiB).toFixed(0)} MiB: file read, read+encrypt, upload to a discarding sink`);
      await bench.chooseFile(bigFile);
      const fileRead = rate(await bench.call("fileRead", diagBytes, LIMITS.partPlainBytes));
      const re = await bench.call("readEncrypt", diagBytes, LIMITS.partPlainBytes);
      const uploadSinkPlaywright = rate(await bench.call("uploadSink", bench.sinkUrl, diagBytes, LIMITS.partPlainBytes));
      browserDiag = { fileRead, readEncrypt: { ...rate(re), readMs: re.readMs, encryptMs: re.encryptMs }, uploadSinkPlaywright, uploadSinkCdp: uploadSinkPlaywright };
      say(`  read ${fileRead.MBps.toFixed(1)} MB/s, read+encrypt ${browserDiag.readEncrypt.MBps.toFixed(1)} MB/s, upload under Playwright ${uploadSinkPlaywright.MBps.toFixed(1)} MB/s`);
    }
    await bench.close();

    cdp = await CdpBrowser.launch();
    if (browserDiag) {
      const clean = await BenchPage.open(cdp);
      browserDiag.uploadSinkCdp = rate(await clean.call("uploadSink", clean.sinkUrl, diagBytes, LIMITS.partPlainBytes));
      await clean.close();
      say(`  upload without DevTools network instrumentation ${browserDiag.uploadSinkCdp.MBps.toFixed(1)} MB/s`);
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
    say("empty submission (no attachments), sampling the server's RSS every 50 ms");
    const empty = await submitThroughForm(await cdpDriver(cdp), portal.url, "empty submission", {}, portal.pid);

    // ---------------------------------------------------------------- 2 + 3b. the big upload
    say(`${FILE_MIB} MiB attachment through the report form`);
    const logMark = portal.lines.length;
    const big = await submitThroughForm(await cdpDriver(cdp), portal.url, `${FILE_MIB} MiB upload`, { filePath: bigFile, fileBytes }, portal.pid);
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
    let ingest: (IngestResult & { memory: MemoryPhase; serverPartMs: ReturnType<typeof stats> }) | null = null;
    let nodeClient: Rate | null = null;
    let disk: DiskResult | null = null;
    if (diagBytes > 0) {
      say(`diagnostics: Node PUTs ready-made parts (${(diagBytes / MiB).toFixed(0)} MiB) to the server's upload API`);
      const mark = portal.lines.length;
      const mem = sampleRss(portal.pid, "node ingest");
      const r = await nodeIngest(portal.url, diagBytes);
      ingest = {
        ...r,
        memory: mem.stop(),
        serverPartMs: stats(accessLines(portal.lines.slice(mark)).filter((l) => l.method === "PUT").map((l) => l.ms)),
      };
      say(`  ${ingest.MBps.toFixed(1)} MB/s`);
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
    const growth = big.memory && empty.memory ? big.memory.peakMiB - empty.memory.peakMiB : null;
    const kernelGrowth =
      big.memory?.kernelPeakMiB != null && empty.memory?.kernelPeakMiB != null ? big.memory.kernelPeakMiB - empty.memory.kernelPeakMiB : null;
    const result = {
      benchmark: "intake",
      date: new Date().toISOString(),
      command: "npm run bench",
      settings: { FILE_MIB, RAW_MIB, RUNS, DIAG_MIB: diagBytes / MiB, WARMUP_MIB, partPlainBytes: LIMITS.partPlainBytes, chunkBytes: 65536 },
      units: { rate: "MB/s = 10^6 bytes per second of plaintext", size: "MiB = 2^20 bytes" },
      machine,
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
        serverPartMs: stats(serverPartMs),
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
        emptyPeakMiB: empty.memory?.peakMiB ?? null,
        uploadPeakMiB: big.memory?.peakMiB ?? null,
        growthMiB: growth,
        kernelGrowthMiB: kernelGrowth,
        targetGrowthMiB: TARGET_RSS_GROWTH_MIB,
      },
      correctness: { uploadIds: big.uploadIds, blobBytes, expectedBlobBytes, ok: blobOk },
      pageWeight: { ...pageWeight, targetGzipBytes: TARGET_PAGE_GZIP_BYTES },
      diagnostics: diagBytes > 0 ? { bytes: diagBytes, browser: browserDiag, serverIngestFromNode: ingest, nodeIntakeClient: nodeClient, disk } : null,
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
  rows.push(["server RSS at start of empty submission", mib(m.empty?.startMiB), "", ""]);
  rows.push(["server RSS peak, empty submission", mib(m.empty?.peakMiB), "", `kernel HWM ${mib(m.empty?.kernelPeakMiB)}`]);
  rows.push(["server RSS peak, upload", mib(m.upload?.peakMiB), "", `kernel HWM ${mib(m.upload?.kernelPeakMiB)}`]);
  rows.push([
    "server RSS growth (upload - empty peak)",
    mib(m.growthMiB),
    "",
    `<= 64 MiB: ${m.growthMiB == null ? "n/a" : m.growthMiB <= TARGET_RSS_GROWTH_MIB ? "within" : "OVER"} (HWM ${mib(m.kernelGrowthMiB)})`,
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
    if (e.serverPartMs) rows.push(["  server time per part (access log)", `${e.serverPartMs.mean.toFixed(1)} ms mean`, "", `p95 ${e.serverPartMs.p95.toFixed(1)} ms`]);
  }
  const d = r.diagnostics;
  if (d) {
    const size = `${(d.bytes / MiB).toFixed(0)} MiB`;
    if (d.browser) {
      rows.push([`diag: Chromium Blob.slice().arrayBuffer(), ${size}`, mb(d.browser.fileRead.MBps), ratio(d.browser.fileRead.MBps / floor), ""]);
      rows.push([`diag: Chromium read then encrypt, ${size}`, mb(d.browser.readEncrypt.MBps), ratio(d.browser.readEncrypt.MBps / floor), `read ${(d.browser.readEncrypt.readMs / 1000).toFixed(2)} s, encrypt ${(d.browser.readEncrypt.encryptMs / 1000).toFixed(2)} s`]);
      rows.push([`diag: Chromium PUT 8 MiB parts to a sink, ${size}`, mb(d.browser.uploadSinkCdp.MBps), ratio(d.browser.uploadSinkCdp.MBps / floor), "uninstrumented (bare CDP driver)"]);
      rows.push([`  same under Playwright`, mb(d.browser.uploadSinkPlaywright.MBps), ratio(d.browser.uploadSinkPlaywright.MBps / floor), "request bodies copied to DevTools"]);
    }
    if (d.serverIngestFromNode) {
      const i = d.serverIngestFromNode;
      rows.push([`diag: Node PUTs parts to the upload API, ${size}`, mb(i.MBps), ratio(i.MBps / floor), `${i.meanPartMs.toFixed(1)} ms/part; RSS peak ${mib(i.memory.peakMiB)}`]);
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
  process.stdout.write(`\nIntake benchmark on ${ma.nproc} x ${ma.cpuModel}, ${ma.memTotalMiB} MiB, Node ${ma.node}, Chromium ${ma.chromium}\n`);
  process.stdout.write(`${line(["measure", "figure", "ratio", "target / note"])}\n${w.map((n) => "-".repeat(n)).join("  ")}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

async function main() {
  const result = await run();
  await mkdir(path.dirname(OUT), { recursive: true });
  await writeFile(OUT, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  process.stdout.write(`\nJSON: ${path.relative(process.cwd(), OUT)}   (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  if (!result.correctness.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
