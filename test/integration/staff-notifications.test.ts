// Staff notifications end to end through a real SMTP server on loopback, on
// PGlite and PostgreSQL: each event reaches exactly the staff it concerns (a
// new case and reporter activity the investigators holding the case, never an
// excluded one; deadline reminders the assignee or the holders, once per
// deadline however often the job runs; shares the reviewers of that affiliate
// only; a locked account and a broken audit chain the administrators), in
// Korean and English, with no case number, title, marker or reporter identity
// in any message. Daily digests instead of single e-mails, once a day. SMTP
// down: rows stay unsent with the attempt counted, and once it is back they
// are delivered exactly once. Without SMTP nothing is sent and the portal
// lists the notifications.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium, encryptMessage, newRecordId, toBase64Url } from "../../crypto";
import { addDays, addMonths } from "../../app/.server/platform/dates";
import { startOfDayIn } from "../../app/.server/platform/dates";
import { settleStaffNotifications } from "../../app/.server/notifications/outbox";
import { type StaffNotificationsView } from "../../app/shared/wire";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { createShare, updateShare, type ShareRef } from "../../app/staff/share-builder";
import { auditLog, reports, staffNotifications } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { scanDatabase, scanLines } from "../support/scan";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import { TestSmtp, type ReceivedMail } from "../support/smtp";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ORIGIN = "https://report.okestro.example";
const EN = {
  new_case: "A new report has been received.",
  reporter_message: "A reporter sent a message or a file in a case you hold.",
  privacy_request: "A reporter made a privacy request",
  ack_due_soon: "A case must be acknowledged within 48 hours.",
  feedback_due_soon: "Feedback on a case is due within 48 hours.",
  case_overdue: "A case is past its deadline.",
  share_new: "A case was shared with your affiliate.",
  share_updated: "A share with your affiliate was updated.",
  signin_failures: "Unusually many failed sign-ins (10 or more within an hour) for one staff account.",
  audit_broken: "The audit log check failed",
};
const KO = {
  new_case: "새 제보가 접수되었습니다.",
  reporter_message: "제보자가 메시지나 파일을 보냈습니다.",
  privacy_request: "개인정보 관련 요구",
  ack_due_soon: "48시간 안에 접수 확인을 해야 하는 사건이 있습니다.",
  case_overdue: "기한이 지난 사건이 있습니다.",
  share_new: "귀사에 사건이 공유되었습니다.",
  signin_failures: "한 직원 계정에 로그인 실패가 비정상적으로 많습니다",
  audit_broken: "감사 로그 점검에 실패했습니다.",
};
const iso = (day: string, hour = 12) => `${day}T${String(hour).padStart(2, "0")}:00:00+09:00`;

interface Made {
  reportId: string;
  caseNumber: string;
  receipt: string;
}

for (const backend of await backends()) {
  describe(`staff notifications on ${backend}`, () => {
    const smtp = new TestSmtp();
    let portal: TestPortal;
    const id: Record<string, string> = {};
    let lee: SignedInStaff;
    let park: SignedInStaff;
    let yoon: SignedInStaff;
    let admin: SignedInStaff;
    let cloud: SignedInStaff;
    let agi: SignedInStaff;
    let today: string;
    let caseA: Made;
    let caseB: Made;
    let shareId = "";
    /** Everything that must never appear in an e-mail. */
    const secrets: string[] = [];

    const settle = () => settleStaffNotifications(portal.services);
    const mails = (who: string, event?: keyof typeof EN) => smtp.to(`${who}@okestro.example`).filter((m) => !event || m.text.includes(EN[event]));
    const run = (at: string) => portal.cli("notify:run", "--now", at);
    const marker = (label: string) => {
      const m = `MK${label.toUpperCase()}-${randomBytes(4).toString("hex")}`;
      secrets.push(m);
      return m;
    };
    const submit = async (excluded: string[] = []): Promise<Made> => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: marker("title"),
          body: { description: marker("desc"), details: marker("details"), periodFrom: null, periodTo: null },
          identity: { name: marker("name"), email: "reporter-93b1@example.org", phone: "010-4444-9127" },
          excludedInvestigators: excluded,
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [memoryFile(`${marker("file")}.txt`, "text/plain", Buffer.from(marker("filebody")))],
        info,
        { baseUrl: portal.url },
      );
      secrets.push(r.caseNumber, r.reportId, r.receiptCode, "reporter-93b1@example.org", "010-4444-9127");
      return { reportId: r.reportId, caseNumber: r.caseNumber, receipt: r.receiptCode };
    };
    const reporterWrites = async (c: Made) => {
      const reporter = await openCase(c.receipt, { baseUrl: portal.url });
      await reporter.session.sendMessage(marker("msg"));
      await reporter.session.logout();
      await settle();
    };
    /** Every e-mail: both languages (Korean first), the sign-in page, nothing of any case. */
    const expectClean = (list: ReceivedMail[]) => {
      for (const m of list) {
        expect(m.from).toBe("no-reply@okestro.example");
        expect(m.language).toBe("ko, en");
        const ko = m.text.indexOf("클린 오케스트로 제보");
        const en = m.text.indexOf("Clean OKESTRO Report");
        expect(ko).toBeGreaterThanOrEqual(0);
        expect(en).toBeGreaterThan(ko);
        expect(m.subject).toMatch(/클린 오케스트로 제보.*Clean OKESTRO Report/);
        expect(m.text).toContain(`${ORIGIN}/staff/login`);
        for (const secret of secrets) {
          for (const part of [m.raw, m.text, m.subject]) expect(part, `${secret} in an e-mail`).not.toContain(secret);
        }
      }
    };

    beforeAll(async () => {
      await loadSodium();
      await smtp.start();
      portal = await startTestPortal(backend, {
        SMTP_URL: smtp.url,
        SMTP_FROM: "Clean OKESTRO Report <no-reply@okestro.example>",
        PUBLIC_ORIGIN: ORIGIN,
        NOTIFY_INTERVAL_MINUTES: "0",
        RETENTION_INTERVAL_MINUTES: "0",
      });
      for (const [who, role, extra] of [
        ["lee", "investigator", ["--name", "Lee Investigator"]],
        ["park", "investigator", ["--name", "Park Investigator"]],
        ["yoon", "investigator", ["--name", "Yoon Investigator"]],
        ["admin", "admin", ["--name", "Admin One"]],
        ["admin2", "admin", ["--name", "Admin Two"]],
        ["cloud", "affiliate", ["--affiliate", "cloud", "--name", "Cloud Reviewer"]],
        ["agi", "affiliate", ["--affiliate", "agi", "--name", "AGI Reviewer"]],
      ] as const) {
        id[who] = (await createStaff(portal, role, `${who}@okestro.example`, [...extra])).id;
      }
      const signIn = (who: string) => firstSignIn(portal.url, `${who}@okestro.example`, PASSWORD);
      lee = await signIn("lee");
      park = await signIn("park");
      yoon = await signIn("yoon");
      admin = await signIn("admin");
      cloud = await signIn("cloud");
      agi = await signIn("agi");
      today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Seoul" }).format(new Date());
    });
    afterAll(async () => {
      await portal?.stop();
      await smtp.stop();
    });

    it("tells the investigators who received the keys of a new case, never the excluded one", async () => {
      caseA = await submit([id.yoon!]);
      await settle();
      expect(mails("lee", "new_case")).toHaveLength(1);
      expect(mails("park", "new_case")).toHaveLength(1);
      for (const who of ["yoon", "admin", "admin2", "cloud", "agi"]) expect(mails(who)).toEqual([]);
      const [m] = mails("lee");
      expect(m!.text).toContain(KO.new_case);
      expect(m!.to).toEqual(["lee@okestro.example"]);
      expectClean(smtp.received);
      // Today as the portal counts it.
      today = (await portal.services.db.select({ d: reports.receivedOn }).from(reports).where(eq(reports.id, caseA.reportId)))[0]!.d;
    });

    it("tells the holders of a case about a reporter's message, file and privacy request, not about an investigator's own message", async () => {
      const reporter = await openCase(caseA.receipt, { baseUrl: portal.url });
      await reporter.session.sendMessage(marker("msg"));
      await reporter.session.addFiles([memoryFile(`${marker("addedfile")}.pdf`, "application/pdf", Buffer.from(marker("addedbody")))]);
      await reporter.session.requestPrivacy("deletion", marker("privacytext"));
      await reporter.session.logout();
      await settle();
      for (const who of ["lee", "park"]) {
        expect(mails(who, "reporter_message")).toHaveLength(2);
        expect(mails(who, "privacy_request")).toHaveLength(1);
        expect(mails(who, "privacy_request")[0]!.text).toContain(KO.privacy_request);
        expect(mails(who, "reporter_message")[0]!.text).toContain(KO.reporter_message);
      }
      expect(mails("yoon")).toEqual([]);
      const before = smtp.received.length;
      const keys = (await caseForSharing(portal, caseA.reportId, id.lee!, lee.client.keyPair!)).keys;
      const msgId = newRecordId();
      await lee.client.caseOp(caseA.reportId, "messages", {
        id: msgId,
        body: toBase64Url(encryptMessage(keys.reportKey, caseA.reportId, msgId, { author: "investigator", kind: "message", text: marker("staffmsg") })),
      });
      await settle();
      expect(smtp.received.length).toBe(before);
      expectClean(smtp.received);
    });

    it("reminds of an acknowledgement due within 48 hours once, however often the job runs, and of an overdue case only the assignee", async () => {
      // Case B is acknowledged at once: its feedback deadline is months away.
      caseB = await submit();
      await lee.client.caseOp(caseB.reportId, "status", { to: "acknowledged" });
      await settle();
      // Two days before: nothing yet.
      expect(await run(iso(addDays(today, 5)))).toContain("Recorded 0 deadline reminder(s).");
      expect(mails("lee", "ack_due_soon")).toEqual([]);
      // Due tomorrow: the holders (no assignee yet), once.
      expect(await run(iso(addDays(today, 6)))).toContain("Recorded 2 deadline reminder(s).");
      await run(iso(addDays(today, 6), 18));
      await run(iso(addDays(today, 7)));
      for (const who of ["lee", "park"]) {
        expect(mails(who, "ack_due_soon")).toHaveLength(1);
        expect(mails(who, "ack_due_soon")[0]!.text).toContain(KO.ack_due_soon);
      }
      expect(mails("yoon", "ack_due_soon")).toEqual([]);
      // Overdue: with an assignee, only they are told; once.
      await lee.client.caseOp(caseA.reportId, "assign", { assigneeId: id.park });
      expect(await run(iso(addDays(today, 8)))).toContain("Recorded 1 deadline reminder(s).");
      await run(iso(addDays(today, 8), 20));
      await run(iso(addDays(today, 9)));
      expect(mails("park", "case_overdue")).toHaveLength(1);
      expect(mails("park", "case_overdue")[0]!.text).toContain(KO.case_overdue);
      expect(mails("lee", "case_overdue")).toEqual([]);
      // A restart loses nothing and repeats nothing: the state is in the database.
      const rows = await portal.services.db.select().from(staffNotifications).where(eq(staffNotifications.reportId, caseA.reportId));
      expect(rows.filter((r) => r.event === "case_overdue").map((r) => r.dedupeKey)).toEqual([`case_overdue:${caseA.reportId}:${addDays(today, 7)}`]);
      // Feedback due within 48 hours for the acknowledged case: every holder (yoon too, not excluded there).
      const feedbackDue = addMonths(today, 3);
      await run(iso(addDays(feedbackDue, -3)));
      expect(mails("lee", "feedback_due_soon")).toEqual([]);
      await run(iso(addDays(feedbackDue, -1)));
      await run(iso(feedbackDue));
      for (const who of ["lee", "park", "yoon"]) expect(mails(who, "feedback_due_soon")).toHaveLength(1);
      expectClean(smtp.received);
    });

    it("tells the Cloud reviewer of a new and an updated Cloud share, never the AGI reviewer", async () => {
      const c = await caseForSharing(portal, caseA.reportId, id.lee!, lee.client.keyPair!);
      const sel = {
        affiliate: "cloud" as const,
        purpose: "fact_finding" as const,
        purposeNote: null,
        retainUntil: null,
        fields: { title: c.title },
        redacted: [],
        files: [],
      };
      shareId = (await createShare(lee.client, c.ref, c.keys, sel)).shareId;
      secrets.push(shareId);
      await settle();
      expect(mails("cloud", "share_new")).toHaveLength(1);
      expect(mails("cloud", "share_new")[0]!.text).toContain(KO.share_new);
      const share = (await lee.client.get<{ shares: (ShareRef & { id: string })[] }>(`/api/staff/cases/${caseA.reportId}/shares`)).shares.find(
        (s) => s.id === shareId,
      )!;
      await updateShare(lee.client, c.ref, c.keys, share, { ...sel, fields: { title: c.title, description: c.body.description } });
      await settle();
      expect(mails("cloud", "share_updated")).toHaveLength(1);
      expect(mails("agi")).toEqual([]);
      expect(mails("cloud")).toHaveLength(2);
      expectClean(smtp.received);
    });

    it("sends a daily digest instead of single e-mails, after the digest hour, once", async () => {
      await lee.client.post("/api/staff/notification-prefs", { mode: "digest" });
      await expect(lee.client.post("/api/staff/notification-prefs", { mode: "weekly" })).rejects.toMatchObject({ status: 400 });
      const leeBefore = mails("lee").length;
      const parkBefore = mails("park", "reporter_message").length;
      // The portal's clock before the digest hour, so the sends the events set off cannot send a digest yet.
      const day = addDays(today, 10);
      portal.setNow(new Date(iso(day, 7)));
      try {
        await reporterWrites(caseA);
        await reporterWrites(caseA);
      } finally {
        portal.setNow(null);
      }
      // Park (single e-mails) hears at once; Lee does not.
      expect(mails("park", "reporter_message")).toHaveLength(parkBefore + 2);
      expect(mails("lee")).toHaveLength(leeBefore);
      await run(iso(day, 7));
      expect(mails("lee")).toHaveLength(leeBefore);
      await run(iso(day, 8));
      await run(iso(day, 9));
      await run(iso(day, 23));
      const digests = mails("lee").slice(leeBefore);
      expect(digests).toHaveLength(1);
      expect(digests[0]!.subject).toContain("daily summary");
      expect(digests[0]!.subject).toContain("일일 알림 요약");
      expect(digests[0]!.text).toContain("Messages or files from reporters: 2");
      expect(digests[0]!.text).toContain("제보자의 메시지 또는 파일: 2건");
      // The next day, with nothing new: no e-mail.
      await run(iso(addDays(day, 1), 9));
      expect(mails("lee")).toHaveLength(leeBefore + 1);
      expectClean(smtp.received);
      await lee.client.post("/api/staff/notification-prefs", { mode: "immediate" });
    });

    it("gives administrators in digest mode the audit log's signed head every day, which audit:verify --checkpoint accepts", async () => {
      await admin.client.post("/api/staff/notification-prefs", { mode: "digest" });
      try {
        const before = mails("admin").length;
        const day = addDays(today, 20);
        await run(iso(day, 9));
        const digests = mails("admin").slice(before);
        expect(digests).toHaveLength(1);
        const m = digests[0]!;
        expect(m.text).toMatch(/Audit log checkpoint \(for administrators\): \d+ entries, last hash [0-9a-f]{64}/);
        expect(m.text).toMatch(/감사 로그 체크포인트\(관리자용\): 항목 \d+건, 마지막 해시 [0-9a-f]{64}/);
        const line = m.text.split("\n").find((l) => l.startsWith('{"format":"cor-audit-checkpoint-v1"'))!;
        const file = path.join(portal.dataDir, "digest-checkpoint.json");
        await writeFile(file, line);
        expect(await portal.cli("audit:verify", "--checkpoint", file)).toMatch(/It extends the checkpoint of /);
        // The next day, with no new notifications, the administrator still gets the head; an investigator would not.
        await run(iso(addDays(day, 1), 9));
        expect(mails("admin").slice(before)).toHaveLength(2);
        expectClean(smtp.received);
      } finally {
        await admin.client.post("/api/staff/notification-prefs", { mode: "immediate" });
      }
    });

    it("keeps notifications unsent while SMTP is down, counting the attempt, and delivers them exactly once when it is back", async () => {
      const port = smtp.port;
      const leeBefore = mails("lee", "reporter_message").length;
      const parkBefore = mails("park", "reporter_message").length;
      await smtp.stop();
      try {
        await reporterWrites(caseA);
        const pending = await portal.services.db
          .select()
          .from(staffNotifications)
          .where(and(eq(staffNotifications.event, "reporter_message"), isNull(staffNotifications.emailedAt)));
        expect(pending.map((r) => r.staffUserId).sort()).toEqual([id.lee!, id.park!].sort());
        expect(pending.some((r) => r.attempts === 1 && r.lastError)).toBe(true);
        for (const r of pending) expect(r.lastError ?? "").not.toContain("@");
        // The investigator sees it waiting in the portal.
        const view = await park.client.get<StaffNotificationsView>("/api/staff/notifications");
        const waiting = view.items.filter((i) => i.email !== "sent");
        expect(waiting).toHaveLength(1);
        expect(waiting[0]).toMatchObject({ event: "reporter_message", read: false });
        expect(["retrying", "pending"]).toContain(waiting[0]!.email);
      } finally {
        await smtp.start(port);
      }
      // Later (past the back-off), the job delivers; runs after it send nothing more.
      const later = new Date(Date.now() + 2 * 3600_000).toISOString();
      const out = await run(later);
      expect(out).toMatch(/E-mailed 2 notification\(s\)/);
      await run(new Date(Date.now() + 3 * 3600_000).toISOString());
      await settle();
      expect(mails("lee", "reporter_message")).toHaveLength(leeBefore + 1);
      expect(mails("park", "reporter_message")).toHaveLength(parkBefore + 1);
      expect(await portal.services.db.select().from(staffNotifications).where(isNull(staffNotifications.emailedAt))).toEqual([]);
      expectClean(smtp.received);
    });

    it("tells every active administrator once when one account gets many failed sign-ins, and still e-mails that account", async () => {
      for (let i = 0; i < 10; i++) {
        const r = await fetch(`${portal.url}/api/staff/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ email: "park@okestro.example", authKey: toBase64Url(randomBytes(32)) }),
        });
        expect(r.status).toBe(401);
      }
      await settle();
      for (const who of ["admin", "admin2"]) {
        expect(mails(who, "signin_failures")).toHaveLength(1);
        expect(mails(who, "signin_failures")[0]!.text).toContain(KO.signin_failures);
        // Not even whose account it was.
        for (const m of mails(who)) expect(`${m.subject}\n${m.text}`).not.toMatch(/park/i);
      }
      for (const who of ["lee", "park", "yoon", "cloud", "agi"]) expect(mails(who, "signin_failures")).toEqual([]);
      // Failed sign-ins lock nothing (ADR 030): the account still gets its e-mail.
      const parkBefore = mails("park").length;
      const leeBefore = mails("lee").length;
      await reporterWrites(caseA);
      await run(new Date(Date.now() + 4 * 3600_000).toISOString());
      expect(mails("park")).toHaveLength(parkBefore + 1);
      expect(mails("lee")).toHaveLength(leeBefore + 1);
      expectClean(smtp.received);
    });

    it("tells the administrators once when the audit chain check finds a changed entry", async () => {
      expect(await run(new Date().toISOString())).toContain("Audit chain intact.");
      const [entry] = await portal.services.db.select().from(auditLog).where(eq(auditLog.seq, 3));
      await portal.services.db
        .update(auditLog)
        .set({ details: { ...entry!.details, tampered: true } })
        .where(eq(auditLog.seq, 3));
      try {
        expect(await run(new Date().toISOString())).toContain("Audit chain BROKEN at entry 3");
        await run(new Date().toISOString());
        for (const who of ["admin", "admin2"]) {
          expect(mails(who, "audit_broken")).toHaveLength(1);
          expect(mails(who, "audit_broken")[0]!.text).toContain(KO.audit_broken);
        }
        for (const who of ["lee", "park", "yoon", "cloud", "agi"]) expect(mails(who, "audit_broken")).toEqual([]);
      } finally {
        await portal.services.db.update(auditLog).set({ details: entry!.details }).where(eq(auditLog.seq, 3));
      }
      expect(await portal.cli("audit:verify")).toMatch(/intact/);
      expectClean(smtp.received);
    });

    it("lists each staff member's own notifications in the portal, with links only to what they hold, and marks them read", async () => {
      const leeView = await lee.client.get<StaffNotificationsView>("/api/staff/notifications");
      expect(leeView.smtp).toBe(true);
      expect(leeView.mode).toBe("immediate");
      expect(leeView.items.length).toBeLessThanOrEqual(20);
      expect(leeView.items.every((i) => i.link === null || (i.link.kind === "case" && [caseA.caseNumber, caseB.caseNumber].includes(i.link.caseNumber)))).toBe(
        true,
      );
      expect(leeView.items.some((i) => i.event === "reporter_message" && i.email === "sent")).toBe(true);
      expect(leeView.unread).toBeGreaterThan(0);
      const cloudView = await cloud.client.get<StaffNotificationsView>("/api/staff/notifications");
      expect(cloudView.items.map((i) => i.event).sort()).toEqual(["share_new", "share_updated"]);
      expect(cloudView.items[0]!.link).toEqual({ kind: "share", shareId, caseNumber: caseA.caseNumber });
      const adminView = await admin.client.get<StaffNotificationsView>("/api/staff/notifications");
      expect(adminView.items.map((i) => i.event).sort()).toEqual(["audit_broken", "signin_failures"]);
      expect(adminView.items.every((i) => i.link === null)).toBe(true);
      expect((await agi.client.get<StaffNotificationsView>("/api/staff/notifications")).items).toEqual([]);
      // The excluded investigator learns nothing of case A.
      const yoonView = await yoon.client.get<StaffNotificationsView>("/api/staff/notifications");
      expect(JSON.stringify(yoonView)).not.toContain(caseA.caseNumber);
      expect(yoonView.items.map((i) => i.event).sort()).toEqual(["feedback_due_soon", "new_case"]);
      // The pages show the section.
      for (const [who, path] of [
        [lee, "/staff?lang=en"],
        [cloud, "/affiliate?lang=en"],
        [admin, "/admin?lang=en"],
      ] as const) {
        const html = await (await who.client.raw(path)).text();
        expect(html).toContain('data-testid="staff-notifications"');
        expect(html).not.toContain("This portal sends no e-mail");
      }
      expect(await (await lee.client.raw("/staff/account?lang=en")).text()).toContain("One summary a day (after 8:00)");
      // Marking read touches only one's own rows.
      const some = leeView.items.find((i) => !i.read)!;
      expect(await lee.client.post("/api/staff/notifications/read", { ids: [some.id] })).toEqual({ marked: 1 });
      expect(await yoon.client.post("/api/staff/notifications/read", { ids: leeView.items.map((i) => i.id) })).toEqual({ marked: 0 });
      await lee.client.post("/api/staff/notifications/read", {});
      expect((await lee.client.get<StaffNotificationsView>("/api/staff/notifications")).unread).toBe(0);
      await expect(lee.client.post("/api/staff/notifications/read", { ids: ["not-a-uuid"] })).rejects.toMatchObject({ status: 400 });
    });

    it("keeps no time of day for what a reporter did: those rows, and every send, keep the day only", async () => {
      const rows = await portal.services.db.select().from(staffNotifications);
      const reporterRows = rows.filter((r) => ["new_case", "reporter_message", "privacy_request"].includes(r.event));
      expect(reporterRows.length).toBeGreaterThan(10);
      for (const r of reporterRows) expect(r.createdAt).toEqual(startOfDayIn("Asia/Seoul", r.createdAt));
      for (const r of rows.filter((x) => x.emailedAt)) expect(r.emailedAt).toEqual(startOfDayIn("Asia/Seoul", r.emailedAt!));
      // Staff and system events keep their time.
      expect(rows.some((r) => r.event === "signin_failures" && r.createdAt.getTime() !== startOfDayIn("Asia/Seoul", r.createdAt).getTime())).toBe(true);
    });

    it("put nothing of any case, and no address of a reporter, in any e-mail or log line", async () => {
      expect(smtp.received.length).toBeGreaterThan(20);
      expectClean(smtp.received);
      const plain = ["reporter-93b1@example.org", "010-4444-9127", ...secrets.filter((x) => x.startsWith("MK"))];
      expect(scanLines("logs", portal.logs, plain)).toEqual([]);
      expect(await scanDatabase(portal.services, plain)).toEqual([]);
    });
  });

  describe(`staff notifications without SMTP on ${backend}`, () => {
    let portal: TestPortal;
    afterAll(async () => {
      await portal?.stop();
    });

    it("sends nothing, fails nothing, and lists the notifications in the portal", async () => {
      await loadSodium();
      portal = await startTestPortal(backend, { NOTIFY_INTERVAL_MINUTES: "0", RETENTION_INTERVAL_MINUTES: "0" });
      await createStaff(portal, "investigator", "lee@okestro.example");
      const lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "t",
          body: { description: "d", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [],
        info,
        { baseUrl: portal.url },
      );
      const today = (await portal.services.db.select({ d: reports.receivedOn }).from(reports))[0]!.d;
      const out = await portal.cli("notify:run", "--now", iso(addDays(today, 6)));
      expect(out).toContain("No SMTP server configured");
      expect(out).toContain("Recorded 1 deadline reminder(s).");
      await settleStaffNotifications(portal.services);
      const view = await lee.client.get<StaffNotificationsView>("/api/staff/notifications");
      expect(view.smtp).toBe(false);
      expect(view.items.map((i) => [i.event, i.email])).toEqual([
        ["ack_due_soon", "off"],
        ["new_case", "off"],
      ]);
      expect(view.items[1]!.link).toEqual({ kind: "case", caseNumber: r.caseNumber });
      const rows = await portal.services.db.select().from(staffNotifications);
      expect(rows.every((row) => row.emailedAt === null && row.attempts === 0 && row.lastError === null)).toBe(true);
      const html = await (await lee.client.raw("/staff?lang=en")).text();
      expect(html).toContain("This portal sends no e-mail (no SMTP server is configured); notifications appear here only.");
      expect(await (await lee.client.raw("/staff/account?lang=en")).text()).toContain("This portal sends no e-mail");
    });
  });
}
