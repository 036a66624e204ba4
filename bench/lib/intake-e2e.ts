// End to end through the real app: the real report page in Chromium, the real
// form, the real upload API served by the child server process. The form is
// driven either by playwright-core or by the bare CDP driver (./cdp.ts), which
// leaves the browser's network path uninstrumented; the timings come from the
// page itself (Resource Timing), so both drivers report the same way.
import { STREAM_ABYTES, STREAM_CHUNK_BYTES, STREAM_V2_PREFIX_BYTES, streamPaddedBytes } from "../../crypto/attachment-stream";
import { LIMITS } from "../../app/intake/limits";
import type { FormDriver } from "./drivers";
import { startCpuAccounting, type CpuUse } from "./cpu";
import { sampleRss, type MemoryPhase } from "./rss";

/** Ciphertext bytes of upload part `index` of a file of `fileBytes`, as intake-client cuts its padded body (stream-v2). */
export function partCipherBytes(index: number, fileBytes: number, partPlain: number = LIMITS.partPlainBytes): number {
  const start = index * partPlain;
  const body = Math.max(0, Math.min(partPlain, streamPaddedBytes(fileBytes) - start));
  const chunks = body === 0 ? 1 : Math.ceil(body / STREAM_CHUNK_BYTES);
  return body + chunks * STREAM_ABYTES + (index === 0 ? STREAM_V2_PREFIX_BYTES : 0);
}

export interface PartTiming {
  index: number;
  bytes: number;
  /** Page clock (ms): fetch() called, request sent, response started, response ended. */
  fetchAt: number;
  requestStart: number;
  responseStart: number;
  endAt: number;
}

export interface Submission {
  label: string;
  driver: FormDriver["name"];
  fileBytes: number;
  /** Wall time from the click to the receipt code on screen, measured in Node. */
  ms: number;
  /** The same in the page's clock: submit event to receipt element inserted. */
  inPageMs: number;
  caseNumber: string | null;
  uploadIds: string[];
  parts: PartTiming[];
  /** Page clock (ms) of the submit event and of the receipt. */
  submitAt: number;
  receiptAt: number;
  /** Intervals (page clock) in which the page's main thread was held up for more than 10 ms. */
  mainThreadBlocked: [number, number][];
  /** Long tasks (over 50 ms, PerformanceObserver 'longtask') on the page's main thread between submit and receipt. */
  longTasks: { start: number; duration: number }[];
  /** The longest of them (0 when there was none). */
  longestTaskMs: number;
  memory: MemoryPhase | null;
  cpu: CpuUse | null;
}

export interface FormInput {
  filePath?: string;
  fileBytes?: number;
  /** Processes whose CPU time to account for between the click and the receipt. */
  cpu?: { groups: Parameters<typeof startCpuAccounting>[0]; cores: number };
}

const SUBMIT = 'button[type="submit"]';

/** Waits for hydration (enabled button) and for the page to stop fetching (libsodium preloaded). */
async function openForm(d: FormDriver, portalUrl: string): Promise<void> {
  await d.goto(`${portalUrl}/report?lang=en`);
  await d.evaluate(`new Promise((resolve, reject) => {
    const until = Date.now() + 60000;
    let seen = -1, stableSince = 0;
    const tick = () => {
      const b = document.querySelector(${JSON.stringify(SUBMIT)});
      const n = performance.getEntriesByType("resource").length;
      if (n !== seen) { seen = n; stableSince = Date.now(); }
      if (b && !b.disabled && Date.now() - stableSince >= 500) return resolve(true);
      if (Date.now() > until) return reject(new Error("the report form did not become ready"));
      setTimeout(tick, 50);
    };
    tick();
  })`);
}

/** Fills every field of the form (the submit handler reads FormData; only the optional-items consent is controlled). */
async function fillForm(d: FormDriver, input: FormInput): Promise<void> {
  const values = {
    title: "Benchmark report: invoices approved twice",
    description: "A benchmark of report intake. ".repeat(40).trim(),
    details: "Details that only investigators may read. ".repeat(20).trim(),
    periodFrom: "2026-01-05",
    periodTo: "2026-03-31",
    reporterName: "Bench Reporter",
    email: "reporter@example.com",
    phone: "+82 10 0000 0000",
  };
  await d.evaluate(`(async () => {
    const form = document.querySelector("form.report-form") || document.querySelector("form");
    const set = (el, v) => { el.focus(); el.value = v; el.dispatchEvent(new Event("input", { bubbles: true })); el.dispatchEvent(new Event("change", { bubbles: true })); };
    const select = form.querySelector('select[name="category"]');
    const option = [...select.options].find((o) => o.value && !o.disabled);
    if (!option) throw new Error("no category to choose");
    set(select, option.value);
    for (const [name, v] of Object.entries(${JSON.stringify(values)})) {
      const el = form.querySelector('[name="' + name + '"]');
      if (!el) throw new Error("no field " + name);
      set(el, v);
    }
    // The optional-items consent appears next to the contact details once they are given (after React renders).
    for (let i = 0; i < 100 && !form.querySelector('input[name="consentOptional"]'); i++) await new Promise((r) => setTimeout(r, 20));
    for (const name of ["consentReport", "consentOptional"]) {
      const el = form.querySelector('input[name="' + name + '"]');
      if (!el) throw new Error("no field " + name);
      if (!el.checked) el.click();
    }
    return true;
  })()`);
  if (input.filePath) await d.setInputFiles('input[name="attachments"]', [input.filePath]);
}

const INSTRUMENT = `(() => {
  performance.setResourceTimingBufferSize(1000000);
  performance.clearResourceTimings();
  const b = (window.__bench = { submit: null, receipt: null, failed: null, blocked: [], longTasks: [] });
  // The browser's own account of main-thread tasks over 50 ms (the issue 18 measure: at most 200 ms while uploading).
  b.longTaskObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ start: e.startTime, duration: e.duration });
  });
  b.longTaskObserver.observe({ type: "longtask" });
  // Main-thread heartbeat: a 4 ms timer that fires late was held up by a task (encryption, React, ...).
  let last = performance.now();
  b.heartbeat = setInterval(() => {
    const now = performance.now();
    if (now - last > 10) b.blocked.push([last, now]);
    last = now;
  }, 4);
  document.addEventListener("submit", () => (b.submit = performance.now()), { capture: true, once: true });
  window.__benchDone = new Promise((resolve) => {
    const check = () => {
      if (document.querySelector('[data-testid="receipt-code"]')) { b.receipt = performance.now(); resolve("receipt"); return true; }
      const err = document.querySelector('.notice--error[role="alert"]');
      if (err) { b.failed = err.textContent; resolve("failed"); return true; }
      return false;
    };
    new MutationObserver((_, obs) => { if (check()) obs.disconnect(); }).observe(document.body, { childList: true, subtree: true, characterData: true });
  });
  return true;
})()`;

const COLLECT = `(() => {
  const b = window.__bench;
  clearInterval(b.heartbeat);
  b.longTaskObserver.disconnect();
  const parts = performance.getEntriesByType("resource")
    .filter((e) => /\\/api\\/intake\\/uploads\\/[0-9a-f-]{36}\\/parts\\/\\d+$/.test(new URL(e.name).pathname))
    .map((e) => ({ url: new URL(e.name).pathname, startTime: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart, responseEnd: e.responseEnd }));
  const cn = document.querySelector('[data-testid="case-number"]');
  return { submit: b.submit, receipt: b.receipt, failed: b.failed, caseNumber: cn ? cn.textContent : null, parts, blocked: b.blocked, longTasks: b.longTasks };
})()`;

interface Collected {
  submit: number | null;
  receipt: number | null;
  failed: string | null;
  caseNumber: string | null;
  parts: { url: string; startTime: number; requestStart: number; responseStart: number; responseEnd: number }[];
  blocked: [number, number][];
  longTasks: { start: number; duration: number }[];
}

/**
 * Fills the report form, attaches the file (if any), clicks "Encrypt and
 * submit" and waits for the receipt code; samples the server's RSS meanwhile.
 */
export async function submitThroughForm(d: FormDriver, portalUrl: string, label: string, input: FormInput, serverPid: number | null): Promise<Submission> {
  try {
    await openForm(d, portalUrl);
    await fillForm(d, input);
    await d.evaluate(INSTRUMENT);
    const memory = serverPid ? sampleRss(serverPid, label) : null;
    const cpu = input.cpu ? startCpuAccounting(input.cpu.groups, input.cpu.cores) : null;
    const t0 = performance.now();
    await d.click(SUBMIT);
    const outcome = await d.evaluate<string>("window.__benchDone");
    const ms = performance.now() - t0;
    const cpuUse = cpu?.stop() ?? null;
    const mem = memory?.stop() ?? null;
    // Long-task entries are delivered after their task ends.
    await d.evaluate("new Promise((r) => setTimeout(r, 100))");
    const c = await d.evaluate<Collected>(COLLECT);
    if (outcome !== "receipt" || c.submit === null || c.receipt === null) {
      throw new Error(`${label}: no receipt: ${c.failed ?? outcome}`);
    }
    const longTasks = c.longTasks.filter((t) => t.start + t.duration > c.submit! && t.start < c.receipt!);
    const uploadIds = new Set<string>();
    const parts: PartTiming[] = c.parts.map((p) => {
      const m = /uploads\/([0-9a-f-]{36})\/parts\/(\d+)$/.exec(p.url)!;
      uploadIds.add(m[1]!);
      const index = Number(m[2]);
      return {
        index,
        bytes: partCipherBytes(index, input.fileBytes ?? 0),
        fetchAt: p.startTime,
        requestStart: p.requestStart,
        responseStart: p.responseStart,
        endAt: p.responseEnd,
      };
    });
    parts.sort((a, b) => a.index - b.index);
    return {
      label,
      driver: d.name,
      fileBytes: input.fileBytes ?? 0,
      ms,
      inPageMs: c.receipt - c.submit,
      caseNumber: c.caseNumber,
      uploadIds: [...uploadIds],
      parts,
      submitAt: c.submit,
      receiptAt: c.receipt,
      mainThreadBlocked: c.blocked.filter(([a, z]) => z > c.submit! && a < c.receipt!),
      longTasks,
      longestTaskMs: Math.max(0, ...longTasks.map((t) => t.duration)),
      memory: mem,
      cpu: cpuUse,
    };
  } finally {
    await d.close();
  }
}

export interface PartAnalysis {
  parts: number;
  /** From the submit event to the first part's fetch(): sealing, POST /uploads, reading and encrypting part 0. */
  headMs: number;
  /** Sum over parts of fetch() to response end. */
  inFlightMs: number;
  /** Sum of the pauses between one part's response and the next part's fetch(): waiting for the next encrypted part. */
  gapMs: number;
  /** From the last part's response to the receipt: complete, submit, render. */
  tailMs: number;
  meanPartMs: number;
  /** Mean time from fetch() to the request going out (body handed to the network service, connection). */
  meanQueueMs: number;
  /** Mean time from request start to first response byte: sending the body and the server's work. */
  meanSendAndServerMs: number;
  /** Mean time from first response byte to response end. */
  meanResponseMs: number;
  /** Upload rate while a part is in flight (ciphertext bytes / in-flight time). */
  inFlightMBps: number;
  /** Main thread held up (> 10 ms at a time) between submit and receipt, in total, inside the gaps, and while parts were queued. */
  mainThreadBlockedMs: number;
  gapBlockedMs: number;
  queuedBlockedMs: number;
  /** ... and while a part's body was being sent and the server worked on it (request start to response start). */
  sendingBlockedMs: number;
}

function overlap(blocked: [number, number][], from: number, to: number): number {
  let n = 0;
  for (const [a, z] of blocked) n += Math.max(0, Math.min(z, to) - Math.max(a, from));
  return n;
}

export function analyseParts(s: Submission): PartAnalysis | null {
  if (s.parts.length === 0) return null;
  let gap = 0;
  let inFlight = 0;
  let sendAndServer = 0;
  let queue = 0;
  let response = 0;
  let bytes = 0;
  let gapBlocked = 0;
  let queuedBlocked = 0;
  let sendingBlocked = 0;
  s.parts.forEach((p, i) => {
    queuedBlocked += overlap(s.mainThreadBlocked, p.fetchAt, p.requestStart);
    sendingBlocked += overlap(s.mainThreadBlocked, p.requestStart, p.responseStart);
    if (i > 0) gapBlocked += overlap(s.mainThreadBlocked, s.parts[i - 1]!.endAt, p.fetchAt);
    inFlight += p.endAt - p.fetchAt;
    queue += p.requestStart - p.fetchAt;
    sendAndServer += p.responseStart - p.requestStart;
    response += p.endAt - p.responseStart;
    bytes += p.bytes;
    if (i > 0) gap += Math.max(0, p.fetchAt - s.parts[i - 1]!.endAt);
  });
  const first = s.parts[0]!;
  const last = s.parts[s.parts.length - 1]!;
  return {
    parts: s.parts.length,
    headMs: first.fetchAt - s.submitAt,
    inFlightMs: inFlight,
    gapMs: gap,
    tailMs: s.receiptAt - last.endAt,
    meanPartMs: inFlight / s.parts.length,
    meanQueueMs: queue / s.parts.length,
    meanSendAndServerMs: sendAndServer / s.parts.length,
    meanResponseMs: response / s.parts.length,
    inFlightMBps: bytes / 1e6 / (inFlight / 1000),
    mainThreadBlockedMs: overlap(s.mainThreadBlocked, s.submitAt, s.receiptAt),
    gapBlockedMs: gapBlocked,
    queuedBlockedMs: queuedBlocked,
    sendingBlockedMs: sendingBlocked,
  };
}
