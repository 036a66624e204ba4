// The scheduled notification job: deadline reminders, floods of reports that
// ended (./floods.ts), the audit chain check
// (hourly), then a send pass. Each reminder's dedupe key names the case, the
// kind and the due date, so it is recorded once whatever restarts in between.
//
// The audit-chain check runs at most hourly per process, but on every
// `notify:run` from the CLI. Reminders go to the assignee if they hold the
// case, else to every active investigator holding it.
import { and, asc, eq, gte, inArray, lt, lte, ne, or } from "drizzle-orm";
import { reports, staffNotifications } from "../../../db/schema";
import type { StaffEvent } from "../../shared/wire";
import { verifyAuditChain } from "../audit/audit";
import { addDays, today as todayOf } from "../platform/dates";
import type { Services } from "../platform/services";
import { sendStaffNotifications, type SendResult } from "./outbox";
import { checkFloods } from "./floods";
import { activeAdmins, caseHolders, notifyStaff } from "./record";
import { state } from "./runner-state";

const BATCH = 200;

/**
 * Deadline reminders: acknowledgement or feedback due today or tomorrow (within
 * 48 hours), and cases past their deadline. To the assignee if set, else to all
 * investigators holding the case; the key names the case, the kind and the
 * due date, so each reminder is recorded once, whatever restarts in between.
 */
export async function checkDeadlines(s: Services, now: Date): Promise<number> {
  const today = todayOf(s, now);
  const soon = addDays(today, 1);
  const within = (col: typeof reports.ackDueOn | typeof reports.feedbackDueOn) => and(gte(col, today), lte(col, soon));
  const candidates = await s.db
    .select({
      id: reports.id,
      status: reports.status,
      ackDueOn: reports.ackDueOn,
      feedbackDueOn: reports.feedbackDueOn,
      nextDueOn: reports.nextDueOn,
      assigneeId: reports.assigneeId,
    })
    .from(reports)
    .where(
      and(
        ne(reports.status, "closed"),
        or(
          and(eq(reports.status, "received"), within(reports.ackDueOn)),
          and(ne(reports.status, "received"), within(reports.feedbackDueOn)),
          lt(reports.nextDueOn, today),
        ),
      ),
    )
    .orderBy(asc(reports.nextDueOn), asc(reports.id));
  let recorded = 0;
  for (let i = 0; i < candidates.length; i += BATCH) {
    const batch = candidates.slice(i, i + BATCH);
    // Reminders already recorded for anyone: skip them without looking up recipients again.
    const known = new Set(
      (
        await s.db
          .selectDistinct({ key: staffNotifications.dedupeKey })
          .from(staffNotifications)
          .where(
            and(
              inArray(
                staffNotifications.reportId,
                batch.map((r) => r.id),
              ),
              inArray(staffNotifications.event, ["ack_due_soon", "feedback_due_soon", "case_overdue"]),
            ),
          )
      ).map((r) => r.key),
    );
    for (const r of batch) {
      const reminders: { event: StaffEvent; due: string }[] = [];
      if (r.status === "received" && r.ackDueOn >= today && r.ackDueOn <= soon) reminders.push({ event: "ack_due_soon", due: r.ackDueOn });
      if (r.status !== "received" && r.feedbackDueOn && r.feedbackDueOn >= today && r.feedbackDueOn <= soon)
        reminders.push({ event: "feedback_due_soon", due: r.feedbackDueOn });
      if (r.nextDueOn && r.nextDueOn < today) reminders.push({ event: "case_overdue", due: r.nextDueOn });
      const fresh = reminders.map((m) => ({ ...m, key: `${m.event}:${r.id}:${m.due}` })).filter((m) => !known.has(m.key));
      if (fresh.length === 0) continue;
      const holders = await caseHolders(s.db, r.id);
      const to = r.assigneeId && holders.includes(r.assigneeId) ? [r.assigneeId] : holders;
      for (const m of fresh) recorded += await notifyStaff(s.db, s, { event: m.event, staffUserIds: to, reportId: r.id, dedupeKey: m.key, at: now });
    }
  }
  return recorded;
}

/** Verifies the audit chain under the portal secret's key (ADR 028); a break is told to every active administrator, once per broken entry. */
export async function checkAuditChain(s: Services, now: Date): Promise<{ ok: boolean; brokenAt?: number; recorded: number }> {
  const r = await verifyAuditChain(s.db, s);
  if (r.ok) return { ok: true, recorded: 0 };
  s.log.error("audit chain check failed", { brokenAt: r.brokenAt, reason: r.reason });
  const recorded = await notifyStaff(s.db, s, {
    event: "audit_broken",
    staffUserIds: (await activeAdmins(s.db)).map((a) => a.id),
    dedupeKey: `audit_broken:${r.brokenAt}`,
    at: now,
  });
  return { ok: false, brokenAt: r.brokenAt, recorded };
}

export interface NotificationRun extends SendResult {
  today: string;
  smtp: boolean;
  deadlineReminders: number;
  /** `report_flood_ended` notifications recorded. */
  floodsEnded: number;
  /** null when the audit check did not run this time (it runs at most hourly unless forced). */
  audit: { ok: boolean; brokenAt?: number } | null;
}

/** The scheduled job: deadline reminders, the audit check (hourly, or `auditCheck: true`), then sending. */
export async function runNotifications(s: Services, options: { now?: Date; auditCheck?: boolean } = {}): Promise<NotificationRun> {
  const now = options.now ?? s.now();
  const st = state(s);
  const deadlineReminders = await checkDeadlines(s, now);
  const floodsEnded = await checkFloods(s, now);
  let audit: NotificationRun["audit"] = null;
  const clock = s.now().getTime();
  if (options.auditCheck || st.lastAuditCheck === null || clock - st.lastAuditCheck >= 3600_000) {
    st.lastAuditCheck = clock;
    const r = await checkAuditChain(s, now);
    audit = r.ok ? { ok: true } : { ok: false, brokenAt: r.brokenAt };
  }
  const sent = await sendStaffNotifications(s, { now });
  return { today: todayOf(s, now), smtp: s.mailer.configured, deadlineReminders, floodsEnded, audit, ...sent };
}
