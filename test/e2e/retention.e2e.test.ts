// End to end in Chromium for the life of a case: an investigator places a
// legal hold, so granting the reporter's deletion request is refused and the
// reporter sees why; with the hold lifted a new request is granted and the case
// is gone; a closed case is moved into the archive from the case page and an
// administrator reads it there, decrypted in the browser.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";

describe.skipIf(!chromiumAvailable())("retention, deletion and the archive in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const reports: Record<"deleted" | "archived", { reportId: string; caseNumber: string; receipt: string }> = {} as never;

  const newPage = () => watchedPage(browser, errors, { watch: /Content Security Policy|Refused to|hydrat/i });
  const openInBrowser = async (caseNumber: string) => {
    await page.getByTestId("inbox").getByRole("link", { name: caseNumber }).click();
    await page.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
  };

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "admin", "chief@okestro.example", ["--name", "Chief"]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    for (const which of ["deleted", "archived"] as const) {
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: `Case to be ${which}`,
          body: { description: `Description of the case to be ${which}`, details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        which === "archived" ? [memoryFile("ledger.csv", "text/csv", Buffer.from("a,b\n1,2\n"))] : [],
        info,
        { baseUrl: portal.url },
      );
      reports[which] = { reportId: r.reportId, caseNumber: r.caseNumber, receipt: r.receiptCode };
    }
    const reporter = await openCase(reports.deleted.receipt, { baseUrl: portal.url });
    await reporter.session.requestPrivacy("deletion", "Please delete everything.");
    await reporter.session.logout();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("refuses a deletion while a legal hold applies, and the reporter reads why", async () => {
    page = await newPage();
    await signInFirstTimeInBrowser(page, portal.url, "lee@okestro.example", /\/staff\?/);
    await openInBrowser(reports.deleted.caseNumber);
    await page.getByLabel(/^Reason for a new hold/).selectOption("litigation");
    await page.getByRole("button", { name: "Place a legal hold" }).click();
    await expect.poll(() => page.getByTestId("case-holds").textContent(), { timeout: 30_000 }).toContain("Litigation");
    expect(await page.getByTestId("case-retention").textContent()).toContain("legal hold");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Grant: destroy the case now" }).click();
    await expect.poll(() => page.getByTestId("privacy-decision").textContent(), { timeout: 30_000 }).toContain("legal hold");
    const seen = (await openCase(reports.deleted.receipt, { baseUrl: portal.url })).case.privacyRequests[0]!;
    expect(seen).toMatchObject({ outcome: "refused", refusalReason: "legal_hold" });
    // In the reporter's own page too.
    const reporterPage = await newPage();
    await reporterPage.goto(`${portal.url}/status?lang=en`);
    await reporterPage.getByLabel(/^Secret receipt code/).fill(reports.deleted.receipt);
    await reporterPage.getByRole("button", { name: "Open my case" }).click();
    await expect.poll(() => reporterPage.getByTestId("privacy-refusal").textContent(), { timeout: 30_000 }).toContain("legal hold");
  });

  it("grants a new deletion request once the hold is lifted: the case is gone", async () => {
    await page.getByRole("button", { name: "Lift this hold" }).click();
    await expect.poll(() => page.getByTestId("case-holds").textContent(), { timeout: 30_000 }).toContain("lifted");
    const reporter = await openCase(reports.deleted.receipt, { baseUrl: portal.url });
    await reporter.session.requestPrivacy("deletion", "Please, now.");
    await reporter.session.logout();
    await page.reload();
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole("button", { name: "Unlock" }).click();
    await page.getByRole("button", { name: "Grant: destroy the case now" }).waitFor({ timeout: 30_000 });
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Grant: destroy the case now" }).click();
    await page.waitForURL(/\/staff(\?|$)/, { timeout: 30_000 });
    await expect(openCase(reports.deleted.receipt, { baseUrl: portal.url })).rejects.toMatchObject({ status: 404 });
    expect((await page.goto(`${portal.url}/staff/cases/${reports.deleted.caseNumber}?lang=en`))!.status()).toBe(404);
  });

  it("moves a closed case into the archive, where an administrator reads it", async () => {
    const c = reports.archived;
    await page.goto(`${portal.url}/staff?lang=en`);
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole("button", { name: "Unlock" }).click();
    await openInBrowser(c.caseNumber);
    await page.getByLabel("Change status to").selectOption("acknowledged");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("staff-case-status").textContent()).toBe("Acknowledged");
    await page.getByLabel("Change status to").selectOption("closed");
    await page.getByLabel("Outcome").selectOption("referred");
    await page.getByLabel("Closing summary to the reporter").fill("Referred to the tax team.");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("staff-case-status").textContent()).toBe("Closed (Referred elsewhere)");
    await page.getByLabel(/^Statute that requires keeping the records/).selectOption("national_tax");
    page.once("dialog", (d) => void d.accept());
    await page.getByRole("button", { name: "Encrypt, archive and remove from the workspace" }).click();
    await page.waitForURL(/\/staff(\?|$)/, { timeout: 30_000 });
    expect((await page.goto(`${portal.url}/staff/cases/${c.caseNumber}?lang=en`))!.status()).toBe(404);

    const admin = await newPage();
    await signInFirstTimeInBrowser(admin, portal.url, "chief@okestro.example", /\/admin\?/);
    await admin.getByRole("navigation", { name: "Administration sections" }).getByRole("link", { name: "Archives" }).click();
    await admin.getByRole("link", { name: `Open archived case ${c.caseNumber}` }).click();
    await expect.poll(() => admin.getByTestId("archive-title").textContent(), { timeout: 30_000 }).toBe("Case to be archived");
    expect(await admin.getByTestId("archive-description").textContent()).toBe("Description of the case to be archived");
    expect(await admin.getByTestId("archive-dialogue").textContent()).toContain("Referred to the tax team.");
    expect(await admin.locator("body").textContent()).toContain("ledger.csv");
    // The investigator's browser cannot open the archive.
    expect((await page.goto(`${portal.url}/admin/archives?lang=en`))!.status()).toBe(403);
    expect(errors).toEqual([]);
  });
});
