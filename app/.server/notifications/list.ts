// A staff member's own notifications in the portal (newest first, with links
// only to what they can still open), marking them read, and their choice of
// single e-mails or a daily digest.
//
// A flood of reports (ADR 034) comes with its live count and span.
//
// The latest 20 rows. Any staff role, and only the caller's own rows; marking
// read takes given ids or all. Nothing here is audited.
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { reportKeyEnvelopes, reports, shareEnvelopes, shares, staffNotificationPrefs, staffNotifications } from "../../../db/schema";
import type { EmailState, NotifyMode, StaffNotificationItem, StaffNotificationsView, StaffRole } from "../../shared/wire";
import { dayIn } from "../platform/dates";
import type { Services } from "../platform/services";
import { floodSummaries } from "./floods";
import { MAX_ATTEMPTS } from "./record";

/** Latest notifications shown on the staff pages. */
export const LIST_LIMIT = 20;

export async function notificationMode(s: Services, staffUserId: string): Promise<NotifyMode> {
  const [p] = await s.db.select({ mode: staffNotificationPrefs.mode }).from(staffNotificationPrefs).where(eq(staffNotificationPrefs.staffUserId, staffUserId));
  return p?.mode ?? "immediate";
}

export async function setNotificationMode(s: Services, staff: { id: string }, mode: NotifyMode): Promise<void> {
  await s.db
    .insert(staffNotificationPrefs)
    .values({ staffUserId: staff.id, mode })
    .onConflictDoUpdate({ target: staffNotificationPrefs.staffUserId, set: { mode } });
}

/** The latest notifications of one staff member, newest first, with links only to what they can still open. */
export async function listStaffNotifications(s: Services, staff: { id: string; role: StaffRole }, limit = LIST_LIMIT): Promise<StaffNotificationsView> {
  const [rows, [unread], mode] = await Promise.all([
    s.db
      .select()
      .from(staffNotifications)
      .where(eq(staffNotifications.staffUserId, staff.id))
      .orderBy(desc(staffNotifications.createdAt), desc(staffNotifications.id))
      .limit(limit),
    s.db
      .select({ n: sql<number>`count(*)::int` })
      .from(staffNotifications)
      .where(and(eq(staffNotifications.staffUserId, staff.id), isNull(staffNotifications.readAt))),
    notificationMode(s, staff.id),
  ]);
  const links = new Map<string, StaffNotificationItem["link"]>();
  const reportIds = [...new Set(rows.map((r) => r.reportId).filter((x): x is string => !!x))];
  const shareIds = [...new Set(rows.map((r) => r.shareId).filter((x): x is string => !!x))];
  if (staff.role === "investigator" && reportIds.length > 0) {
    const held = await s.db
      .select({ id: reports.id, caseNumber: reports.caseNumber })
      .from(reports)
      .innerJoin(reportKeyEnvelopes, and(eq(reportKeyEnvelopes.reportId, reports.id), eq(reportKeyEnvelopes.staffUserId, staff.id)))
      .where(inArray(reports.id, reportIds));
    for (const h of held) links.set(`r:${h.id}`, { kind: "case", caseNumber: h.caseNumber });
  }
  if (staff.role === "affiliate" && shareIds.length > 0) {
    const held = await s.db
      .select({ id: shares.id, caseNumber: reports.caseNumber })
      .from(shares)
      .innerJoin(reports, eq(reports.id, shares.reportId))
      .innerJoin(shareEnvelopes, and(eq(shareEnvelopes.shareId, shares.id), eq(shareEnvelopes.staffUserId, staff.id)))
      .where(and(inArray(shares.id, shareIds), eq(shares.state, "active")));
    for (const h of held) links.set(`s:${h.id}`, { kind: "share", shareId: h.id, caseNumber: h.caseNumber });
  }
  const floods = await floodSummaries(
    s,
    rows.flatMap((r) => (r.floodId ? [r.floodId] : [])),
  );
  const smtp = s.mailer.configured;
  const emailState = (r: (typeof rows)[number]): EmailState => {
    if (r.emailedAt) return "sent";
    if (!smtp) return "off";
    if (r.attempts >= MAX_ATTEMPTS) return "failed";
    return r.attempts > 0 ? "retrying" : "pending";
  };
  return {
    smtp,
    mode,
    digestHour: s.config.NOTIFY_DIGEST_HOUR,
    unread: unread?.n ?? 0,
    items: rows.map((r) => ({
      id: r.id,
      event: r.event,
      day: dayIn(s.config.TIME_ZONE, r.createdAt),
      read: r.readAt !== null,
      email: emailState(r),
      attempts: r.attempts,
      link: (r.shareId ? links.get(`s:${r.shareId}`) : undefined) ?? (r.reportId ? links.get(`r:${r.reportId}`) : undefined) ?? null,
      ...(r.floodId && floods.has(r.floodId) ? { flood: floods.get(r.floodId)! } : {}),
    })),
  };
}

/** Marks the caller's own notifications read (all, or the given ids); returns how many changed. */
export async function markStaffNotificationsRead(s: Services, staff: { id: string }, ids?: string[]): Promise<number> {
  const done = await s.db
    .update(staffNotifications)
    .set({ readAt: s.now() })
    .where(
      and(
        eq(staffNotifications.staffUserId, staff.id),
        isNull(staffNotifications.readAt),
        ids && ids.length > 0 ? inArray(staffNotifications.id, ids) : undefined,
      ),
    )
    .returning({ id: staffNotifications.id });
  return done.length;
}
