// End to end in Chromium: the receipt after a report. The secret receipt code can be downloaded as a text
// file and printed (each with the code, the follow-up page's address and how to keep it safe, nothing of
// the case); until the reporter confirms they saved it, reloading asks first and a link inside the portal
// asks in the page's words; once they confirm, the code is gone from the page and nothing in the browser
// holds it. Korean and English.
import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReceipt } from "../../crypto";
import { en } from "../../app/i18n/en";
import { ko } from "../../app/i18n/ko";
import { chromiumAvailable, launchChromium, leaveAndGoBack, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const TITLE = "Receipt E2E: forged invoices";
const DESCRIPTION = "Details that must never reach the receipt file";

describe.skipIf(!chromiumAvailable())("the receipt code in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let code: string;
  let caseNumber: string;
  const errors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "yoon@okestro.example");
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** Whatever the browser could keep: Web Storage, cookies, IndexedDB databases and Cache Storage. */
  const browserStorage = () =>
    page.evaluate(async () => ({
      local: Object.entries(localStorage),
      session: Object.entries(sessionStorage),
      cookie: document.cookie,
      indexedDb: (await indexedDB.databases()).map((d) => d.name),
      caches: await caches.keys(),
    }));

  const download = async (name: string) => {
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name }).click()]);
    return { name: file.suggestedFilename(), text: await readFile((await file.path())!, "utf8") };
  };

  it("shows the secret receipt code apart from the case number, which is named a reference", async () => {
    await page.goto(`${portal.url}/report?lang=en`);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill(TITLE);
    await page.getByLabel(/^Description/).fill(DESCRIPTION);
    await page.locator('input[name="consentReport"]').check();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    code = (await page.getByTestId("receipt-code").textContent({ timeout: 60_000 }))!.trim();
    expect(parseReceipt(code).ok).toBe(true);
    caseNumber = (await page.getByTestId("case-number").textContent())!.trim();
    expect(caseNumber).toMatch(/^COR-/);
    expect(await page.locator("#receipt-code-label").textContent()).toBe("Your secret receipt code");
    expect(await page.locator(".receipt__case").textContent()).toContain("Case number (a reference, not secret)");
    // The heading has the focus, so a screen reader starts at the receipt.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("receipt-title");
  });

  it("downloads a small UTF-8 text file with the code, the follow-up address and the advice, and nothing of the case", async () => {
    const file = await download("Download as a text file");
    expect(file.name).toBe("secret-receipt-code.txt");
    expect(file.text).toContain(`Your secret receipt code: ${code}\r\n`);
    expect(file.text).toContain(`open ${portal.url}/status and enter the code`);
    expect(file.text).toContain(en["receipt.advice.2"]);
    for (const caseText of [caseNumber, TITLE, DESCRIPTION]) expect(file.text).not.toContain(caseText);
    expect(Buffer.byteLength(file.text)).toBeLessThan(2048);
    await expect.poll(() => page.getByTestId("receipt-notice").textContent()).toContain("secret-receipt-code.txt");
  });

  it("prints only the sheet with the code, the address and the advice", async () => {
    const sheet = page.getByTestId("receipt-sheet");
    expect(await sheet.isVisible()).toBe(false);
    await page.emulateMedia({ media: "print" });
    expect(await sheet.isVisible()).toBe(true);
    expect(await sheet.textContent()).toContain(code);
    expect(await sheet.textContent()).toContain(`${portal.url}/status`);
    expect(await sheet.textContent()).toContain(en["receipt.advice.1"]);
    expect(await sheet.textContent()).not.toContain(caseNumber);
    // Nothing else of the page is printed: not the buttons, the confirmation, the case number or the site's header.
    for (const other of [
      page.getByTestId("receipt-code"),
      page.getByTestId("case-number"),
      page.locator(".site-header"),
      page.getByRole("button", { name: "Print" }),
    ])
      expect(await other.isVisible()).toBe(false);
    await page.emulateMedia({ media: "screen" });
    expect(await sheet.isVisible()).toBe(false);
    // The button opens the browser's print dialog.
    await page.evaluate(() => window.addEventListener("beforeprint", () => document.body.setAttribute("data-printed", "yes"), { once: true }));
    await page.getByRole("button", { name: "Print" }).click();
    await expect.poll(() => page.locator("body").getAttribute("data-printed")).toBe("yes");
  });

  it("asks before a reload while the code is unsaved, and staying keeps it", async () => {
    const asked = page.waitForEvent("dialog");
    // As the reload button does (page.reload() would wait for a navigation that staying cancels).
    const reload = page.evaluate(() => location.reload());
    const dialog = await asked;
    expect(dialog.type()).toBe("beforeunload");
    await dialog.dismiss();
    await reload;
    expect(await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).type)).toBe("navigate");
    expect((await page.getByTestId("receipt-code").textContent())!.trim()).toBe(code);
  });

  it("asks in the page's words before a link leaves it, and staying keeps the code", async () => {
    await page.locator(".site-header").getByRole("link", { name: "Follow up on a report" }).click();
    const leave = page.getByRole("dialog", { name: "Your secret receipt code is not saved yet" });
    await leave.waitFor();
    // The safe choice has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Stay and save the code");
    await leave.getByRole("button", { name: "Stay and save the code" }).click();
    expect(await leave.isVisible()).toBe(false);
    expect(new URL(page.url()).pathname).toBe("/report");
    expect((await page.getByTestId("receipt-code").textContent())!.trim()).toBe(code);
  });

  it("keeps the code through the language switch, and the Korean file and printout are in Korean", async () => {
    await page.getByRole("link", { name: /한국어/ }).click();
    await expect.poll(() => page.locator("#receipt-code-label").textContent()).toBe("비밀 접수 코드");
    expect((await page.getByTestId("receipt-code").textContent())!.trim()).toBe(code);
    expect(await page.locator(".receipt__case").textContent()).toContain("사건 번호(참조용, 비밀 아님)");
    const file = await download(ko["receipt.download"]);
    expect(file.text).toContain(`비밀 접수 코드: ${code}\r\n`);
    expect(file.text).toContain(`${portal.url}/status`);
    expect(file.text).toContain(ko["receipt.advice.2"]);
    expect(await page.getByTestId("receipt-sheet").textContent()).toContain(ko["receipt.advice.3"]);
    await page.getByRole("link", { name: /English/ }).click();
    await expect.poll(() => page.locator("#receipt-code-label").textContent()).toBe("Your secret receipt code");
  });

  it("removes the code only after the reporter ticks that they saved it", async () => {
    await page.getByRole("button", { name: "Remove the code from this page" }).click();
    const box = page.getByLabel(/^I have saved my secret receipt code/);
    expect(await box.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#receipt-saved-error").textContent()).toBe("Tick the box once you have saved the code.");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("receipt-saved");
    expect((await page.getByTestId("receipt-code").textContent())!.trim()).toBe(code);

    await box.check();
    await page.getByRole("button", { name: "Remove the code from this page" }).click();
    await page.getByTestId("receipt-removed").waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("The code has been removed from this page");
    // Gone from the page in every form (as shown, and as typed without hyphens), printout included.
    const html = await page.content();
    expect(html).not.toContain(code);
    expect(html).not.toContain(code.replaceAll("-", ""));
    expect(await page.getByTestId("receipt-sheet").count()).toBe(0);
    // The case number stays: it is no secret.
    expect((await page.getByTestId("case-number").textContent())!.trim()).toBe(caseNumber);
    expect(await browserStorage()).toEqual({ local: [], session: [], cookie: "", indexedDb: [], caches: [] });
  });

  it("lets the reporter leave without a question once the code is saved", async () => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.type());
      void d.accept();
    });
    await page.locator(".site-header").getByRole("link", { name: "Follow up on a report" }).click();
    await page.waitForURL(/\/status/);
    expect(await page.getByRole("dialog").count()).toBe(0);
    await page.reload();
    expect(dialogs).toEqual([]);
    expect(await page.content()).not.toContain(code);
    expect(await browserStorage()).toEqual({ local: [], session: [], cookie: "", indexedDb: [], caches: [] });
    expect(errors).toEqual([]);
  });

  it("does not show an unsaved code again on Back after the reporter chose to leave, whether or not the back/forward cache restores the page", async () => {
    for (const bfcache of ["on", "forced"] as const) {
      const b = await launchChromium({ bfcache });
      try {
        const p = await watchedPage(b, errors);
        await p.goto(`${portal.url}/report?lang=en`);
        await p.getByLabel(/^Type of report/).selectOption({ index: 1 });
        await p.getByLabel(/^Title/).fill(TITLE);
        await p.getByLabel(/^Description/).fill(DESCRIPTION);
        await p.locator('input[name="consentReport"]').check();
        await p.getByRole("button", { name: "Encrypt and submit" }).click();
        const left = (await p.getByTestId("receipt-code").textContent({ timeout: 60_000 }))!.trim();
        // Leaving answers the browser's question with "Leave" (Playwright accepts it when nobody listens).
        const how = await leaveAndGoBack(p, `${portal.url}/privacy?lang=en`);
        if (bfcache === "forced") expect(how, "restored from the cache, then reloaded").toBe("reload");
        await p.getByRole("button", { name: "Encrypt and submit" }).waitFor({ timeout: 30_000 });
        expect(await p.content()).not.toContain(left);
      } finally {
        await b.close();
      }
    }
    expect(errors).toEqual([]);
  });
});
