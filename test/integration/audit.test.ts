// The audit log's hash chain on PGlite and PostgreSQL: appends from concurrent
// transactions form one sequence, and audit:verify names the first entry that
// was changed, removed or reordered in the database.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit, audit, entryHash, sealAuditChain, verifyAuditChain } from "../../app/.server/audit/audit";
import { auditHead, auditLog } from "../../db/schema";
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
            portal.services,
            { actorType: "staff", actorId: id, action: "case.opened", reportId: null, caseNumber: `COR-TEST-${String(i).padStart(4, "0")}`, details: { n: i } },
            new Date(),
          ),
        ),
      );
      // An action and its entry commit together or not at all.
      await expect(
        db.transaction(async (tx) => {
          await appendAudit(tx, portal.services, { actorType: "staff", actorId: id, action: "case.status", details: { to: "closed" } }, new Date());
          throw new Error("the action failed");
        }),
      ).rejects.toThrow("the action failed");
      const rows = await db.select().from(auditLog).orderBy(auditLog.seq);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 41 }, (_, i) => i + 1));
      expect(rows[0]).toMatchObject({ actorType: "system", action: "staff.created" });
      expect(rows.some((r) => r.action === "case.status")).toBe(false);
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: true, entries: 41, keyedFrom: 1 });
      expect(await portal.cli("audit:verify")).toBe("Audit chain intact: 41 entries verified.");
    });

    it("names the entry whose content was changed", async () => {
      const db = portal.services.db;
      await db.execute(sql`update audit_log set details = '{"n": 999}'::jsonb where seq = 17`);
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: false, brokenAt: 17, entries: 16 });
      await expect(portal.cli("audit:verify")).rejects.toThrow(/BROKEN at entry 17: entry content does not match its hash/);
    });

    it("names a removed entry and a truncated tail", async () => {
      const db = portal.services.db;
      await db.execute(sql`delete from audit_log where seq = 5`);
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: false, brokenAt: 5, reason: "entry 5 is missing" });
    });

    it("detects a rewritten chain that does not reach the head", async () => {
      const fresh = await startTestPortal(backend);
      try {
        const db = fresh.services.db;
        for (let i = 0; i < 5; i++) await audit(db, fresh.services, { actorType: "system", action: "inbox.listed", details: { i } }, new Date());
        await db.execute(sql`delete from audit_log where seq = 5`);
        expect(await verifyAuditChain(db, fresh.services)).toMatchObject({ ok: false, brokenAt: 5 });
      } finally {
        await fresh.stop();
      }
    });

    // Release 0.1.x wrote an unkeyed chain (test/upgrade has its snapshots). The first start of the keyed code
    // anchors it with one keyed `audit.keyed` entry; verification checks both parts (ADR 028).
    it("anchors an unkeyed chain under the key once, and an attacker cannot pass forged entries off as old", async () => {
      const fresh = await startTestPortal(backend);
      try {
        const db = fresh.services.db;
        const k = fresh.services;
        let prev: Uint8Array = new Uint8Array(32);
        for (let seq = 1; seq <= 6; seq++) {
          const row = {
            seq,
            at: new Date(Date.UTC(2030, 0, seq)),
            actorType: "staff" as const,
            actorId: null,
            action: "case.opened",
            reportId: null,
            caseNumber: null,
            details: { seq },
          };
          const hash = entryHash(prev, row);
          await db.insert(auditLog).values({ ...row, prevHash: prev, hash });
          prev = hash;
        }
        await db
          .insert(auditHead)
          .values({ id: 1, seq: 6, hash: prev })
          .onConflictDoUpdate({ target: auditHead.id, set: { seq: 6, hash: prev } });
        // Before the anchor the unkeyed log has no keyed entry: it does not verify as a keyed chain.
        expect(await verifyAuditChain(db, k)).toMatchObject({ ok: false, brokenAt: 1 });

        expect(await sealAuditChain(db, k, new Date())).toEqual({ sealed: true, unkeyedEntries: 6, seq: 7 });
        expect(await sealAuditChain(db, k, new Date())).toEqual({ sealed: false });
        await audit(db, k, { actorType: "system", action: "inbox.listed", details: { after: true } }, new Date());
        expect(await verifyAuditChain(db, k)).toMatchObject({ ok: true, entries: 8, keyedFrom: 7 });
        const [transition] = await db
          .select()
          .from(auditLog)
          .where(sql`seq = 7`);
        expect(transition).toMatchObject({
          action: "audit.keyed",
          actorType: "system",
          details: { unkeyedEntries: 6, unkeyedHead: Buffer.from(prev).toString("hex") },
        });
        expect(await fresh.cli("audit:verify")).toBe(
          "Audit chain intact: 8 entries verified.\nEntries 1-6 are from before the chain was keyed; entry 7 anchors them.",
        );
        // Nothing appended later may claim to be the transition.
        await expect(audit(db, k, { actorType: "system", action: "audit.keyed", details: {} }, new Date())).rejects.toThrow(/written only by sealAuditChain/);

        const saved = await db.select().from(auditLog).orderBy(auditLog.seq);
        const restore = async () => {
          await db.delete(auditLog);
          for (const r of saved) await db.insert(auditLog).values(r);
        };
        // An unkeyed entry changed and the unkeyed part recomputed up to the transition: its keyed hash no longer holds.
        let p: Uint8Array = saved[1]!.hash;
        for (const r of saved.slice(2, 6)) {
          const details = r.seq === 3 ? { seq: 333 } : (r.details ?? {});
          const hash = entryHash(p, { ...r, details });
          await db
            .update(auditLog)
            .set({ details, prevHash: p, hash })
            .where(sql`seq = ${r.seq}`);
          p = hash;
        }
        await db
          .update(auditLog)
          .set({ prevHash: p })
          .where(sql`seq = 7`);
        expect(await verifyAuditChain(db, k)).toMatchObject({
          ok: false,
          brokenAt: 7,
          reason: expect.stringMatching(/^entry content does not match its hash \(keyed/),
        });
        await restore();
        // The transition deleted, so that every entry looks old: all must then be keyed, and entry 1 is not.
        await db.execute(sql`delete from audit_log where seq = 7`);
        expect(await verifyAuditChain(db, k)).toMatchObject({ ok: false, brokenAt: 1 });
        await restore();
        // A keyed entry after the transition rewritten in the old format: the keyed part refuses it.
        const e8 = saved[7]!;
        await db
          .update(auditLog)
          .set({ hash: entryHash(e8.prevHash, { ...e8, details: e8.details ?? {} }) })
          .where(sql`seq = 8`);
        expect(await verifyAuditChain(db, k)).toMatchObject({ ok: false, brokenAt: 8 });
      } finally {
        await fresh.stop();
      }
    });
  });
}
