// Inbox at scale (DESIGN.md section 6): 100,000 cases in PostgreSQL, the inbox
// query (filter, sort by deadline, page of 50) timed server-side, and the time
// the real inbox page takes to decrypt its 50 titles in Chromium.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { chromium } from "playwright-core";
import { encryptJson, generateReportKeys, loadSodium, newRecordId, sealReportKeys, type StaffPublicKey } from "../crypto";
import { listInbox, type InboxFilter } from "../app/.server/inbox";
import { categories, reportKeyEnvelopes, reports, staffUsers } from "../db/schema";
import { startPortal } from "../server/start";
import { commands } from "../cli/commands";
import { freshPostgresDatabase } from "../test/support/backends";
import { CHROMIUM_ARGS } from "../test/support/browser";
import { firstSignIn } from "../test/support/staff-session";

const STATUSES = ["received", "acknowledged", "in_review", "investigating", "closed"] as const;

export interface InboxBenchResult {
  cases: number;
  seedSeconds: number;
  queries: Record<string, { p50: number; p95: number }>;
  worstP95: number;
  targetP95: number;
  decrypt50Ms: number | null;
  decryptTargetMs: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

export async function benchInbox(options: { cases: number; iterations: number; chromiumPath?: string }): Promise<InboxBenchResult> {
  await loadSodium();
  const pg = await freshPostgresDatabase();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-bench-inbox-"));
  const portal = await startPortal({ env: { NODE_ENV: "production", PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, DATABASE_URL: pg.url, LOG_LEVEL: "warn" } });
  try {
    const s = portal.services;
    const pw = path.join(dataDir, "pw.txt");
    await writeFile(pw, "saffron lighthouse quarterly ledger\n");
    await commands["user:create"]!(s, ["--role", "investigator", "--email", "bench@okestro.example", "--password-file", pw, "--name", "Bench"]);
    const [me] = await s.db.select().from(staffUsers);
    const cats = await s.db.select({ id: categories.id }).from(categories);
    const started = performance.now();
    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() + offset * 86400_000).toISOString().slice(0, 10);
    for (let i = 0; i < options.cases; i += 1000) {
      const batch = [];
      const envs = [];
      for (let j = i; j < Math.min(options.cases, i + 1000); j++) {
        const id = newRecordId();
        const keys = generateReportKeys();
        const status = STATUSES[j % 5]!;
        const received = -((j * 7919) % 900);
        batch.push({
          id,
          caseNumber: `COR-${String(j).padStart(8, "0").slice(0, 4)}-${String(j).padStart(8, "0").slice(4)}`,
          categoryId: cats[j % cats.length]!.id,
          status,
          receivedOn: day(received),
          updatedOn: day(received),
          ackDueOn: day(received + 7),
          feedbackDueOn: status === "received" ? null : day(received + 97),
          nextDueOn: status === "closed" ? null : status === "received" ? day(received + 7) : day(received + 97),
          closedOn: status === "closed" ? day(received + 30) : null,
          receiptLookupHash: keys.reportKey.slice(0, 32),
          reporterKeyWrapped: new Uint8Array(89),
          titleCt: encryptJson(keys.reportKey, { purpose: "report-title", id }, `Case title number ${j}`),
          bodyCt: new Uint8Array(1065),
          consentReport: true,
          consentOptional: false,
          consentAffiliateIdentity: false,
          assigneeId: j % 3 === 0 ? me!.id : null,
        });
        envs.push({ reportId: id, staffUserId: me!.id, envelope: sealReportKeys(keys, id, me!.publicKey as StaffPublicKey), grantedOn: day(received) });
      }
      await s.db.insert(reports).values(batch);
      await s.db.insert(reportKeyEnvelopes).values(envs);
    }
    await s.db.execute(sql`analyze`);
    const seedSeconds = (performance.now() - started) / 1000;

    const filters: Record<string, InboxFilter> = {
      "open, by deadline, page 1": { status: "open", sort: "deadline", page: 1 },
      "all, by deadline, page 20": { sort: "deadline", page: 20 },
      "overdue, by deadline": { overdue: true, sort: "deadline", page: 1 },
      "category + status": { categoryId: cats[2]!.id, status: "investigating", sort: "deadline", page: 1 },
      "assigned to me, by received": { assignee: "me", sort: "received", page: 1 },
      "case number search": { caseNumber: "COR-0004-2042" },
    };
    const queries: InboxBenchResult["queries"] = {};
    for (const [name, f] of Object.entries(filters)) {
      for (let w = 0; w < 5; w++) await listInbox(s, me!.id, f);
      const times: number[] = [];
      for (let k = 0; k < options.iterations; k++) {
        const t0 = performance.now();
        await listInbox(s, me!.id, f);
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      queries[name] = { p50: percentile(times, 0.5), p95: percentile(times, 0.95) };
    }

    process.stderr.write(`[inbox] ${options.cases} cases seeded in ${seedSeconds.toFixed(1)} s; queries: ${JSON.stringify(queries)}\n`);
    let decrypt50Ms: number | null = null;
    if (options.chromiumPath) {
      // Sign in (password -> keys, TOTP) with the Node client, hand its session cookie to the browser,
      // and let the page unlock the key with the password as after a reload.
      const signedIn = await firstSignIn(portal.url, "bench@okestro.example", "saffron lighthouse quarterly ledger");
      const browser = await chromium.launch({ executablePath: options.chromiumPath, args: CHROMIUM_ARGS });
      try {
        const context = await browser.newContext();
        const cookie = await cookieOf(signedIn.client.options.fetch as typeof fetch);
        await context.addCookies([{ name: "cor_staff", value: cookie, url: portal.url }]);
        const page = await context.newPage();
        await page.goto(`${portal.url}/staff?lang=en&status=open`);
        await page.getByLabel(/^Password/).fill("saffron lighthouse quarterly ledger");
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
      } finally {
        await browser.close();
      }
    }
    const worstP95 = Math.max(...Object.values(queries).map((q) => q.p95));
    return { cases: options.cases, seedSeconds, queries, worstP95, targetP95: 20, decrypt50Ms, decryptTargetMs: 50 };
  } finally {
    await portal.close();
    await pg.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The staff session cookie a Node cookie-jar fetch holds: it attaches it to every request, so a local echo server reads it. */
async function cookieOf(jarFetch: typeof fetch): Promise<string> {
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
