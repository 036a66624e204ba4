// End to end through the real app: the real report page in Chromium, the real
// form, the real upload API served by the child server process.
import type { Browser, Page, Request } from "playwright-core";
import { STREAM_ABYTES, STREAM_CHUNK_BYTES, STREAM_HEADER_BYTES } from "../../crypto/attachment-stream";
import { LIMITS } from "../../app/intake/limits";
import { sampleRss, type MemoryPhase } from "./rss";

/** Ciphertext bytes of upload part `index` of a file of `fileBytes`, as intake-client cuts it. */
export function partCipherBytes(index: number, fileBytes: number, partPlain = LIMITS.partPlainBytes): number {
  const start = index * partPlain;
  const plain = Math.max(0, Math.min(partPlain, fileBytes - start));
  const chunks = plain === 0 ? 1 : Math.ceil(plain / STREAM_CHUNK_BYTES);
  return plain + chunks * STREAM_ABYTES + (index === 0 ? STREAM_HEADER_BYTES : 0);
}

export interface PartTiming {
  index: number;
  bytes: number;
  /** Epoch ms: when the page called fetch(), when the response was fully read. */
  fetchAt: number;
  endAt: number;
  /** Request headers sent to response headers received (body upload + server work). */
  sendAndServerMs: number;
}

export interface Submission {
  label: string;
  fileBytes: number;
  /** Wall time from the click to the receipt code on screen, measured in Node. */
  ms: number;
  /** The same, measured in the page (submit event to receipt element inserted). */
  inPageMs: number | null;
  receiptShown: boolean;
  caseNumber: string | null;
  uploadIds: string[];
  parts: PartTiming[];
  clickAt: number;
  receiptAt: number;
  memory: MemoryPhase | null;
}

export interface FormInput {
  filePath?: string;
  fileBytes?: number;
}

const PART_URL = /\/api\/intake\/uploads\/([0-9a-f-]{36})\/parts\/(\d+)$/;

async function openForm(page: Page, portalUrl: string): Promise<void> {
  await page.goto(`${portalUrl}/report?lang=en`, { waitUntil: "networkidle" });
  // Hydrated (the button is enabled) and libsodium preloaded (networkidle above).
  await page.waitForFunction(() => {
    const b = document.querySelector<HTMLButtonElement>('button[type="submit"]');
    return !!b && !b.disabled;
  });
}

async function fillForm(page: Page, input: FormInput): Promise<void> {
  await page.selectOption('select[name="category"]', { index: 1 });
  await page.fill('input[name="title"]', "Benchmark report: invoices approved twice");
  await page.fill('textarea[name="description"]', "A benchmark of report intake. ".repeat(40));
  await page.fill('textarea[name="details"]', "Details that only investigators may read. ".repeat(20));
  await page.fill('input[name="periodFrom"]', "2026-01-05");
  await page.fill('input[name="periodTo"]', "2026-03-31");
  await page.fill('input[name="reporterName"]', "Bench Reporter");
  await page.fill('input[name="email"]', "reporter@example.com");
  await page.fill('input[name="phone"]', "+82 10 0000 0000");
  await page.check('input[name="consentReport"]');
  await page.check('input[name="consentOptional"]');
  if (input.filePath) await page.setInputFiles('input[name="attachments"]', input.filePath);
}

/**
 * Fills the report form, attaches the file (if any), clicks "Encrypt and
 * submit" and waits for the receipt code; samples the server's RSS meanwhile.
 */
export async function submitThroughForm(
  browser: Browser,
  portalUrl: string,
  label: string,
  input: FormInput,
  serverPid: number | null,
): Promise<Submission> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const parts: PartTiming[] = [];
  const uploadIds = new Set<string>();
  const onFinished = (req: Request) => {
    const m = PART_URL.exec(new URL(req.url()).pathname);
    if (!m || req.method() !== "PUT") return;
    uploadIds.add(m[1]!);
    const t = req.timing();
    parts.push({
      index: Number(m[2]),
      bytes: 0, // filled in from the file size below (no request bodies over CDP)
      fetchAt: t.startTime,
      endAt: t.startTime + t.responseEnd,
      sendAndServerMs: t.responseStart - t.requestStart,
    });
  };
  page.on("requestfinished", onFinished);
  try {
    await openForm(page, portalUrl);
    await fillForm(page, input);
    // Timestamps inside the page too (Runtime.evaluate is not subject to the page's CSP).
    await page.evaluate(() => {
      const w = window as unknown as { __benchSubmit?: number; __benchReceipt?: number };
      document.addEventListener("submit", () => (w.__benchSubmit = performance.now()), { capture: true, once: true });
      new MutationObserver((_, obs) => {
        if (document.querySelector('[data-testid="receipt-code"]')) {
          w.__benchReceipt = performance.now();
          obs.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    const button = page.getByRole("button", { name: "Encrypt and submit" });
    await button.scrollIntoViewIfNeeded();
    const memory = serverPid ? sampleRss(serverPid, label) : null;
    const clickAt = Date.now();
    const t0 = performance.now();
    await button.click();
    const shown = await page.waitForSelector('[data-testid="receipt-code"], .notice--error[role="alert"]', { timeout: 60 * 60_000 });
    const ms = performance.now() - t0;
    const receiptAt = Date.now();
    const mem = memory?.stop() ?? null;
    const receiptShown = (await shown.getAttribute("data-testid")) === "receipt-code";
    if (!receiptShown) throw new Error(`${label}: the form reported a failure: ${await shown.innerText()}`);
    const caseNumber = await page.locator('[data-testid="case-number"]').textContent();
    const inPage = await page.evaluate(() => {
      const w = window as unknown as { __benchSubmit?: number; __benchReceipt?: number };
      return w.__benchSubmit !== undefined && w.__benchReceipt !== undefined ? w.__benchReceipt - w.__benchSubmit : null;
    });
    // requestfinished events may trail the receipt by a moment.
    await page.waitForTimeout(200);
    parts.sort((a, b) => a.index - b.index);
    for (const p of parts) p.bytes = partCipherBytes(p.index, input.fileBytes ?? 0);
    return {
      label,
      fileBytes: input.fileBytes ?? 0,
      ms,
      inPageMs: inPage,
      receiptShown,
      caseNumber,
      uploadIds: [...uploadIds],
      parts,
      clickAt,
      receiptAt,
      memory: mem,
    };
  } finally {
    page.off("requestfinished", onFinished);
    await context.close();
  }
}

export interface PartAnalysis {
  parts: number;
  /** From the click to the first part's fetch(): sealing, POST /uploads, reading and encrypting part 0. */
  headMs: number;
  /** Sum over parts of fetch() to response read. */
  inFlightMs: number;
  /** Sum of the pauses between one part's response and the next part's fetch(): waiting for the next encrypted part. */
  gapMs: number;
  /** From the last part's response to the receipt: complete, submit, render. */
  tailMs: number;
  meanPartMs: number;
  meanSendAndServerMs: number;
  /** Upload rate while a part is in flight (ciphertext bytes / in-flight time). */
  inFlightMBps: number;
}

export function analyseParts(s: Submission): PartAnalysis | null {
  if (s.parts.length === 0) return null;
  let gap = 0;
  let inFlight = 0;
  let sendAndServer = 0;
  let bytes = 0;
  s.parts.forEach((p, i) => {
    inFlight += p.endAt - p.fetchAt;
    sendAndServer += p.sendAndServerMs;
    bytes += p.bytes;
    if (i > 0) gap += Math.max(0, p.fetchAt - s.parts[i - 1]!.endAt);
  });
  const first = s.parts[0]!;
  const last = s.parts[s.parts.length - 1]!;
  return {
    parts: s.parts.length,
    headMs: first.fetchAt - s.clickAt,
    inFlightMs: inFlight,
    gapMs: gap,
    tailMs: s.receiptAt - last.endAt,
    meanPartMs: inFlight / s.parts.length,
    meanSendAndServerMs: sendAndServer / s.parts.length,
    inFlightMBps: bytes / 1e6 / (inFlight / 1000),
  };
}
