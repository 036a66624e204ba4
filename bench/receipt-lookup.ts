// Receipt look-ups per second on a portal holding BENCH_CASES (100,000) cases
// (bench/lib/seed.ts): the whole follow-up log-in (derive in the client, POST,
// server look-up, session row, case view, unwrap and decrypt) against its
// floors, measured in the same run on the same database:
//   A. the same derivation + the same indexed query + one HTTP round trip
//      through the same server stack (GET /healthz);
//   B. the same derivation + the bare indexed query, in process.
// The uniform-timing floor (RECEIPT_MIN_RESPONSE_MS) is set to 0 here: it is a
// deliberate delay per request, not a cost, and it does not limit throughput
// (requests wait in parallel). Client, server and (for PGlite) the database
// share this one Node process, as in the integration tests.
import { eq } from "drizzle-orm";
import { deriveReceiptSecrets } from "../crypto";
import { receiptLookupHash } from "../app/.server/case-access/receipt-lookup";
import { openCase } from "../app/reporter/followup-client";
import { fetchIntakeInfo, submitEncryptedReport } from "../app/reporter/intake-client";
import { reports } from "../db/schema";
import type { Backend } from "./lib/backends";
import type { ScalePortal } from "./lib/seed";
import { closedLoop, fmt, settle, stats } from "./lib/util";

export interface LookupResult {
  backend: Backend;
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
  fullP99Ms: number;
  httpFloorP50Ms: number;
  floorP50Ms: number;
}

async function timed(concurrency: number, seconds: number, op: () => Promise<void>) {
  const end = performance.now() + seconds * 1000;
  const r = await closedLoop(concurrency, op, () => performance.now() >= end);
  if (r.errors.length) throw r.errors[0];
  const s = stats(r.latencies)!;
  return { perSecond: r.count / (r.wallMs / 1000), p50: s.p50, p95: s.p95, p99: s.p99 };
}

export async function benchReceiptLookups(sp: ScalePortal, options = { seconds: 5, concurrency: 8 }): Promise<LookupResult> {
  const { s, portal } = sp;
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
  const bareQuery = async () => {
    const { lookup } = deriveReceiptSecrets(real.receiptCode);
    const [row] = await s.db
      .select({ id: reports.id })
      .from(reports)
      .where(eq(reports.receiptLookupHash, receiptLookupHash(lookup)));
    if (!row) throw new Error("floor query found nothing");
  };
  // Warm-up of all three.
  for (let i = 0; i < 20; i++) {
    (await openCase(real.receiptCode, { baseUrl: portal.url })).session.forget();
    await bareQuery();
  }
  await settle(`receipt look-ups on ${sp.backend}`);
  const full = await timed(options.concurrency, options.seconds, async () => {
    const { session } = await openCase(real.receiptCode, { baseUrl: portal.url });
    session.forget();
  });
  const floor = await timed(options.concurrency, options.seconds, bareQuery);
  const httpFloor = await timed(options.concurrency, options.seconds, async () => {
    await bareQuery();
    const r = await fetch(`${portal.url}/healthz`);
    await r.arrayBuffer();
  });
  const result: LookupResult = {
    backend: sp.backend,
    cases: sp.cases + 1,
    fullPerSecond: full.perSecond,
    floorPerSecond: floor.perSecond,
    ratio: full.perSecond / floor.perSecond,
    httpFloorPerSecond: httpFloor.perSecond,
    httpRatio: full.perSecond / httpFloor.perSecond,
    fullP50Ms: full.p50,
    fullP95Ms: full.p95,
    fullP99Ms: full.p99,
    httpFloorP50Ms: httpFloor.p50,
    floorP50Ms: floor.p50,
  };
  process.stderr.write(
    `  receipt log-in ${fmt.perS(result.fullPerSecond)} (p50 ${fmt.ms(full.p50)}, p95 ${fmt.ms(full.p95)}); floor A ${fmt.perS(result.httpFloorPerSecond)} (${fmt.ratio(result.httpRatio)}), floor B ${fmt.perS(result.floorPerSecond)} (${fmt.ratio(result.ratio)})\n`,
  );
  return result;
}
