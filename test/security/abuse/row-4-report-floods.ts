// Issue 16, row 4: a flood of reports (ADR 034).
//
// Row 4, a flood of reports (ADR 034): parallel submitters from one client get
// 429 with Retry-After once the per-client limit is reached, before their body
// is read, while another client still submits; a reporter session is limited
// the same way; reports from many clients faster than the threshold become
// one notification per investigator ("N reports in M minutes", in the portal
// and by e-mail, and one more when the flood is over), not one each; the
// inbox shows, hides or shows only the flood; the limit holds across a
// restart (and, on PostgreSQL, across two instances on one database), and
// the sweep forgets its counters once their window is over. The thresholds
// are scaled down by configuration; the logic is the production one.
import { isNotNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IntakeInfo } from "../../../app/intake/wire";
import { settleStaffNotifications } from "../../../app/.server/notifications/outbox";
import { sweepCounters } from "../../../app/.server/platform/counters";
import { openCase } from "../../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../../app/reporter/intake-client";
import type { StaffNotificationsView } from "../../../app/shared/wire";
import { loadSodium } from "../../../crypto";
import { reports, submissionCounters } from "../../../db/schema";
import { type RunningPortal } from "../../../server/start";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { TestSmtp } from "../../support/smtp";
import { createStaff, PASSWORD } from "../../support/staff";
import { firstSignIn, type SignedInStaff } from "../../support/staff-session";
import "../../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

// ------------------------------------------------------------------ row 4 helpers

/** Requests as if from `client` (the test portals trust one proxy hop). */
const from =
  (client: string): typeof fetch =>
  (input, init) =>
    fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), "X-Forwarded-For": client } });

const submitFrom = (baseUrl: string, info: IntakeInfo, client: string, title = "A report") =>
  submitEncryptedReport(
    {
      categoryId: info.categories[0]!.id,
      title,
      body: { description: "What happened, in detail.", details: "", periodFrom: null, periodTo: null },
      identity: null,
      excludedInvestigators: [],
      consentReport: true,
      consentOptional: false,
      consentAffiliateIdentity: false,
    },
    [],
    info,
    { baseUrl, fetch: from(client) },
  );

interface Row4Refusal {
  code?: string;
  status?: number;
  fields?: Record<string, string>;
}

const PER_CLIENT = 3;
const FLOOD = 6;
const POSTS = 2;
const FLOOD_TEXT = { en: "Reports are arriving much faster than usual.", ko: "평소보다 훨씬 많은 제보가 짧은 시간에 접수되고 있습니다." };
const ENDED_TEXT = { en: "A flood of reports has ended.", ko: "대량 접수가 끝났습니다." };

for (const backend of await backends()) {
  describe(`row 4: a flood of reports (one client, many clients) on ${backend}`, () => {
    const smtp = new TestSmtp();
    let portal: TestPortal;
    let info: IntakeInfo;
    let lee: SignedInStaff;
    let firstReceipt = "";

    const notifications = () => lee.client.get<StaffNotificationsView>("/api/staff/notifications");
    const inbox = (query: string) => lee.client.get<{ total: number; rows: { id: string; flood: boolean }[] }>(`/api/staff/cases?${query}`);
    const mails = (who: string, text: string) => smtp.to(`${who}@okestro.example`).filter((m) => m.text.includes(text));
    const stored = async () => (await portal.services.db.select({ id: reports.id, floodId: reports.floodId }).from(reports)).length;

    beforeAll(async () => {
      await loadSodium();
      await smtp.start();
      portal = await startTestPortal(backend, {
        TRUST_PROXY: "1",
        REPORTS_PER_CLIENT: String(PER_CLIENT),
        REPORT_LIMIT_WINDOW_MINUTES: "60",
        FOLLOWUP_POSTS_PER_SESSION: String(POSTS),
        FLOOD_REPORTS: String(FLOOD),
        // A day: the test never straddles two windows (other than at midnight UTC, where the estimate carries on).
        FLOOD_WINDOW_MINUTES: "1440",
        SMTP_URL: smtp.url,
        SMTP_FROM: "Clean OKESTRO Report <no-reply@okestro.example>",
        PUBLIC_ORIGIN: "https://report.okestro.example",
        NOTIFY_INTERVAL_MINUTES: "0",
        RETENTION_INTERVAL_MINUTES: "0",
      });
      await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee Investigator"]);
      await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park Investigator"]);
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      info = await fetchIntakeInfo({ baseUrl: portal.url });
    });
    afterAll(async () => {
      await portal?.stop();
      await smtp.stop();
    });

    it("answers parallel submitters from one client 429 with Retry-After after the per-client limit, before reading the body, while another client submits", async () => {
      const attacker = "198.51.100.10";
      // Four submitters at once, two reports each.
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => submitFrom(portal.url, info, attacker, `flood ${i}`)));
      const accepted = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Row4Refusal] : []));
      expect(accepted).toHaveLength(PER_CLIENT);
      expect(refused).toHaveLength(8 - PER_CLIENT);
      for (const e of refused) {
        expect(e).toMatchObject({ code: "too_many_reports", status: 429 });
        const minutes = Number(e.fields?.retryAfterMinutes);
        expect(minutes).toBeGreaterThanOrEqual(1);
        expect(minutes).toBeLessThanOrEqual(60);
      }
      firstReceipt = (accepted[0] as PromiseFulfilledResult<{ receiptCode: string }>).value.receiptCode;

      // Refused before the body is read: not even JSON gets a 400 now.
      const raw = await fetch(`${portal.url}/api/intake/reports`, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Forwarded-For": attacker },
        body: "{",
      });
      expect(raw.status).toBe(429);
      const retryAfter = Number(raw.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
      expect(((await raw.json()) as { error: { code: string } }).error.code).toBe("too_many_reports");

      // Someone else reports as usual.
      const other = await submitFrom(portal.url, info, "198.51.100.11", "a real report");
      expect(other.caseNumber).toMatch(/^COR-/);
      expect(await stored()).toBe(PER_CLIENT + 1);
    });

    it("limits what one reporter session posts, with the same kind of answer", async () => {
      const { session } = await openCase(firstReceipt, { baseUrl: portal.url, fetch: from("198.51.100.12") });
      for (let i = 0; i < POSTS; i++) await session.sendMessage(`message ${i}`);
      const refused = (await session.sendMessage("one too many").catch((e: unknown) => e)) as Row4Refusal;
      expect(refused).toMatchObject({ code: "too_many_posts", status: 429 });
      expect(Number(refused.fields?.retryAfterMinutes)).toBeGreaterThanOrEqual(1);
      await session.logout();
    });

    it("turns a flood from many clients into one notification per investigator, in the portal and by e-mail, with its count", async () => {
      await settleStaffNotifications(portal.services);
      const before = await stored();
      const clients = Array.from({ length: 10 }, (_, i) => `203.0.113.${i + 1}`);
      await Promise.all(clients.map((c) => submitFrom(portal.url, info, c, `from ${c}`)));
      await settleStaffNotifications(portal.services);
      const total = before + clients.length;
      expect(total).toBeGreaterThan(FLOOD);
      const floods = await portal.services.db.select({ floodId: reports.floodId }).from(reports).where(isNotNull(reports.floodId));
      // Up to the threshold each report is told on its own; beyond it, all of them belong to one flood.
      expect(floods).toHaveLength(total - FLOOD);
      expect(new Set(floods.map((f) => f.floodId)).size).toBe(1);

      const view = await notifications();
      expect(view.items.filter((n) => n.event === "new_case")).toHaveLength(FLOOD);
      const flood = view.items.filter((n) => n.event === "report_flood");
      expect(flood).toHaveLength(1);
      expect(flood[0]!.flood).toEqual({ reports: total - FLOOD, minutes: 1440, over: false });

      for (const who of ["lee", "park"]) {
        expect(mails(who, "A new report has been received.")).toHaveLength(FLOOD);
        const [mail, ...more] = mails(who, FLOOD_TEXT.en);
        expect(more).toEqual([]);
        expect(mail!.text).toContain(FLOOD_TEXT.ko);
        // The count as of the send (the flood was still arriving), in both languages.
        const n = Number(/(\d+) reports in 1440 minutes so far/.exec(mail!.text)?.[1]);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(total - FLOOD);
        expect(mail!.text).toContain(`지금까지 1440분 동안 제보 ${n}건`);
      }

      // A whole window without flood reports: one more notification with the final count, once.
      const later = new Date(Date.now() + 2 * 86_400_000).toISOString();
      await portal.cli("notify:run", "--now", later);
      await portal.cli("notify:run", "--now", later);
      await settleStaffNotifications(portal.services);
      for (const who of ["lee", "park"]) {
        const [ended, ...more] = mails(who, ENDED_TEXT.en);
        expect(more).toEqual([]);
        expect(ended!.text).toContain(ENDED_TEXT.ko);
        expect(ended!.text).toContain(`${total - FLOOD} reports in 1440 minutes in all`);
        expect(ended!.text).toContain(`모두 1440분 동안 제보 ${total - FLOOD}건`);
      }
      expect((await notifications()).items.filter((n) => n.event === "report_flood_ended")).toHaveLength(1);
    });

    it("lets the inbox show the flood, hide it, or show only it", async () => {
      const flooded = new Set((await portal.services.db.select({ id: reports.id }).from(reports).where(isNotNull(reports.floodId))).map((r) => r.id));
      const all = await inbox("");
      const only = await inbox("flood=only");
      const hidden = await inbox("flood=hide");
      expect(all.total).toBe(await stored());
      expect(only.total).toBe(flooded.size);
      expect(hidden.total).toBe(all.total - flooded.size);
      expect(new Set(only.rows.map((r) => r.id))).toEqual(flooded);
      expect(only.rows.every((r) => r.flood)).toBe(true);
      expect(hidden.rows.some((r) => r.flood || flooded.has(r.id))).toBe(false);
      expect(all.rows.filter((r) => r.flood)).toHaveLength(flooded.size);
    });
  });

  describe(`row 4: the per-client limit lives in the database (restart, instances) on ${backend}`, () => {
    it(
      backend === "postgres"
        ? "holds across two instances on one database and across a restart"
        : "holds across a restart of the portal on the same data directory",
      async () => {
        await loadSodium();
        const portal = await startTestPortal(backend, { TRUST_PROXY: "1", REPORTS_PER_CLIENT: "2" });
        const running: RunningPortal[] = [];
        try {
          const first = portal;
          await createStaff(portal, "investigator", "kim@okestro.example");
          const info = await fetchIntakeInfo({ baseUrl: first.url });
          const address = "192.0.2.77";
          await submitFrom(first.url, info, address);
          if (backend === "postgres") {
            // A second instance on the same database counts against the same limit.
            const second = await portal.startInstance();
            running.push(second);
            await submitFrom(second.url, info, address);
            await expect(submitFrom(first.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
            await expect(submitFrom(second.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
          } else {
            await submitFrom(first.url, info, address);
          }
          for (const p of running.splice(0)) await p.close();

          await portal.restart();
          const restarted = portal;
          await expect(submitFrom(restarted.url, info, address)).rejects.toMatchObject({ code: "too_many_reports", status: 429 });
          expect((await submitFrom(restarted.url, info, "192.0.2.78")).caseNumber).toMatch(/^COR-/);
          // The sweep forgets counters whose window has ended, and nothing else.
          const db = restarted.services.db;
          expect(await sweepCounters(db, new Date(), 10 * 60_000)).toBe(0);
          expect((await db.select().from(submissionCounters)).length).toBeGreaterThan(0);
          expect(await sweepCounters(db, new Date(Date.now() + 2 * 3600_000), 10 * 60_000)).toBeGreaterThan(0);
          expect(await db.select().from(submissionCounters)).toEqual([]);
        } finally {
          for (const p of running) await p.close();
          await portal.stop();
        }
      },
      120_000,
    );
  });
}
