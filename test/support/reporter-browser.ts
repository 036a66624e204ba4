// The setting of the end-to-end files that send a report through the form and decrypt it as an investigator:
// a PGlite portal with one investigator (Lee), Chromium with one English page that records the workers it
// starts and any uncaught page error, and a scratch directory.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "./browser";
import { startTestPortal, type TestPortal } from "./portal";
import { createStaff } from "./staff";

export interface ReporterBrowser {
  portal: TestPortal;
  browser: Browser;
  page: Page;
  dir: string;
}

/** Starts it all; the page's worker URLs and page errors are pushed onto the given arrays. */
export async function openReporterBrowser(dirPrefix: string, seen: { workers: string[]; pageErrors: string[] }): Promise<ReporterBrowser> {
  const dir = await mkdtemp(path.join(tmpdir(), dirPrefix));
  const portal = await startTestPortal("pglite");
  await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
  const browser = await launchChromium();
  const page = await (await browser.newContext({ locale: "en-US" })).newPage();
  page.on("worker", (w) => seen.workers.push(w.url()));
  page.on("pageerror", (e) => seen.pageErrors.push(String(e)));
  return { portal, browser, page, dir };
}

/** Ends what openReporterBrowser started, whatever of it did start. */
export async function closeReporterBrowser(r: Partial<ReporterBrowser>): Promise<void> {
  await r.browser?.close();
  await r.portal?.stop();
  if (r.dir) await rm(r.dir, { recursive: true, force: true });
}
