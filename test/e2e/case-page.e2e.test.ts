// End to end in Chromium for the investigator's case page (ADR 049): the header that stays in view, with both
// deadlines in words for a case due in a few days and an overdue one (English and Korean); the section navigation by
// keyboard with the current section marked; every action (status, assignment, priority, label, message, note, share,
// hold, privacy answer) done from its section, its result ("Saved." or the error) shown inside that section and
// nowhere else, in a polite live region that was on the page before; an empty section that says so; and, at 320 CSS
// px wide and on a short window, a header that is not sticky and a page that does not scroll sideways.
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, today } from "../../app/.server/platform/dates";
import { openCase } from "../../app/reporter/followup-client";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff } from "../support/staff";

describe.skipIf(!chromiumAvailable())("the investigator's case page in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const cases = {} as Record<"due" | "overdue", { reportId: string; caseNumber: string }>;

  const section = (key: string) => page.getByTestId(`case-section-${key}`);
  /** Every result line (status and alert) shown inside a section, as one text. */
  const resultsIn = (key: string) =>
    section(key)
      .locator(".action-result")
      .allTextContents()
      .then((t) => t.join(" ").trim());
  /** Result lines anywhere on the page that are not inside one of the sections. */
  const resultsOutsideSections = () =>
    page.evaluate(() => [...document.querySelectorAll(".notice")].filter((n) => !n.closest('[data-testid^="case-section-"]') && n.textContent?.trim()).length);
  /** Runs `action` in section `key` and waits for `expected` among that section's results. */
  async function inSection(key: string, expected: string | RegExp, action: () => Promise<void>) {
    await action();
    await expect.poll(() => resultsIn(key), { timeout: 30_000, message: `result in the ${key} section` }).toMatch(expected);
    expect(await resultsOutsideSections(), "no result outside the sections").toBe(0);
  }
  const openFromInbox = async (caseNumber: string) => {
    await page.getByTestId("inbox").getByRole("link", { name: caseNumber }).click();
    await page.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
  };
  const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  const headerPosition = () => page.getByTestId("case-header").evaluate((h) => getComputedStyle(h).position);

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "investigator", "kim@okestro.example", ["--name", "Kim"]);
    await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]);
    const day = today(portal.services);
    for (const [which, ackDueOn] of [
      ["due", addDays(day, 3)],
      ["overdue", addDays(day, -2)],
    ] as const) {
      const r = await submitTextReport(portal.url, { title: `Case ${which} 납품 비리`, description: `The ${which} case.` });
      // The deadline this test needs, as the workflow stores it: the next due day follows the acknowledgement's.
      await portal.services.db.update(reports).set({ ackDueOn, nextDueOn: ackDueOn }).where(eq(reports.id, r.reportId));
      cases[which] = { reportId: r.reportId, caseNumber: r.caseNumber };
      if (which === "due") {
        const reporter = await openCase(r.receiptCode, { baseUrl: portal.url });
        await reporter.session.requestPrivacy("access", "Please send me a copy of what you hold.");
        await reporter.session.logout();
      }
    }
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("shows the header in view with both deadlines in words: due in 3 days, and overdue by 2 days", async () => {
    page = await watchedPage(browser, errors, { watch: /Content Security Policy|Refused to|hydrat/i });
    await page.setViewportSize({ width: 1280, height: 800 });
    await signInFirstTimeInBrowser(page, portal.url, "lee@okestro.example", /\/staff\?/);
    await openFromInbox(cases.overdue.caseNumber);
    const ack = page.getByTestId("case-deadline-ack");
    expect(await ack.textContent()).toMatch(/· overdue by 2 days$/);
    expect(await ack.getAttribute("data-deadline")).toBe("overdue");
    // Not by colour alone: the words, and an icon of its own shape (hidden from screen readers, which read the words).
    expect(await ack.locator(".deadline__icon").getAttribute("aria-hidden")).toBe("true");
    expect(await page.getByTestId("case-deadline-feedback").textContent()).toContain("Starts when the report is acknowledged");
    // An empty section says so.
    expect(await section("privacy").textContent()).toContain("No privacy requests yet.");
    expect(await section("files").textContent()).toContain("No files yet.");
    expect(await headerPosition()).toBe("sticky");
    // Scrolled to the bottom, the header is still on screen.
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect.poll(() => page.getByTestId("case-header").evaluate((h) => h.getBoundingClientRect().top)).toBe(0);

    await page.getByRole("link", { name: "Back to the cases" }).click();
    await openFromInbox(cases.due.caseNumber);
    expect(await page.getByTestId("case-deadline-ack").textContent()).toMatch(/· due in 3 days$/);
    expect(await page.getByTestId("case-deadline-ack").getAttribute("data-deadline")).toBe("later");
    // The open privacy request's answer deadline (10 days) in the same words, in its section.
    expect(await section("privacy").getByTestId("privacy-deadline").textContent()).toMatch(/due in 10 days$/);
  });

  it("moves between sections by keyboard, marking the current one", async () => {
    const nav = page.getByRole("navigation", { name: "Sections of this case" });
    const privacy = nav.getByRole("link", { name: /^Privacy requests/ });
    expect(await privacy.textContent()).toBe("Privacy requests (1)");
    await privacy.focus();
    await page.keyboard.press("Enter");
    await page.waitForURL(/#s-privacy$/);
    await expect.poll(() => privacy.getAttribute("aria-current")).toBe("true");
    expect(await nav.locator('[aria-current="true"]').count()).toBe(1);
    // The section's heading is below the sticky header, not under it.
    const [headerBottom, headingTop] = await Promise.all([
      page.getByTestId("case-header").evaluate((h) => h.getBoundingClientRect().bottom),
      section("privacy")
        .getByRole("heading", { level: 2 })
        .evaluate((h) => h.getBoundingClientRect().top),
    ]);
    expect(headingTop).toBeGreaterThanOrEqual(headerBottom);
    await nav.getByRole("link", { name: /^Status and handling/ }).click();
    await expect.poll(() => nav.getByRole("link", { name: /^Status and handling/ }).getAttribute("aria-current")).toBe("true");
  });

  it("shows every action's result inside the section it was taken from", async () => {
    // The polite live region is there before anything is said in it, so the result is announced when it appears.
    const statusRegion = section("workflow").getByTestId("action-result-status").getByRole("status");
    expect(await statusRegion.getAttribute("aria-live")).toBe("polite");
    expect((await statusRegion.textContent())!.trim()).toBe("");

    await inSection("workflow", "Saved.", async () => {
      await section("workflow").getByLabel("Change status to").selectOption("acknowledged");
      await section("workflow").getByRole("button", { name: "Apply" }).click();
    });
    await expect.poll(() => page.getByTestId("staff-case-status").textContent()).toBe("Acknowledged");
    expect(await page.getByTestId("case-deadline-ack").textContent()).toMatch(/^.\s*Acknowledged on /);
    expect(await page.getByTestId("case-deadline-feedback").textContent()).toMatch(/· due in \d{2,} days$/);

    // Assignment and priority, then a label: the header follows.
    await inSection("workflow", "Saved.", async () => {
      await section("workflow").getByLabel("Assigned to").selectOption({ label: "Kim" });
      await section("workflow").getByLabel("Priority").selectOption("urgent");
      await section("workflow").getByRole("button", { name: "Save", exact: true }).click();
    });
    await expect.poll(() => page.getByTestId("case-assignee").textContent()).toBe("Kim");
    expect(await page.getByTestId("case-priority").textContent()).toBe("Urgent");
    await inSection("workflow", "Saved.", async () => {
      await section("workflow")
        .getByLabel(/^Labels/)
        .fill("procurement, 납품");
      await section("workflow").getByRole("button", { name: "Save", exact: true }).click();
    });
    await expect
      .poll(() =>
        section("workflow")
          .getByLabel(/^Labels/)
          .inputValue(),
      )
      .toBe("procurement, 납품");

    await inSection("dialogue", "Saved.", async () => {
      await section("dialogue").getByLabel("Message to the reporter").fill("Which contract was it?");
      await section("dialogue").getByRole("button", { name: "Encrypt and send" }).click();
    });
    await expect.poll(() => page.getByTestId("staff-dialogue").textContent()).toContain("Which contract was it?");

    await inSection("notes", "Saved.", async () => {
      await section("notes").getByLabel("New note").fill("Ask procurement for the bid log");
      await section("notes").getByRole("button", { name: "Encrypt and add note" }).click();
    });
    await expect.poll(() => page.getByTestId("staff-notes").textContent()).toContain("Ask procurement for the bid log");

    // A share that fails (OKESTRO AGI has no reviewer) says why in the section; one that works says "Saved." there.
    await inSection("shares", /has no active reviewer/, async () => {
      await section("shares").getByRole("button", { name: "Share with an affiliate" }).click();
      await section("shares").getByLabel("OKESTRO AGI").check();
      await section("shares").locator("#share-item-title").check();
      await section("shares").getByRole("button", { name: "Encrypt and share" }).click();
    });
    expect(await section("shares").getByRole("alert").count()).toBeGreaterThan(0);
    await inSection("shares", "Saved.", async () => {
      await section("shares").getByLabel("OKESTRO Cloud").check();
      await section("shares").getByRole("button", { name: "Encrypt and share" }).click();
    });
    await expect.poll(() => page.getByTestId("share-cloud").textContent()).toContain("Active");

    await inSection("retention", "Saved.", async () => {
      await section("retention")
        .getByLabel(/^Reason for a new hold/)
        .selectOption("litigation");
      await section("retention").getByRole("button", { name: "Place a legal hold" }).click();
    });
    await expect.poll(() => page.getByTestId("case-holds").textContent()).toContain("Litigation");

    await inSection("privacy", "Saved.", async () => {
      await section("privacy")
        .getByLabel(/^Answer/)
        .fill("A copy is attached to your case.");
      await section("privacy").getByRole("button", { name: "Encrypt and answer" }).click();
    });
    await expect.poll(() => section("privacy").textContent()).toContain("A copy is attached to your case.");
    expect(errors).toEqual([]);
  });

  it("keeps the header in the page's flow at 320 px and on a short window, without sideways scrolling, in English and Korean", async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await expect.poll(headerPosition).toBe("static");
    expect(await noSidewaysScroll(), "no horizontal scroll at 320 px (en)").toBe(true);

    await page.goto(`${page.url().replace(/#.*$/, "").replace("lang=en", "lang=ko")}`);
    await page.getByLabel(/^비밀번호/).fill("correct horse battery staple 42");
    await page.getByRole("button", { name: "잠금 해제" }).click();
    await page.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("case-deadline-feedback").textContent()).toMatch(/· \d+일 남음$/);
    expect(await section("privacy").textContent()).not.toContain("아직 개인정보 관련 요구가 없습니다.");
    expect(await noSidewaysScroll(), "no horizontal scroll at 320 px (ko)").toBe(true);
    expect(await page.locator(".staff-case").evaluate((e) => getComputedStyle(e).wordBreak)).toBe("keep-all");

    await page.getByRole("link", { name: "사건 목록으로" }).click();
    await openFromInbox(cases.overdue.caseNumber);
    expect(await page.getByTestId("case-deadline-ack").textContent()).toMatch(/· 기한 2일 지남$/);
    expect(await section("privacy").textContent()).toContain("아직 개인정보 관련 요구가 없습니다.");
    expect(await noSidewaysScroll(), "no horizontal scroll at 320 px on the overdue case (ko)").toBe(true);

    await page.setViewportSize({ width: 1280, height: 500 });
    await expect.poll(headerPosition).toBe("static");
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(headerPosition).toBe("sticky");
    expect(errors).toEqual([]);
  });
});
