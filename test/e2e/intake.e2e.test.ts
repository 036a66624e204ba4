// End to end in real Chromium: a reporter fills the real form, attaches two
// files and submits; the receipt is shown once; an investigator created with
// the CLI decrypts exactly what was typed and attached.
import { eq } from "drizzle-orm";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseReceipt } from "../../crypto";
import { reports } from "../../db/schema";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { patternedBytes } from "../support/files";
import { decryptReportAsInvestigator } from "../support/investigator";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const hasChromium = chromiumAvailable();

describe.skipIf(!hasChromium)("report intake in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const cspViolations: string[] = [];
  const pageErrors: string[] = [];
  const scripts = new Set<string>();

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
    await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park Investigator"]);
    browser = await launchChromium();
    context = await browser.newContext({ locale: "en-US" });
    page = await context.newPage();
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("response", (r) => {
      if (r.request().resourceType() === "script") scripts.add(r.url());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it("shows Korean to a Korean browser and English to others, with a language switch", async () => {
    const ko = await browser.newContext({ locale: "ko-KR" });
    const p = await ko.newPage();
    await p.goto(`${portal.url}/`);
    await expect(p.locator("h1").textContent()).resolves.toBe("안전하게 제보하세요");
    expect(await p.getAttribute("html", "lang")).toBe("ko");
    await p.getByRole("link", { name: /English/ }).click();
    await p.waitForURL(/lang=en/);
    // Client-side navigation: the URL changes before the new page has rendered.
    await expect.poll(() => p.locator("h1").textContent()).toBe("Report wrongdoing safely");
    expect(await p.getAttribute("html", "lang")).toBe("en");
    await ko.close();
    await page.goto(`${portal.url}/`);
    expect(await page.locator("h1").textContent()).toBe("Report wrongdoing safely");
    expect(await page.locator("body").textContent()).toContain("ACRC");
  });

  it("points out missing fields without losing what was typed", async () => {
    await page.goto(`${portal.url}/report?lang=en`);
    const submit = page.getByRole("button", { name: "Encrypt and submit" });
    await expect.poll(() => submit.isEnabled()).toBe(true);
    await page.getByLabel(/^Description/).fill("Kept after the error");
    await submit.click();
    const summary = page.locator(".summary-anchor").getByRole("alert");
    await expect(summary.textContent()).resolves.toContain("Please correct the following");
    // Each field says what is wrong with it, too.
    await expect(page.locator("#f-title-error").textContent()).resolves.toBe("This field is required.");
    expect(await page.getByLabel(/^Description/).inputValue()).toBe("Kept after the error");
    expect(await page.locator("#f-title").getAttribute("aria-invalid")).toBe("true");
    expect(await portal.services.db.select().from(reports)).toEqual([]);
  });

  it("encrypts in the browser, shows the receipt once, and the investigator decrypts exactly what was typed", async () => {
    const typed = {
      title: "Procurement kickback <script>alert(1)</script> 납품 비리",
      description: 'Line one\nLine two with 한국어 and "quotes"',
      details: "Invoice 2026-0042, vendor X",
      periodFrom: "2026-02-01",
      periodTo: "2026-04-30",
      reporterName: "Hong Gildong",
      email: "hong@example.com",
      phone: "+82 10-1234-5678",
    };
    const fileA = patternedBytes(200_000, "FILE-A");
    const fileB = Buffer.from("second file: 증거 목록\n");
    await page.goto(`${portal.url}/report?lang=en`);
    await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
    const category = await page.getByLabel(/^Type of report/).inputValue();
    await page.getByLabel(/^Title/).fill(typed.title);
    await page.getByLabel(/^Description/).fill(typed.description);
    await page.getByLabel(/^Incident details/).fill(typed.details);
    await page.getByLabel(/^From/).fill(typed.periodFrom);
    await page.getByLabel(/^To/).fill(typed.periodTo);
    await page.getByLabel(/^Name/).fill(typed.reporterName);
    await page.getByLabel(/^Email address/).fill(typed.email);
    await page.getByLabel(/^Phone number/).fill(typed.phone);
    await page.locator('input[name="attachments"]').setInputFiles([
      { name: "evidence-a.bin", mimeType: "application/octet-stream", buffer: Buffer.from(fileA) },
      { name: "목록 b.txt", mimeType: "text/plain", buffer: fileB },
    ]);
    await page.getByLabel("Park Investigator").check();
    await page.locator('input[name="consentReport"]').check();
    await page.locator('input[name="consentOptional"]').check();
    await page.getByRole("button", { name: "Encrypt and submit" }).click();

    const receiptEl = page.getByTestId("receipt-code");
    await receiptEl.waitFor({ timeout: 60_000 });
    const receipt = (await receiptEl.textContent())!.trim();
    expect(receipt).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){4}$/);
    expect(parseReceipt(receipt).ok).toBe(true);
    expect(await page.getByTestId("case-number").textContent()).toMatch(/^COR-/);

    // Nothing of the receipt or the keys is kept in the browser.
    const storage = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    expect(storage).toEqual({ local: 0, session: 0, cookie: "" });

    const [row] = await portal.services.db.select().from(reports);
    expect(row!.categoryId).toBe(category);
    const got = await decryptReportAsInvestigator(portal.services, row!.id, "lee@okestro.example", PASSWORD);
    expect(got.title).toBe(typed.title);
    expect(got.body).toEqual({ description: typed.description, details: typed.details, periodFrom: typed.periodFrom, periodTo: typed.periodTo });
    expect(got.identity).toEqual({ name: typed.reporterName, email: typed.email, phone: typed.phone });
    expect(got.files.map((f) => [f.name, f.type, f.size])).toEqual([
      ["evidence-a.bin", "application/octet-stream", fileA.length],
      ["목록 b.txt", "text/plain", fileB.length],
    ]);
    expect(Buffer.from(got.files[0]!.bytes).equals(Buffer.from(fileA))).toBe(true);
    expect(Buffer.from(got.files[1]!.bytes).equals(fileB)).toBe(true);
    // The excluded investigator got no key.
    await expect(decryptReportAsInvestigator(portal.services, row!.id, "park@okestro.example", PASSWORD)).rejects.toThrow(/no envelope/);
    expect(row!.id).toBeTruthy();
    const [again] = await portal.services.db.select().from(reports).where(eq(reports.id, row!.id));
    expect(again!.consentAffiliateIdentity).toBe(false);

    expect(cspViolations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("enforces a nonce-based CSP and loads no staff-only (Argon2id) code on reporter pages", async () => {
    const response = await page.goto(`${portal.url}/report?lang=en`);
    const csp = response!.headers()["content-security-policy"]!;
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    // An injected inline script without the nonce does not run.
    const ran = await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__injected = true";
      document.body.appendChild(s);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    // Every script the reporter's pages loaded so far, the lazily loaded crypto chunk included,
    // lacks the sumo build's Argon2id exports (its core exports them as _crypto_pwhash_argon2id*).
    expect([...scripts].some((u) => u.includes("intake-client"))).toBe(true);
    for (const url of scripts) {
      const code = await (await fetch(url)).text();
      expect(code.includes("_crypto_pwhash_argon2id"), url).toBe(false);
    }
  });
});
