// The investigator's inbox in Chromium (issue 20): 124 cases sealed to the investigator (the title searched
// for is on the third page by deadline), five new-report notifications. The notification panel starts
// closed with its count in the button's name and opens and closes from the keyboard, "mark all read" still
// working; the deadline chips say "overdue by 3 days", "due today", "due in 1 day" (and in Korean); the
// "new" badge is a word of its own, apart from the case number's link; filter and sort go into the
// address, survive a reload and follow the back button; the title search finds the case on the third
// page without the words reaching the server, with its progress announced.
import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notifyStaff } from "../../app/.server/notifications/record";
import { loadSodium } from "../../crypto";
import { staffUsers } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { sealCasesTo, type SealedCase } from "../support/sealed-cases";
import { createStaff } from "../support/staff";

const CASES = 124;
const TARGET = 117;
const WORDS = "Busan tender";
/** Case 0 overdue by three days, case 1 due today, case 2 tomorrow; the target far off (third page by deadline). */
const dueIn = (j: number) => (j === 0 ? -3 : j === 1 ? 0 : j === 2 ? 1 : j === TARGET ? 200 : 5 + (j % 90));

describe.skipIf(!chromiumAvailable())("the investigator's inbox in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let cases: SealedCase[];
  const errors: string[] = [];
  const requests: string[] = [];

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { NOTIFY_INTERVAL_MINUTES: "0", RETENTION_INTERVAL_MINUTES: "0" });
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    cases = await sealCasesTo(portal.services, CASES, {
      prefix: "NBX0",
      title: (j) => (j === TARGET ? "Kickbacks in the Busan tender" : `Ordinary matter ${j}`),
      holders: () => ["lee@okestro.example"],
      nextDueOffset: dueIn,
    });
    const [lee] = await portal.services.db.select({ id: staffUsers.id }).from(staffUsers);
    for (const c of cases.slice(0, 5))
      await notifyStaff(portal.services.db, portal.services, { event: "new_case", staffUserIds: [lee!.id], reportId: c.id, dedupeKey: `new_case:${c.id}` });
    browser = await launchChromium();
    page = await watchedPage(browser, errors, { locale: "en-GB" });
    page.on("request", (r: Request) => requests.push(`${r.method()} ${r.url()} ${r.postData() ?? ""}`));
    await signInFirstTimeInBrowser(page, portal.url, "lee@okestro.example", /\/staff\?/);
    await page.getByTestId("inbox").waitFor({ timeout: 60_000 });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("collapses many notifications into a panel whose button names the count and opens from the keyboard", async () => {
    const panel = page.getByTestId("staff-notifications");
    const toggle = panel.getByRole("button", { name: /^Notifications 5 unread$/ });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    expect(await panel.getByRole("listitem").count()).toBe(0); // hidden: not in the accessibility tree
    // The case list is above the fold: the panel is one line, not five.
    const tableTop = await page.getByTestId("inbox").evaluate((el) => el.getBoundingClientRect().top);
    expect(tableTop).toBeLessThan(page.viewportSize()!.height);
    await toggle.focus();
    await page.keyboard.press("Enter");
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await expect.poll(() => panel.getByRole("listitem").count()).toBe(5);
    expect(await panel.textContent()).toContain("A new report has been received.");
    await page.keyboard.press("Space");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    // Marking read works with the panel closed, and the count in the name follows.
    await panel.getByRole("button", { name: "Mark all read" }).click();
    await panel.getByRole("button", { name: /^Notifications all read$/ }).waitFor({ timeout: 30_000 });
  });

  it("shows each open deadline as a phrase on a chip, and the new badge apart from the case number", async () => {
    const rowOf = (j: number) => page.getByRole("row").filter({ has: page.getByRole("link", { name: cases[j]!.caseNumber, exact: true }) });
    expect(await rowOf(0).getByTestId("deadline-chip").textContent()).toBe("overdue by 3 days");
    expect(await rowOf(1).getByTestId("deadline-chip").textContent()).toBe("due today");
    expect(await rowOf(2).getByTestId("deadline-chip").textContent()).toBe("due in 1 day");
    expect(await rowOf(3).getByTestId("deadline-chip").textContent()).toBe(`due in ${dueIn(3)} days`);
    expect(await rowOf(0).getByTestId("deadline-chip").getAttribute("class")).toContain("chip--overdue");
    // Never opened, so new: the link's name is the case number alone, the badge a word beside it, explained to screen readers.
    const link = rowOf(0).getByRole("link", { name: cases[0]!.caseNumber, exact: true });
    expect(await link.textContent()).toBe(cases[0]!.caseNumber);
    const badge = rowOf(0).getByTestId("inbox-new");
    // Seen: the word alone (the explanation is visually hidden); heard: the word with what it means.
    expect(await badge.evaluate((b) => [...b.childNodes].map((n) => (n.nodeType === Node.TEXT_NODE ? n.textContent : "")).join(""))).toBe("new");
    expect(await badge.textContent()).toBe("(new: the reporter wrote since you last opened the case)");
    // Apart on screen: a gap after the number on the same line, or a line of its own.
    const apart = await badge.evaluate((b) => {
      const [mark, number] = [b.getBoundingClientRect(), b.previousElementSibling!.getBoundingClientRect()];
      return mark.left - number.right >= 3 || mark.top >= number.bottom;
    });
    expect(apart).toBe(true);
    // In Korean too.
    await page.goto(`${portal.url}/staff?lang=ko`);
    await page.getByLabel(/^비밀번호/).fill("correct horse battery staple 42");
    await page.getByRole("button", { name: "잠금 해제" }).click();
    await page.getByTestId("inbox").waitFor({ timeout: 60_000 });
    expect(await rowOf(0).getByTestId("deadline-chip").textContent()).toBe("기한 3일 지남");
    expect(await rowOf(1).getByTestId("deadline-chip").textContent()).toBe("오늘 마감");
  });

  it("keeps filter and sort in the address: reload restores them, Back returns to the view before", async () => {
    await page.goto(`${portal.url}/staff?lang=en`);
    await unlock(page);
    const filters = page.getByRole("form", { name: "Filter" });
    await filters.getByLabel("Sort by").selectOption("received");
    await filters.getByLabel("Status").selectOption("open");
    await filters.getByRole("button", { name: "Apply" }).click();
    await page.waitForURL(/sort=received/);
    const url = new URL(page.url());
    expect(url.searchParams.get("status")).toBe("open");
    await page.reload();
    await unlock(page);
    expect(await filters.getByLabel("Sort by").inputValue()).toBe("received");
    expect(await filters.getByLabel("Status").inputValue()).toBe("open");
    // Newest first now: the first row is one received today.
    const first = await page.getByTestId("inbox").getByRole("link").first().textContent();
    expect(cases.find((c) => c.caseNumber === first)!.receivedOn).toBe(cases[0]!.receivedOn);
    // The next page keeps the view.
    await page.getByRole("link", { name: "Next page" }).click();
    await page.waitForURL(/page=2/);
    expect(new URL(page.url()).searchParams.get("sort")).toBe("received");
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has("page"));
    await page.goBack();
    await page.waitForURL((u) => !u.searchParams.has("sort"));
    await expect.poll(() => filters.getByLabel("Sort by").inputValue()).toBe("deadline");
    expect(await filters.getByLabel("Status").inputValue()).toBe("");
  });

  it("finds a case that is not on the first page by its title, searching every case in the browser", async () => {
    await page.goto(`${portal.url}/staff?lang=en`);
    await unlock(page);
    expect(await page.getByTestId("inbox").textContent()).not.toContain(cases[TARGET]!.caseNumber);
    requests.length = 0;
    const search = page.getByTestId("title-search");
    await search.getByLabel("Words in the title, across all your cases").fill(WORDS);
    const status = search.getByRole("status");
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe(`1 of ${CASES} cases match.`);
    const hit = search.getByTestId("search-results").getByRole("link", { name: cases[TARGET]!.caseNumber });
    expect(await search.getByTestId("search-results").textContent()).toContain("Kickbacks in the Busan tender");
    // The words stayed here: the titles came in batches, and no request carried them.
    expect(requests.some((r) => r.includes("/api/staff/case-titles"))).toBe(true);
    expect(requests.filter((r) => /busan|tender/i.test(r))).toEqual([]);
    // Another query searches the titles already decrypted, without fetching them again.
    requests.length = 0;
    await search.getByLabel("Words in the title, across all your cases").fill("ordinary matter 11");
    const eleven = cases.filter((c) => c.title.toLowerCase().includes("ordinary matter 11")).length;
    expect(eleven).toBe(10);
    await expect.poll(() => status.textContent()).toBe(`${eleven} of ${CASES} cases match.`);
    expect(await search.getByTestId("search-results").getByRole("listitem").count()).toBe(eleven);
    expect(requests.filter((r) => r.includes("/api/staff/case-titles"))).toEqual([]);
    await search.getByLabel("Words in the title, across all your cases").fill(WORDS);
    await hit.click();
    await page.waitForURL(new RegExp(`/staff/cases/${cases[TARGET]!.caseNumber}`));
    expect(errors).toEqual([]);
  });
});

/** After a full load the private key is unlocked again with the password (tab memory only). */
async function unlock(page: Page): Promise<void> {
  const inbox = page.getByTestId("inbox");
  const password = page.getByLabel(/^Password/);
  await Promise.race([inbox.waitFor({ timeout: 60_000 }), password.waitFor({ timeout: 60_000 })]);
  if (await password.isVisible()) {
    await password.fill("correct horse battery staple 42");
    await page.getByRole("button", { name: "Unlock" }).click();
  }
  await inbox.waitFor({ timeout: 60_000 });
}
