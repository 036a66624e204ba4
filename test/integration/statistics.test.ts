// Statistics for administrators through the real server on PGlite and
// PostgreSQL: five cases handled over six weeks of the portal's clock, privacy
// requests answered on time, late or not yet, provisions to both affiliates
// and destruction tombstones in the audit log. The numbers are exact; the
// answer holds no case number, report id, title, name or anything encrypted;
// only administrators get it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

    it("answers administrators only", async () => {
      expect((await fetch(`${portal.url}/api/admin/statistics`)).status).toBe(401);
      const investigator = await signInAt("lee@okestro.example", leeSecret, at("2031-04-15"));
      await expect(statistics(investigator)).rejects.toMatchObject({ status: 403, code: "forbidden" });
    });
  });
}
