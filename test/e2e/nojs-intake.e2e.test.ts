// End to end with JavaScript off (Tor Browser's "Safest" level; ADR 043): Chromium fills the plain form on
// /report, attaches a file and sends it; the page shows the secret receipt code; an investigator signs in
// in a browser that runs scripts, sees the report marked as sealed by the server, reads it and downloads
// the file, decrypted in their browser; the plaintext markers are nowhere at rest or in the logs.
import { readFile } from "node:fs/promises";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReceipt } from "../../crypto";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { patternedBytes } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { scanPortal } from "../support/scan";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const hasChromium = chromiumAvailable();
const M = (field: string) => `N0SCRIPT-${field}-b7c2e9`;
const MARKERS = ["title", "description", "name", "fileName", "fileBody"].map(M);

describe.skipIf(!hasChromium)("report intake in Chromium with JavaScript off", () => {
  let portal: TestPortal;
  let browser: Browser;
  let receipt: string;
  const fileBody = patternedBytes(150_000, M("fileBody"));

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "yoon@okestro.example", ["--name", "Yoon Investigator"]);
    await createStaff(portal, "investigator", "choi@okestro.example", ["--name", "Choi Investigator"]);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("sends the plain form and shows the secret receipt code", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    const page = await context.newPage();
    const cspViolations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.goto(`${portal.url}/report?lang=en`);
    // Only the plain form is shown, and it says what sending it means before anything is typed.
    const plain = page.getByTestId("plain-report");
    expect(await plain.isVisible()).toBe(true);
    expect(await page.locator(".js-report").isVisible()).toBe(false);
    expect(await page.getByTestId("plain-warning").textContent()).toContain("the server sees your report");
    expect(await page.getByTestId("plain-warning").textContent()).toContain("end-to-end encryption");

    await plain.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await plain.getByLabel(/^Title/).fill(`${M("title")} 납품 비리`);
    await plain.getByLabel(/^Description/).fill(`${M("description")}\nLine two, 한국어`);
    await plain.getByLabel(/^Name/).fill(M("name"));
    await plain
      .locator('input[name="attachments"]')
      .setInputFiles({ name: `${M("fileName")}.bin`, mimeType: "application/octet-stream", buffer: Buffer.from(fileBody) });
    await plain.getByLabel("Choi Investigator").check();
    // First without the optional-items consent: refused, nothing stored, what was typed still there.
    await plain.getByLabel(/^I agree to the collection and use of my report/).check();
    await plain.getByRole("button", { name: "Send the report (the server encrypts it)" }).click();
    await page.getByTestId("plain-problems").waitFor();
    expect(await page.getByTestId("plain-problems").textContent()).toContain("optional");
    expect(await portal.services.db.select().from(reports)).toEqual([]);
    expect(
      await page
        .getByTestId("plain-report")
        .getByLabel(/^Title/)
        .inputValue(),
    ).toBe(`${M("title")} 납품 비리`);

    const again = page.getByTestId("plain-report");
    await again
      .locator('input[name="attachments"]')
      .setInputFiles({ name: `${M("fileName")}.bin`, mimeType: "application/octet-stream", buffer: Buffer.from(fileBody) });
    await again.getByLabel(/^I agree to the collection and use of the optional items/).check();
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      again.getByRole("button", { name: "Send the report (the server encrypts it)" }).click(),
    ]);
    expect(response.status()).toBe(201);
    expect(response.headers()["cache-control"]).toBe("no-store");
    const code = page.getByTestId("receipt-code");
    await code.waitFor();
    receipt = (await code.textContent())!.trim();
    expect(parseReceipt(receipt).ok).toBe(true);
    expect(await page.getByTestId("plain-receipt").textContent()).toContain("Your secret receipt code");
    expect(await page.getByTestId("plain-receipt").textContent()).toContain("print this page");
    expect(await page.getByTestId("case-number").textContent()).toMatch(/^COR-/);
    expect(cspViolations).toEqual([]);
    await context.close();
  });

  it("shows the Korean plain form with its warning", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "ko-KR" });
    const page = await context.newPage();
    await page.goto(`${portal.url}/report`);
    expect(await page.getByTestId("plain-report").locator("h2").first().textContent()).toBe("JavaScript 없이 제보하기");
    expect(await page.getByTestId("plain-warning").textContent()).toContain("종단간 암호화");
    await context.close();
  });

  it("lets the investigator read the report and its file in their browser, marked as sealed by the server", async () => {
    const errors: string[] = [];
    const page = await watchedPage(browser, errors);
    await signInFirstTimeInBrowser(page, portal.url, "yoon@okestro.example", /\/staff\?/);
    const inbox = page.getByTestId("inbox");
    await expect(inbox.textContent({ timeout: 30_000 })).resolves.toContain(`${M("title")} 납품 비리`);
    expect(await page.getByTestId("inbox-server-sealed").count()).toBe(1);
    const [row] = await portal.services.db.select().from(reports);
    await page.getByRole("link", { name: row!.caseNumber }).click();
    await expect(page.getByTestId("staff-case-title").textContent({ timeout: 30_000 })).resolves.toBe(`${M("title")} 납품 비리`);
    expect(await page.getByTestId("staff-case-description").textContent()).toBe(`${M("description")}\nLine two, 한국어`);
    expect(await page.getByTestId("staff-case-server-sealed").textContent()).toContain("Sealed by the server");
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: `Download ${M("fileName")}.bin` }).click()]);
    const saved = await readFile((await download.path())!);
    expect(saved.equals(Buffer.from(fileBody))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("leaves the plaintext nowhere: database, blobs, spools, logs", async () => {
    expect(await scanPortal(portal, MARKERS)).toEqual([]);
  });
});
