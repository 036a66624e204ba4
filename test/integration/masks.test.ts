// Masked passages through the real server on PGlite and PostgreSQL (ADR 053): an investigator's browser encrypts
// a mask under the case key, the server keeps it as ciphertext and lists the active ones with the case; showing a
// masked passage and removing a mask need a reason code and are audited; every role but an investigator holding
// the case is refused; the reporter's view is untouched; nothing of the text or the reason reaches storage or logs.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decryptBody, decryptMask, encryptMask, fromBase64Url, loadSodium, newRecordId, openEnvelope, toBase64Url, type ReportKeys } from "../../crypto";
import { verifyAuditChain } from "../../app/.server/audit/audit";
import { openCase } from "../../app/reporter/followup-client";
import { applyMasks, findPassage, openMasks, rangesFor } from "../../app/staff/masks";
import { StaffClient } from "../../app/staff/staff-client";
import type { StaffCaseView } from "../../app/staff/wire";
import { auditLog, caseMasks } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { submitTextReport } from "../support/reports";
import { scanPortal } from "../support/scan";
import { createStaff, PASSWORD } from "../support/staff";
import { cookieFetch, firstSignIn, type SignedInStaff } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const SECRET = "MASKSECRET-윤서연-7f3";
const REASON = "MASKREASON-건강정보-2c9";
const DESCRIPTION = `The manager pressured ${SECRET} 😷 to sign, and ${SECRET} refused.`;

for (const backend of await backends()) {
  describe(`masked passages on ${backend}`, () => {
    let portal: TestPortal;
    let lee: SignedInStaff;
    let kim: SignedInStaff;
    let park: SignedInStaff;
    let admin: SignedInStaff;
    let reviewer: SignedInStaff;
    let reportId: string;
    let otherReportId: string;
    let receipt: string;
    let keys: ReportKeys;
    let maskId: string;

    const view = (who: SignedInStaff, id = reportId) => who.client.get<StaffCaseView>(`/api/staff/cases/${id}/view`);
    const audits = async (action: string) =>
      (
        await portal.services.db
          .select()
          .from(auditLog)
          .where(and(eq(auditLog.reportId, reportId), eq(auditLog.action, action)))
      ).map((e) => ({
        actorId: e.actorId,
        details: e.details,
      }));
    const maskBody = (id: string, ranges: [number, number][], reason: string | null = REASON) =>
      toBase64Url(encryptMask(keys.caseKey, reportId, id, { target: { record: "body", field: "description" }, ranges, reason }));

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend);
      await createStaff(portal, "investigator", "lee@okestro.example", ["--name", "Lee"]);
      await createStaff(portal, "investigator", "kim@okestro.example", ["--name", "Kim"]);
      const parkId = (await createStaff(portal, "investigator", "park@okestro.example", ["--name", "Park"])).id;
      await createStaff(portal, "admin", "admin@okestro.example");
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]);
      const r = await submitTextReport(portal.url, { title: "Pressure to sign", description: DESCRIPTION, excludedInvestigators: [parkId] });
      reportId = r.reportId;
      receipt = r.receiptCode;
      otherReportId = (await submitTextReport(portal.url, { title: "Another case", description: "Nothing to mask here." })).reportId;
      const signIn = (n: string) => firstSignIn(portal.url, `${n}@okestro.example`, PASSWORD);
      [lee, kim, park, admin, reviewer] = await Promise.all([signIn("lee"), signIn("kim"), signIn("park"), signIn("admin"), signIn("cloud")]);
      keys = openEnvelope(fromBase64Url((await view(lee)).envelope), reportId, lee.client.keyPair!);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("keeps a mask as ciphertext, lists it with the case for every investigator holding it, and audits the mask id only", async () => {
      maskId = newRecordId();
      const body = decryptBody(keys.reportKey, reportId, fromBase64Url((await view(lee)).body));
      const ranges = findPassage(body.description, SECRET);
      expect(ranges).toHaveLength(2);
      await lee.client.caseOp(reportId, "masks", { id: maskId, body: maskBody(maskId, ranges) });

      // Kim, another investigator of the case, opens the same mask with her own envelope.
      const kimView = await view(kim);
      const kimKeys = openEnvelope(fromBase64Url(kimView.envelope), reportId, kim.client.keyPair!);
      expect(kimView.masks.map((m) => m.id)).toEqual([maskId]);
      const { masks, unreadable } = openMasks(kimKeys.caseKey, reportId, kimView.masks);
      expect(unreadable).toEqual([]);
      expect(masks[0]).toMatchObject({ reason: REASON, target: { record: "body", field: "description" } });
      const shown = applyMasks(body.description, rangesFor(masks, { record: "body", field: "description" }), "[masked]");
      expect(shown).toBe("The manager pressured [masked] 😷 to sign, and [masked] refused.");
      expect(shown).not.toContain(SECRET);

      expect(await audits("mask.added")).toEqual([{ actorId: (await lee.client.get<{ user: { id: string } }>("/api/staff/me")).user.id, details: { maskId } }]);
      const [row] = await portal.services.db.select().from(caseMasks).where(eq(caseMasks.id, maskId));
      expect(decryptMask(keys.caseKey, reportId, maskId, row!.bodyCt).ranges).toEqual(ranges);
    });

    it("takes a retried mask once, and refuses the same id from someone else", async () => {
      await lee.client.caseOp(reportId, "masks", { id: maskId, body: maskBody(maskId, [[0, 3]]) });
      expect(await audits("mask.added")).toHaveLength(1);
      await expect(kim.client.caseOp(reportId, "masks", { id: maskId, body: maskBody(maskId, [[0, 3]]) })).rejects.toMatchObject({
        status: 409,
        code: "mask_exists",
      });
      expect((await view(lee)).masks).toHaveLength(1);
    });

    it("refuses what is not a mask record, and reveals or lifts without a known reason code", async () => {
      const id = newRecordId();
      const bad: [string, unknown][] = [
        ["masks", { id, body: toBase64Url(new Uint8Array(100)) }],
        ["masks", { id: "not-a-uuid", body: maskBody(id, [[0, 3]]) }],
        ["masks", { id, body: maskBody(id, [[0, 3]]), reason: "free text" }],
        ["masks", { id }],
        ["mask-reveal", { maskId }],
        ["mask-reveal", { maskId, reason: "curiosity" }],
        ["mask-reveal", { maskId, reason: "investigation_need", note: "free text" }],
        ["mask-lift", { maskId, reason: "" }],
        ["mask-lift", { maskId: "x", reason: "masked_in_error" }],
      ];
      for (const [op, body] of bad) await expect(lee.client.caseOp(reportId, op, body), `${op} ${JSON.stringify(body)}`).rejects.toMatchObject({ status: 400 });
      // A mask of this case is not one of another case.
      await expect(lee.client.caseOp(otherReportId, "mask-lift", { maskId, reason: "masked_in_error" })).rejects.toMatchObject({
        status: 404,
        code: "no_mask",
      });
      await expect(lee.client.caseOp(reportId, "mask-reveal", { maskId: newRecordId(), reason: "investigation_need" })).rejects.toMatchObject({
        status: 404,
        code: "no_mask",
      });
    });

    it("refuses every caller but an investigator holding the case", async () => {
      const ops: [string, unknown][] = [
        ["masks", { id: newRecordId(), body: maskBody(newRecordId(), [[0, 3]]) }],
        ["mask-reveal", { maskId, reason: "investigation_need" }],
        ["mask-lift", { maskId, reason: "masked_in_error" }],
      ];
      const anonymous = new StaffClient({ baseUrl: portal.url, fetch: cookieFetch() });
      for (const [op, body] of ops) {
        // The excluded investigator meets the case's 404; administrators and reviewers are not investigators.
        await expect(park.client.caseOp(reportId, op, body)).rejects.toMatchObject({ status: 404, code: "not_found" });
        await expect(admin.client.caseOp(reportId, op, body)).rejects.toMatchObject({ status: 403 });
        await expect(reviewer.client.caseOp(reportId, op, body)).rejects.toMatchObject({ status: 403 });
        await expect(anonymous.caseOp(reportId, op, body)).rejects.toMatchObject({ status: 401 });
      }
      await expect(park.client.get(`/api/staff/cases/${reportId}/view`)).rejects.toMatchObject({ status: 404 });
      expect((await view(lee)).masks.map((m) => m.id)).toEqual([maskId]);
      expect(await audits("mask.revealed")).toEqual([]);
      expect(await audits("mask.lifted")).toEqual([]);
    });

    it("records a reveal with its reason code and leaves the mask in place", async () => {
      await kim.client.caseOp(reportId, "mask-reveal", { maskId, reason: "investigation_need" });
      const [entry] = await audits("mask.revealed");
      expect(entry!.details).toEqual({ maskId, reason: "investigation_need" });
      expect((await view(lee)).masks.map((m) => m.id)).toEqual([maskId]);
    });

    it("lifts a mask for everyone with a reason code, keeps the row as the record, and refuses to lift or reveal it again", async () => {
      await lee.client.caseOp(reportId, "mask-lift", { maskId, reason: "masked_in_error" });
      expect((await view(kim)).masks).toEqual([]);
      const [row] = await portal.services.db.select().from(caseMasks).where(eq(caseMasks.id, maskId));
      expect(row).toMatchObject({ liftReason: "masked_in_error" });
      expect(row!.liftedAt).not.toBeNull();
      expect((await audits("mask.lifted")).map((e) => e.details)).toEqual([{ maskId, reason: "masked_in_error" }]);
      for (const op of ["mask-lift", "mask-reveal"])
        await expect(kim.client.caseOp(reportId, op, { maskId, reason: "reporter_request" })).rejects.toMatchObject({ status: 409, code: "mask_lifted" });
      // The case history shows it (the case view's audit trail).
      expect((await view(lee)).auditTrail.map((e) => e.action)).toEqual(expect.arrayContaining(["mask.added", "mask.revealed", "mask.lifted"]));
    });

    it("leaves the reporter's own words as they wrote them", async () => {
      const id = newRecordId();
      await lee.client.caseOp(reportId, "masks", { id, body: maskBody(id, findPassage(DESCRIPTION, SECRET)) });
      const reporter = await openCase(receipt, { baseUrl: portal.url });
      expect(reporter.case.body.description).toBe(DESCRIPTION);
      expect(reporter.case).not.toHaveProperty("masks");
    });

    it("keeps the passage, the reason and the chain safe: no plaintext in storage or logs, the audit chain intact", async () => {
      expect(await scanPortal(portal, [SECRET, REASON])).toEqual([]);
      expect((await verifyAuditChain(portal.services.db, portal.services)).ok).toBe(true);
    });
  });
}
