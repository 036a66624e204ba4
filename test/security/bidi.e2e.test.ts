// Bidirectional-text spoofing in the investigator's view, in Chromium (THREAT-MODEL §2.5). A report whose title
// and file name hide a right-to-left override ("invoice\u202Efdp.exe", which a browser draws as
// "invoiceexe.pdf"), whose description mixes an override, an isolate and an Arabic line, whose reporter has an
// Arabic name and an Arabic file, from an investigator whose display name holds an override. The case page and
// the inbox must show each hidden control as a visible marker ("‹U+202E›") with an explanation in the page's
// language, keep every piece of user text in its own isolate (unicode-bidi: isolate), keep right-to-left text
// right to left, and draw the letters in their real order: "fdp" before "exe", and "내려받기" after the name,
// unreversed.
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { memoryFile } from "../support/files";
import { openIdentityWithReason } from "../support/identity";
import { startTestPortal, type TestPortal } from "../support/portal";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { signedInContext, signInFromNode, XssWatch } from "../support/xss";

const SPOOFED_FILE = "invoice\u202Efdp.exe";
const ARABIC_FILE = "تقرير مالي 2024.pdf";
const TITLE = `Refund request ${SPOOFED_FILE}`;
const ARABIC_NAME = "محمد علي";
/** Three lines: an override, a right-to-left line with a mark (kept), an unterminated isolate. */
const DESCRIPTION = "Paid to account \u202E4321 8765\nمرحبا\u200F، هذا تقرير\nsee \u2067the attachment";
const INVESTIGATOR = "Lee\u202Eeel";
const EXPLICIT = /[\u202a-\u202e\u2066-\u2069]/;

/** Where a character is drawn: the box of `needle[offset]` in the first text node under the element that holds `needle`. */
async function charBox(where: Locator, needle: string, offset: number): Promise<{ left: number; right: number; top: number }> {
  const box = await where.evaluate(
    (root, [needle, offset]) => {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode() as Text | null; n; n = walker.nextNode() as Text | null) {
        const at = n.data.indexOf(needle as string);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(n, at + (offset as number));
        range.setEnd(n, at + (offset as number) + 1);
        const r = range.getBoundingClientRect();
        return { left: r.left, right: r.right, top: r.top };
      }
      return null;
    },
    [needle, offset] as const,
  );
  if (!box) throw new Error(`"${needle}" is not drawn in this element`);
  return box;
}

/** The text of the element's text nodes, leaving out form controls (their values are edited, not shown as text). */
const shownText = (where: Locator) =>
  where.evaluate((root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let out = "";
    for (let n = walker.nextNode(); n; n = walker.nextNode()) if (!n.parentElement?.closest("textarea, option, script, style")) out += n.textContent;
    return out;
  });

const style = (where: Locator) =>
  where.evaluate((el) => ({ unicodeBidi: getComputedStyle(el).unicodeBidi, direction: getComputedStyle(el).direction, text: el.textContent }));

describe.skipIf(!chromiumAvailable())("bidirectional controls in user text, in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let watch: XssWatch;
  let page: Page;
  let caseNumber: string;

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    watch = new XssWatch(browser, portal.url);
    await createStaff(portal, "investigator", "lee@okestro.example", ["--name", INVESTIGATOR]);
    const lee = await signInFromNode(portal.url, "lee@okestro.example", PASSWORD);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    let reportId: string;
    ({ caseNumber, reportId } = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: TITLE,
        body: { description: DESCRIPTION, details: "", periodFrom: null, periodTo: null },
        identity: { name: ARABIC_NAME, email: null, phone: null },
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [memoryFile(SPOOFED_FILE, "application/pdf", Buffer.from("%PDF-1.4")), memoryFile(ARABIC_FILE, "application/pdf", Buffer.from("%PDF-1.4"))],
      info,
      { baseUrl: portal.url },
    ));
    // The identity is shown only once a reason is recorded (ADR 052): Lee records one, so the page shows the name.
    const { keys } = await caseForSharing(portal, reportId, lee.client.user!.id, lee.client.keyPair!);
    await openIdentityWithReason(lee.client, keys, reportId);
    page = await watch.page(await signedInContext(watch, portal.url, lee));
    await openUnlocked(`/staff/cases/${caseNumber}?lang=en`, '[data-testid="identity-released"]');
  });

  /** Loads a staff page and unlocks the key with the password (a page load forgets it). */
  async function openUnlocked(path: string, ready: string) {
    await page.goto(`${portal.url}${path}`);
    const password = page.locator('input[name="password"]');
    await password.fill(PASSWORD);
    await password.press("Enter");
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
  }

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  const fileButton = (name: RegExp) => page.locator('section[aria-labelledby="s-files"] button', { hasText: name });

  it("shows the override in the title, the file name and the display name as a marker, and no control acts anywhere on the page", async () => {
    expect(await page.getByTestId("staff-case-title").textContent()).toBe("Refund request invoice‹U+202E›fdp.exe");
    expect(await fileButton(/fdp\.exe/).textContent()).toBe("Download invoice‹U+202E›fdp.exe");
    expect(await page.locator(".staff-bar strong").textContent()).toBe("Lee‹U+202E›eel");
    const text = await shownText(page.locator("body"));
    expect(text).toContain("Paid to account ‹U+202E›4321 8765");
    expect(text).not.toMatch(EXPLICIT);

    const marker = fileButton(/fdp\.exe/).locator("abbr.text-control");
    expect(await marker.textContent()).toBe("‹U+202E›");
    expect(await marker.getAttribute("title")).toBe(
      "Hidden text-direction control U+202E (RIGHT-TO-LEFT OVERRIDE), shown here instead of applied: it could make the text read differently from what it is.",
    );
    expect(await style(marker)).toMatchObject({ unicodeBidi: "isolate", direction: "ltr" });
  });

  it("draws the letters in their real order: the real extension last, not a spoofed one", async () => {
    for (const where of [page.getByTestId("staff-case-title"), fileButton(/fdp\.exe/)]) {
      const f = await charBox(where, "fdp.exe", 0);
      const x = await charBox(where, "fdp.exe", 5);
      expect(f.top).toBe(x.top);
      expect(f.left, "'f' of fdp is drawn before 'x' of exe").toBeLessThan(x.left);
    }
  });

  it("isolates every piece of user text, keeps right-to-left text right to left, and file names left to right", async () => {
    const isolates = page.locator("main .user-text, .staff-bar .user-text");
    expect(await isolates.count()).toBeGreaterThanOrEqual(8);
    for (const s of await isolates.evaluateAll((els) => els.map((el) => getComputedStyle(el).unicodeBidi))) expect(s).toBe("isolate");

    // Arabic reads right to left; a file name, whatever its letters, left to right (its extension at the right end).
    expect(await style(page.locator('[data-testid="identity-released"] dd .user-text').first())).toEqual({
      unicodeBidi: "isolate",
      direction: "rtl",
      text: ARABIC_NAME,
    });
    expect(await style(fileButton(/تقرير/).locator(".user-text"))).toEqual({ unicodeBidi: "isolate", direction: "ltr", text: ARABIC_FILE });

    // The description: one isolate per line; the Arabic line right to left with its mark still in it; the override and isolate shown.
    const lines = page.getByTestId("staff-case-description").locator(".user-text");
    expect(await lines.evaluateAll((els) => els.map((el) => [el.textContent, getComputedStyle(el).direction]))).toEqual([
      ["Paid to account ‹U+202E›4321 8765", "ltr"],
      ["مرحبا\u200F، هذا تقرير", "rtl"],
      ["see ‹U+2067›the attachment", "ltr"],
    ]);
    const digits = page.getByTestId("staff-case-description");
    expect((await charBox(digits, "4321", 0)).left, "the account number is not reversed").toBeLessThan((await charBox(digits, "4321", 3)).left);
  });

  it("keeps the page's own words in order around a name, in Korean, and explains the marker in Korean", async () => {
    await page.locator("a.lang-switch").dispatchEvent("click");
    await page.waitForURL(/lang=ko/);
    const button = fileButton(/fdp\.exe/);
    await expect.poll(() => button.textContent()).toBe("invoice‹U+202E›fdp.exe 내려받기");
    const name = await button.locator(".user-text").boundingBox();
    const first = await charBox(button, "내려받기", 0);
    const last = await charBox(button, "내려받기", 3);
    expect(first.left, "내려받기 is not reversed").toBeLessThan(last.left);
    expect(name!.x + name!.width, "the name ends before the page's words start").toBeLessThanOrEqual(first.left + 0.5);
    expect(await button.locator("abbr.text-control").getAttribute("title")).toMatch(/^숨은 텍스트 방향 제어 문자 U\+202E\(RIGHT-TO-LEFT OVERRIDE\)/);
  });

  it("shows the title in the inbox the same way, and nothing else happened on the way", async () => {
    await openUnlocked("/staff?lang=en", '[data-testid="inbox"]');
    const cell = page.getByTestId("inbox").locator("tr", { hasText: caseNumber }).locator("td").nth(1);
    expect(await cell.textContent()).toBe("Refund request invoice‹U+202E›fdp.exe");
    expect((await charBox(cell, "fdp.exe", 0)).left).toBeLessThan((await charBox(cell, "fdp.exe", 5)).left);
    expect(await shownText(page.locator("body"))).not.toMatch(EXPLICIT);
    await watch.auditDom(page);
    expect(watch.take()).toEqual([]);
  });
});
