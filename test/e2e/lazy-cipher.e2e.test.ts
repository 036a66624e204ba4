// In real Chromium (issue 18, ADR 042): the report form and the follow-up page do not load the cipher
// (libsodium) while the page loads, so a phone spends its first seconds on the page itself; the reporter's
// first focus on the form starts the load, long before a submission awaits it. The landing page never loads it.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";

const ASSETS = path.join(fileURLToPath(new URL("../..", import.meta.url)), "build/client/assets");

describe.skipIf(!chromiumAvailable())("the cipher loads when the reporter starts, not with the page", () => {
  let portal: TestPortal;
  let browser: Browser;
  const cipherChunks = new Set<string>();

  beforeAll(async () => {
    for (const f of (await readdir(ASSETS)).filter((n) => n.endsWith(".js")))
      if ((await readFile(path.join(ASSETS, f), "utf8")).includes("libsodium")) cipherChunks.add(`/assets/${f}`);
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "lazy-cipher-inv@okestro.example");
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** Opens the page until the network is quiet (hydrated, every eager chunk fetched); records the chunks it asked for. */
  async function open(pagePath: string): Promise<{ page: Page; requested: string[]; errors: string[] }> {
    const page = await browser.newPage();
    const requested: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => requested.push(new URL(r.url()).pathname));
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${portal.url}${pagePath}?lang=en`, { waitUntil: "networkidle" });
    return { page, requested, errors };
  }

  it("finds the cipher in the build (else the checks below would pass on nothing)", () => {
    expect(cipherChunks.size).toBeGreaterThan(0);
  });

  for (const [pagePath, field] of [
    ["/report", "textarea"],
    ["/status", "input[name=receipt]"],
  ] as const) {
    it(`${pagePath}: not while the page loads, at the first focus on the form`, async () => {
      const { page, requested, errors } = await open(pagePath);
      try {
        // Hydrated: the submit button is enabled once React runs the form.
        await page.waitForSelector('button[type="submit"]:not([disabled])', { timeout: 30_000 });
        await page.waitForLoadState("networkidle");
        expect(requested.filter((p) => cipherChunks.has(p))).toEqual([]);
        const cipher = page.waitForRequest((r) => cipherChunks.has(new URL(r.url()).pathname), { timeout: 30_000 });
        await page.locator(field).first().focus();
        await cipher;
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }

  it("/: never, whatever the reader does there", async () => {
    const { page, requested, errors } = await open("/");
    try {
      await page.locator("a").first().focus();
      await page.mouse.click(5, 5);
      await page.waitForLoadState("networkidle");
      expect(requested.filter((p) => cipherChunks.has(p))).toEqual([]);
      expect(requested.some((p) => p.startsWith("/assets/"))).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
