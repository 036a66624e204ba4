// Statistics for administrators through the real server on PGlite and
// PostgreSQL: five cases handled over six weeks of the portal's clock, privacy
// requests answered on time, late or not yet, provisions to both affiliates
// and destruction tombstones in the audit log. The numbers are exact, in the
// JSON answer, in the page's data tables and in the CSV export (issue 20),
// for all time and for a period; late acknowledgement and closing are set in
// the day columns directly. The answers hold no case number, report id,
// title, name or anything encrypted; only administrators get them.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reports } from "../../db/schema";
import { encryptMessage, encryptPrivacyText, loadSodium, newRecordId, toBase64Url } from "../../crypto";
import { appendAudit } from "../../app/.server/audit/audit";
import type { CaseStatistics } from "../../app/admin/wire";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, type SubmittedReport } from "../../app/reporter/intake-client";
import { createShare, updateShare, type ShareSelection } from "../../app/staff/share-builder";
import { StaffClient } from "../../app/staff/staff-client";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { cookieFetch, firstSignIn, totpCode } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

// Strings that must never reach the statistics.
const M = {
  title: (c: string) => `MKSTATTITLE-${c}-5d1`,
  description: "MKSTATBODY-8e4",
  summary: "MKSTATSUMMARY-2c9",
  request: "MKSTATREQUEST-7a3",
  answer: "MKSTATANSWER-1f6",
  reason: "MKSTATREASON-4b8",
  lee: "MKSTATLEE-Lee",
  reviewer: "MKSTATREVIEWER",
};
/** Noon in Seoul (TIME_ZONE's default) on a calendar day. */
const at = (day: string) => new Date(`${day}T03:00:00Z`);

for (const backend of await backends()) {
  describe(`statistics on ${backend}`, () => {
    let portal: TestPortal;
    let leeId: string;
    let leeSecret: string;
    let adminSecret: string;
    let admin: StaffClient;
    let lee: StaffClient;
    const cases: Record<"A" | "B" | "C" | "D" | "E", SubmittedReport> = {} as never;
    let categoryNames: [string, string];

    /** A fresh session at the portal's current (moved) clock: sessions do not last days. */
    const signInAt = async (email: string, secret: string, when: Date) => {
      const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      expect(await c.signIn(email, PASSWORD)).toBe("totp");
      await c.secondFactor({ code: totpCode(secret, when.getTime()) });
      return c;
    };
    const day = (d: string) => {
      portal.setNow(at(d));
      return at(d);
    };
    const submit = (name: string, category: 0 | 1) => submitTextReport(portal.url, { title: M.title(name), description: M.description, category });
    const requestPrivacy = async (c: SubmittedReport, kind: "access" | "correction" | "deletion" | "suspension") => {
      const { session } = await openCase(c.receiptCode, { baseUrl: portal.url });
      await session.requestPrivacy(kind, kind === "correction" ? M.request : null);
      const id = (await session.refresh()).privacyRequests.find((p) => p.kind === kind)!.id;
      await session.logout();
      return id;
    };
    const keysOf = (c: SubmittedReport) => caseForSharing(portal, c.reportId, leeId, lee.keyPair!);
    const close = async (c: SubmittedReport) => {
      const { keys } = await keysOf(c);
      const sid = newRecordId();
      await lee.caseOp(c.reportId, "status", {
        to: "closed",
        outcome: "substantiated",
        summary: { id: sid, body: toBase64Url(encryptMessage(keys.reportKey, c.reportId, sid, { author: "investigator", kind: "message", text: M.summary })) },
      });
    };
    const answer = async (c: SubmittedReport, requestId: string) => {
      const { keys } = await keysOf(c);
      await lee.caseOp(c.reportId, "privacy-answer", {
        requestId,
        answer: toBase64Url(encryptPrivacyText(keys.reportKey, c.reportId, requestId, "answer", M.answer)),
      });
    };
    const share = async (c: SubmittedReport, affiliate: "cloud" | "agi") => {
      const k = await keysOf(c);
      const sel: ShareSelection = {
        affiliate,
        purpose: "fact_finding",
        purposeNote: null,
        retainUntil: null,
        fields: { title: k.title },
        redacted: [],
        files: [],
      };
      return { k, sel, created: await createShare(lee, k.ref, k.keys, sel) };
    };
    const statistics = (client: StaffClient, query = "") => client.get<CaseStatistics>(`/api/admin/statistics${query}`);
    const adminFetch = (path: string) => (admin.options.fetch as typeof fetch)(`${portal.url}${path}`);
    /** The CSV export's records (the RFC 4180 reader is below), checked for its framing on the way. */
    const csv = async (query: string) => {
      const r = await adminFetch(`/api/admin/statistics/csv${query}`);
      expect(r.status).toBe(200);
      expect(r.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
      expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="statistics_[0-9a-z_-]+\.csv"$/);
      const bytes = new Uint8Array(await r.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const records = readCsv(new TextDecoder().decode(bytes.subarray(3)));
      for (const record of records) expect(record).toHaveLength(4);
      return { records, value: (table: string, row: string, column: string) => records.find((x) => x[0] === table && x[1] === row && x[2] === column)?.[3] };
    };
    /** The rows of a statistics table on the administration page, as [row header, ...cells] texts. */
    const pageTable = async (query: string, id: string) => {
      const html = await (await adminFetch(`/admin/statistics${query}`)).text();
      const start = html.indexOf(`data-testid="stats-${id}"`);
      expect(start).toBeGreaterThan(0);
      const table = html.slice(start, html.indexOf("</table>", start));
      const text = (cell: string) => cell.replace(/<[^>]+>/g, "").trim();
      return [...table.matchAll(/<tr data-row="([^"]+)">(.*?)<\/tr>/g)].map((m) => [
        m[1]!,
        ...[...m[2]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => text(c[1]!)),
      ]);
    };

    beforeAll(async () => {
      await loadSodium();
      // Feedback is due a month after acknowledgement, so one case misses it within the six weeks; no retention run moves cases meanwhile.
      portal = await startTestPortal(backend, { FEEDBACK_DEADLINE_MONTHS: "1", RETENTION_INTERVAL_MINUTES: "0" });
      leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", M.lee])).id;
      await createStaff(portal, "admin", "admin@okestro.example", ["--name", "MKSTATADMIN"]);
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud", "--name", `${M.reviewer}-cloud`]);
      await createStaff(portal, "affiliate", "agi@okestro.example", ["--affiliate", "agi", "--name", `${M.reviewer}-agi`]);
      leeSecret = (await firstSignIn(portal.url, "lee@okestro.example", PASSWORD)).totpSecret;
      adminSecret = (await firstSignIn(portal.url, "admin@okestro.example", PASSWORD)).totpSecret;
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      categoryNames = [info.categories[0]!.nameEn, info.categories[1]!.nameEn];

      // 2 March: three reports arrive.
      day("2031-03-02");
      cases.A = await submit("A", 0);
      cases.B = await submit("B", 1);
      cases.C = await submit("C", 0);
      // 3 March: A's reporter asks for access (due 13 March), C's for deletion (never answered).
      day("2031-03-03");
      const accessA = await requestPrivacy(cases.A, "access");
      await requestPrivacy(cases.C, "deletion");
      // 4 March: A acknowledged after 2 days. 7 March: B after 5 days (feedback due 7 April).
      lee = await signInAt("lee@okestro.example", leeSecret, day("2031-03-04"));
      await lee.caseOp(cases.A.reportId, "status", { to: "acknowledged" });
      lee = await signInAt("lee@okestro.example", leeSecret, day("2031-03-07"));
      await lee.caseOp(cases.B.reportId, "status", { to: "acknowledged" });
      // 20 March: two more reports; B's reporter asks for a correction (due 30 March).
      day("2031-03-20");
      cases.D = await submit("D", 1);
      cases.E = await submit("E", 0);
      const correctionB = await requestPrivacy(cases.B, "correction");
      // 22 March: D acknowledged after 2 days and put in review; shares: A to Cloud in two
      // versions, B to Cloud, D to AGI; both requests answered (A's 9 days late); A closed
      // after 20 days, E closed straight from received after 2.
      lee = await signInAt("lee@okestro.example", leeSecret, day("2031-03-22"));
      await lee.caseOp(cases.D.reportId, "status", { to: "acknowledged" });
      await lee.caseOp(cases.D.reportId, "status", { to: "in_review" });
      const a = await share(cases.A, "cloud");
      const [current] = (await lee.get<{ shares: { id: string; version: number; feedbackKey: string }[] }>(`/api/staff/cases/${cases.A.reportId}/shares`))
        .shares;
      await updateShare(lee, a.k.ref, a.k.keys, current!, { ...a.sel, fields: { title: a.k.title, description: a.k.body.description } });
      await share(cases.B, "cloud");
      await share(cases.D, "agi");
      await answer(cases.A, accessA);
      await answer(cases.B, correctionB);
      await close(cases.A);
      await close(cases.E);
      // 10 April: D's reporter asks for suspension (due 20 April, still open).
      day("2031-04-10");
      await requestPrivacy(cases.D, "suspension");

      // Tombstones as the retention job writes them (action case.destroyed, the reason in the details),
      // carrying a real case number and report id that the statistics must not show.
      const tombstone = (when: string, reason: string) =>
        portal.services.db.transaction((tx) =>
          appendAudit(
            tx,
            portal.services,
            { actorType: "system", action: "case.destroyed", reportId: cases.E.reportId, caseNumber: cases.E.caseNumber, details: { reason } },
            new Date(when),
          ),
        );
      await tombstone("2031-03-15T03:00:00Z", "retention");
      await tombstone("2031-03-15T05:00:00Z", "deletion_request");
      await tombstone("2031-03-31T16:00:00Z", "retention"); // 1 April, 01:00 in Seoul
      await tombstone("2031-04-02T03:00:00Z", "unacknowledged");
      await tombstone("2031-04-02T04:00:00Z", "archived");
      await tombstone("2031-04-03T03:00:00Z", M.reason); // an unknown reason is counted, never echoed

      // 15 April: the administrator looks.
      admin = await signInAt("admin@okestro.example", adminSecret, day("2031-04-15"));
    });
    afterAll(async () => {
      portal?.setNow(null);
      await portal?.stop();
    });

    it("counts cases by status and category, handling times and what is overdue", async () => {
      const s = await statistics(admin);
      expect(s).toMatchObject({ today: "2031-04-15", timeZone: "Asia/Seoul", range: null });
      expect(s.cases.total).toBe(5);
      expect(s.cases.open).toBe(3);
      expect(s.cases.byStatus).toEqual([
        { status: "received", count: 1 },
        { status: "acknowledged", count: 1 },
        { status: "in_review", count: 1 },
        { status: "investigating", count: 0 },
        { status: "closed", count: 2 },
      ]);
      const byCategory = new Map(s.cases.byCategory.map((c) => [c.nameEn, c.count]));
      expect(byCategory.get(categoryNames[0])).toBe(3);
      expect(byCategory.get(categoryNames[1])).toBe(2);
      expect(s.cases.byCategory.reduce((n, c) => n + c.count, 0)).toBe(5);
      // Acknowledged: A after 2 days, B after 5, D after 2 (E was closed unacknowledged).
      expect(s.cases.acknowledge).toEqual({ count: 3, median: 2, average: 3, max: 5 });
      // Closed: A after 20 days, E after 2.
      expect(s.cases.close).toEqual({ count: 2, median: 11, average: 11, max: 20 });
      // C's acknowledgement was due 9 March, B's feedback 7 April; D's feedback is due 22 April.
      expect(s.cases.overdue).toEqual({ total: 2, acknowledgement: 1, feedback: 1 });
    });

    it("counts privacy requests by kind and state with their response times", async () => {
      const s = await statistics(admin);
      const none = { count: 0, median: null, average: null, max: null };
      expect(s.privacyRequests.byKind).toEqual([
        { kind: "access", open: 0, answered: 1, answeredLate: 1, openOverdue: 0, response: { count: 1, median: 19, average: 19, max: 19 } },
        { kind: "correction", open: 0, answered: 1, answeredLate: 0, openOverdue: 0, response: { count: 1, median: 2, average: 2, max: 2 } },
        { kind: "deletion", open: 1, answered: 0, answeredLate: 0, openOverdue: 1, response: none },
        { kind: "suspension", open: 1, answered: 0, answeredLate: 0, openOverdue: 0, response: none },
      ]);
      expect(s.privacyRequests.total).toEqual({
        open: 2,
        answered: 2,
        answeredLate: 1,
        openOverdue: 1,
        response: { count: 2, median: 10.5, average: 10.5, max: 19 },
      });
    });

    it("counts provisions per affiliate and destructions per month and reason", async () => {
      const s = await statistics(admin);
      expect(s.provisions).toEqual([
        { affiliate: "agi", nameKo: expect.any(String), nameEn: expect.any(String), versions: 1, shares: 1 },
        { affiliate: "cloud", nameKo: expect.any(String), nameEn: expect.any(String), versions: 3, shares: 2 },
      ]);
      expect(s.destructions).toEqual([
        { month: "2031-03", retention: 1, unacknowledged: 0, deletion_request: 1, archived: 0, other: 0, total: 2 },
        { month: "2031-04", retention: 1, unacknowledged: 1, deletion_request: 0, archived: 1, other: 1, total: 4 },
      ]);
    });

    it("limits everything to a period, and refuses a malformed one", async () => {
      const s = await statistics(admin, "?from=2031-03-20&to=2031-04-30");
      expect(s.range).toEqual({ from: "2031-03-20", to: "2031-04-30" });
      // Cases received in the period: D and E.
      expect(s.cases.byStatus.filter((r) => r.count > 0)).toEqual([
        { status: "in_review", count: 1 },
        { status: "closed", count: 1 },
      ]);
      expect(s.cases.acknowledge).toEqual({ count: 1, median: 2, average: 2, max: 2 });
      expect(s.cases.close).toEqual({ count: 1, median: 2, average: 2, max: 2 });
      expect(s.cases.overdue.total).toBe(0);
      // Requests made in the period: B's correction and D's suspension.
      expect(s.privacyRequests.total).toEqual({ open: 1, answered: 1, answeredLate: 0, openOverdue: 0, response: { count: 1, median: 2, average: 2, max: 2 } });
      expect(s.provisions.map((p) => p.versions)).toEqual([1, 3]);
      expect(s.destructions.map((d) => d.month)).toEqual(["2031-04"]);
      for (const q of ["?from=2031-04-30&to=2031-03-20", "?from=2031-02-30", "?to=yesterday"]) {
        await expect(statistics(admin, q)).rejects.toMatchObject({ status: 400, code: "bad_range" });
      }
    });

    it("contains no case number, report id, title, name or content", async () => {
      const text = JSON.stringify([await statistics(admin), await statistics(admin, "?from=2031-03-01")]);
      const forbidden = [
        ...Object.values(cases).flatMap((c) => [c.caseNumber, c.reportId, c.receiptCode]),
        ...["A", "B", "C", "D", "E"].map(M.title),
        M.description,
        M.summary,
        M.request,
        M.answer,
        M.reason,
        M.lee,
        M.reviewer,
        "MKSTATADMIN",
        "@okestro.example",
        leeId,
        "COR-",
      ];
      for (const f of forbidden) expect(text).not.toContain(f);
    });

    it("shows the statistics on their administration page in both languages", async () => {
      const page = async (lang: string) => {
        const html = await (await (admin.options.fetch as typeof fetch)(`${portal.url}/admin/statistics?lang=${lang}`)).text();
        const start = html.indexOf('data-testid="statistics"');
        expect(start).toBeGreaterThan(0);
        return html.slice(start, html.indexOf("</section>", start));
      };
      const en = await page("en");
      expect(en).toContain("<caption>Cases by status</caption>");
      expect(en).toContain("<caption>Privacy requests</caption>");
      expect(en).toContain("<caption>Destroyed cases by month</caption>");
      expect(en).toContain('<th scope="col">');
      expect(en).toContain('<th scope="row">');
      const ko = await page("ko");
      expect(ko).toContain("<caption>상태별 사건</caption>");
      expect(ko).toContain("<caption>월별 파기 사건</caption>");
      // The audit log further down names cases; the statistics section does not.
      for (const section of [en, ko]) for (const c of Object.values(cases)) expect(section).not.toContain(c.caseNumber);
    });

    it("counts reports by month, the status funnel and both deadlines", async () => {
      const s = await statistics(admin);
      expect(s.rules).toEqual({ ackDays: 7, feedbackMonths: 1 });
      expect(s.cases.byMonth).toEqual([{ month: "2031-03", count: 5 }]);
      // Acknowledged: A, B, D; in review: D (the audit log says it went there); closed: A and E (E never acknowledged).
      expect(s.cases.funnel).toEqual([
        { step: "received", count: 5 },
        { step: "acknowledged", count: 3 },
        { step: "examined", count: 1 },
        { step: "closed", count: 2 },
      ]);
      // Acknowledgement due 9 March (A, B, C) and 27 March (D, E): A, B and D in time, C overdue, E closed without.
      // Closing: A by its feedback deadline (4 April), E by its acknowledgement deadline; B (7 April) and C (9 March)
      // overdue on 15 April; D due 22 April.
      expect(s.cases.deadlines).toEqual({
        acknowledge: { onTime: 3, late: 0, overdue: 1, pending: 0, closedWithout: 1 },
        close: { onTime: 2, late: 0, overdue: 2, pending: 1 },
      });
      const p = await statistics(admin, "?from=2031-03-20&to=2031-04-30");
      expect(p.cases.byMonth).toEqual([
        { month: "2031-03", count: 2 },
        { month: "2031-04", count: 0 },
      ]);
      expect(p.cases.funnel.map((f) => f.count)).toEqual([2, 1, 1, 1]);
      expect(p.cases.deadlines).toEqual({
        acknowledge: { onTime: 1, late: 0, overdue: 0, pending: 0, closedWithout: 1 },
        close: { onTime: 1, late: 0, overdue: 0, pending: 1 },
      });
    });

    it("shows the same figures in the page's data tables, with a chart hidden from assistive technology", async () => {
      expect(await pageTable("?lang=en", "month")).toEqual([["2031-03", "March 2031", "5"]]);
      expect(await pageTable("?lang=en", "funnel")).toEqual([
        ["received", "Received", "5"],
        ["acknowledged", "Acknowledged", "3"],
        ["examined", "In review or investigation", "1"],
        ["closed", "Closed", "2"],
      ]);
      expect(await pageTable("?lang=en", "deadlines")).toEqual([
        ["acknowledge", "Acknowledgement (7 days)", "3", "0", "1", "0", "1"],
        ["close", "Closing (1 months after acknowledgement)", "2", "0", "2", "1", "—"],
      ]);
      expect(await pageTable("?lang=en", "times")).toEqual([
        ["acknowledge", "Receipt to acknowledgement", "3", "2", "3", "5"],
        ["close", "Receipt to closing", "2", "11", "11", "20"],
      ]);
      expect(await pageTable("?lang=en", "overdue")).toEqual([
        ["open", "Open", "3"],
        ["overdue", "Overdue", "2"],
        ["acknowledgement", "Overdue for acknowledgement", "1"],
        ["feedback", "Overdue for feedback", "1"],
      ]);
      const byCategory = new Map((await pageTable("?lang=en", "category")).map((r) => [r[1], r[2]]));
      expect(byCategory.get(categoryNames[0])).toBe("3");
      expect(byCategory.get(categoryNames[1])).toBe("2");
      expect((await pageTable("?lang=en", "provisions")).map((r) => r.slice(2))).toEqual([
        ["1", "1"],
        ["2", "3"],
      ]);
      expect((await pageTable("?lang=ko", "privacy")).map((r) => [r[0], r[1], r[2], r[4]])).toEqual([
        ["access", "열람", "0", "1"],
        ["correction", "정정", "0", "1"],
        ["deletion", "삭제", "1", "0"],
        ["suspension", "처리정지", "1", "0"],
        ["total", "전체 요구", "2", "2"],
      ]);
      // The period, from the address: cases received from 20 March.
      const q = "?lang=ko&from=2031-03-20&to=2031-04-30";
      expect(await pageTable(q, "month")).toEqual([
        ["2031-03", "2031년 3월", "2"],
        ["2031-04", "2031년 4월", "0"],
      ]);
      expect(await pageTable(q, "funnel")).toEqual([
        ["received", "접수", "2"],
        ["acknowledged", "접수 확인", "1"],
        ["examined", "검토 또는 조사", "1"],
        ["closed", "종결", "1"],
      ]);
      const html = await (await adminFetch(`/admin${q}`)).text();
      const section = html.slice(html.indexOf('data-testid="statistics"'), html.indexOf("</section>", html.indexOf('data-testid="statistics"')));
      expect(section).toContain('value="2031-03-20"');
      expect(section).toContain('href="/api/admin/statistics/csv?from=2031-03-20&amp;to=2031-04-30&amp;lang=ko"');
      // Every chart is an SVG hidden from assistive technology, coloured by class: no style attribute for the CSP to refuse.
      expect(section.match(/<svg[^>]*data-testid="chart-/g)?.length).toBeGreaterThanOrEqual(8);
      for (const svg of section.match(/<svg[^>]*>/g) ?? []) expect(svg).toContain('aria-hidden="true"');
      expect(section).not.toMatch(/\sstyle=/);
    });

    it("exports the same figures as CSV, in either language and for a period", async () => {
      const en = await csv("?lang=en");
      expect(en.records[0]).toEqual(["Table", "Row", "Column", "Value"]);
      expect(en.records.slice(1, 4)).toEqual([
        ["Period", "From", "", "All time"],
        ["Period", "To", "", "All time"],
        ["Period", "Today", "Asia/Seoul", "2031-04-15"],
      ]);
      expect(en.value("Cases received by month", "2031-03", "Cases")).toBe("5");
      expect(en.value("Cases by status", "All cases", "Cases")).toBe("5");
      expect(en.value("Status funnel: cases that reached each step", "In review or investigation", "Cases")).toBe("1");
      const deadlines = "Deadlines: acknowledgement within 7 days, feedback within 1 months of it"; // quoted: it has a comma
      expect(en.value(deadlines, "Acknowledgement (7 days)", "Closed without acknowledgement")).toBe("1");
      expect(en.value(deadlines, "Closing (1 months after acknowledgement)", "Open and overdue")).toBe("2");
      expect(en.value(deadlines, "Closing (1 months after acknowledgement)", "Closed without acknowledgement")).toBe("");
      expect(en.value("Handling times in calendar days", "Receipt to closing", "Median")).toBe("11");
      expect(en.value("Handling times in calendar days", "Receipt to acknowledgement", "Average")).toBe("3");
      expect(en.value("Privacy requests", "All requests", "Median days to answer")).toBe("10.5");
      expect(en.value("Cases by category", categoryNames[0], "Cases")).toBe("3");
      expect(en.value("Destroyed cases by month", "2031-04", "Other")).toBe("1");
      const ko = await csv("?lang=ko&from=2031-03-20&to=2031-04-30");
      expect(ko.records[0]).toEqual(["표", "행", "열", "값"]);
      expect(ko.records[1]).toEqual(["기간", "시작일", "", "2031-03-20"]);
      expect(ko.value("월별 접수 사건", "2031-03", "사건 수")).toBe("2");
      expect(ko.value("월별 접수 사건", "2031-04", "사건 수")).toBe("0");
      expect(ko.value("상태 단계별 사건: 각 단계에 이른 사건 수", "종결", "사건 수")).toBe("1");
      const r = await adminFetch("/api/admin/statistics/csv?from=2031-03-20&to=2031-04-30");
      expect(r.headers.get("content-disposition")).toBe('attachment; filename="statistics_2031-03-20_2031-04-30.csv"');
      expect((await adminFetch("/api/admin/statistics/csv?from=2031-04-30&to=2031-03-20")).status).toBe(400);
      // Nothing about a case or a person in the file.
      const text = JSON.stringify([en.records, ko.records]);
      for (const c of Object.values(cases)) for (const f of [c.caseNumber, c.reportId, c.receiptCode]) expect(text).not.toContain(f);
      for (const f of [...["A", "B", "C", "D", "E"].map(M.title), M.description, M.lee, M.reviewer, M.reason, "MKSTATADMIN", "@okestro.example", leeId, "COR-"])
        expect(text).not.toContain(f);
    });

    it("answers administrators only", async () => {
      expect((await fetch(`${portal.url}/api/admin/statistics`)).status).toBe(401);
      const investigator = await signInAt("lee@okestro.example", leeSecret, at("2031-04-15"));
      await expect(statistics(investigator)).rejects.toMatchObject({ status: 403, code: "forbidden" });
      expect((await fetch(`${portal.url}/api/admin/statistics/csv`)).status).toBe(401);
      const refused = await (investigator.options.fetch as typeof fetch)(`${portal.url}/api/admin/statistics/csv?lang=en`);
      expect(refused.status).toBe(403);
      expect(refused.headers.get("content-type")).toMatch(/^application\/json/);
    });

    it("counts late acknowledgement and closing from the day columns (set directly)", async () => {
      // A acknowledged on 12 March (due 9 March) and closed on 10 April (feedback due 4 April).
      await portal.services.db.update(reports).set({ acknowledgedOn: "2031-03-12", closedOn: "2031-04-10" }).where(eq(reports.id, cases.A.reportId));
      const s = await statistics(admin);
      expect(s.cases.deadlines).toEqual({
        acknowledge: { onTime: 2, late: 1, overdue: 1, pending: 0, closedWithout: 1 },
        close: { onTime: 1, late: 1, overdue: 2, pending: 1 },
      });
      // Days to acknowledge: 10 (A), 5 (B), 2 (D); to close: 39 (A), 2 (E).
      expect(s.cases.acknowledge).toEqual({ count: 3, median: 5, average: 5.7, max: 10 });
      expect(s.cases.close).toEqual({ count: 2, median: 20.5, average: 20.5, max: 39 });
      const { value } = await csv("?lang=en");
      const deadlines = "Deadlines: acknowledgement within 7 days, feedback within 1 months of it";
      expect(value(deadlines, "Acknowledgement (7 days)", "Late")).toBe("1");
      expect(value(deadlines, "Closing (1 months after acknowledgement)", "Late")).toBe("1");
      expect(value("Handling times in calendar days", "Receipt to acknowledgement", "Average")).toBe("5.7");
      expect(await pageTable("?lang=en", "deadlines")).toEqual([
        ["acknowledge", "Acknowledgement (7 days)", "2", "1", "1", "0", "1"],
        ["close", "Closing (1 months after acknowledgement)", "1", "1", "2", "1", "—"],
      ]);
      // D closed from review (set directly): the funnel still counts it as examined, from the audit log.
      await portal.services.db.update(reports).set({ status: "closed", closedOn: "2031-04-12", nextDueOn: null }).where(eq(reports.id, cases.D.reportId));
      expect((await statistics(admin)).cases.funnel.map((f) => f.count)).toEqual([5, 3, 1, 3]);
    });
  });
}

/** RFC 4180 records (CRLF between records, quoted fields with doubled quotes), as a spreadsheet reads them. */
function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = "";
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      field = "";
      record = [];
      i++;
    } else field += ch;
  }
  expect(field).toBe(""); // the last record ends in CRLF
  return records;
}
