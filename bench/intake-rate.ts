// Intake under concurrent reporters (DESIGN.md section 6: "intake adds little
// over its floor"): real encrypted submissions made by the app's intake client
// in Node (sealed to the investigator, receipt derived, POST
// /api/intake/reports) against the production server in a child process, for
// BENCH_INTAKE_SECONDS at each concurrency in BENCH_INTAKE_CONCURRENCY. Text
// reports without files, so one submission is one HTTP request. Retries are
// off: an error is counted, not hidden.
//
// Floors, measured in the same run with the same concurrency and the same
// number of operations as submissions acknowledged:
//   - GET /healthz on the same server (HTTP stack + one `select 1`);
//   - bare INSERTs, through the same driver (drizzle) into the same database,
//     of rows as large as what one submission stores (its ciphertexts, receipt
//     look-up hash and envelope). For PGlite that needs the server stopped
//     (one process per data directory), so the INSERTs run after it, in this
//     process, on the same data directory; PostgreSQL likewise, for symmetry.
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { sql } from "drizzle-orm";
import { fetchIntakeInfo, submitEncryptedReport } from "../app/reporter/intake-client";
import { fromBase64Url, loadSodium, newRecordId, sealNewReport, type StaffPublicKey } from "../crypto";
import { openDatabase } from "../db/client";
import { postgresCpu, type Backend } from "./lib/backends";
import { startCpuAccounting } from "./lib/cpu";
import { accessLines, type PortalProcess } from "./lib/portal";
import { fixedDraft } from "./lib/reporters";
import { closedLoop, fmt, printTable, say, settle, stats, type Stats } from "./lib/util";

export interface Measured {
  count: number;
  seconds: number;
  perSecond: number;
  latency: Stats | null;
  errors: number;
}

export interface IntakeLevel {
  concurrency: number;
  intake: Measured & {
    firstError: string | null;
    /** CPU per acknowledged submission: the server process (with PGlite inside), this process (the reporters), PostgreSQL's processes, everything else on the machine. */
    serverCpuMsPerOp: number;
    clientCpuMsPerOp: number;
    postgresCpuMsPerOp: number;
    otherCpuMsPerOp: number;
    /** Time the server spent per submission request, from its access log (request in to response out). */
    serverLatency: Stats | null;
  };
  healthz: Measured;
  insert: Measured | null;
}

export interface IntakeRateResult {
  backend: Backend;
  payloadBytes: number;
  levels: IntakeLevel[];
}

function measured(r: Awaited<ReturnType<typeof closedLoop>>): Measured {
  return { count: r.count, seconds: r.wallMs / 1000, perSecond: r.count / (r.wallMs / 1000), latency: stats(r.latencies), errors: r.errors.length };
}

/** Intake and the /healthz floor while the server runs. */
export async function benchIntakeRate(o: { backend: Backend; portal: PortalProcess; databaseUrl: string | undefined; levels: number[]; seconds: number; cores: number }): Promise<IntakeRateResult> {
  await loadSodium();
  const info = await fetchIntakeInfo({ baseUrl: o.portal.url });
  const draft = fixedDraft(info);
  // Bytes one submission stores: the sealed fields, the receipt look-up hash and the envelopes.
  const sample = sealNewReport({
    reportId: newRecordId(),
    title: draft.title,
    body: draft.body,
    identity: draft.identity,
    recipients: info.investigators.map((i) => ({ staffUserId: i.id, publicKey: fromBase64Url(i.publicKey) as StaffPublicKey })),
  });
  const payloadBytes =
    sample.title.length + sample.body.length + (sample.identity?.length ?? 0) + sample.reporterKey.length + 32 + sample.envelopes.reduce((n, e) => n + e.envelope.length, 0);
  const levels: IntakeLevel[] = [];
  // Warm-up: JIT, connection pools, prepared statements.
  await closedLoop(4, () => submitEncryptedReport(draft, [], info, { baseUrl: o.portal.url, retryDelaysMs: [] }).then(() => undefined), (n) => n >= 40);
  for (const c of o.levels) {
    await settle(`intake at concurrency ${c}`);
    say(`[${o.backend}] intake: ${c} concurrent reporters for ${o.seconds} s (Node intake client, text reports)`);
    const mark = o.portal.lines.length;
    const acct = startCpuAccounting([{ group: "server", pid: o.portal.pid }], o.cores);
    const pgAcct = o.databaseUrl ? await postgresCpu(o.databaseUrl) : null;
    const end = performance.now() + o.seconds * 1000;
    const r = await closedLoop(
      c,
      async () => {
        await submitEncryptedReport(draft, [], info, { baseUrl: o.portal.url, retryDelaysMs: [] });
      },
      () => performance.now() >= end,
    );
    const pgMs = (await pgAcct?.stop()) ?? 0;
    const cpu = acct.stop();
    const ops = Math.max(1, r.count);
    const server = cpu.byProcess.find((p) => p.group === "server")?.cpuMs ?? 0;
    const client = cpu.byProcess.find((p) => p.group === "bench")?.cpuMs ?? 0;
    const intake = {
      ...measured(r),
      firstError: r.errors.length ? String((r.errors[0] as Error).message ?? r.errors[0]) : null,
      serverCpuMsPerOp: server / ops,
      clientCpuMsPerOp: client / ops,
      postgresCpuMsPerOp: pgMs / ops,
      otherCpuMsPerOp: Math.max(0, cpu.otherCpuMs - pgMs) / ops,
      serverLatency: stats(
        accessLines(o.portal.lines.slice(mark))
          .filter((l) => l.method === "POST" && l.path === "/api/intake/reports")
          .map((l) => l.ms),
      ),
    };
    say(`  ${intake.count} acknowledged, ${fmt.perS(intake.perSecond)}, p50 ${fmt.ms(intake.latency?.p50)}, p99 ${fmt.ms(intake.latency?.p99)}, ${intake.errors} errors`);
    const healthz = measured(
      await closedLoop(
        c,
        async () => {
          const res = await fetch(`${o.portal.url}/healthz`);
          await res.arrayBuffer();
          if (!res.ok) throw new Error(`healthz ${res.status}`);
        },
        (n) => n >= Math.max(c, r.count),
      ),
    );
    say(`  floor: the same number of GET /healthz: ${fmt.perS(healthz.perSecond)}, p50 ${fmt.ms(healthz.latency?.p50)}, p99 ${fmt.ms(healthz.latency?.p99)}`);
    levels.push({ concurrency: c, intake, healthz, insert: null });
  }
  return { backend: o.backend, payloadBytes, levels };
}

/** The bare-INSERT floor, after the server has stopped, on the same database. */
export async function insertFloor(result: IntakeRateResult, where: { dataDir: string; databaseUrl: string | undefined }): Promise<void> {
  const handle = await openDatabase({ url: where.databaseUrl, pgliteDir: path.join(where.dataDir, "pgdata"), poolSize: 10 });
  try {
    await handle.db.execute(sql`create table if not exists bench_insert_floor (id uuid primary key, received_on date not null, payload bytea not null)`);
    const payload = randomBytes(result.payloadBytes);
    // Warm-up, as for intake.
    await closedLoop(4, () => handle.db.execute(sql`insert into bench_insert_floor (id, received_on, payload) values (${randomUUID()}, ${"2026-11-22"}, ${payload})`).then(() => undefined), (n) => n >= 40);
    for (const level of result.levels) {
      await settle(`the INSERT floor at concurrency ${level.concurrency}`);
      level.insert = measured(
        await closedLoop(
          level.concurrency,
          async () => {
            await handle.db.execute(sql`insert into bench_insert_floor (id, received_on, payload) values (${randomUUID()}, ${"2026-11-22"}, ${payload})`);
          },
          (n) => n >= Math.max(level.concurrency, level.intake.count),
        ),
      );
      say(`[${result.backend}] floor: ${level.insert.count} bare INSERTs of ${result.payloadBytes} bytes at concurrency ${level.concurrency}: ${fmt.perS(level.insert.perSecond)}, p50 ${fmt.ms(level.insert.latency?.p50)}, p99 ${fmt.ms(level.insert.latency?.p99)}`);
    }
    await handle.db.execute(sql`drop table bench_insert_floor`);
  } finally {
    await handle.close();
  }
}

export function printIntakeRate(results: IntakeRateResult[]): void {
  const rows: string[][] = [];
  for (const r of results) {
    for (const l of r.levels) {
      const i = l.intake;
      rows.push([
        `${r.backend}, ${l.concurrency} reporters: intake`,
        `${fmt.perS(i.perSecond)} (${i.count} in ${i.seconds.toFixed(1)} s)`,
        `p50 ${fmt.ms(i.latency?.p50)} / p99 ${fmt.ms(i.latency?.p99)}`,
        l.insert ? `${fmt.ratio(i.perSecond / l.insert.perSecond)} of INSERT floor` : "",
        `${fmt.ratio(i.perSecond / l.healthz.perSecond)} of /healthz floor`,
        `${i.errors} errors${i.firstError ? ` (${i.firstError})` : ""}; CPU per submission: server ${i.serverCpuMsPerOp.toFixed(1)} ms${r.backend === "postgres" ? `, PostgreSQL ${i.postgresCpuMsPerOp.toFixed(1)} ms` : ""}, client ${i.clientCpuMsPerOp.toFixed(1)} ms, other processes ${i.otherCpuMsPerOp.toFixed(1)} ms`,
      ]);
      rows.push([
        "  of which in the server (access log)",
        "",
        `p50 ${fmt.ms(i.serverLatency?.p50)} / p99 ${fmt.ms(i.serverLatency?.p99)}`,
        "",
        "",
        "the rest: the client's sealing, HTTP, queueing",
      ]);
      if (l.insert) {
        rows.push([
          `  floor: bare INSERT of ${r.payloadBytes} B`,
          `${fmt.perS(l.insert.perSecond)} (${l.insert.count})`,
          `p50 ${fmt.ms(l.insert.latency?.p50, 2)} / p99 ${fmt.ms(l.insert.latency?.p99, 2)}`,
          "1x",
          "",
          "same database, same driver, no HTTP",
        ]);
      }
      rows.push([
        "  floor: GET /healthz",
        `${fmt.perS(l.healthz.perSecond)} (${l.healthz.count})`,
        `p50 ${fmt.ms(l.healthz.latency?.p50, 2)} / p99 ${fmt.ms(l.healthz.latency?.p99, 2)}`,
        "",
        "1x",
        "same server: HTTP stack + select 1",
      ]);
    }
  }
  printTable("Intake under concurrent reporters (Node intake client, real encrypted text reports)", ["measure", "rate", "latency", "vs INSERT", "vs /healthz", "note"], rows);
}
