// GET /api/staff/case-titles, the batches behind the inbox's title search (ADR 050), through the real
// server: an investigator walking every batch gets each case they hold a key for exactly once, in order,
// and none they were excluded from; every title opens with their key; another investigator gets only
// theirs; other roles and signed-out callers are refused; the batch size and cursor are checked with a
// JSON 400, other methods get a JSON 405; every batch is audited. Then the browser's search module
// (app/staff/title-search.ts) over the same API: it finds a case deep in the list, stops when told and
// resumes without a duplicate.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TitleIndex, caseTitlesPath } from "../../app/staff/title-search";
import { CASE_TITLES_BATCH, CASE_TITLES_MAX_BATCH, type CaseTitlesPage } from "../../app/staff/wire";
import type { StaffClient } from "../../app/staff/staff-client";
import { loadSodium } from "../../crypto";
import { auditLog } from "../../db/schema";
import { backends } from "../support/backends";
import { startTestPortal, type TestPortal } from "../support/portal";
import { sealCasesTo, type SealedCase } from "../support/sealed-cases";
import { createStaff, PASSWORD } from "../support/staff";
import { firstSignIn } from "../support/staff-session";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const CASES = 130;
const LEE = "lee@okestro.example";
const KIM = "kim@okestro.example";
/** Every tenth case excluded Lee (only Kim holds it); even cases both hold; odd ones only Lee. */
const holders = (j: number) => (j % 10 === 0 ? [KIM] : j % 2 === 0 ? [LEE, KIM] : [LEE]);
const titleOf = (j: number) => (j === 117 ? "Kickbacks from the Busan logistics tender" : `Routine matter number ${j}`);

for (const backend of await backends()) {
  describe(`case titles for the title search on ${backend}`, () => {
    let portal: TestPortal;
    let cases: SealedCase[];
    let lee: StaffClient;
    let kim: StaffClient;
    const as: Record<string, StaffClient> = {};

    beforeAll(async () => {
      await loadSodium();
      portal = await startTestPortal(backend, { NOTIFY_INTERVAL_MINUTES: "0", RETENTION_INTERVAL_MINUTES: "0" });
      await createStaff(portal, "investigator", LEE, ["--name", "Lee"]);
      await createStaff(portal, "investigator", KIM, ["--name", "Kim"]);
      await createStaff(portal, "admin", "admin@okestro.example");
      await createStaff(portal, "affiliate", "cloud@okestro.example", ["--affiliate", "cloud"]);
      cases = await sealCasesTo(portal.services, CASES, { prefix: "TTLS", title: titleOf, holders });
      for (const email of [LEE, KIM, "admin@okestro.example", "cloud@okestro.example"]) as[email] = (await firstSignIn(portal.url, email, PASSWORD)).client;
      lee = as[LEE]!;
      kim = as[KIM]!;
    }, 120_000);
    afterAll(async () => {
      await portal?.stop();
    });

    /** The client's own fetch (its session cookie), answering errors as they are. */
    const signedIn = (client: StaffClient) => client.options.fetch as typeof fetch;

    async function walk(client: StaffClient, limit: number): Promise<CaseTitlesPage[]> {
      const pages: CaseTitlesPage[] = [];
      let after: string | null = null;
      do {
        const page: CaseTitlesPage = await client.get<CaseTitlesPage>(caseTitlesPath(after, limit));
        pages.push(page);
        after = page.next;
      } while (after && pages.length < 100);
      return pages;
    }

    it("hands an investigator every case they hold a key for, once each, in order, in batches, and nothing else", async () => {
      for (const [who, client, email] of [
        ["Lee", lee, LEE],
        ["Kim", kim, KIM],
      ] as const) {
        const want = cases.filter((_, j) => holders(j).includes(email));
        const pages = await walk(client, 40);
        const ids = pages.flatMap((p) => p.rows.map((r) => r.id));
        expect(ids, who).toEqual(want.map((c) => c.id).sort());
        expect(
          pages.map((p) => p.rows.length),
          who,
        ).toEqual([...Array(Math.ceil(want.length / 40)).keys()].map((i) => Math.min(40, want.length - i * 40)));
        expect(pages[0]!.total, who).toBe(want.length);
        expect(pages.slice(1).every((p) => p.total === null)).toBe(true);
        expect(pages.at(-1)!.next).toBeNull();
        // Each title opens with this investigator's own key, and says what was sealed.
        const index = new TitleIndex((after) => client.get<CaseTitlesPage>(caseTitlesPath(after, 40)), client.keyPair!);
        await index.load(new AbortController().signal);
        expect(index.loaded, who).toBe(want.length);
        expect(index.unreadable, who).toBe(0);
        expect(index.match("routine matter", 1000).count, who).toBe(want.filter((c) => c.title.startsWith("Routine")).length);
      }
      expect(cases.filter((_, j) => holders(j).includes(LEE)).length).toBe(CASES - CASES / 10);
    });

    it("never hands out a case the reporter excluded the caller from, and a batch is as long as asked", async () => {
      const excluded = new Set(cases.filter((_, j) => !holders(j).includes(LEE)).map((c) => c.id));
      const all = (await walk(lee, CASE_TITLES_MAX_BATCH)).flatMap((p) => p.rows);
      expect(all.some((r) => excluded.has(r.id))).toBe(false);
      expect(excluded.size).toBeGreaterThan(0);
      const one = await lee.get<CaseTitlesPage>(caseTitlesPath(null, 1));
      expect(one.rows).toHaveLength(1);
      expect(one.next).toBe(one.rows[0]!.id);
      const byDefault = await lee.get<CaseTitlesPage>(caseTitlesPath(null));
      expect(byDefault.rows).toHaveLength(Math.min(CASE_TITLES_BATCH, all.length));
      // After the last id: an empty batch and no next one. A cursor the caller holds no case for still orders.
      expect(await lee.get<CaseTitlesPage>(caseTitlesPath(all.at(-1)!.id))).toEqual({ total: null, next: null, rows: [] });
      const kimOnly = [...excluded][0]!;
      const fromThere = await lee.get<CaseTitlesPage>(caseTitlesPath(kimOnly, 1000));
      expect(fromThere.rows.map((r) => r.id)).toEqual(all.map((r) => r.id).filter((id) => id > kimOnly));
    });

    it("refuses other roles and callers who are not signed in", async () => {
      const status = async (client: StaffClient | null) => {
        const r = await (client ? signedIn(client) : fetch)(`${portal.url}/api/staff/case-titles`);
        const body = (await r.json()) as { error?: { code: string } };
        return [r.status, body.error?.code ?? "ok"];
      };
      expect(await status(null)).toEqual([401, "not_signed_in"]);
      expect(await status(as["admin@okestro.example"]!)).toEqual([403, "forbidden"]);
      expect(await status(as["cloud@okestro.example"]!)).toEqual([403, "forbidden"]);
      expect(await status(lee)).toEqual([200, "ok"]);
    });

    it("checks the batch size and the cursor (JSON 400 naming the parameter) and answers other methods with a JSON 405", async () => {
      for (const [query, field] of [
        ["limit=0", "limit"],
        [`limit=${CASE_TITLES_MAX_BATCH + 1}`, "limit"],
        ["limit=-5", "limit"],
        ["limit=2.5", "limit"],
        ["limit=many", "limit"],
        ["limit=", "limit"],
        ["after=COR-TTLS-0001", "after"],
        ["after=", "after"],
        ["after=00000000-0000-4000-8000-00000000000Z", "after"],
      ] as const) {
        const r = await signedIn(lee)(`${portal.url}/api/staff/case-titles?${query}`);
        expect(r.status, query).toBe(400);
        expect(r.headers.get("Content-Type"), query).toMatch(/^application\/json/);
        const body = (await r.json()) as { error: { code: string; message: string; fields?: Record<string, string> } };
        expect(body.error.code, query).toBe("bad_query");
        expect(Object.keys(body.error.fields ?? {}), query).toEqual([field]);
      }
      expect((await signedIn(lee)(`${portal.url}/api/staff/case-titles?limit=${CASE_TITLES_MAX_BATCH}`)).status).toBe(200);
      for (const method of ["POST", "PUT", "DELETE"]) {
        const r = await fetch(`${portal.url}/api/staff/case-titles`, { method, headers: { "Content-Type": "application/json" }, body: "{}" });
        expect(r.status, method).toBe(405);
        expect(r.headers.get("Allow")).toBe("GET, HEAD");
        expect(((await r.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
      }
    });

    it("audits every batch with its row count, never the words searched", async () => {
      const me = lee.user!.id;
      const before = await portal.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.actorId, me), eq(auditLog.action, "inbox.titles_listed")));
      const pages = await walk(lee, 50);
      const after = await portal.services.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.actorId, me), eq(auditLog.action, "inbox.titles_listed")));
      expect(after.slice(before.length).map((e) => e.details)).toEqual(pages.map((p) => ({ rows: p.rows.length })));
    });

    it("finds a case deep in the list with the browser's search module, stops when told, and resumes without duplicates", async () => {
      let batches = 0;
      const controller = new AbortController();
      const index = new TitleIndex(async (after) => {
        batches++;
        return lee.get<CaseTitlesPage>(caseTitlesPath(after, 20));
      }, lee.keyPair!);
      await index.load(controller.signal, () => {
        if (index.loaded >= 40) controller.abort();
      });
      expect(index.complete).toBe(false);
      const stoppedAt = index.loaded;
      expect(stoppedAt).toBe(40);
      await index.load(new AbortController().signal);
      expect(index.complete).toBe(true);
      expect(index.loaded).toBe(CASES - CASES / 10);
      expect(batches).toBeGreaterThan(5);
      const hit = index.match("busan  KICKBACKS", 10);
      expect(hit.count).toBe(1);
      expect(hit.shown[0]!.caseNumber).toBe("COR-TTLS-0117");
      expect(index.match("busan kickbacks nowhere", 10).count).toBe(0);
      expect(index.match("   ", 10).count).toBe(0);
    });
  });
}
