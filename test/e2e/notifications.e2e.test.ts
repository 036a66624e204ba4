// End to end in Chromium for update e-mails: the reporter asks for them on the
// form; the investigator's case page sends one when acknowledging; with the
// SMTP server down the page says so and its retry delivers once when it is back;
// the reporter switches them off on the follow-up page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import { TestSmtp } from "../support/smtp";

const ADDRESS = "reporter-e2e@example.org";

describe.skipIf(!chromiumAvailable())("update e-mails in Chromium", () => {
  const smtp = new TestSmtp();
  let portal: TestPortal;
  let browser: Browser;
  let staff: Page;
  let receipt = "";
  let caseNumber = "";
  const errors: string[] = [];

  const newPage = () => watchedPage(browser, errors, { locale: "ko-KR" });

  beforeAll(async () => {
    await smtp.start();
    portal = await startTestPortal("pglite", { SMTP_URL: smtp.url, NOTIFY_INTERVAL_MINUTES: "0", RETENTION_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await smtp.stop();
  });

  it("lets the reporter ask for update e-mails on the form, in Korean", async () => {
    const page = await newPage();
    await page.goto(`${portal.url}/report?lang=ko`);
    await page.locator('select[name="category"]').selectOption({ index: 1 });
    await page.locator('[name="title"]').fill("알림 테스트 제보");
    await page.locator('textarea[name="description"]').fill("설명입니다"); // not the page's <meta name="description">
    await page.locator('input[name="email"]').fill(ADDRESS);
    // This portal sends e-mail, so the form offers it (a portal that does not: report-form.e2e.test.ts).
    expect(await page.locator("#f-notifyByEmail").count()).toBe(1);
    await page.locator("#f-notifyByEmail").check();
    await page.locator('input[name="consentReport"]').check();
    await page.locator('input[name="consentOptional"]').check();
    await page.locator('button[type="submit"]').click();
    receipt = (await page.getByTestId("receipt-code").textContent({ timeout: 60_000 }))!.trim();
    caseNumber = (await page.getByTestId("case-number").textContent())!.trim();
    expect(receipt.length).toBeGreaterThan(10);
  });

  it("sends one e-mail when the investigator acknowledges, and retries once after a failure", async () => {
    staff = await newPage();
    await staff.goto(`${portal.url}/staff/login?lang=en`);
    await signInFirstTimeInBrowser(staff, portal.url, "lee@okestro.example", /\/staff\?/);
    await staff.getByTestId("inbox").getByRole("link", { name: caseNumber }).click();
    await staff.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
    await staff.getByLabel("Change status to").selectOption("acknowledged");
    await staff.getByRole("button", { name: "Apply" }).click();
    // Said where the action was taken: in the workflow section, next to the status form (ADR 049).
    await expect
      .poll(() => staff.getByTestId("case-section-workflow").getByTestId("reporter-mail").textContent(), { timeout: 30_000 })
      .toContain("content-free e-mail");
    expect(smtp.to(ADDRESS)).toHaveLength(1);
    expect(smtp.to(ADDRESS)[0]!.language).toBe("ko");
    expect(smtp.to(ADDRESS)[0]!.raw).not.toContain(caseNumber);

    const port = smtp.port;
    await smtp.stop();
    await staff.getByLabel("Message to the reporter").fill("Could you tell us more?");
    await staff.getByRole("button", { name: "Encrypt and send" }).click();
    await staff.getByTestId("case-section-dialogue").getByTestId("reporter-mail-failed").waitFor({ timeout: 30_000 });
    await smtp.start(port);
    await staff.getByRole("button", { name: "Send the e-mail again" }).click();
    await expect
      .poll(() => staff.getByTestId("case-section-dialogue").getByTestId("reporter-mail").textContent(), { timeout: 30_000 })
      .toContain("content-free e-mail");
    expect(await staff.getByTestId("reporter-mail-failed").count()).toBe(0);
    expect(smtp.to(ADDRESS)).toHaveLength(2);
  });

  it("lets the reporter switch the e-mails off on the follow-up page", async () => {
    const page = await newPage();
    await page.goto(`${portal.url}/status?lang=en`);
    await page.getByLabel(/^Secret receipt code/).fill(receipt);
    await page.getByRole("button", { name: "Open my case" }).click();
    await expect.poll(() => page.getByTestId("email-updates").textContent(), { timeout: 30_000 }).toContain("You get an e-mail");
    await page.getByRole("button", { name: "Turn update e-mails off" }).click();
    await expect.poll(() => page.getByTestId("email-updates").textContent(), { timeout: 30_000 }).toContain("You get no e-mails");
    // The investigator's next message sends nothing.
    await staff.reload();
    await staff.getByLabel(/^Password/).fill("correct horse battery staple 42");
    await staff.getByRole("button", { name: "Unlock" }).click();
    await staff.getByLabel("Message to the reporter").fill("Thank you.");
    await staff.getByRole("button", { name: "Encrypt and send" }).click();
    await expect.poll(() => staff.getByTestId("staff-dialogue").textContent(), { timeout: 30_000 }).toContain("Thank you.");
    expect(smtp.to(ADDRESS)).toHaveLength(2);
    expect(errors).toEqual([]);
  });
});
