// End to end in Chromium with JavaScript OFF (Tor Browser's "Safest" setting):
// the follow-up page points to the plain forms, which say what they mean; the
// reporter signs in with the receipt code, reads the investigator's question
// (escaped), answers; the investigator, in Chromium with JavaScript, decrypts
// the answer on the case page. No marker is anywhere at rest or in the logs.
import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumAvailable, launchChromium, leavesOrigin, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";

const M = (f: string) => `NOJSE2E-${f}-7d19`;
const fileBytes = Buffer.from(`${M("fileBody")}\n`.repeat(5000));

describe.skipIf(!chromiumAvailable())("follow-up without JavaScript in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let staff: Page;
  let reporter: Page;
  let receipt = "";
  let caseNumber = "";
  const errors: string[] = [];

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    const made = await submitTextReport(portal.url, { title: M("title"), description: M("description") });
    receipt = made.receiptCode;
    caseNumber = made.caseNumber;
    browser = await launchChromium();
    // The reporter's browser runs no scripts at all; whatever it requests stays on the portal's origin.
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    reporter = await context.newPage();
    // (A refused code answers 400, which Chromium also logs: only CSP refusals count here.)
    reporter.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(`reporter console: ${m.text()}`);
    });
    reporter.on("request", (r) => {
      if (leavesOrigin(r.url(), new URL(portal.url).origin)) errors.push(`request to another origin: ${r.url()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("has the investigator ask a question from the case page", async () => {
    staff = await watchedPage(browser, errors);
    await staff.goto(`${portal.url}/staff/login?lang=en`);
    await signInFirstTimeInBrowser(staff, portal.url, "lee@okestro.example", /\/staff\?/);
    await staff.getByTestId("inbox").getByRole("link", { name: caseNumber }).click();
    await expect(staff.getByTestId("staff-case-title").textContent({ timeout: 30_000 })).resolves.toBe(M("title"));
    await staff.getByLabel("Message to the reporter").fill(`${M("question")} <img src=x data-injected=1>`);
    await staff.getByLabel("Ask as a question").check();
    await staff.getByRole("button", { name: "Encrypt and send" }).click();
    await expect.poll(() => staff.getByTestId("staff-dialogue").textContent()).toContain(M("question"));
  });

  it("leads a reporter without JavaScript from /status to the plain forms, which say what they mean first", async () => {
    await reporter.goto(`${portal.url}/status?lang=en`);
    // The scripted form cannot work here; the page says so instead of a grey button alone.
    expect(await reporter.getByRole("button", { name: "Open my case" }).isDisabled()).toBe(true);
    await expect(reporter.getByTestId("noscript").textContent()).resolves.toMatch(/JavaScript is off in this browser/);
    await reporter.getByRole("link", { name: "Follow up without JavaScript" }).click();
    await reporter.waitForURL(/\/status\/plain\?lang=en$/);
    const warning = (await reporter.getByTestId("plain-warning").textContent())!;
    expect(warning).toMatch(/sent to the portal's server, which decrypts and encrypts them in its memory/);
    expect(warning).toMatch(/For end-to-end encryption.*turn JavaScript on/);
  });

  it("never offers that path to a browser running scripts, before or after hydration", async () => {
    const scripted = await watchedPage(browser, errors);
    await scripted.goto(`${portal.url}/status?lang=en`, { waitUntil: "commit" });
    await scripted.waitForLoadState("domcontentloaded");
    expect(await scripted.getByRole("link", { name: "Follow up without JavaScript" }).count()).toBe(0);
    await scripted.waitForLoadState("networkidle");
    expect(await scripted.getByRole("link", { name: "Follow up without JavaScript" }).count()).toBe(0);
    await expect.poll(() => scripted.getByRole("button", { name: "Open my case" }).isEnabled()).toBe(true);
    await scripted.close();
  });

  it("refuses a typo with its reason, then opens the case with the right code", async () => {
    const typo = receipt.slice(0, -1) + (receipt.endsWith("0") ? "1" : "0");
    await reporter.getByLabel(/^Secret receipt code/).fill(typo);
    await reporter.getByRole("button", { name: "Open my case" }).click();
    await expect(reporter.getByRole("alert").first().textContent()).resolves.toMatch(/typo/);
    await reporter.getByLabel(/^Secret receipt code/).fill(receipt.toLowerCase());
    await reporter.getByRole("button", { name: "Open my case" }).click();
    await expect(reporter.getByTestId("case-title").textContent({ timeout: 30_000 })).resolves.toBe(M("title"));
    expect(await reporter.getByTestId("case-status").textContent()).toMatch(/^Received/);
  });

  it("shows the investigator's question as text and sends the answer after saying the server sees it", async () => {
    const dialogue = reporter.getByTestId("dialogue");
    expect(await dialogue.textContent()).toContain(`${M("question")} <img src=x data-injected=1>`);
    expect(await reporter.locator("[data-injected]").count()).toBe(0);
    expect(await reporter.getByTestId("plain-send-note").textContent()).toMatch(/the server sees this message for a moment/);
    await reporter.getByLabel(/^Your message or answer/).fill(`${M("answer")}\nSecond line`);
    await reporter.getByRole("button", { name: "Send", exact: true }).click();
    await expect(reporter.getByRole("status").first().textContent()).resolves.toContain("Sent.");
    expect(await reporter.getByTestId("dialogue").textContent()).toContain(M("answer"));
    // Nothing of the case is kept in the browser's storage.
    const cookies = await reporter.context().cookies();
    expect(cookies).toEqual([]);
  });

  it("adds a file, after saying the server sees it for a moment", async () => {
    expect(await reporter.getByText(/the server sees these files for a moment/).count()).toBe(1);
    await reporter.getByLabel(/^Add files/).setInputFiles({ name: `${M("file")}.txt`, mimeType: "text/plain", buffer: fileBytes });
    await reporter.getByRole("button", { name: "Send the files" }).click();
    await expect(reporter.getByRole("status").first().textContent()).resolves.toContain("Added to your case: 1 file(s).");
    expect(await reporter.locator("body").textContent()).toContain(`${M("file")}.txt`);
  });

  it("lets the investigator decrypt the answer in their browser", async () => {
    await staff.reload();
    // After a reload the key is gone from memory: unlock it with the password.
    await staff.getByLabel(/^Password/).fill(PASSWORD);
    await staff.getByRole("button", { name: "Unlock" }).click();
    await expect.poll(() => staff.getByTestId("staff-dialogue").textContent(), { timeout: 30_000 }).toContain(M("answer"));
    expect(await staff.getByTestId("staff-dialogue").textContent()).toContain("Second line");
    // The file the server encrypted is listed and downloads decrypted from the investigator's page.
    const download = staff.waitForEvent("download");
    await staff.getByRole("button", { name: new RegExp(`${M("file")}\\.txt`) }).click();
    const saved = await (await download).path();
    expect(readFileSync(saved!).equals(fileBytes)).toBe(true);
  });

  it("logs out, and the page's old forms lead back to the sign-in", async () => {
    await reporter.getByRole("button", { name: "Log out" }).click();
    await expect(reporter.locator("body").textContent()).resolves.toContain("You have logged out");
    expect(await reporter.locator("body").textContent()).not.toContain(M("title"));
  });

  it("leaves no marker or receipt code in the database, the blobs, the database files or the logs", async () => {
    const markers = [M("title"), M("description"), M("question"), M("answer"), M("file"), M("fileBody"), receipt, receipt.replace(/-/g, "")];
    expect(await scanPortal(portal, markers)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
