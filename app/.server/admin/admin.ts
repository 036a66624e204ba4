// Administration: staff accounts (sign-in back-off, sessions, disabling) and the audit
// log. Administrators never see report content: nothing here reads a case.
//
// - Account operations `unlock` (forgets the sign-in failures of the account's
//   address from every client, as `user:unlock` does; ADR 030),
//   `revoke-sessions`, `disable` (also ends sessions; a disabled investigator
//   is no longer offered to reporters), `enable`; an administrator cannot
//   disable or revoke themselves. Audited `staff.{op}`.
// - Categories are added, renamed or switched off, never deleted (cases refer
//   to them); audited `category.saved`. Affiliates and the deadline settings
//   are shown read-only (org:init, the environment).
// - The audit listing: the latest 100, filters by action prefix, case number
//   and actor, pages with `before`; investigators may call it too. Reading or
//   verifying the log is not itself audited.
import { and, count, desc, eq, lt, sql, type SQL } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { affiliates, auditLog, categories, staffLoginState, staffSessions, staffUsers } from "../../../db/schema";
import { appendAudit } from "../audit/audit";
import { backoffSubject, clearSignInBackoff, recentFailuresBySubject } from "../staff/sign-in-backoff";
import { ApiError } from "../platform/http";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

export async function listStaff(s: Services) {
  const sessions = s.db
    .select({ staffUserId: staffSessions.staffUserId, n: count().as("n") })
    .from(staffSessions)
    .groupBy(staffSessions.staffUserId)
    .as("sessions");
  const rows = await s.db
    .select({
      id: staffUsers.id,
      email: staffUsers.email,
      displayName: staffUsers.displayName,
      role: staffUsers.role,
      status: staffUsers.status,
      affiliate: affiliates.slug,
      affiliateNameKo: affiliates.nameKo,
      affiliateNameEn: affiliates.nameEn,
      lastLoginAt: staffLoginState.lastLoginAt,
      sessions: sessions.n,
    })
    .from(staffUsers)
    .leftJoin(affiliates, eq(affiliates.id, staffUsers.affiliateId))
    .leftJoin(staffLoginState, eq(staffLoginState.staffUserId, staffUsers.id))
    .leftJoin(sessions, eq(sessions.staffUserId, staffUsers.id))
    .orderBy(staffUsers.role, staffUsers.email);
  const failures = await recentFailuresBySubject(s);
  return rows.map((r) => ({
    ...r,
    lastLoginAt: r.lastLoginAt?.toISOString() ?? null,
    /** Failed sign-ins still remembered for the address (up to a day), over all clients. */
    failedAttempts: failures.get(backoffSubject(s, r.email)) ?? 0,
    sessions: Number(r.sessions ?? 0),
  }));
}

export type StaffAdminOp = "unlock" | "revoke-sessions" | "disable" | "enable";

export async function adminStaffOp(s: Services, admin: StaffPrincipal, userId: string, op: StaffAdminOp): Promise<void> {
  const [user] = await s.db.select().from(staffUsers).where(eq(staffUsers.id, userId));
  if (!user) throw new ApiError(404, "not_found", "no such account");
  if (userId === admin.id && (op === "disable" || op === "revoke-sessions")) throw new ApiError(400, "self", "you cannot do this to your own account");
  if (op === "unlock") await clearSignInBackoff(s, user.email);
  await s.db.transaction(async (tx) => {
    if (op === "disable" || op === "enable")
      await tx
        .update(staffUsers)
        .set({ status: op === "disable" ? "disabled" : "active", updatedAt: s.now() })
        .where(eq(staffUsers.id, userId));
    if (op === "revoke-sessions" || op === "disable") await tx.delete(staffSessions).where(eq(staffSessions.staffUserId, userId));
    await appendAudit(tx, s, { actorType: "staff", actorId: admin.id, action: `staff.${op}`, details: { staffUserId: userId } }, s.now());
  });
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  caseNumber?: string;
  before?: number;
}

export async function listAudit(s: Services, f: AuditFilter, pageSize = 100) {
  const where: SQL[] = [];
  // LIKE wildcards are taken literally by dropping them; NUL too (PostgreSQL text cannot hold it: an error, not a filter).
  if (f.action) where.push(sql`${auditLog.action} like ${`${f.action.replace(/[%_\\\u0000]/g, "")}%`}`);
  if (f.actorId) where.push(eq(auditLog.actorId, f.actorId));
  if (f.caseNumber) where.push(eq(auditLog.caseNumber, f.caseNumber.toUpperCase()));
  if (f.before) where.push(lt(auditLog.seq, f.before));
  const rows = await s.db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.seq))
    .limit(pageSize);
  return rows.map((r) => ({
    seq: r.seq,
    at: r.at.toISOString(),
    actorType: r.actorType,
    actorId: r.actorId,
    action: r.action,
    caseNumber: r.caseNumber,
    details: r.details,
    hash: Buffer.from(r.hash).toString("hex").slice(0, 16),
  }));
}

export async function listCategories(s: Services) {
  return s.db.select().from(categories).orderBy(categories.sortOrder);
}

/** Adds a report category (names in both languages) or switches one on or off; never deletes (cases refer to it). */
export async function saveCategory(
  s: Services,
  admin: StaffPrincipal,
  input: { id?: string; nameKo?: string; nameEn?: string; active?: boolean },
): Promise<void> {
  await s.db.transaction(async (tx) => {
    if (input.id) {
      const done = await tx
        .update(categories)
        .set({
          ...(input.active !== undefined ? { active: input.active } : {}),
          ...(input.nameKo ? { nameKo: input.nameKo } : {}),
          ...(input.nameEn ? { nameEn: input.nameEn } : {}),
        })
        .where(eq(categories.id, input.id))
        .returning({ id: categories.id });
      if (done.length === 0) throw new ApiError(404, "not_found", "no such category");
    } else {
      if (!input.nameKo?.trim() || !input.nameEn?.trim()) throw new ApiError(400, "names_required", "a category needs a Korean and an English name");
      const [{ max }] = (await tx.select({ max: sql<number>`coalesce(max(${categories.sortOrder}), 0)::int` }).from(categories)) as [{ max: number }];
      const slug = `custom-${randomUUID().slice(0, 8)}`;
      await tx.insert(categories).values({ slug, nameKo: input.nameKo.trim(), nameEn: input.nameEn.trim(), sortOrder: max + 10 });
    }
    await appendAudit(
      tx,
      s,
      { actorType: "staff", actorId: admin.id, action: "category.saved", details: { categoryId: input.id ?? null, active: input.active ?? null } },
      s.now(),
    );
  });
}
