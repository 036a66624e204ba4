// The privacy notice (/privacy) through the real server on PGlite and
// PostgreSQL: it states the configured retention periods, consignee and privacy
// officer in Korean and in English, its headings and tables are well formed,
// it is linked from the landing page and the footer, and no reporter page or
// reporter API answer sets a cookie (the notice says so).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../app/.server/platform/config";
import { privacyNotice } from "../../app/.server/retention/privacy-notice";
import { loadSodium } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";
import { withSolvedPow } from "../support/pow";

const CONFIGURED = {
  PRIVACY_OFFICER_NAME: "Lee Seoyeon",
  PRIVACY_OFFICER_TITLE: "Chief Privacy Officer",
  PRIVACY_OFFICER_PHONE: "02-1234-5678",
  PRIVACY_OFFICER_EMAIL: "privacy-officer@okestro.example",
  PRIVACY_DEPARTMENT: "Ethics Compliance Office",
  EMAIL_CONSIGNEE: "Mailer Test Company",
  RETENTION_YEARS: "5",
  UNACKNOWLEDGED_RETENTION_MONTHS: "9",
  REPORTER_SESSION_IDLE_MINUTES: "20",
};

const DEFAULTS = {
  name: "Kim Minjun, Kim Young Kwang",
  title: "CEO",
  phone: "02-6080-0029",
  email: "info@okestro.com",
  department: "Customer Support Center",
  consignee: "Stevie Corporation",
};

const HANGUL = /[\uAC00-\uD7A3]/;

/** The page's visible text: tags dropped, React's text separators removed, common entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<!-- -->/g, "")
    .replace(/<script[\s\S]*?<\/script>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ");
}

function headingsOf(html: string): { level: number; text: string }[] {
  return [...html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1>/g)].map((m) => ({ level: Number(m[1]), text: textOf(m[2]!).trim() }));
}

async function page(portal: TestPortal, path: string): Promise<{ html: string; text: string; response: Response }> {
  const response = await fetch(`${portal.url}${path}`);
  expect(response.status, path).toBe(200);
  const html = await response.text();
  return { html, text: textOf(html), response };
}

function expectNoCookie(response: Response, what: string) {
  expect(response.headers.getSetCookie(), what).toEqual([]);
  expect(response.headers.get("set-cookie"), what).toBeNull();
}

describe("privacy notice defaults", () => {
  it("come from the company privacy policy", () => {
    const notice = privacyNotice(loadConfig({}));
    expect(notice).toMatchObject({
      retentionYears: 3,
      unacknowledgedRetentionMonths: 12,
      privacyAnswerDays: 10,
      emailConsignee: DEFAULTS.consignee,
      officer: { name: DEFAULTS.name, title: DEFAULTS.title, phone: DEFAULTS.phone, email: DEFAULTS.email },
      department: { name: DEFAULTS.department, phone: DEFAULTS.phone, email: DEFAULTS.email },
    });
    expect(notice.affiliates).toEqual(["cloud", "agi"]);
  });

  it("refuses a malformed officer e-mail or phone, naming the variable", () => {
    expect(() => loadConfig({ PRIVACY_OFFICER_EMAIL: "not an address" })).toThrow(/PRIVACY_OFFICER_EMAIL/);
    expect(() => loadConfig({ PRIVACY_OFFICER_PHONE: "call me" })).toThrow(/PRIVACY_OFFICER_PHONE/);
    expect(() => loadConfig({ UNACKNOWLEDGED_RETENTION_MONTHS: "0" })).toThrow(/UNACKNOWLEDGED_RETENTION_MONTHS/);
  });
});

for (const backend of await backends()) {
  describe(`privacy notice on ${backend}`, () => {
    let portal: TestPortal;

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, CONFIGURED);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("states the configured values in English", async () => {
      const { html, text } = await page(portal, "/privacy?lang=en");
      expect(html).toContain('<html lang="en"');
      for (const value of [
        CONFIGURED.PRIVACY_OFFICER_NAME,
        CONFIGURED.PRIVACY_OFFICER_TITLE,
        CONFIGURED.PRIVACY_OFFICER_PHONE,
        CONFIGURED.PRIVACY_OFFICER_EMAIL,
        CONFIGURED.PRIVACY_DEPARTMENT,
        CONFIGURED.EMAIL_CONSIGNEE,
      ]) {
        expect(text).toContain(value);
      }
      expect(text).toContain("kept for 5 years after the case is closed");
      expect(text).toContain("at most 9 months after it was received");
      expect(text).toContain("At most 5 years after the purpose is achieved");
      expect(text).toContain("due within 10 days");
      expect(text).toContain("after 20 minutes without activity");
      expect(text).toContain("OKESTRO Cloud");
      expect(text).toContain("OKESTRO AGI");
      expect(text).toContain("set no cookies at all");
      expect(text).toContain("IP address");
      // The configured values replace the policy's defaults.
      for (const value of [DEFAULTS.consignee, DEFAULTS.email, DEFAULTS.department, "Kim Minjun"]) expect(text).not.toContain(value);
      expect(html).toContain(`href="mailto:${CONFIGURED.PRIVACY_OFFICER_EMAIL}"`);
    });

    it("states the configured values in Korean, under Korean headings", async () => {
      const { html, text } = await page(portal, "/privacy?lang=ko");
      expect(html).toContain('<html lang="ko"');
      for (const value of [
        CONFIGURED.PRIVACY_OFFICER_NAME,
        CONFIGURED.PRIVACY_OFFICER_TITLE,
        CONFIGURED.PRIVACY_OFFICER_PHONE,
        CONFIGURED.PRIVACY_OFFICER_EMAIL,
        CONFIGURED.PRIVACY_DEPARTMENT,
        CONFIGURED.EMAIL_CONSIGNEE,
      ]) {
        expect(text).toContain(value);
      }
      expect(text).toContain("처리 목적 달성 후 5년간");
      expect(text).toContain("최대 9개월간");
      expect(text).toContain("목적 달성(사건 종결) 후 최대 5년");
      expect(text).toContain("10일 이내");
      expect(text).toContain("20분 동안");
      expect(text).toContain("오케스트로 클라우드");
      expect(text).toContain("오케스트로 AGI");
      expect(text).toContain("쿠키를 전혀 설정하지 않으며");
      const headings = headingsOf(html);
      expect(headings[0]).toEqual({ level: 1, text: "제보자 개인정보 처리방침" });
      for (const h of headings) expect(h.text).toMatch(HANGUL);
      for (const title of [
        "수집하는 개인정보 항목",
        "보유 및 이용 기간",
        "오케스트로 계열사에 대한 제공",
        "개인정보 처리 위탁",
        "동의를 거부할 권리",
        "정보주체의 권리와 행사 방법",
        "쿠키와 브라우저 저장소",
        "개인정보 보호책임자 및 담당 부서",
      ]) {
        expect(headings.map((h) => h.text)).toContain(title);
      }
    });

    it("has headings in order and table headers with a scope", async () => {
      for (const lang of ["en", "ko"]) {
        const { html } = await page(portal, `/privacy?lang=${lang}`);
        const levels = headingsOf(html).map((h) => h.level);
        expect(levels.filter((l) => l === 1)).toHaveLength(1);
        expect(levels[0]).toBe(1);
        for (let i = 1; i < levels.length; i++) expect(levels[i]! - levels[i - 1]!).toBeLessThanOrEqual(1);
        const ths = [...html.matchAll(/<th\b[^>]*>/g)].map((m) => m[0]);
        expect(ths.length).toBeGreaterThan(10);
        for (const th of ths) expect(th).toMatch(/ scope="(col|row)"/);
        if (lang === "en") for (const h of headingsOf(html)) expect(h.text).not.toMatch(HANGUL);
      }
    });

    it("is linked from the landing page and from the footer of every reporter page", async () => {
      for (const lang of ["ko", "en"]) {
        const landing = await page(portal, `/?lang=${lang}`);
        expect(landing.html.match(new RegExp(`href="/privacy\\?lang=${lang}"`, "g"))?.length).toBeGreaterThanOrEqual(2);
        for (const path of ["/report", "/status", "/privacy"]) {
          const { html } = await page(portal, `${path}?lang=${lang}`);
          expect(html, path).toContain(`href="/privacy?lang=${lang}"`);
        }
      }
    });

    it("sets no cookie on any reporter page or reporter API answer", async () => {
      for (const path of ["/", "/report", "/status", "/privacy", "/?lang=ko", "/privacy?lang=en", "/api/intake/info"]) {
        const r = await fetch(`${portal.url}${path}`, { headers: { "Accept-Language": "ko-KR,ko;q=0.9" } });
        expect(r.status, path).toBe(200);
        expectNoCookie(r, path);
        await r.arrayBuffer();
      }

      // A whole reporter journey with a recording fetch: intake, then follow-up.
      await createStaff(portal, "investigator", "privacy-inv@okestro.example");
      // Recorded, not asserted inside fetch: the client would take a throw for a network error and retry.
      const seen: string[] = [];
      const cookies: string[] = [];
      const recording: typeof fetch = async (input, init) => {
        const r = await fetch(input, init);
        const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
        const what = `${init?.method ?? "GET"} ${new URL(url).pathname}`;
        seen.push(what);
        if (r.headers.getSetCookie().length > 0 || r.headers.has("set-cookie")) cookies.push(what);
        return r;
      };
      const form = await page(portal, "/report");
      expectNoCookie(form.response, "/report with the form open");
      const info = await fetchIntakeInfo({ baseUrl: portal.url, fetch: recording });
      const submitted = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "privacy notice check",
          body: { description: "no cookies", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [memoryFile("note.txt", "text/plain", Buffer.from("attached"))],
        info,
        { baseUrl: portal.url, fetch: recording },
      );
      const { session, case: opened } = await openCase(submitted.receiptCode, { baseUrl: portal.url, fetch: recording });
      await session.keepAlive();
      await session.sendMessage("hello");
      await session.addFiles([memoryFile("more.txt", "text/plain", Buffer.from("more"))]);
      await session.requestPrivacy("access", null);
      await session.downloadAttachment(opened.attachments[0]!.id);
      await session.refresh();
      await session.logout();
      const miss = await fetch(`${portal.url}/api/followup/session`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(await withSolvedPow(portal.url, "followup-session")) },
        body: JSON.stringify({ lookup: "A".repeat(43) }),
      });
      expect(miss.status).toBe(404);
      expectNoCookie(miss, "a receipt look-up that misses");

      for (const route of [
        "POST /api/intake/uploads",
        "POST /api/intake/reports",
        "POST /api/followup/session",
        "GET /api/followup/session",
        "POST /api/followup/messages",
        "POST /api/followup/uploads",
        "POST /api/followup/attachments",
        "POST /api/followup/privacy-requests",
        "GET /api/followup/case",
        "DELETE /api/followup/session",
      ]) {
        expect(seen, route).toContain(route);
      }
      expect(seen.some((s) => s.startsWith("PUT /api/intake/uploads/"))).toBe(true);
      expect(cookies).toEqual([]);
      expect(seen.some((s) => s.startsWith("GET /api/followup/attachments/"))).toBe(true);
    });
  });
}

describe("privacy notice without configuration", () => {
  let portal: TestPortal;

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("shows the policy's privacy officer, department, consignee and periods in both languages", async () => {
    for (const lang of ["en", "ko"]) {
      const { text } = await page(portal, `/privacy?lang=${lang}`);
      for (const value of Object.values(DEFAULTS)) expect(text, lang).toContain(value);
      expect(text).toContain(lang === "en" ? "kept for 3 years after the case is closed" : "처리 목적 달성 후 3년간");
      expect(text).toContain(lang === "en" ? "at most 12 months after it was received" : "최대 12개월간");
    }
  });
});
