// The investigator side through the real server on PGlite and PostgreSQL:
// sign-in with password and TOTP, sessions, back-off; the inbox and every
// case action with the decryption in the (Node) client; exclusion is absolute;
// grants; and the reporter sees what investigators send, never their notes.
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decryptJson,
  decryptTitle,
  encryptJson,
  encryptMessage,
  fromBase64Url,
  loadSodium,
  newRecordId,
  openEnvelope,
  sealReportKeys,
  toBase64Url,
} from "../../crypto";
import { verifyAuditChain } from "../../app/.server/audit/audit";
import { openCase } from "../../app/reporter/followup-client";
import { StaffClient } from "../../app/staff/staff-client";
import { auditLog, caseNotes, reports, staffUsers } from "../../db/schema";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { scanLines, scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import { cookieFetch, firstSignIn, totpCode, type SignedInStaff } from "../support/staff-session";

/** What the reporter and the investigators write: none of it may reach the server's storage or logs in the clear. */
const M = (what: string) => `STAFFCASE-${what}-e52b`;
const MARKERS = ["title", "description", "question", "note", "label", "answer", "summary", "filename", "filebody", "refused-note"].map(M);

interface InboxPage {
  total: number;
  rows: { id: string; caseNumber: string; status: string; title: string; envelope: string; unread: boolean; overdue: boolean }[];
}

for (const backend of await backends()) {
  describe(`investigator workspace on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff;
    let park: SignedInStaff;
    let parkId: string;
    let receipt: string;
    let reportId: string;

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, { TRUST_PROXY: "1" });
      await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
      parkId = (await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park"])).id;
      await createStaff(portal, "admin", "admin@okestro.example");
      const r = await submitTextReport(portal.url, { title: M("title"), description: M("description"), excludedInvestigators: [parkId] });
      receipt = r.receiptCode;
      reportId = r.reportId;
    });
    afterAll(async () => {
      await portal?.stop();
    });

    describe("sign-in", () => {
      it("refuses a wrong password and an unknown account alike", async () => {
        const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
        await expect(c.signIn("lee@okestro.example", "not the password at all")).rejects.toMatchObject({ code: "invalid_credentials", status: 401 });
        await expect(c.signIn("nobody@okestro.example", PASSWORD)).rejects.toMatchObject({ code: "invalid_credentials", status: 401 });
        // The salt for an unknown address is stable, so it does not give the absence away.
        const salt = async (email: string) =>
          (await (
            await fetch(`${portal.url}/api/staff/prelogin`, {
              method: "POST",
              headers: { "Content-Type": "application/json" },
              body: JSON.stringify({ email }),
            })
          ).json()) as { salt: string };
        expect(await salt("nobody@okestro.example")).toEqual(await salt("NOBODY@okestro.example"));
      });

      it("enrols the authenticator at first sign-in and unlocks the private key", async () => {
        lee = await firstSignIn(portal.url, "lee@okestro.example", PASSWORD);
        expect(lee.recoveryCodes).toHaveLength(10);
        const [u] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.email, "lee@okestro.example"));
        expect(Buffer.from(lee.client.keyPair!.publicKey).equals(Buffer.from(u!.publicKey))).toBe(true);
        park = await firstSignIn(portal.url, "park@okestro.example", PASSWORD);
      });

      it("asks for the code at later sign-ins, refuses wrong and replayed codes, accepts a recovery code once", async () => {
        const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
        expect(await c.signIn("lee@okestro.example", PASSWORD)).toBe("totp");
        // Without the second factor, nothing is reachable.
        await expect(c.get("/api/staff/cases")).rejects.toMatchObject({ status: 401 });
        await expect(c.secondFactor({ code: "000000" })).rejects.toMatchObject({ code: "invalid_code" });
        const later = Date.now() + 30_000; // the enrolment used the current step
        portal.setNow(new Date(later));
        try {
          const code = totpCode(lee.totpSecret, later);
          await c.secondFactor({ code });
          const again = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
          await again.signIn("lee@okestro.example", PASSWORD);
          await expect(again.secondFactor({ code })).rejects.toMatchObject({ code: "invalid_code" });
          await again.secondFactor({ recoveryCode: lee.recoveryCodes[0]!.toLowerCase() });
          const third = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
          await third.signIn("lee@okestro.example", PASSWORD);
          await expect(third.secondFactor({ recoveryCode: lee.recoveryCodes[0]! })).rejects.toMatchObject({ code: "invalid_code" });
        } finally {
          portal.setNow(null);
        }
        expect(c.keyPair).not.toBeNull();
      });

      it("slows down repeated failures from one client without locking the account, and tells administrators (ADR 030)", async () => {
        const email = "guessed@okestro.example";
        const { id } = await createStaff(portal, "investigator", email);
        // A client that cannot solve the proof of work a 429 offers (ADR 035), so it meets the wait.
        const noProof = () => Promise.reject(new Error("no proof of work here"));
        const c = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch("198.51.100.66"), solvePow: noProof });
        portal.setNow(new Date()); // a still clock: the back-off's waits do not run out between requests
        try {
          for (let i = 0; i < 11; i++) await expect(c.signIn(email, `wrong password number ${i}`)).rejects.toMatchObject({ status: 401 });
          // That client now waits, with the right password as with a wrong one: the wait teaches nothing.
          await expect(c.signIn(email, PASSWORD)).rejects.toMatchObject({ code: "too_many_attempts", status: 429 });
          await expect(c.signIn(email, "still guessing away here")).rejects.toMatchObject({ code: "too_many_attempts", status: 429 });
          // Another client is not slowed down: the account is not locked.
          const other = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch("198.51.100.67") });
          expect(await other.signIn(email, PASSWORD)).toBe("totp_setup");
        } finally {
          portal.setNow(null);
        }
        const reported = (await portal.services.db.select().from(auditLog).where(eq(auditLog.action, "auth.failures_reported"))).map((e) => e.details);
        expect(reported).toEqual([expect.objectContaining({ staffUserId: id, failures: 10 })]);
      });

      it("ends sessions after 30 minutes idle and at sign-out", async () => {
        await createStaff(portal, "investigator", "idle@okestro.example");
        await createStaff(portal, "investigator", "out@okestro.example");
        const s = await firstSignIn(portal.url, "idle@okestro.example", PASSWORD);
        await expect(s.client.get("/api/staff/me")).resolves.toBeTruthy();
        portal.setNow(new Date(Date.now() + 31 * 60_000));
        try {
          await expect(s.client.get("/api/staff/me")).rejects.toMatchObject({ status: 401 });
        } finally {
          portal.setNow(null);
        }
        const t = await firstSignIn(portal.url, "out@okestro.example", PASSWORD);
        await t.client.signOut();
        await expect(t.client.get("/api/staff/me")).rejects.toMatchObject({ status: 401 });
      });
    });

    describe("inbox and case handling", () => {
      it("lists the case with its title decryptable by Lee, and not at all for the excluded Park", async () => {
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const row = page.rows.find((r) => r.id === reportId)!;
        const keys = openEnvelope(fromBase64Url(row.envelope), reportId, lee.client.keyPair!);
        expect(decryptTitle(keys.reportKey, reportId, fromBase64Url(row.title))).toBe(M("title"));
        expect(row).toMatchObject({ status: "received", unread: true, overdue: false });
        const parks = await park.client.get<InboxPage>("/api/staff/cases");
        expect(parks.rows.map((r) => r.id)).not.toContain(reportId);
        expect(parks.total).toBe(0);
        const byNumber = await park.client.get<InboxPage>(`/api/staff/cases?case=${row.caseNumber}`);
        expect(byNumber.total).toBe(0);
      });

      it("gives the excluded investigator the same 404 as a case that does not exist", async () => {
        const missing = "00000000-0000-4000-8000-000000000000";
        for (const id of [reportId, missing]) {
          await expect(park.client.caseOp(id, "priority", { priority: "high" })).rejects.toMatchObject({ status: 404, code: "not_found" });
          await expect(park.client.get(`/api/staff/cases/${id}/grants`)).rejects.toMatchObject({ status: 404, code: "not_found" });
        }
      });

      it("acknowledges, talks with the reporter, keeps notes the reporter cannot see, and closes", async () => {
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const row = page.rows.find((r) => r.id === reportId)!;
        const keys = openEnvelope(fromBase64Url(row.envelope), reportId, lee.client.keyPair!);
        await lee.client.caseOp(reportId, "status", { to: "acknowledged" });
        await expect(lee.client.caseOp(reportId, "status", { to: "acknowledged" })).rejects.toMatchObject({ code: "bad_transition" });
        const qid = newRecordId();
        await lee.client.caseOp(reportId, "messages", {
          id: qid,
          body: toBase64Url(encryptMessage(keys.reportKey, reportId, qid, { author: "investigator", kind: "question", text: M("question") })),
        });
        const nid = newRecordId();
        await lee.client.caseOp(reportId, "notes", {
          id: nid,
          body: toBase64Url(encryptJson(keys.caseKey, { purpose: "note", id: reportId, subId: nid }, { text: M("note") })),
        });
        await lee.client.caseOp(reportId, "labels", { labels: toBase64Url(encryptJson(keys.caseKey, { purpose: "labels", id: reportId }, [M("label")])) });
        await lee.client.caseOp(reportId, "priority", { priority: "high" });

        const reporter = await openCase(receipt, { baseUrl: portal.url });
        expect(reporter.case.status).toBe("acknowledged");
        expect(reporter.case.feedbackDueOn).not.toBeNull();
        expect(reporter.case.messages.map((m) => [m.author, m.kind, m.text])).toEqual([["investigator", "question", M("question")]]);
        expect(JSON.stringify(reporter.case)).not.toContain(M("note"));
        await reporter.session.sendMessage(M("answer"));

        const unread = await lee.client.get<InboxPage>("/api/staff/cases");
        expect(unread.rows.find((r) => r.id === reportId)!.unread).toBe(true);

        await expect(lee.client.caseOp(reportId, "status", { to: "closed" })).rejects.toMatchObject({ code: "outcome_required" });
        const sid = newRecordId();
        await lee.client.caseOp(reportId, "status", {
          to: "closed",
          outcome: "substantiated",
          summary: {
            id: sid,
            body: toBase64Url(encryptMessage(keys.reportKey, reportId, sid, { author: "investigator", kind: "message", text: M("summary") })),
          },
        });
        const after = await reporter.session.refresh();
        expect(after.status).toBe("closed");
        expect(after.messages.at(-1)!.text).toBe(M("summary"));
        await reporter.session.logout();
        // The labels decrypt with the case key only.
        const [stored] = await portal.services.db.select().from(reports).where(eq(reports.id, reportId));
        expect(decryptJson(keys.caseKey, { purpose: "labels", id: reportId }, stored!.labelsCt!)).toEqual([M("label")]);
        expect(stored!.priority).toBe("high");
      });

      it("grants access to a new investigator from an existing one's keys, never to the excluded one", async () => {
        const { id: newId } = await createStaff(portal, "investigator", "new@okestro.example");
        const candidates = await lee.client.get<{ id: string; publicKey: string }[]>(`/api/staff/cases/${reportId}/grants`);
        expect(candidates.map((c) => c.id)).toContain(newId);
        expect(candidates.map((c) => c.id)).not.toContain(parkId);
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const keys = openEnvelope(fromBase64Url(page.rows.find((r) => r.id === reportId)!.envelope), reportId, lee.client.keyPair!);
        const target = candidates.find((c) => c.id === newId)!;
        await lee.client.caseOp(reportId, "grants", {
          granteeId: newId,
          envelope: toBase64Url(sealReportKeys(keys, reportId, fromBase64Url(target.publicKey) as never)),
        });
        const newcomer = await firstSignIn(portal.url, "new@okestro.example", PASSWORD);
        const theirs = await newcomer.client.get<InboxPage>("/api/staff/cases");
        const row = theirs.rows.find((r) => r.id === reportId)!;
        const k = openEnvelope(fromBase64Url(row.envelope), reportId, newcomer.client.keyPair!);
        expect(decryptTitle(k.reportKey, reportId, fromBase64Url(row.title))).toBe(M("title"));
        const [parkUser] = await portal.services.db.select().from(staffUsers).where(eq(staffUsers.id, parkId));
        await expect(
          lee.client.caseOp(reportId, "grants", { granteeId: parkId, envelope: toBase64Url(sealReportKeys(keys, reportId, parkUser!.publicKey as never)) }),
        ).rejects.toMatchObject({ status: 403, code: "excluded" });
      });

      it("sends a file to the reporter, encrypted under the report key, and downloads it back as a download", async () => {
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const keys = openEnvelope(fromBase64Url(page.rows.find((r) => r.id === reportId)!.envelope), reportId, lee.client.keyPair!);
        await lee.client.addFiles(reportId, keys.reportKey, [memoryFile(`${M("filename")}.pdf`, "application/pdf", Buffer.from(`%PDF ${M("filebody")}`))]);
        const reporter = await openCase(receipt, { baseUrl: portal.url });
        const file = reporter.case.attachments.find((a) => a.name === `${M("filename")}.pdf`)!;
        expect(file.source).toBe("investigator");
        expect(Buffer.from(await (await reporter.session.downloadAttachment(file.id)).blob.arrayBuffer()).toString()).toBe(`%PDF ${M("filebody")}`);
        await reporter.session.logout();
        const r = await lee.client.raw(`/api/staff/cases/${reportId}/attachments/${file.id}`);
        expect(r.headers.get("content-disposition")).toMatch(/^attachment;/);
        expect(r.headers.get("x-content-type-options")).toBe("nosniff");
        await r.arrayBuffer();
      });

      it("keeps administrators and reporter sessions out of investigator routes", async () => {
        const admin = await firstSignIn(portal.url, "admin@okestro.example", PASSWORD);
        await expect(admin.client.get("/api/staff/cases")).rejects.toMatchObject({ status: 403 });
        await expect(admin.client.caseOp(reportId, "priority", { priority: "low" })).rejects.toMatchObject({ status: 403 });
        const reporter = await openCase(receipt, { baseUrl: portal.url });
        const bearer = { Authorization: `Bearer ${reporter.session.beaconToken}` };
        expect((await fetch(`${portal.url}/api/staff/cases`, { headers: bearer })).status).toBe(401);
        expect((await fetch(`${portal.url}/api/staff/me`, { headers: bearer })).status).toBe(401);
        await reporter.session.logout();
      });

      it("logs a failed case action by its error alone, without ciphertext or ids, and stores nothing of it", async () => {
        // The database refuses the row (a fault outside our code), so the action fails past handleApi's typed errors
        // into Remix's handleError, whose driver error would quote the statement's parameters.
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const row = page.rows.find((r) => r.id === reportId)!;
        const keys = openEnvelope(fromBase64Url(row.envelope), reportId, lee.client.keyPair!);
        const nid = newRecordId();
        const body = encryptJson(keys.caseKey, { purpose: "note", id: reportId, subId: nid }, { text: M("refused-note") });
        const from = portal.logs.length;
        await portal.services.db.execute(sql`alter table case_notes add constraint refused_for_test check (false) not valid`);
        let refused: unknown = null;
        try {
          await lee.client.caseOp(reportId, "notes", { id: nid, body: toBase64Url(body) }).catch((e: unknown) => (refused = e));
        } finally {
          await portal.services.db.execute(sql`alter table case_notes drop constraint refused_for_test`);
        }
        expect(refused).toMatchObject({ status: 500 });
        const answered = JSON.stringify({ ...(refused as object), message: (refused as Error).message });
        const lines = portal.logs.slice(from).join("\n");
        // The cause is named in the log, so an operator can act on it ...
        expect(lines).toMatch(/"request failed".*refused_for_test/);
        // ... and nothing of the request is, in the log or in the answer.
        const secrets = [
          reportId,
          nid,
          row.caseNumber,
          toBase64Url(body),
          Buffer.from(body).toString("base64").slice(0, 40),
          Buffer.from(body).toString("hex").slice(0, 40),
        ];
        for (const secret of secrets) {
          expect(lines).not.toContain(secret);
          expect(answered).not.toContain(secret);
        }
        expect(answered).not.toMatch(/insert into|case_notes|refused_for_test/i);
        expect(await portal.services.db.select().from(caseNotes).where(eq(caseNotes.id, nid))).toEqual([]);
        // Once the database takes rows again, the same note goes through.
        await lee.client.caseOp(reportId, "notes", { id: nid, body: toBase64Url(body) });
        expect(await portal.services.db.select().from(caseNotes).where(eq(caseNotes.id, nid))).toHaveLength(1);
      });

      it("leaves no marker of what was written in tables, blobs, database files or logs, and no address, password, code or id in the log", async () => {
        const s = portal.services;
        expect(await scanPortal(portal, MARKERS)).toEqual([]);
        // Staff routes' lines: every line but the operator's setup link (which names the server's own address).
        const logs = portal.logs.filter((l) => !l.includes('"setupLink"')).join("\n");
        expect(logs).toContain('"path":"/api/staff/cases/:id/notes"');
        expect(logs).toContain('"path":"/api/staff/login"');
        const page = await lee.client.get<InboxPage>("/api/staff/cases");
        const caseNumber = page.rows.find((r) => r.id === reportId)!.caseNumber;
        const staffIds = (await s.db.select({ id: staffUsers.id }).from(staffUsers)).map((u) => u.id);
        expect(staffIds.length).toBeGreaterThanOrEqual(5);
        for (const secret of [
          "okestro.example",
          PASSWORD,
          "wrong password number",
          ...lee.recoveryCodes,
          lee.totpSecret,
          receipt,
          reportId,
          caseNumber,
          ...staffIds,
        ]) {
          expect(logs).not.toContain(secret);
        }
        expect(logs).not.toMatch(/127\.0\.0\.1|::1|::ffff|user-agent|undici|node-fetch/i);
        // The scanner itself works: a planted marker is found.
        expect(scanLines("self-check", [`x ${M("note")} y`], MARKERS)).toHaveLength(1);
      });

      it("audits every action in an intact chain", async () => {
        const actions = (await portal.services.db.select().from(auditLog).where(eq(auditLog.reportId, reportId))).map((e) => e.action);
        for (const a of ["case.status", "message.sent", "note.added", "case.labels", "case.priority", "access.granted"]) expect(actions).toContain(a);
        expect(await verifyAuditChain(portal.services.db, portal.services)).toMatchObject({ ok: true });
      });
    });
  });
}
