// A portal holding many cases (100,000 by default), for the receipt look-up
// and inbox benchmarks: the production build served in this process (the
// benchmarks call domain functions server-side as well as over HTTP), on a
// fresh PGlite data directory or a fresh PostgreSQL database, one
// investigator created with the CLI command, then cases seeded in batches of
// 1,000 with real sealed boxes (each case's keys sealed to the investigator)
// and real title ciphertexts, spread over statuses, categories, dates and
// assignees, then vacuumed and analysed. Background jobs are off so that nothing else runs meanwhile.
// Sealing 100,000 boxes is most of the seeding time, so it is done once per run:
// the second backend gets a copy of the first one's investigator row (same id,
// same keys) and the same sealed cases.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { encryptJson, generateReportKeys, loadSodium, newRecordId, sealReportKeys, type StaffPublicKey } from "../../crypto";
import type { Services } from "../../app/.server/platform/services";
import { categories, reportKeyEnvelopes, reports, staffUsers } from "../../db/schema";
import { startPortal, type RunningPortal } from "../../server/start";
import { commands } from "../../cli/commands";
import { databaseFor, type Backend } from "./backends";

const STATUSES = ["received", "acknowledged", "in_review", "investigating", "closed"] as const;

export interface ScalePortal {
  backend: Backend;
  portal: RunningPortal;
  s: Services;
  me: { id: string; publicKey: Uint8Array };
  email: string;
  password: string;
  categoryIds: string[];
  cases: number;
  seedSeconds: number;
  /** Of seedSeconds, the time spent making the sealed boxes and title ciphertexts (0 where another backend's were reused). */
  sealSeconds: number;
  /** Of seedSeconds, the INSERTs and ANALYZE. */
  insertSeconds: number;
  close(): Promise<void>;
}

export const caseNumberOf = (j: number) => `COR-${String(j).padStart(8, "0").slice(0, 4)}-${String(j).padStart(8, "0").slice(4)}`;

/** Cases sealed once per run and inserted into each backend's database (sealing is most of the seeding time). */
interface SealedSeed {
  cases: number;
  staff: typeof staffUsers.$inferSelect;
  reports: (Omit<typeof reports.$inferInsert, "categoryId"> & { categoryIndex: number })[];
  envelopes: (typeof reportKeyEnvelopes.$inferInsert)[];
  sealSeconds: number;
}
let sealed: SealedSeed | null = null;

/** Lets the sealed cases go once every backend has them. */
export function releaseSealedCases(): void {
  sealed = null;
}

function sealCases(cases: number, staff: typeof staffUsers.$inferSelect, log: (m: string) => void): SealedSeed {
  const started = performance.now();
  const today = new Date();
  const day = (offset: number) => new Date(today.getTime() + offset * 86400_000).toISOString().slice(0, 10);
  const body = new Uint8Array(1065);
  const reporterKey = new Uint8Array(89);
  const out: SealedSeed = { cases, staff, reports: [], envelopes: [], sealSeconds: 0 };
  for (let j = 0; j < cases; j++) {
    const id = newRecordId();
    const keys = generateReportKeys();
    const status = STATUSES[j % 5]!;
    const received = -((j * 7919) % 900);
    out.reports.push({
      id,
      caseNumber: caseNumberOf(j),
      categoryIndex: j,
      status,
      receivedOn: day(received),
      updatedOn: day(received),
      ackDueOn: day(received + 7),
      feedbackDueOn: status === "received" ? null : day(received + 97),
      nextDueOn: status === "closed" ? null : status === "received" ? day(received + 7) : day(received + 97),
      closedOn: status === "closed" ? day(received + 30) : null,
      receiptLookupHash: keys.reportKey.slice(0, 32),
      reporterKeyWrapped: reporterKey,
      titleCt: encryptJson(keys.reportKey, { purpose: "report-title", id }, `Case title number ${j}`),
      bodyCt: body,
      consentReport: true,
      consentOptional: false,
      consentAffiliateIdentity: false,
      assigneeId: j % 3 === 0 ? staff.id : null,
    });
    out.envelopes.push({
      reportId: id,
      staffUserId: staff.id,
      envelope: sealReportKeys(keys, id, staff.publicKey as StaffPublicKey),
      grantedOn: day(received),
    });
    if ((j + 1) % 25_000 === 0) log(`  ${j + 1} cases sealed (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  }
  out.sealSeconds = (performance.now() - started) / 1000;
  return out;
}

/** A migrated database to start from instead of an empty one (the test run's snapshot, ADR 023); the benchmarks start empty. */
export interface ScaleDatabaseStart {
  /** A PGlite data directory to copy. */
  pgliteSnapshot?: string;
  /** A PostgreSQL database to create the fresh one from. */
  postgresTemplate?: string;
}

export async function startScalePortal(backend: Backend, cases: number, log: (m: string) => void, from: ScaleDatabaseStart = {}): Promise<ScalePortal> {
  await loadSodium();
  const db = await databaseFor(backend, from.postgresTemplate || undefined);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `cor-bench-scale-${backend}-`));
  let portal: RunningPortal | null = null;
  try {
    if (backend === "pglite" && from.pgliteSnapshot) await promisify(execFile)("cp", ["-R", from.pgliteSnapshot, path.join(dataDir, "pgdata")]); // config.paths.pglite
    portal = await startPortal({
      env: {
        NODE_ENV: "production",
        PORT: "0",
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        DATABASE_URL: db.url,
        // Not "warn": the start-up notes about an empty installation come before the investigator exists.
        LOG_LEVEL: "error",
        // A deliberate wait per look-up, not a cost; requests wait in parallel (see receipt-lookup.ts).
        RECEIPT_MIN_RESPONSE_MS: "0",
        NOTIFY_INTERVAL_MINUTES: "0",
        RETENTION_INTERVAL_MINUTES: "0",
        DB_UPKEEP_INTERVAL_MINUTES: "0",
      },
    });
    const s = portal.services;
    const email = "bench@okestro.example";
    const password = "saffron lighthouse quarterly ledger";
    let sealSeconds = 0;
    if (sealed?.cases !== cases) {
      // The investigator, made by the CLI command; its row (keys included) is copied into the other backend's database.
      const pw = path.join(dataDir, "pw.txt");
      await writeFile(pw, `${password}\n`);
      await commands["user:create"]!(s, ["--role", "investigator", "--email", email, "--password-file", pw, "--name", "Bench"]);
      const [staff] = await s.db.select().from(staffUsers);
      log(`  sealing ${cases} cases to the investigator (once for all backends)`);
      sealed = sealCases(cases, staff!, log);
      sealSeconds = sealed.sealSeconds;
    } else {
      await s.db.insert(staffUsers).values(sealed.staff);
    }
    const seed = sealed;
    const cats = await s.db.select({ id: categories.id }).from(categories);
    const started = performance.now();
    for (let i = 0; i < cases; i += 1000) {
      const batch = seed.reports.slice(i, i + 1000).map(({ categoryIndex, ...r }) => ({ ...r, categoryId: cats[categoryIndex % cats.length]!.id }));
      await s.db.insert(reports).values(batch);
      await s.db.insert(reportKeyEnvelopes).values(seed.envelopes.slice(i, i + 1000));
      if ((i + 1000) % 25_000 === 0) log(`  ${i + 1000} cases inserted (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    // The state PostgreSQL's autovacuum and the portal's upkeep job on PGlite (ADR 019) keep tables in:
    // visibility maps set and statistics current. Right after a bulk insert they are neither, and
    // when autovacuum would get there during the run was chance (finding 14 in docs/BENCHMARKS.md).
    await s.db.execute(sql`vacuum (analyze)`);
    const insertSeconds = (performance.now() - started) / 1000;
    const p = portal;
    return {
      backend,
      portal: p,
      s,
      me: { id: seed.staff.id, publicKey: seed.staff.publicKey },
      email,
      password,
      categoryIds: cats.map((c) => c.id),
      cases,
      seedSeconds: insertSeconds + sealSeconds,
      sealSeconds,
      insertSeconds,
      close: async () => {
        await p.close();
        await db.release();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await portal?.close().catch(() => {});
    await db.release().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
