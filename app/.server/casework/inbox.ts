// The investigator's inbox: every case they hold a key envelope for (so an
// excluded investigator, who has none, never sees the case in any list,
// count or search), filtered, sorted by deadline or date, a page at a time.
// Cases that came in a flood of reports (ADR 034) can be hidden or shown alone.
// Titles travel as ciphertext with the envelope; the browser decrypts them.
//
// The visibility check is an `EXISTS` subquery on the caller's envelopes, so
// PostgreSQL can walk the deadline index and stop after a page. The page (50
// rows) is chosen first and only its rows then get the caller's envelope and
// `case_views` row: joined before the `LIMIT`, both were fetched for every row
// skipped on the way to a later page. The total is counted up to 5000 ("more
// than 5000" beyond). `unread` is `seen_seq < activity_seq`. Titles are
// decrypted in the browser, so title search filters the decrypted page; "search
// all" fetches up to 40 pages of the current filter. Each listing hands out
// title ciphertexts with their envelopes, so it is audited (`inbox.listed`,
// page and row count).
import { and, eq, isNotNull, isNull, lt, sql, type AnyColumn, type SQL } from "drizzle-orm";
import { toBase64Url } from "../../../crypto/encoding";
import { queryRows } from "../../../db/client";
import { caseViews, reportKeyEnvelopes, reports } from "../../../db/schema";
import { audit } from "../audit/audit";
import type { InboxFilter, InboxPage } from "../../staff/wire";
import { today } from "../platform/dates";
import type { Services } from "../platform/services";

export const PAGE_SIZE = 50;

/** Handing out a page of title ciphertexts with their envelopes is access to content: audited. */
export async function auditInboxListing(s: Services, staffUserId: string, page: number, rows: number): Promise<void> {
  await audit(s.db, s, { actorType: "staff", actorId: staffUserId, action: "inbox.listed", details: { page, rows } }, s.now());
}

/** Totals are counted up to this many; beyond, the inbox says "more than". */
export const COUNT_CAP = 5000;

export async function listInbox(s: Services, staffUserId: string, f: InboxFilter): Promise<InboxPage> {
  const day = today(s);
  // Visibility is "holds an envelope", written as EXISTS so that PostgreSQL can walk
  // the reports in deadline order and stop after one page instead of sorting them all.
  const held = sql`exists (select 1 from ${reportKeyEnvelopes} e where e.report_id = ${reports.id} and e.staff_user_id = ${staffUserId})`;
  const where: SQL[] = [held];
  if (f.status === "open") where.push(sql`${reports.status} <> 'closed'`);
  else if (f.status) where.push(eq(reports.status, f.status));
  if (f.categoryId) where.push(eq(reports.categoryId, f.categoryId));
  if (f.assignee === "me") where.push(eq(reports.assigneeId, staffUserId));
  else if (f.assignee === "none") where.push(isNull(reports.assigneeId));
  else if (f.assignee) where.push(eq(reports.assigneeId, f.assignee));
  if (f.overdue) where.push(lt(reports.nextDueOn, day));
  if (f.flood === "hide") where.push(isNull(reports.floodId));
  else if (f.flood === "only") where.push(isNotNull(reports.floodId));
  if (f.caseNumber) where.push(eq(reports.caseNumber, f.caseNumber.trim().toUpperCase()));
  const filter = and(...where);
  const page = Math.max(1, Math.floor(f.page ?? 1));
  // The page is chosen first, then only its rows get their envelope and read mark: joined before the
  // LIMIT, PostgreSQL fetches both for every row it skips on the way to a later page.
  const pageOf = s.db
    .select({
      id: reports.id,
      caseNumber: reports.caseNumber,
      categoryId: reports.categoryId,
      status: reports.status,
      priority: reports.priority,
      assigneeId: reports.assigneeId,
      receivedOn: reports.receivedOn,
      ackDueOn: reports.ackDueOn,
      feedbackDueOn: reports.feedbackDueOn,
      nextDueOn: reports.nextDueOn,
      activitySeq: reports.activitySeq,
      floodId: reports.floodId,
      serverSealed: reports.serverSealed,
      titleCt: reports.titleCt,
    })
    .from(reports)
    .where(filter)
    .orderBy(...orderOf(reports, f.sort))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE)
    .as("page");
  const [rows, counted] = await Promise.all([
    s.db
      .select({
        ...pageOf._.selectedFields,
        seenSeq: caseViews.seenSeq,
        envelope: sql<Uint8Array>`(select e.envelope from ${reportKeyEnvelopes} e where e.report_id = ${pageOf.id} and e.staff_user_id = ${staffUserId})`,
      })
      .from(pageOf)
      .leftJoin(caseViews, and(eq(caseViews.reportId, pageOf.id), eq(caseViews.staffUserId, staffUserId)))
      .orderBy(...orderOf(pageOf, f.sort)),
    queryRows<{ n: number }>(s.db, sql`select count(*)::int as n from (select 1 from ${reports} where ${filter} limit ${COUNT_CAP + 1}) capped`),
  ]);
  const n = counted[0]?.n ?? 0;
  return {
    total: Math.min(n, COUNT_CAP),
    totalCapped: n > COUNT_CAP,
    page,
    pageSize: PAGE_SIZE,
    rows: rows.map((r) => ({
      id: r.id,
      caseNumber: r.caseNumber,
      categoryId: r.categoryId,
      status: r.status,
      priority: r.priority,
      assigneeId: r.assigneeId,
      receivedOn: r.receivedOn,
      ackDueOn: r.ackDueOn,
      feedbackDueOn: r.feedbackDueOn,
      nextDueOn: r.nextDueOn,
      overdue: r.nextDueOn !== null && r.nextDueOn < day,
      unread: (r.seenSeq ?? 0) < r.activitySeq,
      flood: r.floodId !== null,
      serverSealed: r.serverSealed,
      title: toBase64Url(r.titleCt),
      envelope: toBase64Url(toBytes(r.envelope)),
    })),
  };
}

/** Deadline first (cases without one last) or newest first; the id makes the order total, so pages do not overlap. */
function orderOf(
  t: { nextDueOn: AnyColumn | SQL.Aliased; receivedOn: AnyColumn | SQL.Aliased; id: AnyColumn | SQL.Aliased },
  sort: InboxFilter["sort"],
): SQL[] {
  return sort === "received" ? [sql`${t.receivedOn} desc`, sql`${t.id} desc`] : [sql`${t.nextDueOn} asc nulls last`, sql`${t.id} asc`];
}

/** A bytea from a raw SQL column: postgres.js gives a Buffer, PGlite a Uint8Array. */
function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string" && v.startsWith("\\x")) return new Uint8Array(Buffer.from(v.slice(2), "hex"));
  throw new Error("unexpected bytea value");
}
