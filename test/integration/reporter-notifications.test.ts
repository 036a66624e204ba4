// Update e-mails to reporters, end to end through a real SMTP server on
// loopback, on PGlite and PostgreSQL: the wish and the address travel only
// inside the encrypted identity; each investigator action the issue names sends
// one content-free e-mail in the reporter's language; the reporter can switch
// them off; a send while SMTP is down fails visibly and a retry delivers once;
// without SMTP nothing is sent and the portal says so; afterwards the address
// is nowhere in the database or the logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encryptMessage, encryptPrivacyText, loadSodium, newRecordId, toBase64Url, type ReporterIdentity } from "../../crypto";
import { openCase } from "../../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../../app/reporter/intake-client";
import { newNotification, notifyReporter } from "../../app/staff/notify-reporter";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { scanDatabase, scanLines } from "../support/scan";
import { caseForSharing } from "../support/sharing";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn, type SignedInStaff } from "../support/staff-session";
import { TestSmtp } from "../support/smtp";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ADDRESS = "whistle-7f3a@example.org";
const TITLE = "MKNOTIFYTITLE-61c";
const NAME = "MKNOTIFYNAME-2d9";

for (const backend of await backends()) {
  describe(`update e-mails to reporters on ${backend}`, () => {
    const smtp = new TestSmtp();
    let portal: TestPortal;
    let lee: SignedInStaff;
    let leeId: string;
    let report: { reportId: string; caseNumber: string; receipt: string };

    const submit = async (notify: boolean, language: "ko" | "en", email = ADDRESS) => {
      const info = await fetchIntakeInfo({ baseUrl: portal.url });
      const identity: ReporterIdentity = { name: NAME, email, phone: null, ...(notify ? { notify: { email: true, language } } : {}) };
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: TITLE,
          body: { description: "A description", details: "", periodFrom: null, periodTo: null },
          identity,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: true,
          consentAffiliateIdentity: false,
        },
        [],
        info,
        { baseUrl: portal.url },
      );
      return { reportId: r.reportId, caseNumber: r.caseNumber, receipt: r.receiptCode };
    };
    /** What the case page does after an action: decrypt the identity, then ask for one e-mail. */
    const tell = async (reportId: string, event: Parameters<typeof newNotification>[0], pending = newNotification(event)) => {
      const c = await caseForSharing(portal, reportId, leeId, lee.client.keyPair!);
      return notifyReporter(lee.client, reportId, c.notifyAddress, pending);
    };

    beforeAll(async () => {
      await loadSodium();
      await smtp.start();
      portal = await startTestPortal(backend, {
        SMTP_URL: smtp.url,
        SMTP_FROM: "Clean OKESTRO Report <no-reply@okestro.example>",
        PUBLIC_ORIGIN: "https://report.okestro.example",
        NOTIFY_INTERVAL_MINUTES: "0",
      });
      leeId = (await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"])).id;
      lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
      expect((await fetchIntakeInfo({ baseUrl: portal.url })).emailNotifications).toBe(true);
      report = await submit(true, "ko");
    });
    afterAll(async () => {
      await portal?.stop();
      await smtp.stop();
    });

    const toReporter = () => smtp.to(ADDRESS);

    it("sends one content-free e-mail in the reporter's language for each action: acknowledge, message, question, privacy answer, close", async () => {
      const { reportId } = report;
      const keys = (await caseForSharing(portal, reportId, leeId, lee.client.keyPair!)).keys;
      await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
      expect(await tell(reportId, "acknowledged")).toEqual({ delivered: true });
      for (const kind of ["message", "question"] as const) {
        const id = newRecordId();
        await lee.client.caseOp(reportId, "messages", {
          id,
          body: toBase64Url(encryptMessage(keys.reportKey, reportId, id, { author: "investigator", kind, text: `MKTEXT-${kind}` })),
        });
        await tell(reportId, kind);
      }
      const reporter = await openCase(report.receipt, { baseUrl: portal.url });
      await reporter.session.requestPrivacy("access", null);
      const requestId = (await reporter.session.refresh()).privacyRequests[0]!.id;
      await lee.client.caseOp(reportId, "privacy-answer", {
        requestId,
        answer: toBase64Url(encryptPrivacyText(keys.reportKey, reportId, requestId, "answer", "MKANSWER")),
      });
      await tell(reportId, "privacy_answer");
      const closeId = newRecordId();
      await lee.client.caseOp(reportId, "status", {
        to: "closed",
        outcome: "referred",
        summary: {
          id: closeId,
          body: toBase64Url(encryptMessage(keys.reportKey, reportId, closeId, { author: "investigator", kind: "message", text: "MKCLOSING" })),
        },
      });
      await tell(reportId, "closed");
      await reporter.session.logout();

      const mails = toReporter();
      expect(mails).toHaveLength(5);
      for (const m of mails) {
        expect(m.to).toEqual([ADDRESS]);
        expect(m.language).toBe("ko");
        expect(m.subject).toContain("새 소식");
        expect(m.text).toContain("https://report.okestro.example/status");
        for (const secret of [report.caseNumber, TITLE, NAME, "MKTEXT", "MKANSWER", "MKCLOSING", reportId])
          expect(m.raw, `${secret} in an e-mail`).not.toContain(secret);
      }
      // English for a reporter who wrote in English.
      const english = await submit(true, "en", "other-reporter@example.org");
      await tell(english.reportId, "acknowledged");
      const [m] = smtp.to("other-reporter@example.org");
      expect(m).toMatchObject({ language: "en", subject: "Clean OKESTRO Report: there is news about your report" });
    });

    it("sends nothing to a reporter who did not ask, or who switched the e-mails off", async () => {
      const quiet = await submit(false, "en", "quiet@example.org");
      expect(await tell(quiet.reportId, "acknowledged")).toBeNull();
      const before = toReporter().length;
      const reporter = await openCase(report.receipt, { baseUrl: portal.url });
      expect(reporter.case.identity?.notify).toEqual({ email: true, language: "ko" });
      const after = await reporter.session.setEmailUpdates(false, "ko");
      expect(after.identity).toMatchObject({ name: NAME, email: ADDRESS, notify: { email: false, language: "ko" } });
      await reporter.session.logout();
      expect(await tell(report.reportId, "message")).toBeNull();
      expect(toReporter()).toHaveLength(before);
      expect(smtp.to("quiet@example.org")).toEqual([]);
      // And on again, in English this time.
      const again = await openCase(report.receipt, { baseUrl: portal.url });
      await again.session.setEmailUpdates(true, "en");
      await again.session.logout();
      await tell(report.reportId, "message");
      expect(toReporter().at(-1)!.language).toBe("en");
    });

    it("tells the investigator when SMTP is down, and a retry delivers exactly once", async () => {
      const port = smtp.port;
      const before = toReporter().length;
      await smtp.stop();
      const pending = newNotification("message");
      await expect(tell(report.reportId, "message", pending)).rejects.toMatchObject({ status: 502, code: "mail_failed" });
      await smtp.start(port);
      expect(await tell(report.reportId, "message", pending)).toEqual({ delivered: true });
      expect(await tell(report.reportId, "message", pending)).toEqual({ delivered: true, repeated: true });
      expect(toReporter()).toHaveLength(before + 1);
    });

    it("keeps the address nowhere: not in any table, not in the logs", async () => {
      for (const address of [ADDRESS, "other-reporter@example.org", "quiet@example.org"]) {
        expect(await scanDatabase(portal.services, [address])).toEqual([]);
        expect(scanLines("logs", portal.logs, [address])).toEqual([]);
      }
      // The check can fail: the staff address is in the database.
      expect((await scanDatabase(portal.services, ["lee@okestro.example"])).length).toBeGreaterThan(0);
    });

    it("refuses to send for a case the investigator does not hold, or an address that is not one", async () => {
      await expect(
        lee.client.caseOp(newRecordId(), "notify-reporter", { id: newRecordId(), event: "message", email: ADDRESS, language: "en" }),
      ).rejects.toMatchObject({ status: 404 });
      await expect(
        lee.client.caseOp(report.reportId, "notify-reporter", { id: newRecordId(), event: "message", email: "not an address", language: "en" }),
      ).rejects.toMatchObject({ status: 400 });
    });
  });
}

describe("without SMTP", () => {
  let portal: TestPortal;
  afterAll(async () => {
    await portal?.stop();
  });
  it("offers no update e-mails, sends nothing and says so to the investigator", async () => {
    await loadSodium();
    portal = await startTestPortal("pglite", { NOTIFY_INTERVAL_MINUTES: "0" });
    const leeId = (await createStaff(portal, "investigator", "lee@okestro.example")).id;
    const lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    expect(info.emailNotifications).toBe(false);
    const r = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "t",
        body: { description: "d", details: "", periodFrom: null, periodTo: null },
        identity: { name: null, email: ADDRESS, phone: null, notify: { email: true, language: "en" } },
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      },
      [],
      info,
      { baseUrl: portal.url },
    );
    const c = await caseForSharing(portal, r.reportId, leeId, lee.client.keyPair!);
    expect(await notifyReporter(lee.client, r.reportId, c.notifyAddress, newNotification("acknowledged"))).toEqual({
      delivered: false,
      reason: "not_configured",
    });
    expect((await openCase(r.receiptCode, { baseUrl: portal.url })).case.emailNotifications).toBe(false);
  });
});
