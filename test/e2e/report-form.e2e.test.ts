// End to end in Chromium: the report form guides. An empty submission gets one announced summary that
// names each field by its label and links to it; the optional-items consent is asked where a file or
// contact details are given; safety advice sits next to them; there is no e-mail option on a portal that
// sends no e-mail; Korean breaks between words. (The e-mail option on a portal that sends e-mail:
// notifications.e2e.test.ts.)
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

/** The section (top-level fieldset) of the form an element is in, by its heading. */
const sectionOf = (page: Page, id: string) =>
  page.evaluate((id) => document.getElementById(id)?.closest(".report-form > fieldset")?.querySelector("legend")?.textContent ?? null, id);

describe.skipIf(!chromiumAvailable())("the report form guides, in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite"); // no SMTP_URL: this portal sends no e-mail
    await createStaff(portal, "investigator", "yoon@okestro.example", ["--name", "Yoon Investigator"]);
    browser = await launchChromium();
    page = await watchedPage(browser, errors);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  const openForm = async (lang = "en") => {
    await page.goto(`${portal.url}/report?lang=${lang}`);
    await expect.poll(() => page.locator('button[type="submit"]').isEnabled()).toBe(true);
  };

  it("the error summary names and links the fields, and only the summary is announced", async () => {
    await openForm();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    const summary = page.getByTestId("error-summary");
    await summary.waitFor();
    const links = summary.getByRole("link");
    expect(await links.allTextContents()).toEqual([
      "Type of report: This field is required.",
      "Title: This field is required.",
      "Description: This field is required.",
      "Consent to the collection and use of the report: Your consent is needed to submit a report.",
    ]);

    // Each entry moves focus to its field, whose label starts with the name the entry gave.
    for (let i = 0; i < (await links.count()); i++) {
      const link = links.nth(i);
      const [name] = (await link.textContent())!.split(":");
      await link.click();
      const focused = await page.evaluate(() => {
        const el = document.activeElement as HTMLInputElement | null;
        return { id: el?.id, label: el?.labels?.[0]?.textContent ?? "" };
      });
      expect(`#${focused.id}`).toBe(await link.getAttribute("href"));
      if (focused.id === "f-consentReport") expect(focused.label).toMatch(/^I agree to the collection and use of my report/);
      else expect(focused.label.startsWith(name!)).toBe(true);
    }

    // The fields still say what is wrong with them, but are not live regions: the summary is the one announcement.
    const fieldErrors = page.locator(".report-form .error-text");
    expect(await fieldErrors.count()).toBe(4);
    const inLiveRegion = await fieldErrors.evaluateAll((els) =>
      els.map((e) => e.closest('[role="alert"], [role="status"], [role="log"], [aria-live]') !== null),
    );
    expect(inLiveRegion).toEqual([false, false, false, false]);
    const announcing = await page
      .locator('[role="alert"], [role="status"], [role="log"], [aria-live]')
      .evaluateAll((els) => els.filter((e) => (e.textContent ?? "").trim() !== "").map((e) => e.getAttribute("data-testid")));
    expect(announcing).toEqual(["error-summary"]);
    expect(await portal.services.db.select().from(reports)).toEqual([]);
  });

  it("asks for the optional-items consent at the Files section when a file is attached, next to safety advice", async () => {
    await openForm();
    // Nothing optional given: no consent checkbox for it yet, only a word where it will be asked.
    expect(await page.locator("#f-consentOptional").count()).toBe(0);
    expect(await page.locator("body").textContent()).toContain("your consent to these optional items is asked next to them");
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    await page.getByLabel(/^Title/).fill("Consent where the files are");
    await page.getByLabel(/^Description/).fill("A file attached without the optional consent");
    await page.locator('input[name="consentReport"]').check();
    await page.locator('input[name="attachments"]').setInputFiles({ name: "ledger.csv", mimeType: "text/csv", buffer: Buffer.from("a,b\n1,2\n") });

    await page.locator("#f-consentOptional").waitFor();
    expect(await sectionOf(page, "f-consentOptional")).toBe("Files");
    expect(await page.locator(".report-form > fieldset", { hasText: "Files" }).locator(".advice").textContent()).toMatch(
      /removes hidden details .* other types of files may keep theirs/,
    );
    expect(await page.locator(".report-form > fieldset", { hasText: "Your contact details" }).locator(".advice").textContent()).toMatch(/may be monitored/);

    // Submitting without it: the summary names the consent and leads to the checkbox at the Files section.
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    const entry = page.getByTestId("error-summary").getByRole("link");
    expect(await entry.allTextContents()).toEqual([expect.stringMatching(/^Consent to the optional items: You gave optional items/)]);
    await entry.click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-consentOptional");

    // Ticked there, it stays ticked when contact details move it next to them, and it is what is submitted.
    await page.locator("#f-consentOptional").check();
    await page.getByLabel(/^Name/).fill("Yoo Jaesuk");
    await expect.poll(() => sectionOf(page, "f-consentOptional")).toBe("Your contact details");
    expect(await page.locator("#f-consentOptional").isChecked()).toBe(true);
    expect(await page.locator(".report-form > fieldset", { hasText: "Files" }).getByRole("link").textContent()).toMatch(/Your files are covered/);
    await page.getByRole("button", { name: "Encrypt and submit" }).click();
    await page.getByTestId("receipt-code").waitFor({ timeout: 60_000 });
    const [row] = await portal.services.db.select().from(reports);
    expect(row!.consentOptional).toBe(true);
  });

  it("offers no e-mail option on a portal that sends no e-mail", async () => {
    await openForm();
    expect(await page.locator("#f-notifyByEmail").count()).toBe(0);
    expect(await page.getByRole("checkbox", { name: /E-mail me/ }).count()).toBe(0);
    expect(await page.locator("body").textContent()).toContain("This portal does not send e-mail.");
  });

  it("breaks Korean between words (word-break: keep-all), English as usual", async () => {
    await openForm("ko");
    expect(await page.getAttribute("html", "lang")).toBe("ko");
    const style = (selector: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((e) => getComputedStyle(e).wordBreak);
    expect(await style("#report-intro")).toBe("keep-all");
    expect(await style(".report-form .hint")).toBe("keep-all");
    await openForm("en");
    expect(await style("#report-intro")).toBe("normal");
    expect(errors).toEqual([]);
  });
});
