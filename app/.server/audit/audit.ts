// Appending to and verifying the hash-chained audit log.
//   hash(n) = SHA-256( "cor/audit-v1\0" || hash(n-1) || canonical JSON of entry n )
// where the canonical JSON is [seq, at (ISO 8601, ms), actorType, actorId,
// action, reportId, caseNumber, details with keys sorted]. hash(0) is 32 zero bytes.
//
// - Entries are written in the transaction of the change they record, except
//   `auth.logout` (just after the session row is deleted) and `content.downloaded`,
//   written by the download route. `content.decrypted` is recorded only when the
//   browser reports it; `content.exported` is accepted but no page sends it yet.
// - Not recorded: anything a reporter does (no reporter actor, ADR 007), reading or
//   verifying the log, failed recovery attempts, session expiry.
// - Actions, by area: sign-in `auth.*`; administration
//   `staff.created|invited|unlock|revoke-sessions| disable|enable`,
//   `category.saved`; cases `case.opened|status|assigned|priority|labels`,
//   `note.added`, `message.sent`, `privacy.answered`, `attachment.added`,
//   `access.granted`, `content.*`, `inbox.listed`; sharing `share.*` (reviewers also
//   `share.listed|opened|downloaded`); retention `case.destroyed`, `share.expired`,
//   `hold.*`, `privacy.deletion_*`, `case.archived`, `archive.*`; reporter e-mails
//   `reporter.notify_*`.
// - `verifyAuditChain` reads in batches of 5000 and stops at the first entry that is
//   missing, whose `prev_hash` is not the previous hash, or whose content does not
//   match its hash; at the end the head must name the last entry (else entries were
//   removed from the end). `audit:verify` exits 1 when broken.
import { createHash } from "node:crypto";
import { asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { auditHead, auditLog } from "../../../db/schema";

export type AuditDetails = Record<string, string | number | boolean | null>;

export interface AuditEntry {
  actorType: "staff" | "system";
  actorId?: string | null;
  action: string;
  reportId?: string | null;
  caseNumber?: string | null;
  details?: AuditDetails;
}

const GENESIS = new Uint8Array(32);
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

function canonical(value: AuditDetails): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

export function entryHash(
  prev: Uint8Array,
  e: {
    seq: number;
    at: Date;
    actorType: string;
    actorId: string | null;
    action: string;
    reportId: string | null;
    caseNumber: string | null;
    details: AuditDetails;
  },
): Uint8Array {
  const body = `[${e.seq},${JSON.stringify(e.at.toISOString())},${JSON.stringify(e.actorType)},${JSON.stringify(e.actorId)},${JSON.stringify(e.action)},${JSON.stringify(e.reportId)},${JSON.stringify(e.caseNumber)},${canonical(e.details)}]`;
  return new Uint8Array(createHash("sha256").update("cor/audit-v1\0").update(prev).update(body).digest());
}

/** Appends one entry inside `tx` (use the transaction of the action it records, so both commit or neither). */
export async function appendAudit(tx: Tx | Db, entry: AuditEntry, at: Date): Promise<number> {
  await tx.insert(auditHead).values({ id: 1, seq: 0, hash: GENESIS }).onConflictDoNothing();
  // Row lock on the head serialises appends across connections and servers.
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for("update");
  const seq = head!.seq + 1;
  const row = {
    seq,
    at: new Date(Math.floor(at.getTime())),
    actorType: entry.actorType,
    actorId: entry.actorId ?? null,
    action: entry.action,
    reportId: entry.reportId ?? null,
    caseNumber: entry.caseNumber ?? null,
    details: entry.details ?? {},
  };
  const hash = entryHash(head!.hash, row);
  await tx.insert(auditLog).values({ ...row, prevHash: head!.hash, hash });
  await tx.update(auditHead).set({ seq, hash }).where(eq(auditHead.id, 1));
  return seq;
}

export async function audit(db: Db, entry: AuditEntry, at: Date): Promise<number> {
  return db.transaction((tx) => appendAudit(tx, entry, at));
}

export type VerifyResult = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks the chain from the start; reports the first entry that does not hold. */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<VerifyResult> {
  let prev: Uint8Array = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq) return { ok: false, entries: count, brokenAt: expectedSeq, reason: `entry ${expectedSeq} is missing` };
      if (!Buffer.from(r.prevHash).equals(Buffer.from(prev)))
        return { ok: false, entries: count, brokenAt: r.seq, reason: "previous-hash link does not match" };
      const h = entryHash(prev, { ...r, details: r.details ?? {} });
      if (!Buffer.from(h).equals(Buffer.from(r.hash))) return { ok: false, entries: count, brokenAt: r.seq, reason: "entry content does not match its hash" };
      prev = r.hash;
      expectedSeq++;
      count++;
    }
  }
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  if (head && (head.seq !== count || !Buffer.from(head.hash).equals(Buffer.from(prev)))) {
    return {
      ok: false,
      entries: count,
      brokenAt: count + 1,
      reason: `the log ends at entry ${count} but its head says ${head.seq}: entries were removed from the end`,
    };
  }
  return { ok: true, entries: count };
}

export const auditCount = (db: Db) => db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
