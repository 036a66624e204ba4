// End to end in Chromium for the investigator workspace: the first-run setup
// link and an invitation, both activated with keys made in the browser; first
// sign-in with the authenticator enrolment, the inbox with the title decrypted in the browser,
// a question to the reporter and the reporter's answer, an internal note the
// reporter never sees, closing the case; and the excluded investigator, who
// sees nothing, and gets a 404 for the case's own URL. Back after leaving a
// case page asks for the password instead of showing the case again. A sign-in
// page on a client that a storm of wrong sign-ins put in back-off gets past it
// by itself, with a proof of work solved in a worker (ADR 035).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { chromiumAvailable, launchChromium, leaveAndGoBack, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { createStaff, PASSWORD } from "../support/staff";
import { withSolvedPow } from "../support/pow";
import { totpCode } from "../support/staff-session";
import { toBase64Url } from "../../crypto";
import { randomBytes } from "node:crypto";

describe.skipIf(!chromiumAvailable())("investigator workspace in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let receipt: string;
  let caseNumber: string;
  const errors: string[] = [];

  const newPage = () => watchedPage(browser, errors);

  const signInFirstTime = (page: Page, email: string, home = /\/staff\?/) => signInFirstTimeInBrowser(page, portal.url, email, home);

  async function activateInBrowser(page: Page, link: string, accounts: { prefix: string; email?: string; name: string }[]): Promise<string[]> {
    await page.goto(`${link}?lang=en`);
    for (const a of accounts) {
      if (a.email) await page.locator(`input[name="${a.prefix}-email"]`).fill(a.email);
      await page.locator(`input[name="${a.prefix}-name"]`).fill(a.name);
      await page.locator(`input[name="${a.prefix}-password"]`).fill(PASSWORD);
      await page.locator(`input[name="${a.prefix}-repeat"]`).fill(PASSWORD);
    }
    await page.getByRole("button", { name: "Create my keys and activate" }).click();
    await page.getByTestId("recovery-key").first().waitFor({ timeout: 60_000 });
    return page.getByTestId("recovery-key").allTextContents();
  }

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
  });

  it("sets up the first administrator and investigator from the one-time link, with keys made in the browser", async () => {
    const line = portal.logs.find((l) => l.includes("setupLink"))!;
    const link = JSON.parse(line).setupLink as string;
    const page = await newPage();
    const keys = await activateInBrowser(page, link, [
      { prefix: "admin", email: "chief@okestro.example", name: "Chief" },
      { prefix: "investigator", email: "kang@okestro.example", name: "Kang" },
    ]);
    expect(keys).toHaveLength(2);
    for (const k of keys) expect(k).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){12}$/);
    // The link is spent.
    await page.goto(`${link}?lang=en`);
    await expect(page.locator("body").textContent()).resolves.toContain("not valid");
  });

  it("lets the administrator invite an investigator, who activates the account in the browser", async () => {
    const page = await newPage();
    await signInFirstTime(page, "chief@okestro.example", /\/admin\?/);
    await page.getByRole("navigation", { name: "Administration sections" }).getByRole("link", { name: "Invitations" }).click();
    await page.waitForURL(/\/admin\/invitations\?/);
    await page.getByLabel("Email").first().fill("yoon@okestro.example");
    await page.getByRole("button", { name: "Create invitation link" }).click();
    const link = (await page.getByTestId("invite-link").textContent({ timeout: 30_000 }))!;
    await page.goto(`${portal.url}/admin/accounts?lang=en`);
    expect(await page.getByTestId("staff-table").textContent()).toContain("kang@okestro.example");
    const invitee = await newPage();
    await activateInBrowser(invitee, link, [{ prefix: "invite", name: "Yoon" }]);
  });

  it("receives a report that excludes the invited investigator", async () => {
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const yoon = info.investigators.find((i) => i.displayName === "Yoon")!;
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[1]!.id,
        title: "Expense fraud <script>window.__x=1</script>",
        body: { description: "Receipts were forged <img src=x onerror=window.__y=1>", details: "", periodFrom: null, periodTo: null },
        identity: { name: "Anon", email: null, phone: null },
        excludedInvestigators: [yoon.id],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [],
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

  it("handles a case from sign-in to closing", async () => {
    const page = await newPage();
    await signInFirstTime(page, "kang@okestro.example");
    const inbox = page.getByTestId("inbox");
    await expect(inbox.textContent({ timeout: 30_000 })).resolves.toContain("Expense fraud <script>window.__x=1</script>");
    expect(await inbox.textContent()).toContain(caseNumber);
    await page.getByRole("link", { name: caseNumber }).click();
    await expect(page.getByTestId("staff-case-title").textContent({ timeout: 30_000 })).resolves.toBe("Expense fraud <script>window.__x=1</script>");
    expect(await page.getByTestId("staff-case-description").textContent()).toContain("onerror=window.__y=1");
    expect(await page.evaluate(() => [(window as unknown as { __x?: number }).__x, (window as unknown as { __y?: number }).__y])).toEqual([
      undefined,
      undefined,
    ]);

    // Acknowledge.
    await page.getByLabel("Change status to").selectOption("acknowledged");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("staff-case-status").textContent()).toBe("Acknowledged");

    // Ask a question; the reporter answers with the receipt.
    await page.getByLabel("Message to the reporter").fill("Who approved the expenses?");
    await page.getByLabel("Ask as a question").check();
    await page.getByRole("button", { name: "Encrypt and send" }).click();
    await expect.poll(() => page.getByTestId("staff-dialogue").textContent()).toContain("Who approved the expenses?");
    const reporter = await openCase(receipt, { baseUrl: portal.url });
    expect(reporter.case.messages.map((m) => [m.kind, m.text])).toEqual([["question", "Who approved the expenses?"]]);
    await reporter.session.sendMessage("The regional director");

    // A file for the reporter, encrypted and sent from the page's upload worker with the staff session's cookie.
    const sentToReporter = Buffer.from("규정 사본 / a copy of the travel rules\n".repeat(2000));
    await page.getByLabel("Add files").setInputFiles({ name: "rules.txt", mimeType: "text/plain", buffer: sentToReporter });
    await page.getByRole("button", { name: "Encrypt and upload" }).click();
    await expect.poll(() => page.getByRole("region", { name: "Files" }).textContent(), { timeout: 30_000 }).toContain("rules.txt");
    const withFile = await reporter.session.refresh();
    const fromStaff = withFile.attachments.find((a) => a.name === "rules.txt")!;
    expect(fromStaff.source).toBe("investigator");
    const got = await reporter.session.downloadAttachment(fromStaff.id);
    expect(Buffer.from(await got.blob.arrayBuffer()).equals(sentToReporter)).toBe(true);

    // An internal note.
    await page.getByLabel("New note").fill("Check the travel system logs");
    await page.getByRole("button", { name: "Encrypt and add note" }).click();
    await expect.poll(() => page.getByTestId("staff-notes").textContent()).toContain("Check the travel system logs");
    await page.reload();
    // After a reload the key is gone from memory: unlock it with the password.
    await page.getByLabel(/^Password/).fill(PASSWORD);
    await page.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => page.getByTestId("staff-dialogue").textContent(), { timeout: 30_000 }).toContain("The regional director");

    // Close with an outcome and a summary for the reporter.
    await page.getByLabel("Change status to").selectOption("closed");
    await page.getByLabel("Outcome").selectOption("substantiated");
    await page.getByLabel("Closing summary to the reporter").fill("Thank you; measures have been taken.");
    await page.getByRole("button", { name: "Apply" }).click();
    await expect.poll(() => page.getByTestId("staff-case-status").textContent()).toBe("Closed (Substantiated)");

    const after = await reporter.session.refresh();
    expect(after.status).toBe("closed");
    expect(after.messages.at(-1)!.text).toBe("Thank you; measures have been taken.");
    expect(JSON.stringify(after)).not.toContain("travel system logs");
    // A privacy request becomes a task in the investigator's inbox, with its due date.
    await reporter.session.requestPrivacy("access", null);
    await reporter.session.logout();
    await page.getByRole("link", { name: "Back to the cases" }).click();
    await expect.poll(() => page.getByTestId("privacy-tasks").textContent(), { timeout: 30_000 }).toContain(caseNumber);
    expect(await page.getByTestId("privacy-tasks").textContent()).toMatch(/Access: a copy of my report and messages · answer due/);
    expect(errors).toEqual([]);
  });

  it("shows the excluded investigator nothing, and the case URL is a 404", async () => {
    const page = await newPage();
    await signInFirstTime(page, "yoon@okestro.example");
    await expect.poll(() => page.locator("body").textContent(), { timeout: 30_000 }).toContain("0 cases");
    expect(await page.locator("body").textContent()).not.toContain(caseNumber);
    const response = await page.goto(`${portal.url}/staff/cases/${caseNumber}?lang=en`);
    expect(response!.status()).toBe(404);
    const missing = await page.goto(`${portal.url}/staff/cases/COR-0000-0000?lang=en`);
    expect(missing!.status()).toBe(404);
  });

  it("asks for the password, not showing the case, on Back after leaving the case page, whether or not the back/forward cache restores it", async () => {
    // As for the reporter (followup.e2e.test.ts): with the cache "on" Chromium does not keep the page; "forced",
    // it restores it with the decrypted case, and only the staff header's pageshow reload takes it away.
    const modes = ["on", "forced"] as const;
    for (const bfcache of modes) await createStaff(portal, "investigator", `back-${bfcache}@okestro.example`);
    const title = "Back-button case";
    const { caseNumber } = await submitTextReport(portal.url, { title, description: "Seen again after Back?", category: 1 });
    for (const bfcache of modes) {
      const b = await launchChromium({ bfcache });
      try {
        const page = await watchedPage(b, errors);
        await signInFirstTimeInBrowser(page, portal.url, `back-${bfcache}@okestro.example`, /\/staff\?/);
        // A document loaded after sign-in (Chromium restores no no-store page whose HttpOnly cookies changed
        // since it loaded), unlocked with the password; then a client-side navigation to the case keeps the key.
        await page.goto(`${portal.url}/staff?lang=en`);
        await page.getByLabel(/^Password/).fill(PASSWORD);
        await page.getByRole("button", { name: "Unlock" }).click();
        await page.getByRole("link", { name: caseNumber }).click({ timeout: 30_000 });
        await expect(page.getByTestId("staff-case-title").textContent({ timeout: 30_000 })).resolves.toBe(title);
        const how = await leaveAndGoBack(page, `${portal.url}/?lang=en`);
        if (bfcache === "forced") expect(how, "restored from the cache, then reloaded").toBe("reload");
        await page.getByLabel(/^Password/).waitFor({ timeout: 30_000 });
        expect(await page.locator("body").textContent()).not.toContain(title);
      } finally {
        await b.close();
      }
    }
    expect(errors).toEqual([]);
  });

  it("gets past a sign-in back-off by itself: a proof of work solved in a worker, said in a live region (ADR 035)", async () => {
    const email = "storm@okestro.example";
    await createStaff(portal, "investigator", email);
    const page = await newPage();
    const workers: string[] = [];
    page.on("worker", (w) => workers.push(w.url()));
    // Records every status line the page shows, however briefly (solving at the test difficulty is quick).
    await page.context().addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __powSeen: string[] }).__powSeen = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll("[data-testid=pow-notice]")) if (!seen.includes(el.textContent ?? "")) seen.push(el.textContent ?? "");
      }).observe(document, { subtree: true, childList: true, characterData: true });
    });
    // A still clock: the wait does not run out while the browser works; the TOTP code is made for that time.
    const still = new Date();
    portal.setNow(still);
    try {
      // The storm, from this machine (the browser's client too): the free failures, then two paid for.
      const wrong = (headers: Record<string, string> = {}) =>
        fetch(`${portal.url}/api/staff/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json", ...headers },
          body: JSON.stringify({ email, authKey: toBase64Url(randomBytes(32)) }),
        });
      for (let i = 0; i < 11; i++) expect((await wrong()).status).toBe(401);
      for (let i = 0; i < 2; i++) expect((await wrong(await withSolvedPow(portal.url, "staff-sign-in"))).status).toBe(401);
      expect((await wrong()).status).toBe(429);

      await page.goto(`${portal.url}/staff/login?lang=en`);
      await page.getByLabel(/^Email address/).fill(email);
      await page.getByLabel(/^Password/).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in" }).click();
      const secret = (await page.getByTestId("totp-secret").textContent({ timeout: 60_000 }))!;
      await page.getByLabel(/^Authenticator code/).fill(totpCode(secret, still.getTime()));
      await page.getByRole("button", { name: "Confirm" }).click();
      await page.getByTestId("recovery-codes").waitFor({ timeout: 30_000 });
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(/\/staff\?/);
    } finally {
      portal.setNow(null);
    }
    expect(await page.evaluate(() => (window as unknown as { __powSeen: string[] }).__powSeen)).toEqual([
      "Many failed sign-ins came from this network. Your browser is doing a short computation to continue…",
    ]);
    expect(workers.length).toBeGreaterThan(0);
    expect(workers.every((u) => u.startsWith(portal.url))).toBe(true);
    expect(errors).toEqual([]);
  });

  it("sends anyone without a staff session to the sign-in page", async () => {
    const page = await newPage();
    await page.goto(`${portal.url}/staff?lang=en`);
    await page.waitForURL(/\/staff\/login/);
    await expect.poll(() => page.locator("h1").textContent()).toBe("Sign in");
  });
});
