// Appending to and verifying the audit log's chain (ADR 013, keyed by ADR 028).
//   v1, unkeyed (release 0.1.x):
//     hash(n) = SHA-256( "cor/audit-v1\0" || hash(n-1) || canonical JSON of entry n )
//   v2, keyed (every entry written since):
//     hash(n) = HMAC-SHA256( K, "cor/audit-v2\0" || hash(n-1) || canonical JSON of entry n )
//     K = the portal secret's `audit-chain` key (ADR 027), never in the database.
// The canonical JSON is [seq, at (ISO 8601, ms), actorType, actorId, action,
// reportId, caseNumber, details with keys sorted]. hash(0) is 32 zero bytes.
//
// - The transition: an installation that holds unkeyed entries gets, when the
//   portal or the CLI opens it (`sealAuditChain`), one keyed `audit.keyed` entry
//   whose details name the number of unkeyed entries before it and their last
//   hash. Entries before it are v1; it and everything after are v2. Without one
//   (installations that started keyed) every entry is v2. A second `audit.keyed`
//   is a break. So an attacker cannot make forged entries pass as "old": any
//   unkeyed entry must sit before a keyed entry that only the secret can make.
// - Entries are written in the transaction of the change they record, except
//   `auth.logout` (just after the session row is deleted) and `content.downloaded`,
//   written by the download route. `content.decrypted` is recorded only when the
//   browser reports it; `content.exported` is accepted but no page sends it yet.
// - Not recorded: anything a reporter does (no reporter actor, ADR 007), reading or
//   verifying the log, failed recovery attempts, session expiry.
// - Actions (the full list: AUDIT_ACTIONS below, which pages render as sentences), by area: sign-in `auth.*`; administration
//   `staff.created|invited|unlock|revoke-sessions| disable|enable`,
//   `category.saved`; cases `case.opened|status|assigned|priority|labels`,
//   `note.added`, `message.sent`, `privacy.answered`, `attachment.added`,
//   `access.granted`, `content.*`, `inbox.listed`, `inbox.titles_listed`; sharing `share.*` (reviewers also
//   `share.listed|opened|downloaded`); retention `case.destroyed`, `share.expired`,
//   `hold.*`, `privacy.deletion_*`, `case.archived`, `archive.*`; reporter e-mails
//   `reporter.notify_*`; masked passages `mask.added|revealed|lifted`; identity access `identity.*` (ADR 052); the chain itself `audit.keyed`.
// - `verifyAuditChain` reads in batches of 5000 and stops at the first entry that is
//   missing, whose `prev_hash` is not the previous hash, or whose content does not
//   match its hash; at the end the head must name the last entry (else entries were
//   removed from the end). Given a checkpoint (./checkpoint.ts) the log must also
//   hold the checkpoint's entry with the checkpoint's hash. `audit:verify` exits 1
//   when broken.
import { createHash, createHmac } from "node:crypto";
import { asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { auditHead, auditLog } from "../../../db/schema";
import type { PortalSecret } from "../platform/secrets";

export type AuditDetails = Record<string, string | number | boolean | null>;

/**
 * Every action the code writes. `AuditEntry.action` takes only these, so a new kind of entry is added
 * here first; the pages render each as a sentence (app/components/audit-event.tsx) and a unit test
 * fails for one without a sentence in both languages.
 */
export const AUDIT_ACTIONS = [
  "auth.login",
  "auth.logout",
  "auth.totp_enabled",
  "auth.password_changed",
  "auth.password_recovered",
  "auth.failures_reported",
  "auth.backoff_cleared",
  "staff.created",
  "staff.invited",
  "staff.unlock",
  "staff.revoke-sessions",
  "staff.disable",
  "staff.enable",
  "category.saved",
  "inbox.listed",
  "inbox.titles_listed",
  "case.opened",
  "case.status",
  "case.assigned",
  "case.priority",
  "case.labels",
  "note.added",
  "message.sent",
  "attachment.added",
  "privacy.answered",
  "content.decrypted",
  "content.downloaded",
  "content.exported",
  "access.granted",
  "reporter.notify_sent",
  "reporter.notify_failed",
  "identity.requested",
  "identity.approved",
  "identity.refused",
  "identity.released",
  "identity.settings_changed",
  "share.created",
  "share.updated",
  "share.revoked",
  "share.granted",
  "share.feedback",
  "share.listed",
  "share.opened",
  "share.downloaded",
  "share.expired",
  "hold.placed",
  "hold.lifted",
  "privacy.deletion_refused",
  "privacy.deletion_granted",
  "case.archived",
  "case.exported",
  "case.destroyed",
  "archive.opened",
  "archive.downloaded",
  "archive.granted",
  "archive.destroyed",
  "audit.keyed",
  // Masked passages (ADR 053): details name the mask id and, for a reveal or a lift, the reason code.
  "mask.added",
  "mask.revealed",
  "mask.lifted",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  actorType: "staff" | "system";
  actorId?: string | null;
  action: AuditAction;
  reportId?: string | null;
  caseNumber?: string | null;
  details?: AuditDetails;
}

/** What appending and verifying need: the portal secret (its `audit-chain` key). */
export interface AuditKey {
  secret: PortalSecret;
}

/** The action of the one entry that starts the keyed part of a chain that began unkeyed. */
export const KEYED_TRANSITION = "audit.keyed";

const GENESIS = new Uint8Array(32);
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

interface HashedFields {
  seq: number;
  at: Date;
  actorType: string;
  actorId: string | null;
  action: string;
  reportId: string | null;
  caseNumber: string | null;
  details: AuditDetails;
}

function canonical(value: AuditDetails): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
}

function body(e: HashedFields): string {
  return `[${e.seq},${JSON.stringify(e.at.toISOString())},${JSON.stringify(e.actorType)},${JSON.stringify(e.actorId)},${JSON.stringify(e.action)},${JSON.stringify(e.reportId)},${JSON.stringify(e.caseNumber)},${canonical(e.details)}]`;
}

/** v1, unkeyed: only entries written by release 0.1.x, before the transition. */
export function entryHash(prev: Uint8Array, e: HashedFields): Uint8Array {
  return new Uint8Array(createHash("sha256").update("cor/audit-v1\0").update(prev).update(body(e)).digest());
}

/** v2, keyed with the `audit-chain` key (32 bytes). */
export function keyedEntryHash(key: Uint8Array, prev: Uint8Array, e: HashedFields): Uint8Array {
  return new Uint8Array(createHmac("sha256", key).update("cor/audit-v2\0").update(prev).update(body(e)).digest());
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

async function lockHead(tx: Tx | Db) {
  await tx.insert(auditHead).values({ id: 1, seq: 0, hash: GENESIS }).onConflictDoNothing();
  // Row lock on the head serialises appends across connections and servers.
  const [head] = await tx.select().from(auditHead).where(eq(auditHead.id, 1)).for("update");
  return head!;
}

async function appendAfter(tx: Tx | Db, key: Uint8Array, head: { seq: number; hash: Uint8Array }, entry: AuditEntry, at: Date): Promise<number> {
  const seq = head.seq + 1;
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
  const hash = keyedEntryHash(key, head.hash, row);
  await tx.insert(auditLog).values({ ...row, prevHash: head.hash, hash });
  await tx.update(auditHead).set({ seq, hash }).where(eq(auditHead.id, 1));
  return seq;
}

/** Appends one keyed entry inside `tx` (use the transaction of the action it records, so both commit or neither). */
export async function appendAudit(tx: Tx | Db, k: AuditKey, entry: AuditEntry, at: Date): Promise<number> {
  if (entry.action === KEYED_TRANSITION) throw new Error(`${KEYED_TRANSITION} is written only by sealAuditChain`);
  return appendAfter(tx, k.secret.key("audit-chain"), await lockHead(tx), entry, at);
}

export async function audit(db: Db, k: AuditKey, entry: AuditEntry, at: Date): Promise<number> {
  return db.transaction((tx) => appendAudit(tx, k, entry, at));
}

export type SealResult = { sealed: false } | { sealed: true; unkeyedEntries: number; seq: number };

/**
 * Anchors an unkeyed chain (release 0.1.x) under the key: when the last entry is a valid
 * unkeyed one and no transition exists, appends the `audit.keyed` entry. Run when the
 * portal or the CLI opens the database, before anything else is appended. Does nothing
 * on an empty or already keyed chain, and nothing on one whose last entry is neither
 * (tampered, or keyed under another secret): verification reports that.
 */
export async function sealAuditChain(db: Db, k: AuditKey, at: Date): Promise<SealResult> {
  const key = k.secret.key("audit-chain");
  return db.transaction(async (tx) => {
    const head = await lockHead(tx);
    if (head.seq === 0) return { sealed: false };
    const [last] = await tx.select().from(auditLog).where(eq(auditLog.seq, head.seq));
    if (!last || !same(last.hash, head.hash)) return { sealed: false };
    const fields = { ...last, details: last.details ?? {} };
    if (same(keyedEntryHash(key, last.prevHash, fields), last.hash)) return { sealed: false };
    if (!same(entryHash(last.prevHash, fields), last.hash)) return { sealed: false };
    const [earlier] = await tx.select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.action, KEYED_TRANSITION)).limit(1);
    if (earlier) return { sealed: false };
    const seq = await appendAfter(
      tx,
      key,
      head,
      { actorType: "system", action: KEYED_TRANSITION, details: { unkeyedEntries: head.seq, unkeyedHead: hex(head.hash) } },
      at,
    );
    return { sealed: true, unkeyedEntries: head.seq, seq };
  });
}

/** What a checkpoint asserts about the log: it held `entries` entries, the last with hash `head` (hex). */
export interface ChainPoint {
  entries: number;
  head: string;
}

export type VerifyResult =
  | {
      ok: true;
      entries: number;
      /** The first keyed entry: 1 when the chain started keyed, the transition after an upgrade; null when empty. */
      keyedFrom: number | null;
      /** The last entry's hash (hex), or null when empty. */
      head: string | null;
    }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/**
 * Walks the chain from the start; reports the first entry that does not hold. With `checkpoint`,
 * the log must also extend it: entry `checkpoint.entries` exists and has the checkpoint's hash.
 */
export async function verifyAuditChain(db: Db, k: AuditKey, options: { batch?: number; checkpoint?: ChainPoint } = {}): Promise<VerifyResult> {
  const batch = options.batch ?? 5000;
  const cp = options.checkpoint;
  const key = k.secret.key("audit-chain");
  const [transition] = await db.select({ seq: auditLog.seq }).from(auditLog).where(eq(auditLog.action, KEYED_TRANSITION)).orderBy(asc(auditLog.seq)).limit(1);
  const keyedFrom = transition?.seq ?? 1;
  let prev: Uint8Array = GENESIS;
  let expectedSeq = 1;
  let count = 0;
  const broken = (brokenAt: number, reason: string): VerifyResult => ({ ok: false, entries: count, brokenAt, reason });
  for (;;) {
    const rows = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.seq, expectedSeq - 1))
      .orderBy(asc(auditLog.seq))
      .limit(batch);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (r.seq !== expectedSeq) return broken(expectedSeq, `entry ${expectedSeq} is missing`);
      if (!same(r.prevHash, prev)) return broken(r.seq, "previous-hash link does not match");
      const fields = { ...r, details: r.details ?? {} };
      if (r.seq < keyedFrom) {
        if (!same(entryHash(prev, fields), r.hash)) return broken(r.seq, "entry content does not match its hash");
      } else if (!same(keyedEntryHash(key, prev, fields), r.hash)) {
        return broken(r.seq, "entry content does not match its hash (keyed: changed, or written without this portal's secret)");
      }
      if (r.action === KEYED_TRANSITION) {
        if (r.seq !== keyedFrom) return broken(r.seq, "a second transition to the keyed chain");
        const d = r.details ?? {};
        if (d.unkeyedEntries !== r.seq - 1 || d.unkeyedHead !== hex(prev)) return broken(r.seq, "the transition does not name the unkeyed entries before it");
      }
      if (cp && r.seq === cp.entries && hex(r.hash) !== cp.head)
        return broken(r.seq, `entry ${r.seq} is not the one the checkpoint signed: the log was rewritten`);
      prev = r.hash;
      expectedSeq++;
      count++;
    }
  }
  const [head] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  if (head && (head.seq !== count || !same(head.hash, prev))) {
    return broken(count + 1, `the log ends at entry ${count} but its head says ${head.seq}: entries were removed from the end`);
  }
  if (cp && count < cp.entries) {
    return broken(count + 1, `the log ends at entry ${count} but the checkpoint has ${cp.entries} entries: entries were removed`);
  }
  return { ok: true, entries: count, keyedFrom: count === 0 ? null : keyedFrom, head: count === 0 ? null : hex(prev) };
}

export const auditCount = (db: Db) => db.select({ n: sql<number>`count(*)::int` }).from(auditLog);
