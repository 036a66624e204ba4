// Every staff, affiliate and administration page in Chromium (issue 20): at 1280 and 320 CSS px wide, in English
// and Korean, signed in with the role the page is for, with real content (long Korean and English text, a case
// worked on, shared with both affiliates, another one archived). On each view:
//  - no sideways scrolling (WCAG 1.4.10): document.documentElement.scrollWidth <= innerWidth;
//  - axe-core finds no violation (WCAG 2.x A and AA and axe's best practices), injected under the page's CSP
//    as a same-origin script that only this browser context serves;
//  - the header names the role as it is, and no reporter navigation is on the page;
// and every <title> is the page's own, and the staff 403 and 404 pages lead back to the staff home.
// One portal, one browser, one signed-in context per role, each key unlocked once per page: the language
// switch and the viewport change keep the page (and the key in its memory).
// A failure names the page, width and language, and why: the elements past the right edge, or the axe rule
// with its targets.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptJson, encryptMessage, encryptPrivacyText, loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { fetchShare, openShare, sendFeedback } from "../../app/affiliate/share-reader";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { archiveCase, type ArchivableCase } from "../../app/staff/archive-builder";
import { createShare } from "../../app/staff/share-builder";
import { chromiumAvailable, launchChromium } from "../support/browser";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { openIdentityWithReason } from "../support/identity";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { signInFromNode, type NodeStaff } from "../support/xss";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const WIDTHS = [1280, 320] as const;
type Lang = "en" | "ko";
type Who = "admin" | "investigator" | "cloud" | "agi" | "nobody";

const ROLE_TEXT: Record<Exclude<Who, "nobody">, Record<Lang, string>> = {
  admin: { en: "Administrator", ko: "관리자" },
  investigator: { en: "Ethics investigator", ko: "윤리 조사 담당자" },
  cloud: { en: "OKESTRO Cloud reviewer", ko: "오케스트로 클라우드 검토자" },
  agi: { en: "OKESTRO AGI reviewer", ko: "오케스트로 AGI 검토자" },
};
const EMAIL: Record<Exclude<Who, "nobody">, string> = {
  admin: "chief@okestro.example",
  investigator: "kang@okestro.example",
  cloud: "cloud@okestro.example",
  agi: "agi@okestro.example",
};

/** Long words in both languages: what made cells wrap a character per line and pages scroll sideways. */
const CONTENT = {
  title: "협력업체 선정 과정에서의 부당한 금품 수수 및 입찰 정보 사전 유출 의혹에 관한 제보 (Procurement irregularities)",
  description:
    "2026년 상반기 클라우드 인프라 구매 입찰에서 특정 협력업체에 평가 기준이 사전에 전달되었다는 정황이 있습니다. 관련 메일은 procurement-evaluation-committee-2026@okestro.example 에서 발송되었고, 첨부 문서의 경로는 \\\\fileserver01\\구매팀\\2026\\평가기준_최종_수정본_v3_대외비.xlsx 입니다.",
  details: "Supplementary-details-without-any-spaces-to-test-how-the-page-wraps-a-very-long-token-on-a-narrow-screen-0123456789",
  name: "홍길동",
  email: "a-very-long-personal-address-for-reflow@example-mail-provider.example",
  phone: "010-1234-5678",
  message: "추가로 확인이 필요한 사항이 있으면 이 대화창으로 알려 주십시오. 평가위원회 회의록 사본도 보관하고 있습니다.",
  question: "회의록 사본을 첨부해 주실 수 있습니까? Could you attach the minutes of the committee meeting?",
  note: "내부 메모: 구매팀장 면담 예정. Interview with the head of procurement scheduled; legal counsel informed.",
  labels: ["구매·조달", "긴급", "legal-review-required-before-any-external-communication"],
  privacy: "제 연락처 정보를 정정해 주십시오.",
  answer: "정정했습니다. The contact details were corrected as requested.",
  purposeNote: "사실관계 확인을 위한 공유입니다. Shared to establish the facts.",
  feedback: "클라우드 사업부 검토 의견: 입찰 기록을 확인했습니다.",
  file: "평가기준_최종_수정본_v3_대외비_협력업체전달본_2026년상반기클라우드인프라구매.pdf",
};

interface Problem {
  view: string;
  what: string;
}

describe.skipIf(!chromiumAvailable())("every staff, affiliate and administration page at 1280 and 320 px, in English and Korean", () => {
  let portal: TestPortal;
  let browser: Browser;
  let axeSource: string;
  const staff = {} as Record<Exclude<Who, "nobody">, NodeStaff>;
  const pages = {} as Record<Who, Page>;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  let caseA: { reportId: string; caseNumber: string };
  let shareCloud: string;
  let shareAgi: string;
  let archiveId: string;
  let archivedCaseNumber: string;
  let inviteToken: string;
  const visited: string[] = [];
  const started = Date.now();
  /** Milliseconds spent in axe, and in the rest of the views' checks: the suite's cost, printed at the end. */
  const spent = { axe: 0, checks: 0 };
  /** STAFF_PAGES_SCREENSHOTS=dir keeps a full-page picture of every view there, to look at. */
  const screenshots = process.env.STAFF_PAGES_SCREENSHOTS;

  async function contextFor(who: Who): Promise<Page> {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: WIDTHS[0], height: 900 } });
    contexts.push(context);
    // axe-core, served as if it were a file of the portal's own origin, to this context only: the page's
    // CSP ('self' and a nonce for scripts) stays as it is, and the portal itself never serves it.
    await context.route(`${portal.url}/__test__/axe.min.js`, (route) => route.fulfill({ status: 200, contentType: "text/javascript", body: axeSource }));
    if (who !== "nobody") {
      await context.addCookies(staff[who].cookies.map((c) => ({ ...c, url: portal.url, httpOnly: true, sameSite: "Strict" as const })));
    }
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`${who} ${page.url()}: ${String(e)}`));
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to|hydrat/i.test(m.text())) errors.push(`${who} ${page.url()}: ${m.text()}`);
    });
    return page;
  }

  /** The elements whose right edge passes the viewport's, innermost first: where a sideways scroll comes from. */
  const overflowing = (page: Page) =>
    page.evaluate(() => {
      const width = window.innerWidth;
      const out: string[] = [];
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.right <= width + 0.5) continue;
        // Inside a scrolling box of its own, the page does not scroll.
        let p = el.parentElement;
        let contained = false;
        while (p && p !== document.body) {
          const s = getComputedStyle(p);
          if ((s.overflowX === "auto" || s.overflowX === "scroll" || s.overflowX === "hidden") && p.getBoundingClientRect().right <= width + 0.5) {
            contained = true;
            break;
          }
          p = p.parentElement;
        }
        if (contained) continue;
        if ([...el.children].some((c) => c.getBoundingClientRect().right > width + 0.5)) continue;
        const id = el.id ? `#${el.id}` : "";
        const cls = typeof el.className === "string" && el.className ? `.${el.className.trim().split(/\s+/).join(".")}` : "";
        out.push(`<${el.localName}${id}${cls}> right edge ${Math.round(r.right)} px "${(el.textContent ?? "").trim().slice(0, 40)}"`);
      }
      return out.slice(0, 6);
    });

  /**
   * Table cells of three characters or more laid out a character per line (about as many lines as characters).
   * Counted in lines, not pixels: CI's Chromium has no Korean font and draws Hangul as narrower boxes.
   */
  const squeezedCells = (page: Page) =>
    page.evaluate(() => {
      const out: string[] = [];
      for (const cell of document.querySelectorAll("th, td")) {
        const chars = (cell.textContent ?? "").replace(/\s+/g, "").length;
        if (chars < 3) continue;
        const range = document.createRange();
        range.selectNodeContents(cell);
        const r = range.getBoundingClientRect();
        const style = getComputedStyle(cell);
        const lines = r.height / (parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6);
        if (lines >= chars * 0.8) out.push(`"${(cell.textContent ?? "").trim().slice(0, 30)}" in ${Math.round(lines)} lines, ${Math.round(r.width)} px wide`);
      }
      return out.slice(0, 4);
    });

  async function runAxe(page: Page): Promise<string[]> {
    if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ url: "/__test__/axe.min.js" });
    const violations = (await page.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run(c: unknown, o: unknown): Promise<{ violations: { id: string; help: string; nodes: { target: unknown[] }[] }[] }> } }
      ).axe;
      const result = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } });
      return result.violations.map((v) => ({ id: v.id, help: v.help, targets: v.nodes.slice(0, 4).map((n) => JSON.stringify(n.target)) }));
    })) as { id: string; help: string; targets: string[] }[];
    return violations.map((v) => `axe ${v.id} (${v.help}) at ${v.targets.join(", ")}`);
  }

  /** The checks of one view: reflow, axe, the header. */
  async function checkView(page: Page, who: Who, label: string, lang: Lang, width: number): Promise<Problem[]> {
    const view = `${label} (${lang}, ${width} px)`;
    visited.push(view);
    const problems: Problem[] = [];
    const t0 = Date.now();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    if (scrollWidth > innerWidth) {
      problems.push({ view, what: `scrolls sideways: scrollWidth ${scrollWidth} > innerWidth ${innerWidth}; ${(await overflowing(page)).join("; ")}` });
    }
    // Korean words kept whole: no table cell squeezed to a character per line (what issue 20 saw).
    if (lang === "ko") {
      for (const cell of await squeezedCells(page)) problems.push({ view, what: `a table cell wraps a character per line: ${cell}` });
    }
    const t1 = Date.now();
    for (const v of await runAxe(page)) problems.push({ view, what: v });
    spent.axe += Date.now() - t1;
    spent.checks += t1 - t0;
    if (screenshots) await page.screenshot({ path: `${screenshots}/${view.replace(/[^\w가-힣]+/g, "-")}.png`, fullPage: true });
    const hrefs = await page.locator("a[href]").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
    const reporterLinks = hrefs.filter((h) => h === "/" || h === "/report" || h === "/status" || h.startsWith("/status/"));
    if (reporterLinks.length) problems.push({ view, what: `reporter navigation on a staff page: ${reporterLinks.join(", ")}` });
    if (who !== "nobody") {
      const role = (await page.getByTestId("staff-role").allTextContents()).join(" | ");
      if (role !== ROLE_TEXT[who][lang]) problems.push({ view, what: `the header names the role "${role}", not "${ROLE_TEXT[who][lang]}"` });
    }
    return problems;
  }

  /**
   * Opens `path` in English at 1280 px (unlocking the key if the page asks), then checks it at 1280 and 320 px,
   * switches to Korean with the page's own switch (a client-side navigation: the key stays unlocked) and checks
   * both widths again. `title` is the expected <title> per language, before the portal's name.
   */
  async function tour(
    who: Who,
    label: string,
    path: string,
    ready: string,
    title: Record<Lang, string>,
    options: { unlock?: boolean; status?: number; header?: boolean } = {},
  ) {
    const page = pages[who];
    await page.setViewportSize({ width: WIDTHS[0], height: 900 });
    const sep = path.includes("?") ? "&" : "?";
    const response = await page.goto(`${portal.url}${path}${sep}lang=en`);
    expect(response!.status(), `${label}: status`).toBe(options.status ?? 200);
    if (options.unlock) {
      const password = page.locator('input[name="password"]');
      await password.fill(PASSWORD);
      await password.press("Enter");
    }
    const problems: Problem[] = [];
    for (const lang of ["en", "ko"] as const) {
      if (lang === "ko") {
        // By keyboard, as a keyboard user switches.
        await page.locator("a.lang-switch").focus();
        await page.keyboard.press("Enter");
        await page.waitForURL(/lang=ko/);
        await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("ko");
      }
      await page.locator(ready).first().waitFor({ timeout: 30_000 });
      const suffix = lang === "ko" ? "클린 오케스트로 제보" : "Clean OKESTRO Report";
      const want = `${title[lang]} · ${suffix}`;
      if ((await page.title()) !== want) problems.push({ view: `${label} (${lang})`, what: `<title> is "${await page.title()}", not "${want}"` });
      const widths = lang === "en" ? WIDTHS : ([...WIDTHS].reverse() as number[]);
      for (const width of widths) {
        await page.setViewportSize({ width, height: 900 });
        problems.push(...(await checkView(page, options.header === false ? "nobody" : who, label, lang, width)));
      }
    }
    // Soft: every page of the test is visited and every problem listed, not only the first page's.
    expect.soft(problems.map((p) => `${p.view}: ${p.what}`)).toEqual([]);
  }

  beforeAll(async () => {
    await loadSodium();
    axeSource = await readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0" });
    const [, inv] = await Promise.all([
      createStaff(portal, "admin", EMAIL.admin, ["--name", "박정민 Chief Park"]),
      createStaff(portal, "investigator", EMAIL.investigator, ["--name", "강민지 Kang Min-ji"]),
      createStaff(portal, "affiliate", EMAIL.cloud, ["--affiliate", "cloud", "--name", "조은비 Cho"]),
      createStaff(portal, "affiliate", EMAIL.agi, ["--affiliate", "agi", "--name", "한도윤 Han"]),
    ]);
    for (const who of Object.keys(EMAIL) as Exclude<Who, "nobody">[]) staff[who] = await signInFromNode(portal.url, EMAIL[who], PASSWORD);
    const lee = staff.investigator;
    const leeId = inv.id;
    inviteToken = (
      await staff.admin.client.post<{ path: string }>("/api/staff/invitations", {
        email: "new.investigator@okestro.example",
        role: "investigator",
        displayName: "이서연",
      })
    ).path
      .split("/")
      .pop()!;

    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const submit = () =>
      submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: CONTENT.title,
          body: { description: CONTENT.description, details: CONTENT.details, periodFrom: "2026-01-01", periodTo: "2026-06-30" },
          identity: { name: CONTENT.name, email: CONTENT.email, phone: CONTENT.phone },
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: true,
        },
        [memoryFile(CONTENT.file, "application/pdf", Buffer.from("%PDF-1.4 minutes"))],
        info,
        { baseUrl: portal.url },
      );
    const a = await submit();
    const b = await submit();
    caseA = a;
    // Two more reports, untouched: the inbox has rows of every kind.
    await submit();
    for (const r of [a, b]) {
      const reporter = await openCase(r.receiptCode, { baseUrl: portal.url });
      await reporter.session.sendMessage(CONTENT.message);
      await reporter.session.requestPrivacy("correction", CONTENT.privacy);
      await reporter.session.requestPrivacy("suspension", CONTENT.privacy);
      await reporter.session.logout();
    }
    const caseView = (id: string) => lee.client.get<ArchivableCase>(`/api/staff/cases/${id}/view`);
    const work = async (reportId: string) => {
      const keys = (await caseForSharing(portal, reportId, leeId, lee.client.keyPair!)).keys;
      await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
      const mid = newRecordId();
      await lee.client.caseOp(reportId, "messages", {
        id: mid,
        body: toBase64Url(encryptMessage(keys.reportKey, reportId, mid, { author: "investigator", kind: "question", text: CONTENT.question })),
      });
      const nid = newRecordId();
      await lee.client.caseOp(reportId, "notes", {
        id: nid,
        body: toBase64Url(encryptJson(keys.caseKey, { purpose: "note", id: reportId, subId: nid }, { text: CONTENT.note })),
      });
      await lee.client.caseOp(reportId, "labels", { labels: toBase64Url(encryptJson(keys.caseKey, { purpose: "labels", id: reportId }, CONTENT.labels)) });
      const request = (await caseView(reportId)).privacyRequests.find((p) => p.kind === "correction")!;
      await lee.client.caseOp(reportId, "privacy-answer", {
        requestId: request.id,
        answer: toBase64Url(encryptPrivacyText(keys.reportKey, reportId, request.id, "answer", CONTENT.answer)),
      });
      return keys;
    };
    await work(a.reportId);
    const shareable = await caseForSharing(portal, a.reportId, leeId, lee.client.keyPair!);
    // Sharing the identity takes a released access first (ADR 052).
    await openIdentityWithReason(lee.client, shareable.keys, a.reportId);
    const share = (affiliate: "cloud" | "agi") =>
      createShare(lee.client, shareable.ref, shareable.keys, {
        affiliate,
        purpose: "fact_finding",
        purposeNote: CONTENT.purposeNote,
        retainUntil: null,
        fields: {
          title: CONTENT.title,
          category: { ko: info.categories[0]!.nameKo, en: info.categories[0]!.nameEn },
          description: CONTENT.description,
          details: CONTENT.details,
          period: { from: "2026-01-01", to: "2026-06-30" },
          name: CONTENT.name,
          email: CONTENT.email,
          phone: CONTENT.phone,
        },
        redacted: [],
        files: shareable.files,
      });
    shareCloud = (await share("cloud")).shareId;
    shareAgi = (await share("agi")).shareId;
    await sendFeedback(staff.cloud.client, openShare(await fetchShare(staff.cloud.client, shareCloud), staff.cloud.client.keyPair!), CONTENT.feedback);

    const keysB = await work(b.reportId);
    const sid = newRecordId();
    await lee.client.caseOp(b.reportId, "status", {
      to: "closed",
      outcome: "substantiated",
      summary: {
        id: sid,
        body: toBase64Url(encryptMessage(keysB.reportKey, b.reportId, sid, { author: "investigator", kind: "message", text: CONTENT.answer })),
      },
    });
    // The archive carries the identity: archiving takes a released access too (ADR 052).
    await openIdentityWithReason(lee.client, keysB, b.reportId, "legal_obligation");
    await archiveCase(lee.client, await caseView(b.reportId), keysB, { ko: info.categories[0]!.nameKo, en: info.categories[0]!.nameEn }, "national_tax");
    archivedCaseNumber = b.caseNumber;
    archiveId = (await staff.admin.client.get<{ id: string; caseNumber: string }[]>("/api/admin/archives")).find((x) => x.caseNumber === b.caseNumber)!.id;

    browser = await launchChromium();
    for (const who of ["admin", "investigator", "cloud", "agi", "nobody"] as const) pages[who] = await contextFor(who);
  }, 240_000);

  afterAll(async () => {
    const s = (ms: number) => (ms / 1000).toFixed(1);
    console.log(`staff pages: ${visited.length} views checked in ${s(Date.now() - started)} s (axe ${s(spent.axe)} s, reflow and header ${s(spent.checks)} s)`);
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await portal?.stop();
  });

  it("the sign-in, recovery and invitation pages", async () => {
    await tour("nobody", "staff sign-in", "/staff/login", 'input[name="email"]', { en: "Staff sign-in", ko: "직원 로그인" });
    await tour("nobody", "password recovery", "/staff/recover", 'input[name="email"]', { en: "Reset your password", ko: "비밀번호 재설정" });
    await tour("nobody", "invitation", `/staff/activate/${inviteToken}`, 'input[type="password"]', { en: "Activate your account", ko: "계정 활성화" });
  });

  it("the investigator's inbox, a case page with content, and the account page", async () => {
    await tour("investigator", "inbox", "/staff", '[data-testid="inbox"] tbody tr', { en: "Cases", ko: "사건 목록" }, { unlock: true });
    await tour(
      "investigator",
      "case page",
      `/staff/cases/${caseA.caseNumber}`,
      '[data-testid="staff-notes"]',
      { en: `Case ${caseA.caseNumber}`, ko: `사건 ${caseA.caseNumber}` },
      {
        unlock: true,
      },
    );
    await tour("investigator", "account (investigator)", "/staff/account", "main form", { en: "Your account", ko: "내 계정" });
  });

  it("the affiliate reviewers' inbox and share pages, OKESTRO Cloud and OKESTRO AGI (the account page is every role's: the investigator's tour covers it)", async () => {
    await tour("cloud", "affiliate inbox (Cloud)", "/affiliate", '[data-testid="affiliate-shares"]', { en: "Cases shared with you", ko: "공유받은 사건" });
    await tour(
      "cloud",
      "share (Cloud)",
      `/affiliate/shares/${shareCloud}`,
      '[data-testid="affiliate-feedback"]',
      { en: `Shared case ${caseA.caseNumber}`, ko: `공유된 사건 ${caseA.caseNumber}` },
      { unlock: true },
    );
    await tour(
      "agi",
      "share (AGI)",
      `/affiliate/shares/${shareAgi}`,
      '[data-testid="affiliate-title"]',
      { en: `Shared case ${caseA.caseNumber}`, ko: `공유된 사건 ${caseA.caseNumber}` },
      { unlock: true },
    );
  });

  it("every administration section, an archived case and the statistics", async () => {
    const sections: [string, string, string, Record<Lang, string>][] = [
      ["overview", "/admin", ".admin-sections", { en: "Administration", ko: "관리" }],
      ["accounts", "/admin/accounts", '[data-testid="staff-table"]', { en: "Accounts", ko: "계정" }],
      ["invitations", "/admin/invitations", 'input[name="email"]', { en: "Invitations", ko: "초대" }],
      ["categories", "/admin/categories", '[data-testid="category-list"]', { en: "Categories", ko: "유형" }],
      ["audit log", "/admin/audit", '[data-testid="audit-table"]', { en: "Audit log", ko: "감사 기록" }],
      ["statistics", "/admin/statistics", '[data-testid="statistics"] table', { en: "Statistics", ko: "통계" }],
      ["archives", "/admin/archives", '[data-testid="archive-list"]', { en: "Archives", ko: "보관소" }],
      ["settings", "/admin/settings", '[data-testid="settings"]', { en: "Settings", ko: "설정" }],
    ];
    for (const [label, path, ready, title] of sections) await tour("admin", `administration: ${label}`, path, ready, title);
    await tour(
      "admin",
      "archived case",
      `/admin/archives/${archiveId}`,
      '[data-testid="archive-title"]',
      { en: `Archived case ${archivedCaseNumber}`, ko: `보관된 사건 ${archivedCaseNumber}` },
      { unlock: true },
    );
  });

  it("the staff 403 and 404 pages lead to the role's home, not the reporter's start page", async () => {
    const home = async (who: Who, path: string, status: number, to: string) => {
      const page = pages[who];
      const response = await page.goto(`${portal.url}${path}?lang=en`);
      expect(response!.status(), path).toBe(status);
      const links = await page.locator("main a[href]").evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname));
      expect(links, `${who} on ${path}`).toEqual([to]);
    };
    await home("investigator", "/admin/accounts", 403, "/staff");
    await home("admin", "/staff", 403, "/admin");
    await home("cloud", "/staff/cases/2026-9999", 403, "/affiliate");
    await home("investigator", "/staff/cases/2026-9999", 404, "/staff");
    await home("cloud", "/affiliate/shares/00000000-0000-4000-8000-000000000000", 404, "/affiliate");
    await home("admin", "/admin/no-such-section", 404, "/admin");
    await tour("investigator", "403 page", "/admin/settings", "main h1", { en: "Not allowed", ko: "권한 없음" }, { status: 403, header: false });
    await tour("investigator", "404 page", "/staff/cases/2026-9999", "main h1", { en: "Not found", ko: "찾을 수 없음" }, { status: 404, header: false });
  });

  it("met no page error or CSP refusal", () => {
    expect(errors).toEqual([]);
  });
});
