// Recording staff notifications where events happen (intake, the reporter's
// follow-up, sharing, sign-in, the scheduled checks), and who receives them.
// `staff_notifications` is the in-portal list and the outbox at once; its
// unique (staff_user_id, dedupe_key) makes an event at most once per person,
// across restarts and servers. Rows are content-free: the kind of event and
// which case or share, never anything of the reporter.
//
// No time of day is stored for what a reporter did (ADR 007): rows of events a
// reporter set off keep only the calendar day (its first instant in TIME_ZONE).
//
// Where each event is recorded, in the transaction of the change it reports, to
// whom, and its dedupe key:
// - `new_case`: submission (intake); the investigators the envelopes were
//   sealed to; `new_case:{reportId}`. During a flood of reports (ADR 034)
//   instead `report_flood`, the same recipients, `report_flood:{floodId}`: one
//   per flood and person, however many reports it brings.
// - `report_flood_ended`: the periodic check, a whole window after the flood's
//   last report; those told of its start; `report_flood_ended:{floodId}`.
// - `reporter_message`: a reporter's message or file (dialogue, attachments);
//   active investigators holding an envelope; `reporter_message:{messageId}`,
//   `reporter_file:{attachmentId}`.
// - `privacy_request`: a new request; the same; `privacy_request:{requestId}`.
// - `ack_due_soon`, `feedback_due_soon`: the periodic check, due today or
//   tomorrow in `TIME_ZONE` (within 48 hours); the assignee if they hold the
//   case, else every active holder; `{event}:{reportId}:{due date}`.
// - `case_overdue`: the periodic check, `next_due_on` before today, not closed;
//   the same; `case_overdue:{reportId}:{next_due_on}`.
// - `share_new`, `share_updated`: creating, granting (the grantee) and updating
//   a share; the reviewers the version was sealed to; `share_new:{shareId}`,
//   `share_updated:{shareId}:{version}`.
// - `account_locked`: the sign-in failure that locks; every active
//   administrator; `account_locked:{staffUserId}:{lockedAt}`.
// - `audit_broken`: the periodic check, `verifyAuditChain` fails; every active
//   administrator; `audit_broken:{brokenAt}`.
// - `storage_low`: an upload refused below the disk reserve, or the periodic
//   check (intake/upload-space.ts); every active administrator;
//   `storage_low:{day}`.
// An excluded investigator holds no envelope, so never hears of the case. Rows
// of a case go with it (`report_id`/`share_id` cascade). After recording, the
// request kicks a send pass without waiting for it, so single e-mails go out
// promptly.
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client";
import { reportKeyEnvelopes, staffNotifications, staffUsers } from "../../../db/schema";
import type { StaffEvent } from "../../shared/wire";
import { startOfDayIn } from "../platform/dates";
import type { Services } from "../platform/services";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

/** Events a reporter's action sets off: their rows keep the day only. */
const REPORTER_EVENTS: ReadonlySet<StaffEvent> = new Set(["new_case", "reporter_message", "privacy_request", "report_flood", "report_flood_ended"]);

/** A row is e-mailed at most this many times before the portal gives up on it (it stays listed). */
export const MAX_ATTEMPTS = 10;

export interface StaffNotice {
  event: StaffEvent;
  staffUserIds: readonly string[];
  reportId?: string | null;
  shareId?: string | null;
  /** The flood of reports it is about (`report_flood`, `report_flood_ended`). */
  floodId?: string | null;
  /** Unique per staff member: the same key is never recorded (or sent) twice. */
  dedupeKey: string;
  /** When it happened; defaults to the services' clock. */
  at?: Date;
}

/**
 * The INSERT of one notification per staff member, not yet run (null for nobody): intake sends it
 * within the statement that stores the report.
 */
export function staffNoticeInsert(db: Db | Tx, s: Services, notice: StaffNotice) {
  const ids = [...new Set(notice.staffUserIds)];
  if (ids.length === 0) return null;
  const at = notice.at ?? s.now();
  const createdAt = REPORTER_EVENTS.has(notice.event) ? startOfDayIn(s.config.TIME_ZONE, at) : at;
  return db
    .insert(staffNotifications)
    .values(
      ids.map((staffUserId) => ({
        id: randomUUID(),
        staffUserId,
        event: notice.event,
        reportId: notice.reportId ?? null,
        shareId: notice.shareId ?? null,
        floodId: notice.floodId ?? null,
        dedupeKey: notice.dedupeKey,
        createdAt,
      })),
    )
    .onConflictDoNothing({ target: [staffNotifications.staffUserId, staffNotifications.dedupeKey] });
}

/** Records one notification per staff member (inside the caller's transaction when given one); returns how many are new. */
export async function notifyStaff(db: Db | Tx, s: Services, notice: StaffNotice): Promise<number> {
  const insert = staffNoticeInsert(db, s, notice);
  return insert ? (await insert.returning({ id: staffNotifications.id })).length : 0;
}

/** Active investigators who hold an envelope for the case (an excluded investigator never does). */
export async function caseHolders(db: Db | Tx, reportId: string): Promise<string[]> {
  const rows = await db
    .select({ id: staffUsers.id })
    .from(reportKeyEnvelopes)
    .innerJoin(staffUsers, eq(staffUsers.id, reportKeyEnvelopes.staffUserId))
    .where(and(eq(reportKeyEnvelopes.reportId, reportId), eq(staffUsers.role, "investigator"), eq(staffUsers.status, "active")));
  return rows.map((r) => r.id);
}

/** Notifies the investigators holding a case (reporter activity). */
export async function notifyCaseHolders(db: Db | Tx, s: Services, notice: Omit<StaffNotice, "staffUserIds"> & { reportId: string }): Promise<number> {
  return notifyStaff(db, s, { ...notice, staffUserIds: await caseHolders(db, notice.reportId) });
}

/**
 * Active administrators, with what sealing something to them needs: the
 * recipients of sign-in and audit alerts, and of a case archive's key.
 */
export async function activeAdmins(db: Db | Tx) {
  return db
    .select({ id: staffUsers.id, displayName: staffUsers.displayName, publicKey: staffUsers.publicKey })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "admin"), eq(staffUsers.status, "active")));
}
