// Issue 16, row 7: a database writer deletes audit entries and recomputes the chain and its head;
// the keyed chain and a signed checkpoint kept outside the database catch it (ADR 028).
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { audit, entryHash, keyedEntryHash, sealAuditChain, verifyAuditChain } from "../../../app/.server/audit/audit";
import type { Db } from "../../../db/client";
import { auditHead, auditLog } from "../../../db/schema";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";

// ------------------------------------------------------------------ row 7: the audit log beyond the database

type Row = typeof auditLog.$inferSelect;

/**
 * What someone with write access to the database, and nothing else, can do: drop some entries, number the
 * rest again from 1, recompute every hash with `hash` from the documented formula, and set the head.
 */
async function rewrite(db: Db, keep: (r: Row) => boolean, hash: (prev: Uint8Array, r: Row) => Uint8Array): Promise<void> {
  const rows = (await db.select().from(auditLog).orderBy(asc(auditLog.seq))).filter(keep);
  let prev: Uint8Array = new Uint8Array(32);
  const out = rows.map((r, i) => {
    const row = { ...r, seq: i + 1, prevHash: prev };
    row.hash = hash(prev, row);
    prev = row.hash;
    return row;
  });
  await db.transaction(async (tx) => {
    await tx.delete(auditLog);
    for (const r of out) await tx.insert(auditLog).values(r);
    await tx.update(auditHead).set({ seq: out.length, hash: prev });
  });
}

const unkeyed = (prev: Uint8Array, r: Row) => entryHash(prev, { ...r, details: r.details ?? {} });

for (const backend of await backends()) {
  describe(`row 7: a database writer cannot rewrite the audit log unnoticed (${backend})`, () => {
    let portal: TestPortal;
    let db: Db;
    let original: { rows: Row[]; head: typeof auditHead.$inferSelect };
    let checkpoint: string;

    const write = async (n: number, from: number) => {
      for (let i = 0; i < n; i++)
        await audit(
          db,
          portal.services,
          { actorType: "system", action: "case.status", caseNumber: `COR-TEST-${String(from + i).padStart(4, "0")}`, details: { n: from + i } },
          new Date(),
        );
    };

    beforeAll(async () => {
      portal = await startTestPortal(backend);
      db = portal.services.db;
      await write(30, 0);
      checkpoint = path.join(portal.dataDir, "checkpoint.json");
      expect(await portal.cli("audit:checkpoint", "--out", checkpoint)).toMatch(/^Checkpoint of \d+ audit entries written to /);
      original = { rows: await db.select().from(auditLog).orderBy(asc(auditLog.seq)), head: (await db.select().from(auditHead))[0]! };
    });
    afterAll(async () => {
      await portal?.stop();
    });
    // Each attack starts from the honest log of the checkpoint.
    beforeEach(async () => {
      await db.transaction(async (tx) => {
        await tx.delete(auditLog);
        for (const r of original.rows) await tx.insert(auditLog).values(r);
        await tx.update(auditHead).set({ seq: original.head.seq, hash: original.head.hash });
      });
    });

    it("the checkpoint is a signed file that names the head, and the honest log verifies against it, also after it grew", async () => {
      const c = JSON.parse(await readFile(checkpoint, "utf8")) as Record<string, unknown>;
      expect(c).toMatchObject({ format: "cor-audit-checkpoint-v1", entries: original.head.seq, head: Buffer.from(original.head.hash).toString("hex") });
      expect(c.secret).toBe(portal.services.secret.fingerprint);
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).resolves.toMatch(
        /^Audit chain intact: \d+ entries verified\.\nIt extends the checkpoint/,
      );
      await write(7, 100);
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).resolves.toContain(`Audit chain intact: ${original.head.seq + 7} entries verified.`);
    });

    it("entries deleted and the chain and head recomputed unkeyed: verify and the checkpoint both fail", async () => {
      await rewrite(db, (r) => r.seq < 10 || r.seq > 14, unkeyed);
      const r = await verifyAuditChain(db, portal.services);
      expect(r).toMatchObject({ ok: false, brokenAt: 1 });
      await expect(portal.cli("audit:verify")).rejects.toThrow(/BROKEN at entry 1: entry content does not match its hash \(keyed/);
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).rejects.toThrow(/BROKEN/);
    });

    it("entries deleted and the chain and head recomputed under a wrong key: verify and the checkpoint both fail", async () => {
      const wrongKey = randomBytes(32);
      await rewrite(
        db,
        (r) => r.seq < 10 || r.seq > 14,
        (prev, r) => keyedEntryHash(wrongKey, prev, { ...r, details: r.details ?? {} }),
      );
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: false, brokenAt: 1 });
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).rejects.toThrow(/BROKEN at entry 1: entry content does not match its hash/);
    });

    it("the last entries deleted and the head moved back: the keyed chain still holds, the checkpoint does not", async () => {
      const keep = original.head.seq - 5;
      await db.execute(sql`delete from audit_log where seq > ${keep}`);
      const last = original.rows[keep - 1]!;
      await db.update(auditHead).set({ seq: keep, hash: last.hash });
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: true, entries: keep });
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).rejects.toThrow(
        new RegExp(`BROKEN at entry ${keep + 1}: the log ends at entry ${keep} but the checkpoint has ${original.head.seq} entries`),
      );
    });

    it("the whole log made to look unkeyed (the old format): verify fails; even if a restart anchors it again, the checkpoint fails", async () => {
      await rewrite(db, (r) => r.action !== "audit.keyed" && (r.seq < 10 || r.seq > 14), unkeyed);
      await expect(portal.cli("audit:verify")).rejects.toThrow(/BROKEN at entry 1/);
      // A restart anchors an unkeyed log it finds (that is the upgrade path): now only the checkpoint tells.
      expect(await sealAuditChain(db, portal.services, new Date())).toMatchObject({ sealed: true });
      expect(await verifyAuditChain(db, portal.services)).toMatchObject({ ok: true });
      await expect(portal.cli("audit:verify", "--checkpoint", checkpoint)).rejects.toThrow(/BROKEN at entry \d+: .*checkpoint/);
    });

    it("a checkpoint file that was changed, or signed under another secret, is refused", async () => {
      const c = JSON.parse(await readFile(checkpoint, "utf8")) as { entries: number };
      const changed = path.join(portal.dataDir, "changed.json");
      await writeFile(changed, JSON.stringify({ ...c, entries: c.entries - 5 }));
      await expect(portal.cli("audit:verify", "--checkpoint", changed)).rejects.toThrow(/Checkpoint REJECTED: the checkpoint's signature does not hold/);
      const other = await startTestPortal(backend);
      try {
        await expect(other.cli("audit:verify", "--checkpoint", checkpoint)).rejects.toThrow(
          /Checkpoint REJECTED: the checkpoint was signed under another portal secret/,
        );
      } finally {
        await other.stop();
      }
    });
  });
}
