// End to end in Chromium for sharing with an affiliate: an investigator shares
// the title and the description (with one passage blacked out, and no
// identity: the reporter did not consent) with OKESTRO Cloud; a Cloud reviewer
// reads them and leaves feedback; an AGI reviewer sees nothing and gets a 404;
// the investigator reads the feedback and revokes; the Cloud reviewer finds the
// share gone; the reporter sees the provision in the follow-up view.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";

const TITLE = "Rigged tender at the data centre";
const KEEP = "The tender documents were changed after the deadline.";
const SECRET = "Witness: Kim from facilities";
const NAME = "Reporter Name Not For Affiliates";

describe.skipIf(!chromiumAvailable())("sharing with an affiliate in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let receipt: string;
  let caseNumber: string;
  let shareUrl: string;
  let investigator: Page;
  let cloud: Page;
  const errors: string[] = [];

  const newPage = () => watchedPage(browser, errors);

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]);
    await createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi", "--name", "AGI Reviewer"]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: TITLE,
        body: { description: `${KEEP} ${SECRET}.`, details: "Secret incident details", periodFrom: null, periodTo: null },
        identity: { name: NAME, email: null, phone: null },
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [memoryFile("evidence.txt", "text/plain", Buffer.from("not shared"))],
      info,
      { baseUrl: portal.url },
    );
    receipt = r.receiptCode;
    caseNumber = r.caseNumber;
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("lets the investigator share the title and a redacted description, pseudonymised, with OKESTRO Cloud", async () => {
    investigator = await newPage();
    await signInFirstTimeInBrowser(investigator, portal.url, "lee@okestro.example", /\/staff\?/);
    await investigator.getByRole("link", { name: caseNumber }).click();
    await expect.poll(() => investigator.getByTestId("staff-case-title").textContent(), { timeout: 30_000 }).toBe(TITLE);
    await investigator.getByRole("button", { name: "Share with an affiliate" }).click();
    // Without the reporter's consent the identity cannot be chosen, and the form says why.
    expect(await investigator.getByTestId("share-identity-note").textContent()).toContain("pseudonymised");
    expect(await investigator.locator("#share-item-name").isDisabled()).toBe(true);
    await investigator.getByLabel("OKESTRO Cloud").check();
    await investigator.locator("#share-item-title").check();
    await investigator.locator("#share-item-description").check();
    // Black out the witness in the text the affiliate will receive.
    await investigator.locator("#share-text-description").evaluate((area: HTMLTextAreaElement, secret) => {
      const at = area.value.indexOf(secret);
      area.focus();
      area.setSelectionRange(at, at + secret.length);
    }, SECRET);
    await investigator.getByRole("button", { name: "Black out the selected text in Description" }).click();
    expect(await investigator.locator("#share-text-description").inputValue()).not.toContain(SECRET);
    await investigator.locator('select[name="purpose"]').selectOption("fact_finding");
    await investigator.getByRole("button", { name: "Encrypt and share" }).click();
    await expect.poll(() => investigator.getByTestId("share-cloud").textContent(), { timeout: 30_000 }).toContain("Active");
    expect(await investigator.getByTestId("share-cloud").textContent()).toContain("Cloud Reviewer");
    expect(await investigator.getByTestId("provisions").textContent()).toMatch(/OKESTRO Cloud.*Title, Description.*Privacy policy/);
  });

  it("lets the Cloud reviewer read exactly that, and leave feedback", async () => {
    cloud = await newPage();
    await signInFirstTimeInBrowser(cloud, portal.url, "cloud@okestro.example", /\/affiliate\?/);
    await expect.poll(() => cloud.getByTestId("affiliate-shares").textContent(), { timeout: 30_000 }).toContain(caseNumber);
    await cloud.getByRole("link", { name: `Open case ${caseNumber}` }).click();
    await expect.poll(() => cloud.getByTestId("affiliate-title").textContent(), { timeout: 30_000 }).toBe(TITLE);
    shareUrl = cloud.url();
    const description = (await cloud.getByTestId("affiliate-description").textContent())!;
    expect(description).toContain(KEEP);
    expect(description).not.toContain(SECRET);
    const page = (await cloud.locator("main, body").first().textContent())!;
    for (const absent of [SECRET, NAME, "Secret incident details", "evidence.txt"]) expect(page).not.toContain(absent);
    expect(page).toContain("The reporter's identity is not part of this share.");
    await cloud.getByLabel(/^Feedback for the ethics team/).fill("Our facilities team confirms the change log.");
    await cloud.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => cloud.getByTestId("affiliate-feedback").textContent(), { timeout: 30_000 })
      .toContain("Our facilities team confirms the change log.");
  });

  it("shows the AGI reviewer nothing, and the Cloud share's address is a 404 for them", async () => {
    const agi = await newPage();
    await signInFirstTimeInBrowser(agi, portal.url, "agi@okestro.example", /\/affiliate\?/);
    await expect.poll(() => agi.getByTestId("affiliate-empty").textContent(), { timeout: 30_000 }).toContain("Nothing is shared");
    expect(await agi.locator("body").textContent()).not.toContain(caseNumber);
    expect((await agi.goto(shareUrl))!.status()).toBe(404);
    expect((await agi.goto(`${portal.url}/staff/cases/${caseNumber}?lang=en`))!.status()).toBe(403);
  });

  it("lets the investigator read the feedback and revoke; the Cloud reviewer then finds the share gone", async () => {
    await investigator.reload();
    await investigator.getByLabel(/^Password/).fill(PASSWORD);
    await investigator.getByRole("button", { name: "Unlock" }).click();
    await expect
      .poll(() => investigator.getByTestId("share-feedback").textContent(), { timeout: 30_000 })
      .toContain("Our facilities team confirms the change log.");
    investigator.once("dialog", (d) => void d.accept());
    await investigator.getByRole("button", { name: "Revoke this share" }).click();
    await expect.poll(() => investigator.getByTestId("share-cloud").textContent(), { timeout: 30_000 }).toContain("Revoked");

    expect((await cloud.goto(shareUrl))!.status()).toBe(404);
    await cloud.goto(`${portal.url}/affiliate?lang=en`);
    await expect.poll(() => cloud.getByTestId("affiliate-empty").textContent(), { timeout: 30_000 }).toContain("Nothing is shared");

    const reporter = await openCase(receipt, { baseUrl: portal.url });
    expect(reporter.case.provisions).toEqual([expect.objectContaining({ affiliate: "cloud", items: ["title", "description"], endReason: "revoked" })]);
    await reporter.session.logout();
    expect(errors).toEqual([]);
  });
});
