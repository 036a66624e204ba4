// Keeping the policy's retention promises without anyone remembering to:
// cases are destroyed RETENTION_YEARS after they closed (never-acknowledged
// reports UNACKNOWLEDGED_RETENTION_MONTHS after receipt), shares at the end of
// their own retention, archives at their own date; a legal hold stops all of
// it for its case. Destruction deletes every row of the case (ciphertexts, key
// envelopes, messages, notes, privacy requests, shares) in one transaction,
// then its blobs, and leaves a tombstone in the audit log with the case
// number, the dates and the reason: no personal data, no content.
//
// Due cases are selected with a generous SQL prefilter and the exact date
// computed in JavaScript (month arithmetic, as `caseRetentionOn` does it). A
// blob that fails to delete is left for the upload cleanup, which knows
// attachments, uploads and archive files.
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import {
  archiveFiles,
  archives,
  attachments,
  legalHolds,
  reports,
  shareAttachments,
  shareEnvelopes,
  shareProvisions,
  shares,
  uploads,
} from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { addDays, addMonths, today as todayOf } from "../platform/dates";
import type { Services } from "../platform/services";

type Tx = Parameters<Parameters<Services["db"]["transaction"]>[0]>[0];
type Report = Pick<typeof reports.$inferSelect, "id" | "caseNumber" | "status" | "receivedOn" | "closedOn">;

export type DestructionReason = "retention" | "unacknowledged" | "deletion_request" | "archived";
export interface Actor {
  type: "staff" | "system";
  id: string | null;
}
const SYSTEM: Actor = { type: "system", id: null };

/** The last day a case is kept: RETENTION_YEARS after closing, or the bound on a report nobody acknowledged. */
export function caseRetentionOn(s: Services, r: Pick<Report, "status" | "receivedOn" | "closedOn">): string | null {
  if (r.closedOn) return addMonths(r.closedOn, 12 * s.config.RETENTION_YEARS);
  if (r.status === "received") return addMonths(r.receivedOn, s.config.UNACKNOWLEDGED_RETENTION_MONTHS);
  return null;
}

export async function activeHolds(s: Services | Tx, reportId: string) {
  const db = "db" in s ? s.db : s;
  return db
    .select()
    .from(legalHolds)
    .where(and(eq(legalHolds.reportId, reportId), isNull(legalHolds.liftedOn)));
}

/**
 * Deletes a case and everything under it inside `tx` and writes its tombstone.
 * Returns the blob keys to delete once the transaction has committed (blobs an
 * archive still uses are kept).
 */
export async function destroyCaseTx(tx: Tx, s: Services, report: Report, reason: DestructionReason, actor: Actor = SYSTEM): Promise<string[]> {
  const files = await tx.select({ blobKey: attachments.blobKey }).from(attachments).where(eq(attachments.reportId, report.id));
  const pending = await tx.delete(uploads).where(eq(uploads.reportId, report.id)).returning({ blobKey: uploads.blobKey });
  // Cascades reach envelopes, exclusions, attachments, notes, views, messages, privacy requests, sessions, holds and shares.
  const gone = await tx.delete(reports).where(eq(reports.id, report.id)).returning({ id: reports.id });
  if (gone.length === 0) return [];
  await appendAudit(
    tx,
    s,
    {
      actorType: actor.type,
      actorId: actor.id,
      action: "case.destroyed",
      reportId: report.id,
      caseNumber: report.caseNumber,
      details: { reason, receivedOn: report.receivedOn, closedOn: report.closedOn, retentionOn: caseRetentionOn(s, report) },
    },
    s.now(),
  );
  const keys = [...files, ...pending].map((f) => f.blobKey);
  if (keys.length === 0) return [];
  const kept = new Set((await tx.select({ k: archiveFiles.blobKey }).from(archiveFiles).where(inArray(archiveFiles.blobKey, keys))).map((r) => r.k));
  return keys.filter((k) => !kept.has(k));
}

/** Deletes blobs after their rows are gone; a failure leaves a stray blob for the upload cleanup, never a row without its blob. */
export async function deleteBlobs(s: Services, keys: string[]): Promise<void> {
  for (const key of keys) {
    await s.blobs
      .delete(key)
      .catch((e: unknown) => s.log.warn("blob deletion failed; the cleanup will retry", { reason: e instanceof Error ? e.message : String(e) }));
  }
}

export async function destroyCase(s: Services, report: Report, reason: DestructionReason, actor: Actor = SYSTEM): Promise<boolean> {
  const keys = await s.db.transaction(async (tx) => {
    if ((await activeHolds(tx, report.id)).length > 0) return null;
    return destroyCaseTx(tx, s, report, reason, actor);
  });
  if (keys === null) return false;
  await deleteBlobs(s, keys);
  return true;
}

/** Destroys what an affiliate could read of a share past its retention; the provision record stays with the case. */
async function expireShare(s: Services, share: { id: string; reportId: string; caseNumber: string }, day: string): Promise<void> {
  await s.db.transaction(async (tx) => {
    await tx.delete(shareEnvelopes).where(eq(shareEnvelopes.shareId, share.id));
    await tx.delete(shareAttachments).where(eq(shareAttachments.shareId, share.id));
    const done = await tx
      .update(shares)
      .set({ state: "expired", revokedOn: day, packageCt: null, shareKeyCt: null })
      .where(and(eq(shares.id, share.id), eq(shares.state, "active")))
      .returning({ id: shares.id });
    if (done.length === 0) return;
    await tx
      .update(shareProvisions)
      .set({ endedOn: day, endReason: "expired" })
      .where(and(eq(shareProvisions.shareId, share.id), isNull(shareProvisions.endedOn)));
    await appendAudit(
      tx,
      s,
      { actorType: "system", action: "share.expired", reportId: share.reportId, caseNumber: share.caseNumber, details: { shareId: share.id } },
      s.now(),
    );
  });
}

async function destroyArchive(s: Services, archive: { id: string; caseNumber: string; retainUntil: string; legalBasis: string }): Promise<void> {
  const keys = await s.db.transaction(async (tx) => {
    const files = await tx.delete(archiveFiles).where(eq(archiveFiles.archiveId, archive.id)).returning({ blobKey: archiveFiles.blobKey });
    const gone = await tx.delete(archives).where(eq(archives.id, archive.id)).returning({ id: archives.id });
    if (gone.length === 0) return [];
    await appendAudit(
      tx,
      s,
      {
        actorType: "system",
        action: "archive.destroyed",
        caseNumber: archive.caseNumber,
        details: { archiveId: archive.id, legalBasis: archive.legalBasis, retainUntil: archive.retainUntil },
      },
      s.now(),
    );
    return files.map((f) => f.blobKey);
  });
  await deleteBlobs(s, keys);
}

export interface RetentionRun {
  today: string;
  dryRun: boolean;
  cases: { caseNumber: string; reason: DestructionReason; retentionOn: string }[];
  heldCases: { caseNumber: string; retentionOn: string }[];
  shares: { shareId: string; caseNumber: string }[];
  archives: { caseNumber: string; retainUntil: string }[];
}

/** What is due today (or at `now`), destroyed unless `dryRun`. Safe to run on several servers at once: every step is idempotent. */
export async function runRetention(s: Services, options: { now?: Date; dryRun?: boolean } = {}): Promise<RetentionRun> {
  const today = todayOf(s, options.now);
  // A generous prefilter in SQL, the exact date in JS (month arithmetic as caseRetentionOn does it).
  const closedBefore = addDays(addMonths(today, -12 * s.config.RETENTION_YEARS), 3);
  const receivedBefore = addDays(addMonths(today, -s.config.UNACKNOWLEDGED_RETENTION_MONTHS), 3);
  const candidates = await s.db
    .select({
      id: reports.id,
      caseNumber: reports.caseNumber,
      status: reports.status,
      receivedOn: reports.receivedOn,
      closedOn: reports.closedOn,
      // Spelled out: inside a single-table select drizzle renders a column without its table, which the subquery would misread.
      held: sql<boolean>`exists (select 1 from ${legalHolds} h where h.report_id = "reports"."id" and h.lifted_on is null)`,
    })
    .from(reports)
    .where(
      or(and(eq(reports.status, "closed"), lt(reports.closedOn, closedBefore)), and(eq(reports.status, "received"), lt(reports.receivedOn, receivedBefore))),
    )
    .orderBy(asc(reports.receivedOn));
  const due = candidates.filter((r) => (caseRetentionOn(s, r) ?? today) < today);
  const run: RetentionRun = {
    today,
    dryRun: options.dryRun ?? false,
    cases: due
      .filter((r) => !r.held)
      .map((r) => ({ caseNumber: r.caseNumber, reason: r.status === "closed" ? "retention" : "unacknowledged", retentionOn: caseRetentionOn(s, r)! })),
    heldCases: due.filter((r) => r.held).map((r) => ({ caseNumber: r.caseNumber, retentionOn: caseRetentionOn(s, r)! })),
    shares: [],
    archives: [],
  };
  const activeShares = await s.db
    .select({ id: shares.id, reportId: shares.reportId, retainUntil: shares.retainUntil, caseNumber: reports.caseNumber, closedOn: reports.closedOn })
    .from(shares)
    .innerJoin(reports, eq(reports.id, shares.reportId))
    .where(eq(shares.state, "active"));
  const { shareRetention } = await import("../sharing/sharing");
  const dueShares = activeShares.filter((sh) => {
    const last = shareRetention(s, sh.retainUntil, sh.closedOn);
    return last !== null && last < today && !due.some((r) => r.id === sh.reportId && !r.held);
  });
  run.shares = dueShares.map((sh) => ({ shareId: sh.id, caseNumber: sh.caseNumber }));
  const dueArchives = await s.db
    .select({ id: archives.id, caseNumber: archives.caseNumber, retainUntil: archives.retainUntil, legalBasis: archives.legalBasis })
    .from(archives)
    .where(lt(archives.retainUntil, today));
  run.archives = dueArchives.map((a) => ({ caseNumber: a.caseNumber, retainUntil: a.retainUntil }));
  if (run.dryRun) return run;

  for (const r of due.filter((c) => !c.held)) await destroyCase(s, r, r.status === "closed" ? "retention" : "unacknowledged");
  for (const sh of dueShares) await expireShare(s, sh, today);
  for (const a of dueArchives) await destroyArchive(s, a);
  return run;
}
