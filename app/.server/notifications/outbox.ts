// Sending staff notifications by e-mail: single e-mails as events are
// recorded, or one daily digest for who asked for it. What an e-mail says:
// the kind of event and where to sign in, in Korean and English (staff have no
// language setting); never a case number, title, name, share content or
// anything of the reporter. Nothing here logs an address. `emailed_at` keeps
// only the day of the send (ADR 007).
//
// - Without SMTP a pass does nothing: rows stay listed in the portal, nothing
//   counts as failed.
// - Candidates: rows not yet e-mailed, not read in the portal, fewer than 10
//   attempts, of active staff in `immediate` mode, oldest first. Each
//   row is claimed by setting `emailed_at` with a conditional update before the
//   send and released on failure (`attempts` + 1, `last_error` = the
//   `MailError` text, no recipient), so two servers never send the same row.
// - A temporary failure ends the pass and pauses sending in this process for 1,
//   2, 4 … up to 60 minutes (reset by the next delivery): an outage costs one
//   row an attempt per pause, not every row. A permanent failure counts against
//   its row and the pass goes on.
// - Digests: at or after `NOTIFY_DIGEST_HOUR` in `TIME_ZONE`, each
//   `digest`-mode member whose `digest_sent_on` is before today has the day
//   claimed (conditional update), then their unsent, unread rows, summarised as
//   counts per kind in one e-mail; on failure both are released. No rows, no
//   e-mail, except for administrators: theirs carries a signed checkpoint of the
//   audit log's head every day (ADR 028), so the head is kept outside the database.
// - One pass at a time per process.
// - A crash between claiming a row and the SMTP server's answer never repeats
//   an e-mail but can lose one (it stays listed in the portal). A single e-mail
//   goes out moments after the event, so the staff member's mailbox learns when
//   a reporter wrote; a digest shows only the day.
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { staffNotificationPrefs, staffNotifications, staffUsers } from "../../../db/schema";
import { translator, type MessageKey } from "../../i18n";
import { STAFF_EVENTS, type StaffEvent } from "../../shared/wire";
import { localHour, startOfDayIn, today as todayOf } from "../platform/dates";
import { verifyAuditChain } from "../audit/audit";
import { signCheckpoint, type AuditCheckpoint } from "../audit/checkpoint";
import { isMailError, type Mail } from "../platform/mailer";
import type { Services } from "../platform/services";
import { floodSummaries, type FloodSummary } from "./floods";
import { MAX_ATTEMPTS } from "./record";
import { state } from "./runner-state";

const BATCH = 200;

// ------------------------------------------------------------------ the text of an e-mail

const ko = translator("ko");
const en = translator("en");

function signInUrl(s: Services): string {
  return `${(s.config.PUBLIC_ORIGIN ?? "").replace(/\/+$/, "")}/staff/login`;
}

function bilingual(s: Services, part: (t: typeof ko) => string[]): string {
  const block = (t: typeof ko) =>
    [
      `${t("app.name")} · ${t("app.subtitle")}`,
      "",
      ...part(t),
      "",
      t("notify.staff.mail.signIn", { url: signInUrl(s) }),
      "",
      t("notify.staff.mail.footer"),
    ].join("\n");
  return `${block(ko)}\n\n----------------------------------------\n\n${block(en)}\n`;
}

/**
 * One notification as an e-mail: the kind of event and the sign-in page, Korean first, then English. A flood's
 * says how many reports in how many minutes (as of the send).
 */
export function notificationMail(s: Services, to: string, event: StaffEvent, flood?: FloodSummary): Mail {
  const key = `notify.staff.event.${event}` as MessageKey;
  return {
    to,
    subject: `${ko("app.name")}: ${ko("notify.staff.mail.subject")} / ${en("app.name")}: ${en("notify.staff.mail.subject")}`,
    text: bilingual(s, (t) => [
      t("notify.staff.mail.intro"),
      "",
      t(key),
      ...(flood ? [t(flood.over ? "notify.staff.flood.total" : "notify.staff.flood.soFar", { count: flood.reports, minutes: flood.minutes })] : []),
    ]),
    lang: "ko, en",
  };
}

/** What an administrator's digest says about the audit log: a signed checkpoint of its head, or where it broke. */
export type DigestAudit = { checkpoint: AuditCheckpoint } | { brokenAt: number };

/** The current head of the audit log for the administrators' digest (ADR 028). */
export async function digestAudit(s: Services, now: Date): Promise<DigestAudit> {
  const r = await verifyAuditChain(s.db, s);
  if (!r.ok) return { brokenAt: r.brokenAt };
  return { checkpoint: await signCheckpoint(s.secret, { entries: r.entries, head: r.head ?? "00".repeat(32) }, now) };
}

function auditLines(t: typeof ko, a: DigestAudit): string[] {
  if ("brokenAt" in a) return ["", t("notify.staff.mail.auditBroken", { seq: a.brokenAt })];
  const c = a.checkpoint;
  return ["", t("notify.staff.mail.auditHead", { entries: c.entries, head: c.head, at: c.at }), t("notify.staff.mail.auditKeep"), JSON.stringify(c)];
}

/** The daily digest: counts per kind of event since the last one; for administrators, the audit log's head. */
export function digestMail(s: Services, to: string, counts: Map<StaffEvent, number>, audit?: DigestAudit): Mail {
  const lines = (t: typeof ko) =>
    STAFF_EVENTS.filter((e) => counts.get(e)).map((e) => `- ${t(`notify.staff.count.${e}` as MessageKey, { count: counts.get(e)! })}`);
  return {
    to,
    subject: `${ko("app.name")}: ${ko("notify.staff.mail.digestSubject")} / ${en("app.name")}: ${en("notify.staff.mail.digestSubject")}`,
    text: bilingual(s, (t) => [...(counts.size ? [t("notify.staff.mail.digestIntro"), "", ...lines(t)] : []), ...(audit ? auditLines(t, audit) : [])]),
    lang: "ko, en",
  };
}

// ------------------------------------------------------------------ sending

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

/** Staff who may receive e-mail: active ones (failed sign-ins lock nobody out of their mail, ADR 030). */
const reachable = () => eq(staffUsers.status, "active");

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
      .select({
        id: staffNotifications.id,
        event: staffNotifications.event,
        floodId: staffNotifications.floodId,
        attempts: staffNotifications.attempts,
        email: staffUsers.email,
      })
      .from(staffNotifications)
      .innerJoin(staffUsers, eq(staffUsers.id, staffNotifications.staffUserId))
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
    const floods = await floodSummaries(
      s,
      rows.flatMap((r) => (r.floodId ? [r.floodId] : [])),
      now,
    );
    for (const r of rows) {
      const claimed = await s.db
        .update(staffNotifications)
        .set({ emailedAt: emailedOn })
        .where(and(eq(staffNotifications.id, r.id), isNull(staffNotifications.emailedAt), eq(staffNotifications.attempts, r.attempts)))
        .returning({ id: staffNotifications.id });
      if (claimed.length === 0) continue;
      try {
        await s.mailer.send(notificationMail(s, r.email, r.event, r.floodId ? floods.get(r.floodId) : undefined));
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
  const today = todayOf(s, now);
  const due = await s.db
    .select({
      staffUserId: staffNotificationPrefs.staffUserId,
      sentOn: staffNotificationPrefs.digestSentOn,
      email: staffUsers.email,
      role: staffUsers.role,
    })
    .from(staffNotificationPrefs)
    .innerJoin(staffUsers, eq(staffUsers.id, staffNotificationPrefs.staffUserId))
    .where(
      and(
        eq(staffNotificationPrefs.mode, "digest"),
        reachable(),
        or(isNull(staffNotificationPrefs.digestSentOn), lt(staffNotificationPrefs.digestSentOn, today)),
      ),
    );
  // Administrators' digests carry the audit log's head every day, events or not: one
  // signed checkpoint per pass, shared by all of them.
  let audit: DigestAudit | undefined;
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
    // Nothing new (or all of it read in the portal) and not an administrator: no e-mail, and today's digest is done.
    const isAdmin = d.role === "admin";
    if (rows.length === 0 && !isAdmin) continue;
    const counts = new Map<StaffEvent, number>();
    for (const r of rows) counts.set(r.event, (counts.get(r.event) ?? 0) + 1);
    if (isAdmin) audit ??= await digestAudit(s, now);
    try {
      await s.mailer.send(digestMail(s, d.email, counts, isAdmin ? audit : undefined));
      delivered();
      result.digests++;
    } catch (error) {
      const e = errorText(error);
      await s.db
        .update(staffNotifications)
        .set({ emailedAt: null, attempts: sql`${staffNotifications.attempts} + 1`, lastError: e.text })
        .where(
          inArray(
            staffNotifications.id,
            rows.map((r) => r.id),
          ),
        );
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
