// Receipt look-ups per second: the whole follow-up login (derive in the
// client, POST, server look-up, session row, case view, unwrap and decrypt)
// against its floor, the same derivation plus the bare indexed query, measured
// in the same run on the same database. The uniform-timing floor
// (RECEIPT_MIN_RESPONSE_MS) is set to 0 here: it is a deliberate delay per
// request, not a cost, and it does not limit throughput (requests wait in parallel).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { deriveReceiptSecrets, loadSodium } from "../crypto";
import { receiptLookupHash } from "../app/.server/receipt-lookup";
import { openCase } from "../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../app/reporter/intake-client";
import { categories, reports } from "../db/schema";
import { startPortal } from "../server/start";
import { commands } from "../cli/commands";
import { writeFile } from "node:fs/promises";

export interface LookupResult {
  backend: "pglite" | "postgres";
  cases: number;
  fullPerSecond: number;
  /** Same derivation + the bare indexed query, in process. */
  floorPerSecond: number;
  ratio: number;
  /** Same derivation + query, plus one HTTP round trip through the same server stack (GET /healthz). */
  httpFloorPerSecond: number;
  httpRatio: number;
  fullP50Ms: number;
  fullP95Ms: number;
}

async function timed(concurrency: number, seconds: number, op: () => Promise<void>): Promise<{ perSecond: number; p50: number; p95: number }> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: latencies.length / elapsed,
    p50: latencies[Math.floor(latencies.length * 0.5)] ?? 0,
    p95: latencies[Math.floor(latencies.length * 0.95)] ?? 0,
  };
}

export async function benchReceiptLookups(backend: "pglite" | "postgres", databaseUrl: string | undefined, options = { cases: 5000, seconds: 5, concurrency: 8 }): Promise<LookupResult> {
  await loadSodium();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "cor-bench-receipt-"));
  const portal = await startPortal({
    env: {
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: "warn",
      RECEIPT_MIN_RESPONSE_MS: "0",
    },
  });
  try {
    const s = portal.services;
    const pw = path.join(dataDir, "pw.txt");
    await writeFile(pw, "quiet lookups of many receipts\n");
    await commands["user:create"]!(s, ["--role", "investigator", "--email", "bench@okestro.example", "--password-file", pw]);
    const info = await fetchIntakeInfo({ baseUrl: portal.url });
    const real = await submitEncryptedReport(
      {
        categoryId: info.categories[0]!.id,
        title: "bench",
        body: { description: "bench", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: false,
        consentAffiliateIdentity: false,
      },
      [],
      info,
      { baseUrl: portal.url },
    );
    // Filler cases so the index has realistic depth; their contents are never read.
    const [cat] = await s.db.select().from(categories).limit(1);
    const [template] = await s.db.select().from(reports).where(eq(reports.id, real.reportId));
    for (let i = 0; i < options.cases - 1; i += 500) {
      const rows = Array.from({ length: Math.min(500, options.cases - 1 - i) }, (_, j) => ({
        ...template!,
        id: crypto.randomUUID(),
        caseNumber: `COR-B${String(i + j).padStart(8, "0")}`,
        categoryId: cat!.id,
        receiptLookupHash: receiptLookupHash(randomBytes(32)),
      }));
      await s.db.insert(reports).values(rows);
    }
    const full = await timed(options.concurrency, options.seconds, async () => {
      const { session } = await openCase(real.receiptCode, { baseUrl: portal.url });
      session.forget();
    });
    const floor = await timed(options.concurrency, options.seconds, async () => {
      const { lookup } = deriveReceiptSecrets(real.receiptCode);
      const [row] = await s.db.select({ id: reports.id }).from(reports).where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
      if (!row) throw new Error("floor query found nothing");
    });
    const httpFloor = await timed(options.concurrency, options.seconds, async () => {
      const { lookup } = deriveReceiptSecrets(real.receiptCode);
      const [row] = await s.db.select({ id: reports.id }).from(reports).where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
      if (!row) throw new Error("floor query found nothing");
      const r = await fetch(`${portal.url}/healthz`);
      await r.arrayBuffer();
    });
    return {
      backend,
      httpFloorPerSecond: httpFloor.perSecond,
      httpRatio: full.perSecond / httpFloor.perSecond,
      cases: options.cases,
      fullPerSecond: full.perSecond,
      floorPerSecond: floor.perSecond,
      ratio: full.perSecond / floor.perSecond,
      fullP50Ms: full.p50,
      fullP95Ms: full.p95,
    };
  } finally {
    await portal.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
