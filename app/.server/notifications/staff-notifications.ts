// Staff notifications: content-free events per staff member, recorded where
// they happen (intake, the reporter's follow-up, sharing, sign-in) or by the
// scheduled check (deadlines, the audit chain), listed in the portal and
// e-mailed singly or in a daily digest. `staff_notifications` is the in-portal
// list and the outbox at once; its unique (staff_user_id, dedupe_key) makes an
// event at most once per person, across restarts and servers.
//
// What an e-mail says: the kind of event and where to sign in, in Korean and
// English (staff have no language setting). Never a case number, title, name,
// share content or anything of the reporter. Nothing here logs an address.
//
// No time of day is stored for what a reporter did (ADR 007): rows of events a
// reporter set off keep only the calendar day (its first instant in TIME_ZONE),
// and `emailed_at` only the day of the send.
import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, gte, inArray, isNull, lt, lte, ne, or, sql } from "drizzle-orm";
import type { Db } from "../../../db/client";
import {
  reportKeyEnvelopes,
  reports,
  shareEnvelopes,
  shares,
  staffLoginState,
  staffNotificationPrefs,
  staffNotifications,
  staffUsers,
} from "../../../db/schema";
import { translator, type MessageKey } from "../../i18n";
import { verifyAuditChain } from "../audit/audit";
import { addDays, dayIn } from "../platform/dates";
import { isMailError, type Mail } from "../platform/mailer";
import type { Services } from "../platform/services";
import type { StaffPrincipal } from "../staff/auth";

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export const STAFF_EVENTS = [
  "new_case",
  "reporter_message",
  "privacy_request",
  "ack_due_soon",
  "feedback_due_soon",
  "case_overdue",
  "share_new",
  "share_updated",
  "account_locked",
  "audit_broken",
] as const;
export type StaffEvent = (typeof STAFF_EVENTS)[number];
export type NotifyMode = "immediate" | "digest";

/** Events a reporter's action sets off: their rows keep the day only. */
const REPORTER_EVENTS: ReadonlySet<StaffEvent> = new Set(["new_case", "reporter_message", "privacy_request"]);

/** The first instant of the calendar day of `at` in `timeZone`. */
export function startOfDayIn(timeZone: string, at: Date): Date {
  const day = dayIn(timeZone, at);
  const wanted = Date.parse(`${day}T00:00:00Z`);
  const format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  let t = wanted;
  // Two corrections settle the zone's offset (and a daylight-saving change on that day).
  for (let i = 0; i < 2; i++) {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
    t += wanted - wall;
  }
  return new Date(t);
}

/** A row is e-mailed at most this many times before the portal gives up on it (it stays listed). */
export const MAX_ATTEMPTS = 10;
/** Latest notifications shown on the staff pages. */
export const LIST_LIMIT = 20;
const BATCH = 200;

// ------------------------------------------------------------------ recording

export interface StaffNotice {
  event: StaffEvent;
  staffUserIds: readonly string[];
  reportId?: string | null;
  shareId?: string | null;
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

export async function activeAdmins(db: Db | Tx): Promise<string[]> {
  const rows = await db
    .select({ id: staffUsers.id })
    .from(staffUsers)
    .where(and(eq(staffUsers.role, "admin"), eq(staffUsers.status, "active")));
  return rows.map((r) => r.id);
}

// ------------------------------------------------------------------ the text of an e-mail

const ko = translator("ko");
const en = translator("en");

function signInUrl(s: Services): string {
  return `${(s.config.PUBLIC_ORIGIN ?? "").replace(/\/+$/, "")}/staff/login`;
}

function bilingual(s: Services, part: (t: typeof ko) => string[]): string {
  const block = (t: typeof ko) =>
    [`${t("app.name")} · ${t("app.subtitle")}`, "", ...part(t), "", t("notify.staff.mail.signIn", { url: signInUrl(s) }), "", t("notify.staff.mail.footer")].join("\n");
  return `${block(ko)}\n\n----------------------------------------\n\n${block(en)}\n`;
}

/** One notification as an e-mail: the kind of event and the sign-in page, Korean first, then English. */
export function notificationMail(s: Services, to: string, event: StaffEvent): Mail {
  const key = `notify.staff.event.${event}` as MessageKey;
  return {
    to,
    subject: `${ko("app.name")}: ${ko("notify.staff.mail.subject")} / ${en("app.name")}: ${en("notify.staff.mail.subject")}`,
    text: bilingual(s, (t) => [t("notify.staff.mail.intro"), "", t(key)]),
    lang: "ko, en",
  };
}

/** The daily digest: counts per kind of event since the last one. */
export function digestMail(s: Services, to: string, counts: Map<StaffEvent, number>): Mail {
  const lines = (t: typeof ko) => STAFF_EVENTS.filter((e) => counts.get(e)).map((e) => `- ${t(`notify.staff.count.${e}` as MessageKey, { count: counts.get(e)! })}`);
  return {
    to,
    subject: `${ko("app.name")}: ${ko("notify.staff.mail.digestSubject")} / ${en("app.name")}: ${en("notify.staff.mail.digestSubject")}`,
    text: bilingual(s, (t) => [t("notify.staff.mail.digestIntro"), "", ...lines(t)]),
    lang: "ko, en",
  };
}

// ------------------------------------------------------------------ sending

/** Per-process state for each services object: one queue of send passes (ADR 021: one copy of this module). */
interface RunnerState {
  tail: Promise<unknown>;
  queued: boolean;
  lastAuditCheck: number | null;
  /** After a temporary failure (server unreachable, 4xx) no pass sends before this time; doubles up to an hour. */
  pauseUntil: number | null;
  pauses: number;
}
const states = new WeakMap<Services, RunnerState>();

function state(s: Services): RunnerState {
  let st = states.get(s);
  if (!st) states.set(s, (st = { tail: Promise.resolve(), queued: false, lastAuditCheck: null, pauseUntil: null, pauses: 0 }));
  return st;
}

export interface SendResult {
  sent: number;
  failed: number;
  digests: number;
}

/** Sends what is due: one pass at a time per process (queued behind a running one). */
export function sendStaffNotifications(s: Services, options: { now?: Date } = {}): Promise<SendResult> {
  const st = state(s);
  const run = st.tail.then(() => sendPass(s, options.now ?? s.now()));
  st.tail = run.catch(() => {});
  return run;
}

/**
 * Asks for a send pass soon, without waiting for it (the request that recorded
 * an event answers at once). Coalesces: one queued pass serves every kick
 * that arrives before it starts.
 */
export function kickStaffNotifications(s: Services): void {
  if (!s.mailer.configured) return;
  const st = state(s);
  if (st.queued) return;
  st.queued = true;
  st.tail = st.tail
    .then(() => {
      st.queued = false;
      return sendPass(s, s.now());
    })
    .catch((e: unknown) => s.log.error("staff notification send failed", { reason: e instanceof Error ? e.message : String(e) }));
}

/** Resolves when no send pass is running or queued (server shutdown, tests). */
export async function settleStaffNotifications(s: Services): Promise<void> {
  const st = state(s);
  for (;;) {
    const tail = st.tail;
    await tail;
    if (st.tail === tail) return;
  }
}

function errorText(error: unknown): { text: string; temporary: boolean } {
  // MailError messages carry the SMTP code only, never a recipient; anything else is not repeated.
  if (isMailError(error)) return { text: error.message.slice(0, 300), temporary: error.temporary };
  return { text: "unexpected error while sending", temporary: true };
}

/** Staff who may receive e-mail: active and not locked. */
const reachable = () => and(eq(staffUsers.status, "active"), isNull(staffLoginState.lockedAt));


function localHour(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).formatToParts(at);
  return Number(parts.find((p) => p.type === "hour")?.value ?? "0") % 24;
}

async function sendPass(s: Services, now: Date): Promise<SendResult> {
  const result: SendResult = { sent: 0, failed: 0, digests: 0 };
  if (!s.mailer.configured) return result;
  const st = state(s);
  if (st.pauseUntil !== null && now.getTime() < st.pauseUntil) return result;
  const emailedOn = startOfDayIn(s.config.TIME_ZONE, now);
  let stop = false;
  const temporaryFailure = () => {
    st.pauseUntil = now.getTime() + Math.min(60, 2 ** st.pauses) * 60_000;
    st.pauses++;
  };
  const delivered = () => {
    st.pauseUntil = null;
    st.pauses = 0;
  };

  // Single e-mails, oldest first. A row is claimed (emailed_at set) before its send and released
  // on failure, so two servers never send the same row; a crash in between loses that one e-mail
  // (the notification stays listed in the portal).
  for (let round = 0; round < 50 && !stop; round++) {
    const rows = await s.db
      .select({ id: staffNotifications.id, event: staffNotifications.event, attempts: staffNotifications.attempts, email: staffUsers.email })
      .from(staffNotifications)
      .innerJoin(staffUsers, eq(staffUsers.id, staffNotifications.staffUserId))
      .leftJoin(staffLoginState, eq(staffLoginState.staffUserId, staffNotifications.staffUserId))
      .leftJoin(staffNotificationPrefs, eq(staffNotificationPrefs.staffUserId, staffNotifications.staffUserId))
      .where(
        and(
          isNull(staffNotifications.emailedAt),
          isNull(staffNotifications.readAt),
          lt(staffNotifications.attempts, MAX_ATTEMPTS),
          reachable(),
          or(isNull(staffNotificationPrefs.mode), eq(staffNotificationPrefs.mode, "immediate")),
        ),
      )
      .orderBy(asc(staffNotifications.createdAt), asc(staffNotifications.id))
      .limit(BATCH);
    for (const r of rows) {
      const claimed = await s.db
        .update(staffNotifications)
        .set({ emailedAt: emailedOn })
        .where(and(eq(staffNotifications.id, r.id), isNull(staffNotifications.emailedAt), eq(staffNotifications.attempts, r.attempts)))
        .returning({ id: staffNotifications.id });
      if (claimed.length === 0) continue;
      try {
        await s.mailer.send(notificationMail(s, r.email, r.event));
        delivered();
        await s.db.update(staffNotifications).set({ lastError: null }).where(eq(staffNotifications.id, r.id));
        result.sent++;
      } catch (error) {
        const e = errorText(error);
        await s.db
          .update(staffNotifications)
          .set({ emailedAt: null, attempts: sql`${staffNotifications.attempts} + 1`, lastError: e.text })
          .where(eq(staffNotifications.id, r.id));
        result.failed++;
        // The server is unreachable or busy: leave the rest for a later pass rather than failing each.
        if (e.temporary) {
          temporaryFailure();
          stop = true;
          break;
        }
      }
    }
    if (rows.length < BATCH) break;
  }
  if (stop) {
    s.log.warn("staff notification e-mail failed; will retry", { failed: result.failed });
    return result;
  }

  // Daily digests, once a day at or after NOTIFY_DIGEST_HOUR. The day is claimed first
  // (digest_sent_on), so a restart or a second server does not send it again.
  if (localHour(s.config.TIME_ZONE, now) < s.config.NOTIFY_DIGEST_HOUR) return result;
  const today = dayIn(s.config.TIME_ZONE, now);
  const due = await s.db
    .select({ staffUserId: staffNotificationPrefs.staffUserId, sentOn: staffNotificationPrefs.digestSentOn, email: staffUsers.email })
    .from(staffNotificationPrefs)
    .innerJoin(staffUsers, eq(staffUsers.id, staffNotificationPrefs.staffUserId))
    .leftJoin(staffLoginState, eq(staffLoginState.staffUserId, staffNotificationPrefs.staffUserId))
    .where(
      and(
        eq(staffNotificationPrefs.mode, "digest"),
        reachable(),
        or(isNull(staffNotificationPrefs.digestSentOn), lt(staffNotificationPrefs.digestSentOn, today)),
      ),
    );
  for (const d of due) {
    const sameDay = d.sentOn === null ? isNull(staffNotificationPrefs.digestSentOn) : eq(staffNotificationPrefs.digestSentOn, d.sentOn);
    const claimed = await s.db
      .update(staffNotificationPrefs)
      .set({ digestSentOn: today })
      .where(and(eq(staffNotificationPrefs.staffUserId, d.staffUserId), eq(staffNotificationPrefs.mode, "digest"), sameDay))
      .returning({ id: staffNotificationPrefs.staffUserId });
    if (claimed.length === 0) continue;
    const rows = await s.db
      .update(staffNotifications)
      .set({ emailedAt: emailedOn })
      .where(
        and(
          eq(staffNotifications.staffUserId, d.staffUserId),
          isNull(staffNotifications.emailedAt),
          isNull(staffNotifications.readAt),
          lt(staffNotifications.attempts, MAX_ATTEMPTS),
        ),
      )
      .returning({ id: staffNotifications.id, event: staffNotifications.event });
    // Nothing new (or all of it read in the portal): no e-mail, and today's digest is done.
    if (rows.length === 0) continue;
    const counts = new Map<StaffEvent, number>();
    for (const r of rows) counts.set(r.event, (counts.get(r.event) ?? 0) + 1);
    try {
      await s.mailer.send(digestMail(s, d.email, counts));
      delivered();
      result.digests++;
    } catch (error) {
      const e = errorText(error);
      await s.db
        .update(staffNotifications)
        .set({ emailedAt: null, attempts: sql`${staffNotifications.attempts} + 1`, lastError: e.text })
        .where(inArray(staffNotifications.id, rows.map((r) => r.id)));
      await s.db
        .update(staffNotificationPrefs)
        .set({ digestSentOn: d.sentOn })
        .where(and(eq(staffNotificationPrefs.staffUserId, d.staffUserId), eq(staffNotificationPrefs.digestSentOn, today)));
      result.failed++;
      if (e.temporary) {
        temporaryFailure();
        break;
      }
    }
  }
  return result;
}

// ------------------------------------------------------------------ the scheduled checks

/**
 * Deadline reminders: acknowledgement or feedback due today or tomorrow (within
 * 48 hours), and cases past their deadline. To the assignee if set, else to all
 * investigators holding the case; the key names the case, the kind and the
 * due date, so each reminder is recorded once, whatever restarts in between.
 */
export async function checkDeadlines(s: Services, now: Date): Promise<number> {
  const today = dayIn(s.config.TIME_ZONE, now);
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
      if (r.status !== "received" && r.feedbackDueOn && r.feedbackDueOn >= today && r.feedbackDueOn <= soon) reminders.push({ event: "feedback_due_soon", due: r.feedbackDueOn });
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

/** Verifies the audit chain; a break is told to every active administrator, once per broken entry. */
export async function checkAuditChain(s: Services, now: Date): Promise<{ ok: boolean; brokenAt?: number; recorded: number }> {
  const r = await verifyAuditChain(s.db);
  if (r.ok) return { ok: true, recorded: 0 };
  s.log.error("audit chain check failed", { brokenAt: r.brokenAt, reason: r.reason });
  const recorded = await notifyStaff(s.db, s, { event: "audit_broken", staffUserIds: await activeAdmins(s.db), dedupeKey: `audit_broken:${r.brokenAt}`, at: now });
  return { ok: false, brokenAt: r.brokenAt, recorded };
}

export interface NotificationRun extends SendResult {
  today: string;
  smtp: boolean;
  deadlineReminders: number;
  /** null when the audit check did not run this time (it runs at most hourly unless forced). */
  audit: { ok: boolean; brokenAt?: number } | null;
}

/** The scheduled job: deadline reminders, the audit check (hourly, or `auditCheck: true`), then sending. */
export async function runNotifications(s: Services, options: { now?: Date; auditCheck?: boolean } = {}): Promise<NotificationRun> {
  const now = options.now ?? s.now();
  const st = state(s);
  const deadlineReminders = await checkDeadlines(s, now);
  let audit: NotificationRun["audit"] = null;
  const clock = s.now().getTime();
  if (options.auditCheck || st.lastAuditCheck === null || clock - st.lastAuditCheck >= 3600_000) {
    st.lastAuditCheck = clock;
    const r = await checkAuditChain(s, now);
    audit = r.ok ? { ok: true } : { ok: false, brokenAt: r.brokenAt };
  }
  const sent = await sendStaffNotifications(s, { now });
  return { today: dayIn(s.config.TIME_ZONE, now), smtp: s.mailer.configured, deadlineReminders, audit, ...sent };
}

// ------------------------------------------------------------------ the staff member's own list

export type EmailState = "off" | "sent" | "pending" | "retrying" | "failed";

export interface StaffNotificationItem {
  id: string;
  event: StaffEvent;
  /** The calendar day (TIME_ZONE): no time of day is shown, as none is kept for reporters' events. */
  day: string;
  read: boolean;
  email: EmailState;
  attempts: number;
  /** Where to look: a case the investigator still holds, or a share the reviewer holds a key for. */
  link: { kind: "case"; caseNumber: string } | { kind: "share"; shareId: string; caseNumber: string } | null;
}

export interface StaffNotificationsView {
  smtp: boolean;
  mode: NotifyMode;
  digestHour: number;
  unread: number;
  items: StaffNotificationItem[];
}

export async function notificationMode(s: Services, staffUserId: string): Promise<NotifyMode> {
  const [p] = await s.db.select({ mode: staffNotificationPrefs.mode }).from(staffNotificationPrefs).where(eq(staffNotificationPrefs.staffUserId, staffUserId));
  return p?.mode ?? "immediate";
}

export async function setNotificationMode(s: Services, staff: Pick<StaffPrincipal, "id">, mode: NotifyMode): Promise<void> {
  await s.db
    .insert(staffNotificationPrefs)
    .values({ staffUserId: staff.id, mode })
    .onConflictDoUpdate({ target: staffNotificationPrefs.staffUserId, set: { mode } });
}

/** The latest notifications of one staff member, newest first, with links only to what they can still open. */
export async function listStaffNotifications(s: Services, staff: Pick<StaffPrincipal, "id" | "role">, limit = LIST_LIMIT): Promise<StaffNotificationsView> {
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
    })),
  };
}

/** Marks the caller's own notifications read (all, or the given ids); returns how many changed. */
export async function markStaffNotificationsRead(s: Services, staff: Pick<StaffPrincipal, "id">, ids?: string[]): Promise<number> {
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
