// End to end in Chromium for masked passages (ADR 053): an investigator masks a passage of the description by
// selecting it and pressing "Mask a passage…", and passages of a reporter's message and of a note by typing them
// into the dialog (the keyboard's way). A marker string inside each masked passage is then absent from the case
// page's text: right after masking, after a reload, for a second investigator, in the investigators' view of a share
// made after masking and in what the affiliate's reviewer reads, and in the investigators' view of a share made
// before it (whose reviewers keep what they were sent, ADR 053). Showing a passage takes a reason and is recorded;
// a reload masks it again. The reporter's follow-up view still shows their own words.
import { and, eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCase } from "../../app/reporter/followup-client";
import { auditLog } from "../../db/schema";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff, PASSWORD } from "../support/staff";

const BODY_MARK = "MASKE2E-body-4d1";
const MESSAGE_MARK = "MASKE2E-message-8b2";
const NOTE_MARK = "MASKE2E-note-c73";
const MARKS = [BODY_MARK, MESSAGE_MARK, NOTE_MARK];
const BODY_PASSAGE = `김민수 ${BODY_MARK} 😷 심장 질환`;
const DESCRIPTION = `The manager told ${BODY_PASSAGE} to keep quiet. The invoices were approved anyway.`;
const MESSAGE_PASSAGE = `my sister ${MESSAGE_MARK}`;
const MESSAGE = `I can add that ${MESSAGE_PASSAGE} saw the invoices too.`;
const NOTE = `Check whether ${NOTE_MARK} still works in finance.`;

describe.skipIf(!chromiumAvailable())("masked passages in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let receipt: string;
  let caseNumber: string;
  let reportId: string;
  let lee: Page;
  const errors: string[] = [];

  const newPage = () => watchedPage(browser, errors);
  const caseText = (page: Page) =>
    page
      .locator("body")
      .textContent()
      .then((t) => t ?? "");
  const descriptionText = (page: Page) => page.getByTestId("staff-case-description").textContent();
  /** The page's whole text holds none of the marker strings. */
  const expectNoMarks = async (page: Page) => {
    const text = await caseText(page);
    for (const m of MARKS) expect(text, m).not.toContain(m);
  };
  const openCasePage = async (page: Page) => {
    await page.getByRole("link", { name: caseNumber }).click();
    await expect.poll(() => page.getByTestId("staff-case-title").textContent(), { timeout: 30_000 }).toBe("Pressure to keep quiet");
  };
  /** Shares the title and description with an affiliate through the case page's form. */
  const share = async (page: Page, affiliate: string, slug: string) => {
    await page.getByRole("button", { name: "Share with an affiliate" }).click();
    await page.getByLabel(affiliate).check();
    await page.locator("#share-item-title").check();
    await page.locator("#share-item-description").check();
    await page.getByRole("button", { name: "Encrypt and share" }).click();
    await expect.poll(() => page.getByTestId(`share-${slug}`).textContent(), { timeout: 30_000 }).toContain("Active");
  };
  const audits = async (action: string) =>
    (
      await portal.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.reportId, reportId), eq(auditLog.action, action)))
    ).length;

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    await createStaff(portal, "investigator", "kim@okestro.example", ["--name", "Kim"]);
    await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]);
    await createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi", "--name", "AGI Reviewer"]);
    const r = await submitTextReport(portal.url, { title: "Pressure to keep quiet", description: DESCRIPTION });
    receipt = r.receiptCode;
    caseNumber = r.caseNumber;
    reportId = r.reportId;
    const reporter = await openCase(receipt, { baseUrl: portal.url });
    await reporter.session.sendMessage(MESSAGE);
    await reporter.session.logout();
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("masks a selected passage of the description, and typed passages of a message and a note", async () => {
    lee = await newPage();
    await signInFirstTimeInBrowser(lee, portal.url, "lee@okestro.example", /\/staff\?/);
    await openCasePage(lee);
    expect(await descriptionText(lee)).toContain(BODY_MARK);
    // A share made before masking: its preview on the case page holds the passage for now.
    await share(lee, "OKESTRO AGI", "agi");
    expect(await lee.getByTestId("share-agi").textContent()).toContain(BODY_MARK);

    // Select the passage in the rendered description, then press the button under it.
    await lee.getByTestId("staff-case-description").evaluate((p, passage) => {
      const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const at = n.textContent!.indexOf(passage);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(n, at);
        range.setEnd(n, at + passage.length);
        window.getSelection()!.removeAllRanges();
        window.getSelection()!.addRange(range);
        return;
      }
      throw new Error("passage not rendered");
    }, BODY_PASSAGE);
    await lee.getByTestId("mask-passage").first().click();
    expect(await lee.locator("#mask-passage").inputValue()).toBe(BODY_PASSAGE);
    expect(await lee.getByTestId("mask-found").textContent()).toContain("1");
    await lee.locator("#mask-reason").fill("A colleague's health");
    await lee.getByTestId("mask-submit").click();
    await expect.poll(() => descriptionText(lee), { timeout: 30_000 }).toContain("[masked]");
    const description = (await descriptionText(lee))!;
    expect(description).not.toContain(BODY_MARK);
    expect(description).toContain("The manager told [masked] to keep quiet.");

    // The reporter's message, by keyboard: focus the button, open the dialog with Enter, type the passage.
    const dialogue = lee.getByTestId("staff-dialogue");
    await dialogue.getByTestId("mask-passage").first().focus();
    await lee.keyboard.press("Enter");
    await lee.locator("#mask-passage").fill("not in this message");
    await lee.getByTestId("mask-submit").click();
    expect(await lee.getByTestId("mask-error").textContent()).toMatch(/does not contain this passage/);
    await lee.locator("#mask-passage").fill(MESSAGE_PASSAGE);
    await lee.getByTestId("mask-submit").click();
    await expect.poll(() => dialogue.textContent(), { timeout: 30_000 }).toContain("[masked]");

    // A note written on the page, then masked the same way.
    await lee.getByLabel(/^New note/).fill(NOTE);
    await lee.getByRole("button", { name: "Encrypt and add note" }).click();
    const notes = lee.getByTestId("staff-notes");
    await expect.poll(() => notes.textContent(), { timeout: 30_000 }).toContain(NOTE_MARK);
    await notes.getByTestId("mask-passage").first().click();
    await lee.locator("#mask-passage").fill(NOTE_MARK);
    await lee.getByTestId("mask-submit").click();
    await expect.poll(() => notes.textContent(), { timeout: 30_000 }).toContain("[masked]");

    await expectNoMarks(lee);
    expect(await lee.getByRole("button", { name: /^\[masked\]: a masked passage/ }).count()).toBe(3);
    expect(await audits("mask.added")).toBe(3);
  });

  it("keeps them masked after a reload", async () => {
    await lee.reload();
    await lee.getByLabel(/^Password/).fill(PASSWORD);
    await lee.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => descriptionText(lee), { timeout: 30_000 }).toContain("[masked]");
    await expectNoMarks(lee);
  });

  it("masks them for a second investigator too", async () => {
    const kim = await newPage();
    await signInFirstTimeInBrowser(kim, portal.url, "kim@okestro.example", /\/staff\?/);
    await openCasePage(kim);
    await expect.poll(() => descriptionText(kim), { timeout: 30_000 }).toContain("[masked]");
    await expectNoMarks(kim);
    await kim.close();
  });

  it("shares the masked description with an affiliate, whose reviewer reads the marker, not the passage", async () => {
    await lee.getByRole("button", { name: "Share with an affiliate" }).click();
    expect(await lee.locator("#share-text-description").inputValue()).not.toContain(BODY_MARK);
    await lee.locator(".share-form").getByRole("button", { name: "Cancel" }).click();
    await share(lee, "OKESTRO Cloud", "cloud");
    await expectNoMarks(lee);
    expect(await lee.getByTestId("share-cloud").textContent()).toContain("[masked / 가림 처리됨]");

    const cloud = await newPage();
    await signInFirstTimeInBrowser(cloud, portal.url, "cloud@okestro.example", /\/affiliate\?/);
    await cloud.getByRole("link", { name: `Open case ${caseNumber}` }).click();
    await expect.poll(() => cloud.getByTestId("affiliate-description").textContent(), { timeout: 30_000 }).toContain("[masked / 가림 처리됨]");
    const text = (await cloud.locator("body").textContent())!;
    for (const m of MARKS) expect(text).not.toContain(m);
    expect(text).toContain("The manager told [masked / 가림 처리됨] to keep quiet.");
    await cloud.close();
  });

  it("shows a masked passage only after a reason is recorded, and until the page is reloaded", async () => {
    await lee.getByTestId("staff-case-description").getByTestId("masked-passage").click();
    expect(await lee.getByTestId("mask-dialog").textContent()).toContain("A colleague's health");
    await lee.getByTestId("mask-confirm").click();
    expect(await lee.getByTestId("mask-error").textContent()).toContain("Choose a reason");
    expect(await audits("mask.revealed")).toBe(0);
    await lee.locator("#mask-reason-code").selectOption("investigation_need");
    await lee.getByTestId("mask-confirm").click();
    await expect.poll(() => lee.getByTestId("masked-shown").textContent(), { timeout: 30_000 }).toContain(BODY_MARK);
    expect(await audits("mask.revealed")).toBe(1);
    // The case history says so, in words.
    await expect.poll(() => caseText(lee), { timeout: 30_000 }).toContain("Lee was shown a masked passage of case");

    await lee.reload();
    await lee.getByLabel(/^Password/).fill(PASSWORD);
    await lee.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => descriptionText(lee), { timeout: 30_000 }).toContain("[masked]");
    await expectNoMarks(lee);
  });

  it("leaves the reporter's follow-up view with their own words", async () => {
    const page = await newPage();
    await page.goto(`${portal.url}/status?lang=en`);
    await page.locator('input[name="receipt"]').fill(receipt);
    await page.getByRole("button", { name: "Open my case" }).click();
    await expect(page.getByTestId("case-title").textContent({ timeout: 30_000 })).resolves.toBe("Pressure to keep quiet");
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain(MESSAGE_MARK);
    const text = (await page.locator("body").textContent())!;
    expect(text).toContain(BODY_PASSAGE);
    expect(text).toContain(MESSAGE_PASSAGE);
    expect(text).not.toContain("[masked]");
    expect(text).not.toContain(NOTE_MARK);
    await page.close();
    expect(errors).toEqual([]);
  });
});
