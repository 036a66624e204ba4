// The audit log's hash chain on PGlite and PostgreSQL: appends from concurrent
// transactions form one sequence, and audit:verify names the first entry that
// was changed, removed or reordered in the database.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, audit, verifyAuditChain } from "../../app/.server/audit/audit";
import { auditLog } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";

for (const backend of await backends()) {
  describe(`audit chain on ${backend}`, () => {
    let portal: TestPortal;

    beforeAll(async () => {
      portal = await startTestPortal(backend);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("records staff creation and chains concurrent appends into one sequence", async () => {
      const { id } = await createStaff(portal, "investigator", "audit@okestro.example");
      const db = portal.services.db;
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          audit(
            db,
            { actorType: "staff", actorId: id, action: "case.opened", reportId: null, caseNumber: `COR-TEST-${String(i).padStart(4, "0")}`, details: { n: i } },
            new Date(),
          ),
        ),
      );
      // An action and its entry commit together or not at all.
      await expect(
        db.transaction(async (tx) => {
          await appendAudit(tx, { actorType: "staff", actorId: id, action: "case.status", details: { to: "closed" } }, new Date());
          throw new Error("the action failed");
        }),
      ).rejects.toThrow("the action failed");
      const rows = await db.select().from(auditLog).orderBy(auditLog.seq);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
      expect(rows[0]).toMatchObject({ actorType: "system", action: "staff.created" });
      expect(rows.some((r) => r.action === "case.status")).toBe(false);
      expect(await verifyAuditChain(db)).toEqual({ ok: true, entries: 41 });
      expect(await portal.cli("audit:verify")).toBe("Audit chain intact: 41 entries verified.");
    });

    it("names the entry whose content was changed", async () => {
      const db = portal.services.db;
      await db.execute(sql`update audit_log set details = '{"n": 999}'::jsonb where seq = 17`);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 17, entries: 16 });
      await expect(portal.cli("audit:verify")).rejects.toThrow(/BROKEN at entry 17: entry content does not match its hash/);
    });

    it("names a removed entry and a truncated tail", async () => {
      const db = portal.services.db;
      await db.execute(sql`delete from audit_log where seq = 5`);
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 5, reason: "entry 5 is missing" });
    });

    it("detects a rewritten chain that does not reach the head", async () => {
      const fresh = await startTestPortal(backend);
      try {
        const db = fresh.services.db;
        for (let i = 0; i < 5; i++) await audit(db, { actorType: "system", action: "test", details: { i } }, new Date());
        await db.execute(sql`delete from audit_log where seq = 5`);
        expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAt: 5 });
      } finally {
        await fresh.stop();
      }
    });
  });
}
