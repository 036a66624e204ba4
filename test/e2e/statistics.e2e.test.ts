// The statistics on the administration page in Chromium, under the enforced nonce CSP (issue 20): four cases with
// known days (set in the day columns directly), the page in English and Korean with no CSP refusal, page error or
// hydration complaint; every chart drawn (bars with a width, nothing wider than a 320 px screen) and hidden from
// assistive technology, while its data table, found by its caption, carries the figures; the period from the
// address; and the CSV downloaded through the page's own link with the administrator's session.
import { readFile } from "node:fs/promises";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff, PASSWORD } from "../support/staff";
import { signInFromNode, type NodeStaff } from "../support/xss";

/**
 * Day columns of the four cases, against the real today (a moved clock would outdate the administrator's session):
 * received in January and March 2025; one acknowledged in time and closed, one acknowledged late with its feedback
 * due far ahead, two never acknowledged.
 */
const DAYS = [
  { receivedOn: "2025-01-10", ackDueOn: "2025-01-17", acknowledgedOn: "2025-01-12", status: "closed", closedOn: "2025-02-01", feedbackDueOn: "2025-04-12" },
  { receivedOn: "2025-01-20", ackDueOn: "2025-01-27", acknowledgedOn: "2025-01-30", status: "acknowledged", feedbackDueOn: "2099-04-30" },
  { receivedOn: "2025-03-02", ackDueOn: "2025-03-09", status: "received" },
  { receivedOn: "2025-03-03", ackDueOn: "2025-03-10", status: "received" },
] as const;

describe.skipIf(!chromiumAvailable())("statistics in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let admin: NodeStaff;
  const errors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0", NOTIFY_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "admin", "chief@okestro.example", ["--name", "Chief"]);
    admin = await signInFromNode(portal.url, "chief@okestro.example", PASSWORD);
    for (const [i, days] of DAYS.entries()) {
      const { reportId } = await submitTextReport(portal.url, { title: `Case ${i}`, description: "statistics", category: 0 });
      const nextDueOn = days.status === "closed" ? null : "feedbackDueOn" in days ? days.feedbackDueOn : days.ackDueOn;
      await portal.services.db
        .update(reports)
        .set({ ...days, nextDueOn })
        .where(eq(reports.id, reportId));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  /** The administration page for the signed-in administrator, at a phone's width, watched for CSP refusals. */
  async function adminPage(query: string, locale = "en-US"): Promise<Page> {
    const page = await watchedPage(browser, errors, { locale, watch: /Content Security Policy|Refused to|hydrat|violat/i });
    await page.context().addCookies(admin.cookies.map((c) => ({ ...c, url: portal.url, httpOnly: true, sameSite: "Strict" as const })));
    // A violation is reported as an event too, whatever Chromium prints.
    await page.addInitScript(() =>
      document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)),
    );
    await page.setViewportSize({ width: 320, height: 800 });
    await page.goto(`${portal.url}/admin/statistics${query}`);
    await page.getByTestId("statistics").waitFor();
    await page.waitForLoadState("networkidle");
    return page;
  }

  /** A table's body rows as texts, found by its caption (as a screen reader user would). */
  const rows = (page: Page, caption: string) =>
    page
      .getByRole("table", { name: caption })
      .locator("tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => (c.textContent ?? "").trim())));

  it("draws every chart under the CSP, hidden from assistive technology, with the figures in its table", async () => {
    const page = await adminPage("?lang=en");
    expect(await rows(page, "Cases received by month")).toEqual([
      ["January 2025", "2"],
      ["February 2025", "0"],
      ["March 2025", "2"],
    ]);
    expect(await rows(page, "Status funnel: cases that reached each step")).toEqual([
      ["Received", "4"],
      ["Acknowledged", "2"],
      ["In review or investigation", "0"],
      ["Closed", "1"],
    ]);
    expect(await rows(page, "Deadlines: acknowledgement within 7 days, feedback within 3 months of it")).toEqual([
      ["Acknowledgement (7 days)", "1", "1", "2", "0", "0"],
      ["Closing (3 months after acknowledgement)", "1", "0", "2", "1", "—"],
    ]);
    const charts = page.locator("svg.stat-chart");
    expect(await charts.count()).toBeGreaterThanOrEqual(8);
    for (const chart of await charts.all()) {
      expect(await chart.getAttribute("aria-hidden")).toBe("true");
      const box = (await chart.boundingBox())!;
      expect(box.width).toBeGreaterThan(0);
      expect(box.width).toBeLessThanOrEqual(320);
    }
    // Bars are drawn, coloured from the stylesheet (no style attribute exists for the CSP to refuse).
    const month = page.getByTestId("chart-month");
    const heights = await month.locator("rect.chart-f0").evaluateAll((rs) => rs.map((r) => Number(r.getAttribute("height"))));
    expect(heights.filter((h) => h > 0)).toHaveLength(2);
    expect(
      await month
        .locator("rect")
        .first()
        .evaluate((r) => getComputedStyle(r).fill),
    ).toBe("rgb(11, 79, 108)");
    expect(await page.locator("svg.stat-chart[style], svg.stat-chart [style]").count()).toBe(0);
    // At 320 px the section reflows: nothing in it is wider than the screen (wide tables scroll in their own box).
    const section = page.getByTestId("statistics");
    expect(await section.evaluate((el) => el.getBoundingClientRect().right)).toBeLessThanOrEqual(320);
    expect(await section.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);
    // The accessibility tree has the tables and no chart.
    const tree = await page.getByTestId("statistics").ariaSnapshot();
    expect(tree).toContain("table");
    expect(tree).not.toMatch(/\bimg\b/);
    expect(errors).toEqual([]);
  });

  it("keeps the period in the address and downloads its CSV through the page's link", async () => {
    const page = await adminPage("?lang=ko", "ko-KR");
    await page.locator('input[name="from"]').fill("2025-03-01");
    await page.locator('input[name="to"]').fill("2025-03-31");
    await page.getByRole("button", { name: "보기" }).click();
    await page.waitForURL(/from=2025-03-01&to=2025-03-31/);
    // Client-side navigation: the address changes before the new period's tables have rendered.
    await expect.poll(() => rows(page, "월별 접수 사건")).toEqual([["2025년 3월", "2"]]);
    expect(await rows(page, "상태 단계별 사건: 각 단계에 이른 사건 수")).toEqual([
      ["접수", "2"],
      ["접수 확인", "0"],
      ["검토 또는 조사", "0"],
      ["종결", "0"],
    ]);
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("stats-csv").click()]);
    expect(download.suggestedFilename()).toBe("statistics_2025-03-01_2025-03-31.csv");
    const text = await readFile((await download.path())!, "utf8");
    expect(text.startsWith("\uFEFF표,행,열,값\r\n기간,시작일,,2025-03-01\r\n")).toBe(true);
    expect(text).toContain("\r\n월별 접수 사건,2025-03,사건 수,2\r\n");
    expect(text).toContain("\r\n상태 단계별 사건: 각 단계에 이른 사건 수,접수,사건 수,2\r\n");
    expect(errors).toEqual([]);
  });
});
