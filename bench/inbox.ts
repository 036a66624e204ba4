// Inbox at scale (DESIGN.md section 6): BENCH_CASES (100,000) cases
// (bench/lib/seed.ts), the inbox query (filter, sort by deadline, page of 50,
// capped count) timed server-side, and the time the real inbox page takes to
// decrypt its 50 titles in Chromium.
//
// Floors, in the same run on the same database: for each filter, the bare
// page read (same filter, same order, same page of 50 rows by the same
// indexes, without the visibility check, the read-marks join, the envelope and
// the count); for the decryption, the same 50 envelopes and titles opened by
// the bare crypto calls on a page of their own in the same Chromium.
import { and, asc, desc, eq, isNull, lt, sql, type SQL } from "drizzle-orm";
import { chromium } from "playwright-core";
import { toBase64Url } from "../crypto";
import { listInbox, PAGE_SIZE } from "../app/.server/casework/inbox";
import { type InboxFilter } from "../app/staff/wire";
import { dayIn } from "../app/.server/platform/dates";
import { reports } from "../db/schema";
import { firstSignIn } from "../test/support/staff-session";
import { unlockStaff } from "../test/support/investigator";
import { BenchPage } from "./lib/browser-bench";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./lib/chromium";
import { caseNumberOf, type ScalePortal } from "./lib/seed";
import type { Backend } from "./lib/backends";
import { settle, stats } from "./lib/util";

export const TARGET_INBOX_P95_MS = 20;
export const TARGET_DECRYPT_MS = 50;

export interface InboxBenchResult {
  backend: Backend;
  cases: number;
  seedSeconds: number;
  sealSeconds: number;
  insertSeconds: number;
  queries: Record<string, { n: number; p50: number; p95: number; floorP50: number; floorP95: number }>;
  worstP95: number;
  targetP95: number;
  decrypt50Ms: number | null;
  decryptFloorMs: number | null;
  decryptTargetMs: number;
}

export async function benchInbox(sp: ScalePortal, options: { iterations: number; chromium: boolean }): Promise<InboxBenchResult> {
  const { s, portal, me } = sp;
  const cats = sp.categoryIds;
  const filters: Record<string, InboxFilter> = {
    "open, by deadline, page 1": { status: "open", sort: "deadline", page: 1 },
    "all, by deadline, page 20": { sort: "deadline", page: 20 },
    "overdue, by deadline": { overdue: true, sort: "deadline", page: 1 },
    "category + status": { categoryId: cats[2 % cats.length]!, status: "investigating", sort: "deadline", page: 1 },
    "assigned to me, by received": { assignee: "me", sort: "received", page: 1 },
    "case number search": { caseNumber: caseNumberOf(Math.floor(sp.cases * 0.42)) },
  };
  const today = dayIn(s.config.TIME_ZONE, s.now());
  const bare = (f: InboxFilter) => {
    const where: SQL[] = [];
    if (f.status === "open") where.push(sql`${reports.status} <> 'closed'`);
    else if (f.status) where.push(eq(reports.status, f.status));
    if (f.categoryId) where.push(eq(reports.categoryId, f.categoryId));
    if (f.assignee === "me") where.push(eq(reports.assigneeId, me.id));
    else if (f.assignee === "none") where.push(isNull(reports.assigneeId));
    if (f.overdue) where.push(lt(reports.nextDueOn, today));
    if (f.caseNumber) where.push(eq(reports.caseNumber, f.caseNumber));
    const order = f.sort === "received" ? [desc(reports.receivedOn), desc(reports.id)] : [sql`${reports.nextDueOn} asc nulls last`, asc(reports.id)];
    return s.db
      .select({
        id: reports.id,
        caseNumber: reports.caseNumber,
        categoryId: reports.categoryId,
        status: reports.status,
        assigneeId: reports.assigneeId,
        receivedOn: reports.receivedOn,
        nextDueOn: reports.nextDueOn,
        titleCt: reports.titleCt,
      })
      .from(reports)
      .where(where.length ? and(...where) : undefined)
      .orderBy(...order)
      .limit(PAGE_SIZE)
      .offset(((f.page ?? 1) - 1) * PAGE_SIZE);
  };
  await settle(`the inbox queries on ${sp.backend}`);
  const queries: InboxBenchResult["queries"] = {};
  for (const [name, f] of Object.entries(filters)) {
    for (let w = 0; w < 5; w++) {
      await listInbox(s, me.id, f);
      await bare(f);
    }
    const times: number[] = [];
    const floor: number[] = [];
    // Interleaved, so that drift in the machine hits both alike; at most ~10 s per filter once 20 are done
    // (PGlite at 100,000 cases is slow enough for 50 iterations of six filters to take minutes).
    const until = performance.now() + 10_000;
    for (let k = 0; k < options.iterations && (k < 20 || performance.now() < until); k++) {
      let t0 = performance.now();
      await listInbox(s, me.id, f);
      times.push(performance.now() - t0);
      t0 = performance.now();
      await bare(f);
      floor.push(performance.now() - t0);
    }
    const a = stats(times)!;
    const b = stats(floor)!;
    queries[name] = { n: a.n, p50: a.p50, p95: a.p95, floorP50: b.p50, floorP95: b.p95 };
  }
  process.stderr.write(
    `[inbox ${sp.backend}] ${Object.entries(queries)
      .map(([k, q]) => `${k}: p95 ${q.p95.toFixed(1)} ms (floor ${q.floorP95.toFixed(1)})`)
      .join("; ")}\n`,
  );

  let decrypt50Ms: number | null = null;
  let decryptFloorMs: number | null = null;
  if (options.chromium) {
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    try {
      // The floor: the first page's 50 envelopes and titles, opened by the bare crypto calls in the same browser.
      const { keyPair } = await unlockStaff(s, sp.email, sp.password);
      const page1 = await listInbox(s, me.id, { status: "open", sort: "deadline", page: 1 });
      const bench = await BenchPage.open(browser);
      try {
        decryptFloorMs = await bench.call(
          "decryptTitles",
          toBase64Url(keyPair.publicKey),
          toBase64Url(keyPair.secretKey),
          page1.rows.map((r) => ({ id: r.id, envelope: r.envelope, title: r.title })),
          7,
        );
      } finally {
        await bench.close();
      }
      // The real inbox page: sign in (password -> keys, TOTP) with the Node client, hand its session cookie to
      // the browser, and let the page unlock the key with the password as after a reload.
      const signedIn = await firstSignIn(portal.url, sp.email, sp.password);
      const context = await browser.newContext();
      const cookie = await cookieOf(signedIn.client.options.fetch as typeof fetch);
      await context.addCookies([{ name: "cor_staff", value: cookie, url: portal.url }]);
      const page = await context.newPage();
      await page.goto(`${portal.url}/staff?lang=en&status=open`);
      await page.getByLabel(/^Password/).fill(sp.password);
      await page.getByRole("button", { name: "Unlock" }).click();
      await page.getByTestId("inbox").waitFor({ timeout: 60_000 });
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        await page.evaluate(() => performance.clearMeasures("inbox-decrypt"));
        await page.getByRole("link", { name: "Next page" }).click();
        await page.waitForFunction(() => performance.getEntriesByName("inbox-decrypt").length > 0);
        samples.push(await page.evaluate(() => Math.max(...performance.getEntriesByName("inbox-decrypt").map((e) => e.duration))));
      }
      samples.sort((a, b) => a - b);
      decrypt50Ms = samples[Math.floor(samples.length / 2)]!;
      process.stderr.write(
        `[inbox ${sp.backend}] 50 titles decrypted in the inbox page: ${decrypt50Ms.toFixed(1)} ms (floor ${decryptFloorMs.toFixed(1)} ms)\n`,
      );
    } finally {
      await browser.close();
    }
  }
  const worstP95 = Math.max(...Object.values(queries).map((q) => q.p95));
  return {
    backend: sp.backend,
    cases: sp.cases,
    seedSeconds: sp.seedSeconds,
    sealSeconds: sp.sealSeconds,
    insertSeconds: sp.insertSeconds,
    queries,
    worstP95,
    targetP95: TARGET_INBOX_P95_MS,
    decrypt50Ms,
    decryptFloorMs,
    decryptTargetMs: TARGET_DECRYPT_MS,
  };
}

/** The staff session cookie a Node cookie-jar fetch holds: it attaches it to every request, so a local echo server reads it. */
export async function cookieOf(jarFetch: typeof fetch): Promise<string> {
  let seen = "";
  const { createServer } = await import("node:http");
  const server = createServer((req, res) => {
    seen = String(req.headers.cookie ?? "");
    res.end("ok");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  await jarFetch(`http://127.0.0.1:${port}/`);
  server.close();
  const m = /cor_staff=([A-Za-z0-9_-]+)/.exec(seen);
  if (!m) throw new Error("no staff session cookie");
  return m[1]!;
}
