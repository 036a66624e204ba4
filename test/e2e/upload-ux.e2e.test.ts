// End to end in real Chromium: the report form while files are sent. The
// second part of a 20 MiB file is held in the browser (a route), so the page
// is reliably mid-upload with one part on the server: the progress display
// shows the whole submission, leaving warns, cancelling removes what was sent
// (nothing left for cleanup) and keeps what was typed, and a lost connection
// is told as "nothing submitted yet" and the upload resumes.
import type { Browser, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachments, reports, uploads } from "../../db/schema";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { patternedBytes } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const hasChromium = chromiumAvailable();
const FILE = patternedBytes(20 * 1024 * 1024, "UPLOAD-UX");
const PART_1 = /\/api\/intake\/uploads\/[^/]+\/parts\/1$/;

describe.skipIf(!hasChromium)("sending a report's files in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** Blobs on the server that no stored attachment names. */
  async function strayBlobs(): Promise<string[]> {
    const kept = new Set((await portal.services.db.select({ k: attachments.blobKey }).from(attachments)).map((r) => r.k));
    const keys: string[] = [];
    for await (const blob of portal.services.blobs.list()) if (!kept.has(blob.key)) keys.push(blob.key);
    return keys;
  }

  /**
   * A filled form whose submission is under way with part 0 stored on the server and part 1 held in the browser;
   * `release` lets part 1 (and later parts) through, or fails it as a dropped connection does.
   */
  async function midUpload(typed: { title: string; description: string }) {
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    let held!: (route: Route) => void;
    const heldRoute = new Promise<Route>((resolve) => (held = resolve));
    await page.route(PART_1, (route) => held(route));
    await page.goto(`${portal.url}/report?lang=en`);
    const submit = page.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill(typed.title);
    await page.getByLabel(/^Description/).fill(typed.description);
    await page.locator('input[name="attachments"]').setInputFiles([{ name: "ledger.bin", mimeType: "application/octet-stream", buffer: Buffer.from(FILE) }]);
    await page.locator('input[name="consentReport"]').check();
    await page.locator('input[name="consentOptional"]').check();
    await submit.click();
    const route = await heldRoute;
    // Part 0 is on the server: an open upload with its bytes.
    await expect.poll(async () => (await portal.services.db.select().from(uploads)).map((u) => u.nextPart), { timeout: 60_000 }).toEqual([1]);
    return {
      page,
      route,
      release: async (how: "through" | "dropped") => {
        if (how === "through") await route.continue();
        else await route.abort("internetdisconnected");
        await page.unroute(PART_1); // its retry goes out as any request does
      },
    };
  }

  it("shows one progress display for the whole submission, warns before leaving, and a cancelled upload leaves nothing on the server after cleanup", async () => {
    const typed = { title: "Cancelled once, sent later", description: "Everything typed survives a cancellation" };
    const { page, route } = await midUpload(typed);
    const [upload] = await portal.services.db.select().from(uploads);
    expect(await portal.services.blobs.size(upload!.blobKey)).toBeGreaterThan(8 * 1024 * 1024);

    // Bytes, percentage and time left of the whole submission, a bar, and a sparse announcement.
    const figures = page.getByTestId("progress-figures");
    const percent = Math.floor((upload!.receivedBytes / upload!.expectedBytes) * 100);
    await expect
      .poll(() => figures.textContent())
      .toMatch(new RegExp(`^8 MB of 20 MB \\(${percent}%\\) · (about \\d+ (s|min) left|estimating the time left…)$`));
    expect(Number(await page.locator("progress#upload-progress").getAttribute("value"))).toBe(upload!.receivedBytes);
    expect(await page.getByTestId("submission-progress").textContent()).toContain("File 1 of 1: ledger.bin");
    await expect.poll(() => page.locator(".progress-area [role=status]").textContent()).toMatch(/\d+% sent \(.+ of 20 MB\)/);
    expect(await page.locator("[data-testid=submission-progress] [aria-live], [data-testid=submission-progress][aria-live]").count()).toBe(0);

    // Leaving or reloading now asks first; staying keeps the upload.
    const asked = page.waitForEvent("dialog", { timeout: 15_000 });
    await page.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog.type()).toBe("beforeunload");
    await dialog.dismiss();
    expect(page.isClosed()).toBe(false);
    // A link inside the portal asks in the page's own words; staying keeps the upload and the form.
    await page.getByRole("link", { name: "Privacy notice" }).first().click();
    const leave = page.getByRole("dialog", { name: "Your report is still being sent" });
    await expect.poll(() => leave.isVisible()).toBe(true);
    await leave.getByRole("button", { name: "Stay until it is sent" }).click();
    await expect.poll(() => leave.isVisible()).toBe(false);
    expect(new URL(page.url()).pathname).toBe("/report");
    expect(await page.getByTestId("submission-progress").isVisible()).toBe(true);

    // The upload runs in its worker (ADR 041); cancelling ends it (after it has wiped its buffers and file key).
    const uploadWorker = page.workers().find((w) => /\/upload\.worker-[\w-]+\.js$/.test(w.url()));
    expect(
      uploadWorker,
      page
        .workers()
        .map((w) => w.url())
        .join(", "),
    ).toBeDefined();
    const workerClosed = new Promise<void>((resolve) => uploadWorker!.once("close", () => resolve()));
    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.getByTestId("cancelled-notice").textContent()).toContain("Nothing has been submitted");
    await workerClosed;
    // Back to the form with everything typed and chosen still there, and usable.
    expect(await page.getByLabel(/^Title/).inputValue()).toBe(typed.title);
    expect(await page.getByLabel(/^Description/).inputValue()).toBe(typed.description);
    expect(await page.locator('input[name="attachments"]').evaluate((el: HTMLInputElement) => el.files?.length)).toBe(1);
    expect(await page.locator('input[name="consentOptional"]').isChecked()).toBe(true);
    expect(await page.getByRole("button", { name: "Encrypt and submit" }).isEnabled()).toBe(true);
    await route.abort().catch(() => {}); // the browser gave up on it already

    // The cancellation itself abandoned the upload: row and bytes are gone before any cleanup runs...
    await expect.poll(() => portal.services.db.select().from(uploads), { timeout: 15_000 }).toEqual([]);
    expect(await strayBlobs()).toEqual([]);
    // ...so cleanup, run as the server runs it, after every deadline has passed, finds nothing left to remove.
    portal.setNow(new Date(Date.now() + (portal.services.config.UPLOAD_MAX_AGE_HOURS + 25) * 3600_000));
    try {
      expect(await portal.cli("uploads:cleanup")).toBe("Removed 0 unclaimed upload(s) and 0 stray blob(s).");
    } finally {
      portal.setNow(null);
    }
    expect(await portal.services.db.select().from(uploads)).toEqual([]);
    expect(await strayBlobs()).toEqual([]);
    expect(await portal.services.db.select().from(reports)).toEqual([]);

    // No longer sending: leaving asks nothing.
    await page.close({ runBeforeUnload: true });
    await expect.poll(() => page.isClosed()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  it("says nothing has been submitted yet when the connection drops, and resumes when it returns", async () => {
    const { page, release } = await midUpload({ title: "Sent through a dropped connection", description: "Resumed" });
    await page.context().setOffline(true);
    await release("dropped");
    const notice = page.getByTestId("offline-notice");
    await expect.poll(() => notice.textContent(), { timeout: 30_000 }).toContain("Nothing has been submitted yet");
    expect(await notice.textContent()).toContain("The upload will resume");
    await expect.poll(() => page.locator(".progress-area [role=status]").textContent()).toContain("Nothing has been submitted yet");
    expect(await portal.services.db.select().from(reports)).toEqual([]);

    await page.context().setOffline(false);
    await page.getByTestId("receipt-code").waitFor({ timeout: 90_000 });
    const [stored] = await portal.services.db.select().from(reports);
    const files = await portal.services.db.select().from(attachments);
    expect(files.map((f) => f.reportId)).toEqual([stored!.id]);
    expect(await portal.services.blobs.size(files[0]!.blobKey)).toBe(files[0]!.ciphertextBytes);
    expect(await portal.services.db.select().from(uploads)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
  it("adds files on the follow-up page with the same progress display, and a cancelled file leaves nothing on the server", async () => {
    const { receiptCode } = await submitTextReport(portal.url, { title: "Follow-up files", description: "Files come later" });
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    let held!: (route: Route) => void;
    const heldRoute = new Promise<Route>((resolve) => (held = resolve));
    await page.route(PART_1, (route) => held(route));
    await page.goto(`${portal.url}/status?lang=en`);
    await page.locator('input[name="receipt"]').fill(receiptCode);
    await page.getByRole("button", { name: "Open my case" }).click();
    await page.getByTestId("case-title").waitFor({ timeout: 30_000 });
    const before = (await portal.services.db.select().from(attachments)).length;

    await page.locator('input[name="attachments"]').setInputFiles([{ name: "later.bin", mimeType: "application/octet-stream", buffer: Buffer.from(FILE) }]);
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    const route = await heldRoute;
    await expect.poll(async () => (await portal.services.db.select().from(uploads)).map((u) => u.nextPart), { timeout: 60_000 }).toEqual([1]);
    await expect.poll(() => page.getByTestId("progress-figures").textContent()).toMatch(/^8 MB of 20 MB \(\d+%\)/);
    expect(await page.getByTestId("submission-progress").textContent()).toContain("File 1 of 1: later.bin");

    await page.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.locator("body").textContent()).toContain("Cancelled. The file being sent was not added");
    await route.abort().catch(() => {});
    await expect.poll(() => portal.services.db.select().from(uploads), { timeout: 15_000 }).toEqual([]);
    expect(await strayBlobs()).toEqual([]);
    expect((await portal.services.db.select().from(attachments)).length).toBe(before);

    // Without a hold the same form adds the file, and says so.
    await page.unroute(PART_1);
    await page.locator('input[name="attachments"]').setInputFiles([{ name: "small.txt", mimeType: "text/plain", buffer: Buffer.from("a small file") }]);
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("Added to your case: 1 file(s).");
    expect(await page.locator("body").textContent()).toContain("Download small.txt");
    expect((await portal.services.db.select().from(attachments)).length).toBe(before + 1);
    expect(pageErrors).toEqual([]);
  });
  it("offers no way to leave while the report itself is stored: its receipt code is on its way", async () => {
    const page = await (await browser.newContext({ locale: "en-US" })).newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    let held!: (route: Route) => void;
    const heldRoute = new Promise<Route>((resolve) => (held = resolve));
    await page.route(/\/api\/intake\/reports$/, (route) => (route.request().method() === "POST" ? held(route) : route.continue()));
    await page.goto(`${portal.url}/report?lang=en`);
    const submit = page.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill("Stored while I looked away");
    await page.getByLabel(/^Description/).fill("The receipt must not be lost");
    await page.locator('input[name="consentReport"]').check();
    await submit.click();
    const route = await heldRoute;

    await page.getByRole("link", { name: "Privacy notice" }).first().click();
    const leave = page.getByRole("dialog", { name: "Your report is still being sent" });
    await expect.poll(() => leave.isVisible()).toBe(true);
    expect(await leave.textContent()).toContain("Your report is being stored now");
    expect(await leave.getByRole("button").allTextContents()).toEqual(["Stay until it is sent"]);
    await leave.getByRole("button", { name: "Stay until it is sent" }).click();
    await route.continue();
    await expect.poll(() => page.getByTestId("receipt-code").textContent(), { timeout: 30_000 }).toMatch(/\S{10,}/);
    expect(new URL(page.url()).pathname).toBe("/report");
    expect(pageErrors).toEqual([]);
  });
});
