// End to end in Chromium (issue 20): each role's header names the role as it is, in English and Korean
// (administrator, ethics investigator, and the reviewer of an affiliate named as the database has it,
// here renamed to show that), with no reporter navigation on staff, affiliate or administration pages,
// and a sign-out button that stays whole at 320 px. The administration sections are pages of their own,
// each with its <h1>, <title> and the current section marked; an investigator is refused them.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { affiliates } from "../../db/schema";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff, PASSWORD } from "../support/staff";
import { signInFromNode } from "../support/xss";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ROLES = {
  admin: { email: "chief@okestro.example", home: "/admin", en: "Administrator", ko: "관리자" },
  investigator: { email: "kang@okestro.example", home: "/staff", en: "Ethics investigator", ko: "윤리 조사 담당자" },
  cloud: { email: "cloud@okestro.example", home: "/affiliate", en: "OKESTRO Cloud reviewer", ko: "오케스트로 클라우드 검토자" },
  agi: { email: "agi@okestro.example", home: "/affiliate", en: "OKESTRO AGI Research reviewer", ko: "오케스트로 AGI 연구소 검토자" },
} as const;
type Who = keyof typeof ROLES;

const SECTIONS = [
  ["accounts", "Accounts", '[data-testid="staff-table"]'],
  ["invitations", "Invitations", 'input[name="email"]'],
  ["categories", "Categories", '[data-testid="category-list"]'],
  ["audit", "Audit log", '[data-testid="audit-table"]'],
  ["statistics", "Statistics", '[data-testid="statistics"]'],
  ["archives", "Archives", "main p"],
  ["settings", "Settings", '[data-testid="settings"]'],
] as const;

describe.skipIf(!chromiumAvailable())("staff headers and administration sections in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  const contexts = new Map<Who, BrowserContext>();
  const errors: string[] = [];

  async function page(who: Who): Promise<Page> {
    const p = await contexts.get(who)!.newPage();
    p.on("pageerror", (e) => errors.push(String(e)));
    p.on("console", (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) errors.push(m.text());
    });
    return p;
  }

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    await Promise.all([
      createStaff(portal, "admin", ROLES.admin.email, ["--name", "Chief Park"]),
      createStaff(portal, "investigator", ROLES.investigator.email, ["--name", "Kang Min-ji"]),
      createStaff(portal, "affiliate", ROLES.cloud.email, ["--affiliate", "cloud", "--name", "Cho Cloud"]),
      createStaff(portal, "affiliate", ROLES.agi.email, ["--affiliate", "agi", "--name", "Han AGI"]),
    ]);
    // The header takes the affiliate's name from the database, not from a list in the code.
    await portal.services.db.update(affiliates).set({ nameEn: "OKESTRO AGI Research", nameKo: "오케스트로 AGI 연구소" }).where(eq(affiliates.slug, "agi"));
    browser = await launchChromium();
    for (const who of Object.keys(ROLES) as Who[]) {
      const staff = await signInFromNode(portal.url, ROLES[who].email, PASSWORD);
      const context = await browser.newContext({ locale: "en-US", viewport: { width: 320, height: 800 } });
      await context.addCookies(staff.cookies.map((c) => ({ ...c, url: portal.url, httpOnly: true, sameSite: "Strict" as const })));
      contexts.set(who, context);
    }
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
  });

  it.each(Object.keys(ROLES) as Who[])("shows the %s's role in English and Korean, without the reporter's links, and a whole sign-out button", async (who) => {
    const p = await page(who);
    for (const lang of ["en", "ko"] as const) {
      const response = await p.goto(`${portal.url}${ROLES[who].home}?lang=${lang}`);
      expect(response!.status()).toBe(200);
      expect(await p.getByTestId("staff-role").textContent()).toBe(ROLES[who][lang]);
      expect(await p.locator(".staff-bar strong").textContent()).not.toBe("");
      // No link to the report form, the follow-up page, the landing page or the staff sign-in anywhere on the page.
      const hrefs = await p.locator("a[href]").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(hrefs.filter((h) => h === "/" || h === "/report" || h === "/status" || h === "/staff/login")).toEqual([]);
      expect(hrefs).toContain(ROLES[who].home);
      // The sign-out button is one line: as tall as its own single line of text, not two.
      const button = p.locator(".staff-bar__signout");
      const { height, lineHeight, paddings } = await button.evaluate((b) => {
        const s = getComputedStyle(b);
        return {
          height: b.getBoundingClientRect().height,
          lineHeight: parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.5,
          paddings: parseFloat(s.paddingTop) + parseFloat(s.paddingBottom) + parseFloat(s.borderTopWidth) * 2,
        };
      });
      expect(height - paddings).toBeLessThan(lineHeight * 1.5);
    }
    await p.close();
  });

  it("gives every administration section its own page, title and marked place in the navigation", async () => {
    const p = await page("admin");
    for (const [section, title, content] of SECTIONS) {
      expect((await p.goto(`${portal.url}/admin/${section}?lang=en`))!.status()).toBe(200);
      await p.locator(content).first().waitFor();
      const nav = p.getByRole("navigation", { name: "Administration sections" });
      expect(await nav.locator('[aria-current="page"]').allTextContents()).toEqual([title]);
      expect(await p.title()).toBe(`${title} · Clean OKESTRO Report`);
      expect(await p.locator("h1").allTextContents()).toEqual([section === "archives" ? "Archive" : title]);
    }
    await p.goto(`${portal.url}/admin/settings?lang=ko`);
    expect(await p.title()).toBe("설정 · 클린 오케스트로 제보");
    // An old single-page link goes on to its section.
    await p.goto(`${portal.url}/admin?lang=en&action=auth.&case=`);
    expect(new URL(p.url()).pathname).toBe("/admin/audit");
    // The audit log in words.
    expect(await p.getByTestId("audit-table").textContent()).toMatch(/Kang Min-ji signed in after setting up two-factor authentication\./);
    await p.close();
  });

  it("refuses the administration sections to an investigator, on the server", async () => {
    const p = await page("investigator");
    for (const [section] of SECTIONS) expect((await p.goto(`${portal.url}/admin/${section}?lang=en`))!.status()).toBe(403);
    expect((await p.goto(`${portal.url}/admin?lang=en`))!.status()).toBe(403);
    await p.close();
  });

  it("met no page error or CSP refusal", () => {
    expect(errors).toEqual([]);
  });
});
