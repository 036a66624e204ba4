// The inbox's filters, sorts and pages against the same selection made in
// memory from the stored rows: every filter and combination, both sorts,
// every page and the one after the last; rows the investigator holds no
// envelope for never appear; each row carries the caller's own envelope, read
// mark and assignment, never a colleague's. 260 cases with real sealed boxes
// (the benchmark's seeding, spread over statuses, categories, dates and
// assignees, with ties on dates so the id must break them), and a second
// investigator holding half of them with other envelopes and read marks.
import { rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { dayIn } from "../../app/.server/platform/dates";
import { COUNT_CAP, listInbox, PAGE_SIZE } from "../../app/.server/casework/inbox";
import { type InboxFilter } from "../../app/staff/wire";
import { toBase64Url } from "../../crypto";
import { commands } from "../../cli/commands";
import { caseViews, reportKeyEnvelopes, reports, staffUsers } from "../../db/schema";
import { startScalePortal, type ScalePortal } from "../../bench/lib/seed";
import { backends } from "../support/backends";

const CASES = 260;

interface Stored {
  id: string;
  caseNumber: string;
  categoryId: string;
  status: string;
  assigneeId: string | null;
  receivedOn: string;
  nextDueOn: string | null;
  activitySeq: number;
  floodId: string | null;
  titleCt: Uint8Array;
  envelope: Uint8Array | null;
  seenSeq: number | null;
}

const bytes = (v: unknown): Uint8Array => (typeof v === "string" ? new Uint8Array(Buffer.from(v.slice(2), "hex")) : (v as Uint8Array));

for (const backend of await backends()) {
  describe(`inbox on ${backend}`, () => {
    let sp: ScalePortal;
    let kim: string;
    /** Every report as each investigator's inbox sees it (envelope and read mark are theirs). */
    const stored: Record<string, Stored[]> = {};
    let today: string;

    beforeAll(async () => {
      // From the run's migrated snapshot (ADR 023): the inbox is tested here, not a first start.
      sp = await startScalePortal(backend, CASES, () => {}, { pgliteSnapshot: inject("pgliteSnapshot"), postgresTemplate: inject("postgresTemplate") });
      const db = sp.s.db;
      const ids = (await db.execute<{ id: string; case_number: string; activity_seq: number }>(
        sql`select id, case_number, activity_seq from reports order by case_number`,
      )) as unknown;
      const list = (Array.isArray(ids) ? ids : (ids as { rows: unknown[] }).rows) as { id: string; case_number: string; activity_seq: number }[];
      // Every 20th case as if the investigator were excluded (no envelope); read marks: seen, seen an older state, never.
      await db.delete(reportKeyEnvelopes).where(
        inArray(
          reportKeyEnvelopes.reportId,
          list.filter((_, j) => j % 20 === 0).map((r) => r.id),
        ),
      );
      const marks = list.flatMap((r, j) =>
        j % 4 === 1
          ? [{ reportId: r.id, staffUserId: sp.me.id, seenSeq: r.activity_seq }]
          : j % 4 === 2
            ? [{ reportId: r.id, staffUserId: sp.me.id, seenSeq: r.activity_seq - 1 }]
            : [],
      );
      await db.insert(caseViews).values(marks);
      // A colleague: envelopes (other bytes) for every other case, read marks the other way round, some assignments.
      const pw = path.join(os.tmpdir(), `cor-inbox-${process.pid}-${backend}.txt`);
      await writeFile(pw, "another investigator's long password\n");
      await commands["user:create"]!(sp.s, ["--role", "investigator", "--email", "kim@okestro.example", "--password-file", pw, "--name", "Kim"]).finally(() =>
        rm(pw, { force: true }),
      );
      kim = (await db.select({ id: staffUsers.id }).from(staffUsers).where(eq(staffUsers.email, "kim@okestro.example")))[0]!.id;
      await db
        .insert(reportKeyEnvelopes)
        .values(
          list
            .filter((_, j) => j % 2 === 0)
            .map((r) => ({ reportId: r.id, staffUserId: kim, envelope: new Uint8Array(Buffer.from(`kim's envelope for ${r.id}`)), grantedOn: "2026-01-01" })),
        );
      await db
        .insert(caseViews)
        .values(
          list.flatMap((r, j) =>
            j % 4 === 1
              ? [{ reportId: r.id, staffUserId: kim, seenSeq: 0 }]
              : j % 4 === 2
                ? [{ reportId: r.id, staffUserId: kim, seenSeq: r.activity_seq }]
                : [],
          ),
        );
      await db
        .update(reports)
        .set({ assigneeId: kim })
        .where(
          inArray(
            reports.id,
            list.filter((_, j) => j % 7 === 2).map((r) => r.id),
          ),
        );
      // Every sixth case came in a flood of reports (ADR 034): the inbox can hide them or show only them.
      await db
        .update(reports)
        .set({ floodId: "f1000d00-0000-4000-8000-000000000001" })
        .where(
          inArray(
            reports.id,
            list.filter((_, j) => j % 6 === 3).map((r) => r.id),
          ),
        );
      // Every third open case due from today to four weeks ahead, so that "overdue" is not the same as "open".
      await db.execute(
        sql`update reports set next_due_on = current_date + (substr(case_number, 10)::int % 29) where next_due_on is not null and substr(case_number, 10)::int % 3 = 1`,
      );
      for (const staffId of [sp.me.id, kim]) stored[staffId] = await storedFor(staffId);
      today = dayIn(sp.s.config.TIME_ZONE, sp.s.now());
    }, 120_000);
    afterAll(async () => {
      await sp?.close();
    });

    async function storedFor(staffId: string): Promise<Stored[]> {
      const result = (await sp.s.db.execute(sql`
        select r.id, r.case_number, r.category_id, r.status, r.assignee_id, r.received_on::text as received_on, r.next_due_on::text as next_due_on,
               r.activity_seq, r.flood_id, r.title_ct, e.envelope, cv.seen_seq
        from reports r
        left join report_key_envelopes e on e.report_id = r.id and e.staff_user_id = ${staffId}
        left join case_views cv on cv.report_id = r.id and cv.staff_user_id = ${staffId}`)) as unknown;
      const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
      return rows.map((r) => ({
        id: String(r.id),
        caseNumber: String(r.case_number),
        categoryId: String(r.category_id),
        status: String(r.status),
        assigneeId: (r.assignee_id as string | null) ?? null,
        receivedOn: String(r.received_on),
        nextDueOn: (r.next_due_on as string | null) ?? null,
        activitySeq: Number(r.activity_seq),
        floodId: (r.flood_id as string | null) ?? null,
        titleCt: bytes(r.title_ct),
        envelope: r.envelope == null ? null : bytes(r.envelope),
        seenSeq: r.seen_seq == null ? null : Number(r.seen_seq),
      }));
    }

    /** The inbox's selection and order for `me`, computed here from the stored rows. */
    function expected(me: string, f: InboxFilter): Stored[] {
      const rows = stored[me]!.filter(
        (r) =>
          r.envelope !== null &&
          (f.status === undefined || (f.status === "open" ? r.status !== "closed" : r.status === f.status)) &&
          (f.categoryId === undefined || r.categoryId === f.categoryId) &&
          (f.assignee === undefined ||
            (f.assignee === "me" ? r.assigneeId === me : f.assignee === "none" ? r.assigneeId === null : r.assigneeId === f.assignee)) &&
          (!f.overdue || (r.nextDueOn !== null && r.nextDueOn < today)) &&
          (f.flood === undefined || (f.flood === "only" ? r.floodId !== null : r.floodId === null)) &&
          (f.caseNumber === undefined || r.caseNumber === f.caseNumber.trim().toUpperCase()),
      );
      const byId = (a: Stored, b: Stored) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      if (f.sort === "received") return rows.sort((a, b) => (a.receivedOn === b.receivedOn ? -byId(a, b) : a.receivedOn < b.receivedOn ? 1 : -1));
      return rows.sort((a, b) => {
        if (a.nextDueOn === b.nextDueOn) return byId(a, b);
        if (a.nextDueOn === null) return 1;
        if (b.nextDueOn === null) return -1;
        return a.nextDueOn < b.nextDueOn ? -1 : 1;
      });
    }

    it("lists exactly the held cases of every filter and sort, page by page, each row with the caller's own envelope and marks", async () => {
      const cats = sp.categoryIds;
      const bases: InboxFilter[] = [
        {},
        { status: "open" },
        ...(["received", "acknowledged", "in_review", "investigating", "closed"] as const).map((status) => ({ status })),
        { categoryId: cats[1]! },
        { assignee: "me" },
        { assignee: "none" },
        { assignee: sp.me.id },
        { assignee: kim },
        { assignee: "5a0c8e1e-3f3b-4c55-9a51-0f6f0c7e9d21" },
        { overdue: true },
        { overdue: true, assignee: "me" },
        { flood: "only" },
        { flood: "hide" },
        { flood: "only", status: "open", assignee: "none" },
        { flood: "hide", overdue: true },
        { status: "investigating", categoryId: cats[2]! },
        { status: "open", categoryId: cats[3]!, assignee: "none" },
        { caseNumber: " cor-0000-0042 " },
        { caseNumber: "COR-0000-0040" }, // every 20th case has no envelope for the first investigator
        { caseNumber: "COR-0000-0043" }, // odd cases have none for the second
        { caseNumber: "COR-9999-9999" },
      ];
      let pagesCompared = 0;
      for (const me of [sp.me.id, kim]) {
        for (const base of bases) {
          for (const sort of ["deadline", "received"] as const) {
            const f = { ...base, sort };
            const want = expected(me, f);
            const pages = Math.max(1, Math.ceil(want.length / PAGE_SIZE));
            for (let page = 1; page <= pages + 1; page++) {
              const got = await listInbox(sp.s, me, { ...f, page });
              const slice = want.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
              const label = `${me === kim ? "second" : "first"} investigator, ${JSON.stringify(f)} page ${page}`;
              expect(got.total, label).toBe(want.length);
              expect(got.totalCapped, label).toBe(false);
              expect(
                got.rows.map((r) => r.caseNumber),
                label,
              ).toEqual(slice.map((r) => r.caseNumber));
              for (const [i, row] of got.rows.entries()) {
                const s = slice[i]!;
                expect(row.envelope, label).toBe(toBase64Url(s.envelope!));
                expect(row.title, label).toBe(toBase64Url(s.titleCt));
                expect(row.unread, label).toBe((s.seenSeq ?? 0) < s.activitySeq);
                expect(row.overdue, label).toBe(s.nextDueOn !== null && s.nextDueOn < today);
                expect(row.flood, label).toBe(s.floodId !== null);
              }
              pagesCompared++;
            }
          }
        }
      }
      // The selections are not trivially empty or whole, and the two investigators' differ: the comparisons above
      // covered real pages, envelopes and read marks that a mix-up between the two would get wrong.
      const first = sp.me.id;
      expect(expected(first, {}).length).toBe(CASES - CASES / 20);
      expect(expected(kim, {}).length).toBe(CASES / 2);
      expect(expected(first, { overdue: true }).length).toBeGreaterThan(0);
      expect(expected(first, { overdue: true }).length).toBeLessThan(expected(first, { status: "open" }).length);
      expect(expected(first, { caseNumber: "cor-0000-0042" })).toHaveLength(1);
      expect(expected(first, { flood: "only" }).length).toBeGreaterThan(0);
      expect(expected(first, { flood: "only" }).length + expected(first, { flood: "hide" }).length).toBe(expected(first, {}).length);
      expect(expected(kim, { assignee: "me" }).length).toBeGreaterThan(0);
      const unread = (me: string) => stored[me]!.filter((r) => (r.seenSeq ?? 0) < r.activitySeq).map((r) => r.id);
      expect(unread(first)).not.toEqual(unread(kim));
      expect(stored[first]!.some((r) => r.nextDueOn === null) && stored[first]!.some((r) => r.seenSeq !== null && r.seenSeq < r.activitySeq)).toBe(true);
      expect(pagesCompared).toBeGreaterThan(120);
      expect(COUNT_CAP).toBeGreaterThan(CASES);
    });

    it("shows nothing to an investigator who holds no envelope, whatever the filter", async () => {
      const stranger = "5a0c8e1e-3f3b-4c55-9a51-0f6f0c7e9d21";
      for (const f of [{}, { status: "open" as const }, { caseNumber: "COR-0000-0042" }, { assignee: "none" as const, sort: "received" as const }]) {
        expect(await listInbox(sp.s, stranger, f)).toMatchObject({ total: 0, rows: [] });
      }
    });
  });
}
