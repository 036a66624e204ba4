// Cross-site scripting across the portal, in Chromium (issue 8, THREAT-MODEL
// §2.5). Hostile strings go, through the real clients, into every reporter
// field (title, description, details, name, e-mail, phone), file names (from
// the reporter at intake and in the follow-up, and from an investigator),
// reporter and investigator messages, privacy requests and answers, internal
// notes, labels, a share's purpose note, affiliate feedback and the
// investigators' replies, an archived case, and the plain-text names staff
// and administrators choose (display names, a report category). Every page
// that shows them is then rendered: the inbox, the case page with all its
// sections, the share form prefilled, the affiliate's list and share, the
// administration page, the archive list and an archived case, the reporter's
// follow-up page and report form; in English and Korean; and a few URLs that
// reflect hostile text. The suite fails if a payload runs (window.__xss), a
// dialog opens, an inline handler or eval is refused by the CSP (so it was
// injected), a page error occurs or a popup opens; it checks every document's
// CSP (enforced, a fresh nonce, no 'unsafe-inline' for scripts), that every
// <script> carries the nonce, that no hostile markup reaches the HTML or the
// DOM, and that each payload is shown as text, exactly, where it is rendered.
// Every view of this tour is also where the network observer's check runs
// (THREAT-MODEL §2.6): any request to another origin is an incident.
import { openIdentityWithReason } from "../support/identity";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptJson, encryptMessage, encryptPrivacyText, loadSodium, newRecordId, toBase64Url, type ReportKeys } from "../../crypto";
import { fetchShare, openShare, sendFeedback } from "../../app/affiliate/share-reader";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { archiveCase, type ArchivableCase } from "../../app/staff/archive-builder";
import { createShare, replyToFeedback } from "../../app/staff/share-builder";
import { chromiumAvailable, launchChromium, leavesOrigin } from "../support/browser";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { showControls } from "../../app/components/user-text";
import { escapeHtml, hostile, HOSTILE_NAMES, htmlText, renderedName, signedInContext, signInFromNode, XssWatch, type NodeStaff } from "../support/xss";

/** One hostile string per field and case, each led by a marker naming it. */
const fieldsOf = (c: "A" | "B") => {
  const f = (field: string) => hostile(`${c}-${field}`);
  return {
    title: f("title"),
    description: f("description"),
    details: f("details"),
    name: f("name"),
    email: f("email"),
    phone: f("phone"),
    reporterMessage: f("reporter-message"),
    investigatorMessage: f("investigator-message"),
    note: f("note"),
    label: f("label"),
    privacyRequest: f("privacy-request"),
    privacyAnswer: f("privacy-answer"),
    openPrivacyRequest: f("open-privacy-request"),
    summary: f("closing-summary"),
    purposeNote: f("share-purpose-note"),
    feedback: f("affiliate-feedback"),
    reply: f("investigator-feedback-reply"),
    reporterFile: `${f("reporter-followup-file")}.pdf`,
    investigatorFile: `${f("investigator-file")}.docx`,
  };
};
const A = fieldsOf("A");
const B = fieldsOf("B");
/** Intake files: a full payload; path separators, an RTL override and a control character, served as HTML; a javascript: URL. */
const INTAKE_FILES = (c: typeof A) => [
  { name: `${c.title.replace("title", "intake-file")}.txt`, type: "text/plain", body: "plain" },
  {
    name: `../..\\<svg onload=window.__xss=3>\u202Elmth.exe\u0007.html`,
    type: "text/html",
    body: `<script>window.__xss=11</script><img src=x onerror="window.__xss=12">`,
  },
  { name: "javascript:window.__xss=4", type: "text/plain", body: "x" },
];
const LABELS = [A.label, "javascript:window.__xss=4", HOSTILE_NAMES.categoryKo];
/** The fields shown as prose (user-text.tsx): embeddings, overrides and isolates as markers; every other field as a name or identifier (every control as a marker). */
const PROSE =
  /^(description|details|reporter message|investigator message|closing summary|note|privacy request|privacy answer|share purpose note|affiliate feedback|investigator feedback reply)/;

describe.skipIf(!chromiumAvailable())("cross-site scripting in every view, in Chromium", () => {
  let portal: TestPortal;
  let browser: Browser;
  let watch: XssWatch;
  let lee: NodeStaff;
  let cloud: NodeStaff;
  let admin: NodeStaff;
  let leeId: string;
  let a: { reportId: string; caseNumber: string; receiptCode: string };
  let shareId: string;
  let archiveId: string;
  const contexts: Record<string, BrowserContext> = {};
  const pages: Record<string, Page> = {};
  /** field -> views it was seen rendered (as text) in. */
  const coverage = new Map<string, Set<string>>();
  const started = Date.now();
  let loads = 0;

  const cover = (field: string, view: string) => {
    if (!coverage.has(field)) coverage.set(field, new Set());
    coverage.get(field)!.add(view);
  };
  const textOf = async (page: Page, selector: string) => (await page.locator(selector).allTextContents()).join("\n");

  /** Each [field, text, selector] shows as that exact text (its controls as markers, as UserText shows them); then the DOM audit, and nothing may have happened. */
  async function rendered(page: Page, view: string, checks: [string, string, string?][]) {
    for (const [field, text, selector = "main"] of checks) {
      await expect
        .poll(() => textOf(page, selector), { timeout: 10_000, message: `${field} as text in ${view} (${selector})` })
        .toContain(showControls(text, PROSE.test(field) ? "prose" : "name"));
      cover(field, view);
    }
    await clean(page, view);
  }
  async function clean(page: Page, view: string) {
    await watch.auditDom(page);
    // Give a late handler (an image error, a deferred script) a moment to fire.
    await page.waitForTimeout(150);
    expect(watch.take(), `incidents in ${view}`).toEqual([]);
  }
  async function open(page: Page, path: string, ready: string, options: { unlock?: boolean; status?: number } = {}) {
    const response = await page.goto(`${portal.url}${path}`);
    loads++;
    expect(response!.status(), path).toBe(options.status ?? 200);
    if (options.unlock) {
      const password = page.locator('input[name="password"]');
      await password.fill(PASSWORD);
      await password.press("Enter");
    }
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
  }
  /** The language switch, a client-side navigation: the unlocked key stays in memory. */
  async function toKorean(page: Page) {
    // A dispatched click: a long hostile name can push the header's items over the link.
    await page.locator("a.lang-switch").dispatchEvent("click");
    await page.waitForURL(/lang=ko/);
    await expect.poll(() => page.locator("html").getAttribute("lang")).toBe("ko");
  }
  async function staffPage(name: string, staff: NodeStaff) {
    contexts[name] = await signedInContext(watch, portal.url, staff);
    pages[name] = await watch.page(contexts[name]!);
    return pages[name]!;
  }
  const caseView = (reportId: string) => lee.client.get<ArchivableCase>(`/api/staff/cases/${reportId}/view`);
  const keysOf = async (reportId: string): Promise<ReportKeys> => (await caseForSharing(portal, reportId, leeId, lee.client.keyPair!)).keys;

  /** What an investigator does to a case from Node: acknowledge, a question, a note, labels, the answer to a privacy request. */
  async function investigate(reportId: string, c: typeof A) {
    const keys = await keysOf(reportId);
    await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
    const mid = newRecordId();
    await lee.client.caseOp(reportId, "messages", {
      id: mid,
      body: toBase64Url(encryptMessage(keys.reportKey, reportId, mid, { author: "investigator", kind: "question", text: c.investigatorMessage })),
    });
    const nid = newRecordId();
    await lee.client.caseOp(reportId, "notes", {
      id: nid,
      body: toBase64Url(encryptJson(keys.caseKey, { purpose: "note", id: reportId, subId: nid }, { text: c.note })),
    });
    await lee.client.caseOp(reportId, "labels", { labels: toBase64Url(encryptJson(keys.caseKey, { purpose: "labels", id: reportId }, LABELS)) });
    const request = (await caseView(reportId)).privacyRequests.find((p) => p.kind === "correction")!;
    await lee.client.caseOp(reportId, "privacy-answer", {
      requestId: request.id,
      answer: toBase64Url(encryptPrivacyText(keys.reportKey, reportId, request.id, "answer", c.privacyAnswer)),
    });
    return keys;
  }

  beforeAll(async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { RETENTION_INTERVAL_MINUTES: "0" });
    browser = await launchChromium();
    watch = new XssWatch(browser, portal.url);
    leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", HOSTILE_NAMES.investigator])).id;
    await createStaff(portal, "investigator", "park@okestro.example", ["--name", HOSTILE_NAMES.colleague]);
    await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", HOSTILE_NAMES.reviewer]);
    await createStaff(portal, "admin", "chief@okestro.example", ["--name", HOSTILE_NAMES.admin]);
    [lee, cloud, admin] = (await Promise.all(["lee", "cloud", "chief"].map((who) => signInFromNode(portal.url, `${who}@okestro.example`, PASSWORD)))) as [
      NodeStaff,
      NodeStaff,
      NodeStaff,
    ];
    await admin.client.post("/api/admin/categories", { nameKo: HOSTILE_NAMES.categoryKo, nameEn: HOSTILE_NAMES.categoryEn });

    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const category = info.categories.find((c) => c.nameEn === HOSTILE_NAMES.categoryEn)!;
    const submit = (c: typeof A) =>
      submitEncryptedReport(
        {
          categoryId: category.id,
          title: c.title,
          body: { description: c.description, details: c.details, periodFrom: "2026-01-01", periodTo: null },
          identity: { name: c.name, email: c.email, phone: c.phone },
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: true,
        },
        INTAKE_FILES(c).map((f) => memoryFile(f.name, f.type, Buffer.from(f.body))),
        info,
        { baseUrl: portal.url },
      );
    a = await submit(A);
    const b = await submit(B);

    // The reporters: a message, privacy requests (one answered, one left open), a file.
    for (const [r, c] of [
      [a, A],
      [b, B],
    ] as const) {
      const reporter = await openCase(r.receiptCode, { baseUrl: portal.url });
      await reporter.session.sendMessage(c.reporterMessage);
      await reporter.session.requestPrivacy("correction", c.privacyRequest);
      await reporter.session.requestPrivacy("suspension", c.openPrivacyRequest);
      await reporter.session.addFiles([memoryFile(c.reporterFile, "text/plain", Buffer.from("follow-up"))]);
      await reporter.session.logout();
    }

    // Case A: worked on, a file for the reporter, shared with OKESTRO Cloud with everything; feedback both ways.
    const keysA = await investigate(a.reportId, A);
    await lee.client.addFiles(a.reportId, keysA.reportKey, [memoryFile(A.investigatorFile, "text/plain", Buffer.from("from the ethics team"))]);
    const shareable = await caseForSharing(portal, a.reportId, leeId, lee.client.keyPair!);
    // Sharing the identity takes a released access first (ADR 052).
    await openIdentityWithReason(lee.client, shareable.keys, a.reportId);
    ({ shareId } = await createShare(lee.client, shareable.ref, shareable.keys, {
      affiliate: "cloud",
      purpose: "fact_finding",
      purposeNote: A.purposeNote,
      retainUntil: null,
      fields: {
        title: A.title,
        category: { ko: HOSTILE_NAMES.categoryKo, en: HOSTILE_NAMES.categoryEn },
        description: A.description,
        details: A.details,
        period: { from: "2026-01-01", to: null },
        name: A.name,
        email: A.email,
        phone: A.phone,
      },
      redacted: [],
      files: shareable.files,
    }));
    await sendFeedback(cloud.client, openShare(await fetchShare(cloud.client, shareId), cloud.client.keyPair!), A.feedback);
    const { shares } = await lee.client.get<{ shares: { id: string; feedbackKey: string }[] }>(`/api/staff/cases/${a.reportId}/shares`);
    await replyToFeedback(lee.client, a.reportId, keysA, shares[0]!, A.reply);

    // Case B: worked on, closed with a summary, and moved into the archive for the administrators.
    const keysB = await investigate(b.reportId, B);
    const sid = newRecordId();
    await lee.client.caseOp(b.reportId, "status", {
      to: "closed",
      outcome: "substantiated",
      summary: { id: sid, body: toBase64Url(encryptMessage(keysB.reportKey, b.reportId, sid, { author: "investigator", kind: "message", text: B.summary })) },
    });
    await openIdentityWithReason(lee.client, keysB, b.reportId, "legal_obligation");
    await archiveCase(lee.client, await caseView(b.reportId), keysB, { ko: HOSTILE_NAMES.categoryKo, en: HOSTILE_NAMES.categoryEn }, "national_tax");
    const archives = await admin.client.get<{ id: string; caseNumber: string }[]>("/api/admin/archives");
    archiveId = archives.find((x) => x.caseNumber === b.caseNumber)!.id;
  });

  afterAll(async () => {
    const views = [...new Set([...coverage.values()].flatMap((s) => [...s]))];
    const rows = [...coverage].map(([field, seen]) => `  ${field.padEnd(34)} ${[...seen].join(", ")}`);
    console.log(
      [
        `XSS coverage: ${coverage.size} fields, ${views.length} views, ${[...coverage.values()].reduce((n, s) => n + s.size, 0)} field×view pairs; ${watch?.documents.length ?? 0} documents checked; ${watch?.requests.length ?? 0} requests, all to the portal; ${((Date.now() - started) / 1000).toFixed(1)} s`,
        ...rows,
      ].join("\n"),
    );
    await browser?.close();
    await portal?.stop();
  });

  it("shows the investigator the titles in the inbox as text, in English and Korean", async () => {
    const page = await staffPage("lee", lee);
    await open(page, "/staff?lang=en", '[data-testid="inbox"]', { unlock: true });
    const html = await watch.html(page);
    // Server-rendered plain text: escaped in the HTML (the loader data escapes "<" too).
    for (const name of [HOSTILE_NAMES.investigator, HOSTILE_NAMES.colleague, HOSTILE_NAMES.categoryEn]) expect(htmlText(html)).toContain(renderedName(name));
    const checks: [string, string, string?][] = [
      ["title", A.title, '[data-testid="inbox"]'],
      ["display name (investigator)", HOSTILE_NAMES.investigator],
      ["display name (colleague)", HOSTILE_NAMES.colleague, 'select[name="assignee"]'],
    ];
    await rendered(page, "inbox (en)", [...checks, ["category name", HOSTILE_NAMES.categoryEn, 'select[name="category"]']]);
    await toKorean(page);
    await rendered(page, "inbox (ko)", [...checks, ["category name", HOSTILE_NAMES.categoryKo, 'select[name="category"]']]);
  });

  const caseChecks = (): [string, string, string?][] => [
    ["title", A.title, '[data-testid="staff-case-title"]'],
    ["description", A.description, '[data-testid="staff-case-description"]'],
    ["details", A.details, 'section[aria-labelledby="s-report"]'],
    ["name", A.name, 'section[aria-labelledby="s-identity"]'],
    ["email", A.email, 'section[aria-labelledby="s-identity"]'],
    ["phone", A.phone, 'section[aria-labelledby="s-identity"]'],
    ...INTAKE_FILES(A).map((f, i): [string, string, string] => [`file name (intake ${i + 1})`, f.name, 'section[aria-labelledby="s-files"]']),
    ["file name (reporter follow-up)", A.reporterFile, 'section[aria-labelledby="s-files"]'],
    ["file name (investigator)", A.investigatorFile, 'section[aria-labelledby="s-files"]'],
    ["reporter message", A.reporterMessage, '[data-testid="staff-dialogue"]'],
    ["investigator message", A.investigatorMessage, '[data-testid="staff-dialogue"]'],
    ["note", A.note, '[data-testid="staff-notes"]'],
    ["privacy request", A.privacyRequest, 'section[aria-labelledby="s-privacy"]'],
    ["privacy request (open)", A.openPrivacyRequest, 'section[aria-labelledby="s-privacy"]'],
    ["privacy answer", A.privacyAnswer, 'section[aria-labelledby="s-privacy"]'],
    ["affiliate feedback", A.feedback, '[data-testid="share-feedback"]'],
    ["investigator feedback reply", A.reply, '[data-testid="share-feedback"]'],
    ["shared package (title, details, identity)", A.phone, '[data-testid="case-shares"]'],
    ["display name (investigator)", HOSTILE_NAMES.investigator, '[data-testid="staff-dialogue"]'],
    ["display name (colleague)", HOSTILE_NAMES.colleague, 'select[name="assignee"]'],
    ["display name (reviewer)", HOSTILE_NAMES.reviewer, '[data-testid="case-shares"]'],
  ];

  it("renders every section of the case page as text, in English and Korean", async () => {
    const page = pages.lee!;
    await open(page, `/staff/cases/${a.caseNumber}?lang=en`, '[data-testid="staff-case-title"]', { unlock: true });
    await rendered(page, "case page (en)", [...caseChecks(), ["category name", HOSTILE_NAMES.categoryEn]]);
    // Labels are edited in a text box: the value, exactly.
    expect(await page.locator('input[name="labels"]').inputValue()).toBe(LABELS.join(", "));
    cover("label", "case page (en)");
    await toKorean(page);
    await rendered(page, "case page (ko)", [...caseChecks(), ["category name", HOSTILE_NAMES.categoryKo]]);
    expect(await page.locator('input[name="labels"]').inputValue()).toBe(LABELS.join(", "));
    cover("label", "case page (ko)");
  });

  it("prefills the share forms (an update and a new share) with the texts as values", async () => {
    const page = pages.lee!;
    const form = async (view: string, purposeNote: string) => {
      await page.locator(".share-form").waitFor();
      for (const [field, id, text] of [
        ["title", "title", A.title],
        ["description", "description", A.description],
        ["details", "details", A.details],
      ] as const) {
        expect(await page.locator(`#share-text-${id}`).inputValue(), `${field} in ${view}`).toBe(text);
        cover(field, view);
      }
      expect(await page.locator('textarea[name="purposeNote"]').inputValue()).toBe(purposeNote);
      if (purposeNote) cover("share purpose note", view);
      await rendered(page, view, [
        ...INTAKE_FILES(A).map((f, i): [string, string, string] => [`file name (intake ${i + 1})`, f.name, ".share-form"]),
        ["category name", HOSTILE_NAMES.categoryKo, ".share-form"],
      ]);
    };
    await page.getByTestId("share-cloud").getByRole("button", { name: "공유 내용 갱신" }).click();
    await form("share form, update (ko)", A.purposeNote);
    await page.locator(".share-form").getByRole("button", { name: "취소" }).click();
    await page.getByRole("button", { name: "계열사와 공유" }).click();
    await form("share form, new (ko)", "");
    await page.locator(".share-form").getByRole("button", { name: "취소" }).click();
  });

  it("hands a hostile file over only as a download, under a name without path separators or control characters", async () => {
    const page = pages.lee!;
    const before = page.url();
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('section[aria-labelledby="s-files"] button', { hasText: "lmth.exe" }).click(),
    ]);
    expect(download.suggestedFilename()).not.toMatch(/[\\/\u0000-\u001f]/);
    expect(page.url()).toBe(before);
    await clean(page, "case page, download");
  });

  it("refuses in the browser what a missing nonce would let through: an inline script, an inline handler, eval", async () => {
    const page = pages.lee!;
    const outcome = await page.evaluate(`(async () => {
      const s = document.createElement("script");
      s.textContent = "window.__xssProbeScript = 1";
      document.body.appendChild(s);
      document.body.insertAdjacentHTML("beforeend", '<img id="xss-probe" src="/xss-probe-missing.png" onerror="window.__xssProbeHandler = 1">');
      // A string timer is compiled by the page itself, as eval is.
      setTimeout("window.__xssProbeEval = 1", 0);
      await new Promise((r) => setTimeout(r, 500));
      return [window.__xssProbeScript, window.__xssProbeHandler, window.__xssProbeEval].map((v) => v ?? null);
    })()`);
    expect(outcome).toEqual([null, null, null]);
    // The harness sees what it must: the injected elements in the DOM audit, and a write to window.__xss.
    await watch.auditDom(page);
    await page.evaluate(
      `document.getElementById("xss-probe").remove(); for (const s of document.scripts) if (s.textContent.includes("__xssProbe")) s.remove(); window.__xss = "harness self-check";`,
    );
    await page.waitForTimeout(200);
    const refused = watch.take();
    expect(refused.filter((i) => i.kind === "dom").map((i) => i.detail)).toEqual([
      expect.stringMatching(/^script without the response's nonce/),
      expect.stringMatching(/^inline handler onerror on <img>/),
    ]);
    expect(refused.filter((i) => i.kind === "executed").map((i) => i.detail)).toEqual(["window.__xss = harness self-check"]);
    expect(
      refused
        .filter((i) => i.kind === "csp-violation")
        .map((i) => i.detail.split(" ")[0])
        .sort(),
    ).toEqual(["script-src", "script-src-attr", "script-src-elem"]);
    expect(refused.filter((i) => !["csp-violation", "console", "dom", "executed"].includes(i.kind))).toEqual([]);
  });

  it("shows staff their own display name on the account page as text", async () => {
    for (const [who, name] of [
      ["lee", HOSTILE_NAMES.investigator],
      ["cloud", HOSTILE_NAMES.reviewer],
    ] as const) {
      const page = pages[who] ?? (await staffPage(who, who === "lee" ? lee : cloud));
      await open(page, "/staff/account?lang=en", "main form");
      expect(htmlText(await watch.html(page))).toContain(renderedName(name));
      await rendered(page, "account page (en)", [[`display name (${who === "lee" ? "investigator" : "reviewer"})`, name]]);
      await toKorean(page);
      await rendered(page, "account page (ko)", [[`display name (${who === "lee" ? "investigator" : "reviewer"})`, name]]);
    }
  });

  const shareChecks = (): [string, string, string?][] => [
    ["title", A.title, '[data-testid="affiliate-title"]'],
    ["description", A.description, '[data-testid="affiliate-description"]'],
    ["details", A.details, '[data-testid="affiliate-fields"]'],
    ["name", A.name, '[data-testid="affiliate-fields"]'],
    ["email", A.email, '[data-testid="affiliate-fields"]'],
    ["phone", A.phone, '[data-testid="affiliate-fields"]'],
    ...INTAKE_FILES(A).map((f, i): [string, string, string] => [`file name (intake ${i + 1})`, f.name, 'section[aria-labelledby="a-files"]']),
    ["file name (reporter follow-up)", A.reporterFile, 'section[aria-labelledby="a-files"]'],
    ["file name (investigator)", A.investigatorFile, 'section[aria-labelledby="a-files"]'],
    ["share purpose note", A.purposeNote, 'section[aria-labelledby="a-note"]'],
    ["affiliate feedback", A.feedback, '[data-testid="affiliate-feedback"]'],
    ["investigator feedback reply", A.reply, '[data-testid="affiliate-feedback"]'],
    ["display name (reviewer)", HOSTILE_NAMES.reviewer],
  ];

  it("shows the affiliate reviewer the share list and the share as text, in English and Korean", async () => {
    const page = await staffPage("cloud", cloud);
    await open(page, "/affiliate?lang=en", '[data-testid="affiliate-shares"]');
    expect(htmlText(await watch.html(page))).toContain(renderedName(HOSTILE_NAMES.reviewer));
    await rendered(page, "affiliate list (en)", [["display name (reviewer)", HOSTILE_NAMES.reviewer]]);
    await toKorean(page);
    await rendered(page, "affiliate list (ko)", [["display name (reviewer)", HOSTILE_NAMES.reviewer]]);

    await open(page, `/affiliate/shares/${shareId}?lang=en`, '[data-testid="affiliate-title"]', { unlock: true });
    await rendered(page, "affiliate share (en)", [...shareChecks(), ["category name", HOSTILE_NAMES.categoryEn, '[data-testid="affiliate-fields"]']]);
    await toKorean(page);
    await rendered(page, "affiliate share (ko)", [...shareChecks(), ["category name", HOSTILE_NAMES.categoryKo, '[data-testid="affiliate-fields"]']]);
  });

  it("shows the administrator names, categories, the archive list and the archived case as text, in English and Korean", async () => {
    const page = await staffPage("admin", admin);
    // Administration in sections (issue 20): accounts, the audit log and the categories, each on its page.
    await open(page, "/admin/accounts?lang=en", '[data-testid="staff-table"]');
    const html = await watch.html(page);
    const people = [HOSTILE_NAMES.investigator, HOSTILE_NAMES.colleague, HOSTILE_NAMES.reviewer, HOSTILE_NAMES.admin];
    for (const name of people) expect(htmlText(html)).toContain(renderedName(name));
    const names: [string, string, string][] = [
      ["display name (investigator)", HOSTILE_NAMES.investigator, '[data-testid="staff-table"]'],
      ["display name (colleague)", HOSTILE_NAMES.colleague, '[data-testid="staff-table"]'],
      ["display name (reviewer)", HOSTILE_NAMES.reviewer, '[data-testid="staff-table"]'],
      ["display name (administrator)", HOSTILE_NAMES.admin, '[data-testid="staff-table"]'],
    ];
    await rendered(page, "administration, accounts (en)", names);
    await toKorean(page);
    await rendered(page, "administration, accounts (ko)", names);
    await open(page, "/admin/audit?lang=en", '[data-testid="audit-table"]');
    const inAudit: [string, string, string][] = [["display name (investigator)", HOSTILE_NAMES.investigator, '[data-testid="audit-table"]']];
    await rendered(page, "administration, audit log (en)", inAudit);
    await toKorean(page);
    await rendered(page, "administration, audit log (ko)", inAudit);
    await open(page, "/admin/categories?lang=en", '[data-testid="category-list"]');
    expect(htmlText(await watch.html(page))).toContain(renderedName(HOSTILE_NAMES.categoryEn));
    await rendered(page, "administration, categories (en)", [["category name", HOSTILE_NAMES.categoryEn, 'section[aria-labelledby="a-categories"]']]);
    await toKorean(page);
    await rendered(page, "administration, categories (ko)", [["category name", HOSTILE_NAMES.categoryKo, 'section[aria-labelledby="a-categories"]']]);

    await open(page, "/admin/archives?lang=en", '[data-testid="archive-list"]');
    await rendered(page, "archive list (en)", [["display name (administrator)", HOSTILE_NAMES.admin]]);
    await toKorean(page);
    await rendered(page, "archive list (ko)", [["display name (administrator)", HOSTILE_NAMES.admin]]);

    const archived = (): [string, string, string?][] => [
      ["title", B.title, '[data-testid="archive-title"]'],
      ["description", B.description, '[data-testid="archive-description"]'],
      ["details", B.details, 'section[aria-labelledby="ar-report"]'],
      ["name", B.name, 'section[aria-labelledby="ar-report"]'],
      ["email", B.email, 'section[aria-labelledby="ar-report"]'],
      ["phone", B.phone, 'section[aria-labelledby="ar-report"]'],
      ...INTAKE_FILES(B).map((f, i): [string, string, string] => [`file name (intake ${i + 1})`, f.name, 'section[aria-labelledby="ar-files"]']),
      ["file name (reporter follow-up)", B.reporterFile, 'section[aria-labelledby="ar-files"]'],
      ["reporter message", B.reporterMessage, '[data-testid="archive-dialogue"]'],
      ["investigator message", B.investigatorMessage, '[data-testid="archive-dialogue"]'],
      ["closing summary", B.summary, '[data-testid="archive-dialogue"]'],
      ["note", B.note, 'section[aria-labelledby="ar-notes"]'],
      ["privacy request", B.privacyRequest, 'section[aria-labelledby="ar-privacy"]'],
      ["privacy request (open)", B.openPrivacyRequest, 'section[aria-labelledby="ar-privacy"]'],
      ["privacy answer", B.privacyAnswer, 'section[aria-labelledby="ar-privacy"]'],
    ];
    await open(page, `/admin/archives/${archiveId}?lang=en`, '[data-testid="archive-title"]', { unlock: true });
    await rendered(page, "archived case (en)", [...archived(), ["category name", HOSTILE_NAMES.categoryEn, 'section[aria-labelledby="ar-report"]']]);
    await toKorean(page);
    await rendered(page, "archived case (ko)", [...archived(), ["category name", HOSTILE_NAMES.categoryKo, 'section[aria-labelledby="ar-report"]']]);
  });

  it("shows the reporter their own case, and the report form the names staff chose, as text, in English and Korean", async () => {
    contexts.reporter = await watch.context();
    const page = (pages.reporter = await watch.page(contexts.reporter));
    const checks = (): [string, string, string?][] => [
      ["title", A.title, '[data-testid="case-title"]'],
      ["description", A.description, 'section[aria-labelledby="report"]'],
      ["details", A.details, 'section[aria-labelledby="report"]'],
      ["name", A.name, 'section[aria-labelledby="report"]'],
      ["email", A.email, 'section[aria-labelledby="report"]'],
      ["phone", A.phone, 'section[aria-labelledby="report"]'],
      ...INTAKE_FILES(A).map((f, i): [string, string, string] => [`file name (intake ${i + 1})`, f.name, 'section[aria-labelledby="files"]']),
      ["file name (reporter follow-up)", A.reporterFile, 'section[aria-labelledby="files"]'],
      ["file name (investigator)", A.investigatorFile, 'section[aria-labelledby="files"]'],
      ["reporter message", A.reporterMessage, '[data-testid="dialogue"]'],
      ["investigator message", A.investigatorMessage, '[data-testid="dialogue"]'],
      ["privacy request", A.privacyRequest, '[data-testid="privacy-requests"]'],
      ["privacy request (open)", A.openPrivacyRequest, '[data-testid="privacy-requests"]'],
      ["privacy answer", A.privacyAnswer, '[data-testid="privacy-requests"]'],
    ];
    const signIn = async () => {
      const receipt = page.locator('input[name="receipt"]');
      await receipt.fill(a.receiptCode);
      await receipt.press("Enter");
      await page.getByTestId("case-title").waitFor({ timeout: 30_000 });
    };
    await open(page, "/status?lang=en", 'input[name="receipt"]');
    await signIn();
    await rendered(page, "reporter follow-up (en)", checks());
    await toKorean(page);
    if (!(await page.getByTestId("case-title").isVisible())) await signIn();
    await rendered(page, "reporter follow-up (ko)", checks());

    for (const [lang, category] of [
      ["en", HOSTILE_NAMES.categoryEn],
      ["ko", HOSTILE_NAMES.categoryKo],
    ] as const) {
      await open(page, `/report?lang=${lang}`, 'select[name="categoryId"], select');
      const html = await watch.html(page);
      for (const name of [HOSTILE_NAMES.investigator, HOSTILE_NAMES.colleague, category]) expect(htmlText(html)).toContain(renderedName(name));
      await rendered(page, `report form (${lang})`, [
        ["display name (investigator)", HOSTILE_NAMES.investigator],
        ["display name (colleague)", HOSTILE_NAMES.colleague],
        ["category name", category, "select"],
      ]);
    }
    for (const path of [
      "/?lang=en",
      "/?lang=ko",
      "/privacy?lang=en",
      "/privacy?lang=ko",
      "/staff/login?lang=en",
      "/staff/login?lang=ko",
      "/staff/recover?lang=en",
    ]) {
      await open(page, path, "main");
      await clean(page, path);
    }
  });

  it("reflects hostile text from URLs only as text", async () => {
    const P = encodeURIComponent(hostile("URL"));
    const tag = encodeURIComponent(`"><script>window.__xss=1</script><img src=x onerror=window.__xss=2>`);
    const visits: [string, string, number][] = [
      ["reporter", `/status?lang=${P}`, 200],
      ["reporter", `/report?lang=en&categoryId=${P}`, 200],
      ["reporter", `/${tag}?lang=en`, 404],
      ["reporter", `/staff/activate/${tag}?lang=en`, 200],
      ["lee", `/staff?lang=en&case=${P}&status=${P}&category=${P}&assignee=${P}&sort=${P}`, 200],
      ["lee", `/staff/cases/${tag}?lang=en`, 404],
      ["cloud", `/affiliate/shares/${tag}?lang=en`, 404],
      ["admin", `/admin/audit?lang=en&action=${P}&case=${P}`, 200],
      ["admin", `/admin/statistics?lang=en&from=${P}&to=${P}`, 200],
      ["admin", `/admin/archives/${tag}?lang=en`, 404],
    ];
    for (const [who, path, status] of visits) {
      const page = pages[who]!;
      await open(page, path, "main", { status });
      await clean(page, `${who} ${decodeURIComponent(path).slice(0, 60)}`);
    }
    // The audit filter shows what was typed, as the value of its box.
    await open(pages.admin!, `/admin/audit?lang=en&action=${P}`, '[data-testid="audit-table"]');
    expect(await pages.admin!.locator('input[name="action"]').inputValue()).toBe(hostile("URL"));
    expect(await watch.html(pages.admin!)).toContain(`value="${escapeHtml(hostile("URL"))}"`);
    await clean(pages.admin!, "administration, audit filter");
  });

  it("checked every document: an enforced CSP with a fresh nonce each time", () => {
    const nonces = watch.documents.map((d) => d.nonce);
    expect(nonces.every((n) => n !== null)).toBe(true);
    expect(new Set(nonces).size).toBe(nonces.length);
    expect(watch.documents.length).toBeGreaterThanOrEqual(loads);
    expect(watch.take()).toEqual([]);
  });

  it("made every request of the tour, documents, subresources and fetches, to the portal's own origin", () => {
    // The watch saw what the pages load, not only the documents: otherwise "no third-party request" would prove nothing.
    expect([...new Set(watch.requests.map((r) => r.type))]).toEqual(expect.arrayContaining(["document", "script", "stylesheet", "fetch"]));
    expect(watch.requests.filter((r) => leavesOrigin(r.url, new URL(portal.url).origin))).toEqual([]);
  });
});
