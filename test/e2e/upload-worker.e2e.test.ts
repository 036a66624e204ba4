// End to end in Chromium (issue 18): a 64 MiB attachment is read, encrypted and sent by the
// upload worker (ADR 041), so the page's main thread stays free meanwhile. Long tasks are
// taken from the page's own PerformanceObserver('longtask'). The checks are relative to the
// upload's own duration, never absolute, so a busy machine (a slower upload and slower tasks
// alike) does not fail them; encryption on the main thread does (docs/BENCHMARKS.md, issue 18).
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { chromiumAvailable } from "../support/browser";
import { patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import type { TestPortal } from "../support/portal";
import { PASSWORD } from "../support/staff";
import { closeReporterBrowser, openReporterBrowser } from "../support/reporter-browser";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const hasChromium = chromiumAvailable();
const MiB = 1024 * 1024;

interface Timeline {
  submit: number;
  receipt: number;
  tasks: { start: number; duration: number }[];
}

describe.skipIf(!hasChromium)("attachment upload in a Web Worker", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let dir: string;
  const workers: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ({ portal, browser, page, dir } = await openReporterBrowser("cor-upload-worker-", { workers, pageErrors }));
  });

  afterAll(() => closeReporterBrowser({ portal, browser, page, dir }));

  it("keeps the main thread's longest task a small fraction of a 64 MiB upload, and the file arrives intact", async () => {
    const bytes = patternedBytes(64 * MiB, "WORKER-UPLOAD");
    const file = path.join(dir, "large-evidence.bin");
    await writeFile(file, bytes);

    await page.goto(`${portal.url}/report?lang=en`);
    const submit = page.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill("Ledger copies, large");
    await page.getByLabel(/^Description/).fill("The whole ledger is attached.");
    await page.locator('input[name="attachments"]').setInputFiles(file);
    await page.locator('input[name="consentReport"]').check();
    await page.locator('input[name="consentOptional"]').check();
    // The page's own record of the upload: long tasks (> 50 ms on the main thread), submit and receipt.
    await page.evaluate(() => {
      const t: Timeline = { submit: 0, receipt: 0, tasks: [] };
      (window as unknown as { __timeline: Timeline }).__timeline = t;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) t.tasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: "longtask" });
      document.addEventListener("submit", () => (t.submit = performance.now()), { capture: true, once: true });
      new MutationObserver((_, obs) => {
        if (document.querySelector('[data-testid="receipt-code"]')) {
          t.receipt = performance.now();
          obs.disconnect();
        }
      }).observe(document.body, { childList: true, subtree: true });
    });
    await submit.click();
    await page.getByTestId("receipt-code").waitFor({ timeout: 300_000 });
    // Long-task entries are delivered after the task: give the last ones a moment.
    await page.evaluate(() => new Promise((r) => setTimeout(r, 200)));
    const t = await page.evaluate(() => (window as unknown as { __timeline: Timeline }).__timeline);

    const uploadMs = t.receipt - t.submit;
    const during = t.tasks.filter((x) => x.start + x.duration > t.submit && x.start < t.receipt);
    const longest = Math.max(0, ...during.map((x) => x.duration));
    const blocked = during.reduce((n, x) => n + x.duration, 0);
    const summary = `upload ${uploadMs.toFixed(0)} ms; ${during.length} long tasks, longest ${longest.toFixed(0)} ms, ${blocked.toFixed(0)} ms in all`;
    console.log(summary);
    expect(
      workers.some((u) => /upload\.worker/.test(u)),
      `the upload worker ran (${workers.join(", ")})`,
    ).toBe(true);
    expect(uploadMs).toBeGreaterThan(0);
    expect(longest / uploadMs, summary).toBeLessThan(0.05);
    expect(blocked / uploadMs, summary).toBeLessThan(0.1);

    // What the worker sent is the file, byte for byte.
    const [row] = await portal.services.db.select().from(reports);
    const got = await decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
    expect(got.files.map((f) => [f.name, f.size])).toEqual([["large-evidence.bin", bytes.length]]);
    expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("encrypts in the page instead when the worker cannot start, and the file still arrives intact", async () => {
    const bytes = patternedBytes(3 * MiB + 5, "NO-WORKER");
    const context = await browser.newContext({ locale: "en-US" });
    const p = await context.newPage();
    const started: string[] = [];
    p.on("worker", (w) => started.push(w.url()));
    // The worker's script is refused, as a blocking extension or an old browser would leave it.
    await p.route(/upload\.worker/, (route) => route.abort());
    await p.goto(`${portal.url}/report?lang=en`);
    const submit = p.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await p.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await p.getByLabel(/^Title/).fill("Without a worker");
    await p.getByLabel(/^Description/).fill("Sent from the page itself.");
    await p.locator('input[name="attachments"]').setInputFiles({ name: "fallback.bin", mimeType: "application/octet-stream", buffer: Buffer.from(bytes) });
    await p.locator('input[name="consentReport"]').check();
    await p.locator('input[name="consentOptional"]').check();
    await submit.click();
    const caseNumber = (await p.getByTestId("case-number").textContent({ timeout: 120_000 }))!.trim();
    expect(started.some((u) => /upload\.worker/.test(u))).toBe(false);
    const [row] = await portal.services.db.select().from(reports).where(eq(reports.caseNumber, caseNumber));
    const got = await decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
    expect(got.files.map((f) => [f.name, f.size])).toEqual([["fallback.bin", bytes.length]]);
    expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(bytes))).toBe(true);
    await context.close();
  });
});
