// End to end in real Chromium (ADR 032): the report form gets a challenge,
// solves it in a Web Worker served from the portal's own origin, tells the
// reporter what is happening while it runs, and submits.
import type { Browser, Page, Worker } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { powSpent, reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, leavesOrigin } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("the report form's proof of work in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  const workers: Worker[] = [];
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const offOrigin: string[] = [];

  beforeAll(async () => {
    // Forty times the normal difficulty, so that the solving lasts long enough for the page to show it.
    portal = await startTestPortal("pglite", { POW_DIFFICULTY: "400000" });
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
    browser = await launchChromium();
    const context = await browser.newContext({ locale: "en-US" });
    page = await context.newPage();
    page.on("worker", (w) => workers.push(w));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("request", (r) => {
      if (leavesOrigin(r.url(), portal.url)) offOrigin.push(r.url());
    });
    // Records every status line the page shows, however briefly (the page's own CSP does not apply to this script).
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __powSeen: string[] }).__powSeen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll("[data-testid=pow-notice]")) if (!seen.includes(el.textContent ?? "")) seen.push(el.textContent ?? "");
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("solves in a Web Worker from the portal's origin, says so in a live region, and submits", async () => {
    await page.goto(`${portal.url}/report?lang=en`);
    const submit = page.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill("Solved in a worker");
    await page.getByLabel(/^Description/).fill("The proof of work ran while this page stayed usable.");
    await page.locator('input[name="consentReport"]').check();
    await submit.click();

    // While the worker solves, the page renders the message in its polite live region and still answers.
    const notice = page.getByTestId("pow-notice");
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.locator("xpath=ancestor::*[@role='status'][1]").getAttribute("aria-live")).toBe("polite");
    expect(await page.evaluate(() => document.title.length > 0)).toBe(true);

    await page.getByTestId("receipt-code").waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { __powSeen: string[] }).__powSeen);
    expect(seen).toContain(
      "Your browser is doing a short calculation that keeps automated floods out of this channel. It usually takes a moment, and nothing about you is sent.",
    );

    // The solving ran in workers loaded from the portal's own assets, and nothing was fetched from elsewhere.
    expect(workers.length).toBeGreaterThan(0);
    for (const w of workers)
      expect(new URL(w.url()).origin + new URL(w.url()).pathname).toMatch(new RegExp(`^${portal.url}/assets/pow\\.worker-[\\w-]+\\.js$`));
    expect(offOrigin).toEqual([]);
    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);

    // The report is stored, and exactly one proof was spent on it.
    expect(await portal.services.db.select().from(reports)).toHaveLength(1);
    expect((await portal.services.db.select().from(powSpent)).map((r) => r.action)).toEqual(["report"]);
  });

  it("asks Korean readers in Korean", async () => {
    await page.goto(`${portal.url}/report?lang=ko`);
    const submit = page.locator("button[type=submit]");
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.locator("#f-category").selectOption({ index: 1 });
    await page.locator("#f-title").fill("작업 증명");
    await page.locator("#f-description").fill("브라우저에서 계산합니다.");
    await page.locator('input[name="consentReport"]').check();
    await submit.click();
    await page.getByTestId("receipt-code").waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => (window as unknown as { __powSeen: string[] }).__powSeen);
    expect(seen).toContain("자동화된 대량 요청을 막기 위해 브라우저가 짧은 계산을 하고 있습니다. 보통 잠깐이면 끝나며, 귀하에 관한 정보는 전송되지 않습니다.");
  });
});
