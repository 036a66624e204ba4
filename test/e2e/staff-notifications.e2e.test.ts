// End to end in Chromium for staff notifications: the inbox lists a new case
// as a plain sentence with a link to the case, "Mark all read" clears the
// unread mark, and the account page switches to a daily digest.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { loadSodium } from "../../crypto";
import { staffNotificationPrefs } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import { TestSmtp } from "../support/smtp";

describe.skipIf(!chromiumAvailable())("staff notifications in Chromium", () => {
  const smtp = new TestSmtp();
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let caseNumber = "";
  const errors: string[] = [];

  beforeAll(async () => {
    await loadSodium();
    await smtp.start();
    portal = await startTestPortal("pglite", { SMTP_URL: smtp.url, NOTIFY_INTERVAL_MINUTES: "0", RETENTION_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "MKE2ETITLE",
        body: { description: "d", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [],
      info,
      { baseUrl: portal.url },
    );
    caseNumber = r.caseNumber;
    page = await (await browser.newContext({ locale: "en-GB" })).newPage();
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to|hydrat/i.test(m.text())) errors.push(m.text());
    });
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await smtp.stop();
  });

  it("lists the new case in the inbox with a link to it, and marks everything read", async () => {
    await signInFirstTimeInBrowser(page, portal.url, "lee@okestro.example", /\/staff\?/);
    const section = page.getByTestId("staff-notifications");
    await expect.poll(() => section.textContent(), { timeout: 30_000 }).toContain("A new report has been received.");
    expect(await section.textContent()).toContain(`case ${caseNumber}`);
    expect(await section.textContent()).not.toContain("MKE2ETITLE");
    expect(await section.getByRole("heading", { name: /Notifications/ }).textContent()).toContain("1 unread");
    await section.getByRole("button", { name: "Mark all read" }).click();
    await expect.poll(() => section.getByRole("heading", { name: /Notifications/ }).textContent(), { timeout: 30_000 }).not.toContain("unread");
    expect(await section.getByRole("button", { name: "Mark all read" }).count()).toBe(0);
    await section.getByRole("link", { name: "open the case" }).click();
    await page.waitForURL(new RegExp(`/staff/cases/${caseNumber}`));
  });

  it("switches to a daily digest on the account page", async () => {
    await page.goto(`${portal.url}/staff/account?lang=en`);
    await page.getByLabel(/One summary a day/).check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("Your choice was saved.");
    expect((await portal.services.db.select().from(staffNotificationPrefs)).map((p) => p.mode)).toEqual(["digest"]);
    expect(errors).toEqual([]);
  });
});
