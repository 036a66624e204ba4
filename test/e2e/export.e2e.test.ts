// End to end in Chromium (ADR 054): an investigator exports a case from its page, the ZIP built and
// signed in the browser with the font fetched on demand; /staff/verify checks the downloaded file in
// the browser (nothing uploaded) and names a file changed by one byte; the export is in the case's
// audit trail in words.
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync, zipSync } from "fflate";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { chromiumAvailable, launchChromium, signInFirstTimeInBrowser, watchedPage } from "../support/browser";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";

const EVIDENCE = Buffer.from("증거 자료 evidence bytes\n");

describe.skipIf(!chromiumAvailable())("case exports in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let page: Page;
  let caseNumber: string;
  let receipt: string;
  let zipPath: string;
  const errors: string[] = [];
  const posted: string[] = [];

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite");
    browser = await launchChromium();
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "법인카드 사적 사용 Personal use of the corporate card",
        body: {
          description: "영업팀장이 법인카드를 개인적으로 썼습니다. The sales lead used the card privately.",
          details: "",
          periodFrom: null,
          periodTo: null,
        },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [memoryFile("영수증 receipt.txt", "text/plain", EVIDENCE)],
      info,
      { baseUrl: portal.url },
    );
    caseNumber = r.caseNumber;
    receipt = r.receiptCode;
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("exports the case from its page as a signed ZIP", async () => {
    page = await watchedPage(browser, errors, { watch: /Content Security Policy|Refused to|hydrat/i });
    page.on("request", (req) => {
      if (req.method() === "POST") posted.push(`${req.url()} ${req.postData() ?? ""}`);
    });
    await signInFirstTimeInBrowser(page, portal.url, "lee@okestro.example", /\/staff\?/);
    await page.getByTestId("inbox").getByRole("link", { name: caseNumber }).click();
    await page.getByTestId("staff-case-title").waitFor({ timeout: 30_000 });
    // The identity cannot be chosen: it was not accessed with a recorded reason.
    expect(await page.getByTestId("export-form").getByLabel("The reporter's identity").isDisabled()).toBe(true);
    await page.getByTestId("export-form").getByLabel("Internal notes").check();
    const [download] = await Promise.all([page.waitForEvent("download", { timeout: 90_000 }), page.getByRole("button", { name: "Export as ZIP" }).click()]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${caseNumber}-export-\\d{4}-\\d{2}-\\d{2}\\.zip$`));
    zipPath = path.join(tmpdir(), `cor-e2e-${Date.now()}.zip`);
    await download.saveAs(zipPath);
    const entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const file = Object.keys(entries).find((k) => k.startsWith("files/"))!;
    expect(Buffer.from(entries[file]!).equals(EVIDENCE)).toBe(true);
    expect(JSON.parse(Buffer.from(entries["manifest.json"]!).toString()).parts).toEqual([
      "report",
      "dialogue",
      "notes",
      "history",
      "deadlines",
      "sharing",
      "privacy",
      "files",
    ]);
    await expect.poll(() => page.getByTestId("case-audit").textContent(), { timeout: 30_000 }).toContain("as a signed ZIP");
    // What the server was told: the parts and a public key, none of the case's words.
    const exportPost = posted.find((p) => p.includes("/export "))!;
    expect(exportPost).toBeDefined();
    for (const s of ["법인카드", "corporate", "evidence"]) expect(posted.join("\n")).not.toContain(s);
    expect(errors).toEqual([]);
  }, 180_000);

  it("verifies the downloaded export on /staff/verify, and names a file changed by one byte", async () => {
    const before = posted.length;
    await page.goto(`${portal.url}/staff/verify?lang=en`);
    await page.getByLabel("Export ZIP").setInputFiles(zipPath);
    await page.getByRole("button", { name: "Verify" }).click();
    const result = page.getByTestId("verify-result");
    await expect.poll(() => result.getAttribute("data-verdict"), { timeout: 30_000 }).toBe("ok");
    expect(await result.textContent()).toContain(caseNumber);

    const entries = unzipSync(new Uint8Array(readFileSync(zipPath)));
    const file = Object.keys(entries).find((k) => k.startsWith("files/"))!;
    const changed = entries[file]!.slice();
    changed[3] = changed[3]! ^ 0x20;
    const tampered = path.join(tmpdir(), `cor-e2e-changed-${Date.now()}.zip`);
    writeFileSync(tampered, zipSync({ ...entries, [file]: changed }, { level: 0 }));
    await page.getByLabel("Export ZIP").setInputFiles(tampered);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => result.getAttribute("data-verdict"), { timeout: 30_000 }).toBe("failed");
    expect(await page.locator('[data-problem="file_changed"]').textContent()).toContain(file);
    // Nothing was uploaded to verify.
    expect(posted.slice(before)).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it("gives the reporter their own copy from the same builder, which the page finds intact but unsigned", async () => {
    const reporterPage = await watchedPage(browser, errors, { watch: /Content Security Policy|Refused to|hydrat/i });
    await reporterPage.goto(`${portal.url}/status?lang=en`);
    await reporterPage.getByLabel(/^Secret receipt code/).fill(receipt);
    await reporterPage.getByRole("button", { name: "Open my case" }).click();
    const [download] = await Promise.all([
      reporterPage.waitForEvent("download", { timeout: 90_000 }),
      reporterPage.getByRole("button", { name: "Download my data now" }).click(),
    ]);
    const copy = path.join(tmpdir(), `cor-e2e-access-${Date.now()}.zip`);
    await download.saveAs(copy);
    const entries = unzipSync(new Uint8Array(readFileSync(copy)));
    expect(Object.keys(entries)).toContain(`files/01-${caseNumber}.json`);
    expect(entries["manifest.sig"]).toBeUndefined();
    await page.getByLabel("Export ZIP").setInputFiles(copy);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect.poll(() => page.getByTestId("verify-result").getAttribute("data-verdict"), { timeout: 30_000 }).toBe("unsigned");
    expect(errors).toEqual([]);
  }, 120_000);
});
