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
//     process, on the same data directory; PostgreSQL likewise, for symmetry;
//   - the same submissions (the same intake client, so the same sealing and the
//     same POST body) to a plain node:http server in this process that parses
//     the JSON and stores the same bytes with one bare INSERT through the same
//     driver: into the same PostgreSQL database, or for PGlite into an instance
//     of its own on a temporary directory (the server holds the data directory).
//     What intake costs beyond that is what the portal's server adds.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { SubmitReportRequest } from "../app/intake/wire";
import { fetchIntakeInfo, submitEncryptedReport } from "../app/reporter/intake-client";
import { fromBase64Url, loadSodium, newRecordId, sealNewReport, type StaffPublicKey } from "../crypto";
import { openDatabase, type DatabaseHandle } from "../db/client";
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
  /** The same POST to a plain node:http server doing one bare INSERT of the same bytes. */
  plainHttp: Measured | null;
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

const FLOOR_DAY = "2026-11-22";

/** A node:http server that takes a submission's POST, parses the JSON and INSERTs its bytes in one row, nothing else. */
async function startPlainIntakeServer(handle: DatabaseHandle): Promise<{ url: string; close(): Promise<void> }> {
  await handle.db.execute(sql`create table if not exists bench_http_floor (id uuid primary key, received_on date not null, payload bytea not null)`);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const store = async () => {
        const b = JSON.parse(Buffer.concat(chunks).toString("utf8")) as SubmitReportRequest;
        const fields = [b.title, b.body, b.identity ?? "", b.reporterKey, b.receiptLookup, ...b.envelopes.map((e) => e.envelope)];
        const payload = Buffer.concat(fields.map((f) => Buffer.from(f, "base64url")));
        await handle.db.execute(sql`insert into bench_http_floor (id, received_on, payload) values (${b.reportId}, ${FLOOR_DAY}, ${payload})`);
      };
      store().then(
        () => res.writeHead(201, { "Content-Type": "application/json" }).end(JSON.stringify({ caseNumber: "COR-0000-0000", ackDueOn: FLOOR_DAY })),
        (error: Error) => res.writeHead(500, { "Content-Type": "text/plain" }).end(error.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await handle.db.execute(sql`drop table bench_http_floor`);
    },
  };
}

interface RateOptions {
  backend: Backend;
  portal: PortalProcess;
  databaseUrl: string | undefined;
  levels: number[];
  seconds: number;
  cores: number;
}

/** Intake, the /healthz floor and the plain-HTTP floor while the server runs. */
export async function benchIntakeRate(o: RateOptions): Promise<IntakeRateResult> {
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
    sample.title.length +
    sample.body.length +
    (sample.identity?.length ?? 0) +
    sample.reporterKey.length +
    32 +
    sample.envelopes.reduce((n, e) => n + e.envelope.length, 0);
  const levels: IntakeLevel[] = [];
  const submitTo = (baseUrl: string) => () => submitEncryptedReport(draft, [], info, { baseUrl, retryDelaysMs: [] }).then(() => undefined);
  // Warm-up: JIT, connection pools, prepared statements.
  await closedLoop(4, submitTo(o.portal.url), (n) => n >= 40);
  const floorDir = o.databaseUrl ? null : await mkdtemp(path.join(os.tmpdir(), "bench-http-floor-"));
  const floorDb = await openDatabase({ url: o.databaseUrl, pgliteDir: floorDir ?? undefined, poolSize: 10 });
  const plain = await startPlainIntakeServer(floorDb);
  try {
    await closedLoop(4, submitTo(plain.url), (n) => n >= 40);
    for (const c of o.levels) levels.push(await intakeLevel(o, c, submitTo(o.portal.url), submitTo(plain.url)));
  } finally {
    await plain.close();
    await floorDb.close();
    if (floorDir) await rm(floorDir, { recursive: true, force: true });
  }
  return { backend: o.backend, payloadBytes, levels };
}

async function intakeLevel(o: RateOptions, c: number, submit: () => Promise<void>, submitPlain: () => Promise<void>): Promise<IntakeLevel> {
  await settle(`intake at concurrency ${c}`);
  say(`[${o.backend}] intake: ${c} concurrent reporters for ${o.seconds} s (Node intake client, text reports)`);
  const mark = o.portal.lines.length;
  const acct = startCpuAccounting([{ group: "server", pid: o.portal.pid }], o.cores);
  const pgAcct = o.databaseUrl ? await postgresCpu(o.databaseUrl) : null;
  const end = performance.now() + o.seconds * 1000;
  const r = await closedLoop(c, submit, () => performance.now() >= end);
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
  say(
    `  ${intake.count} acknowledged, ${fmt.perS(intake.perSecond)}, p50 ${fmt.ms(intake.latency?.p50)}, p99 ${fmt.ms(intake.latency?.p99)}, ${intake.errors} errors`,
  );
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
  const plainHttp = measured(await closedLoop(c, submitPlain, (n) => n >= Math.max(c, r.count)));
  say(
    `  floor: the same number of submissions to plain node:http + one INSERT: ${fmt.perS(plainHttp.perSecond)}, p50 ${fmt.ms(plainHttp.latency?.p50)}, p99 ${fmt.ms(plainHttp.latency?.p99)}, ${plainHttp.errors} errors`,
  );
  return { concurrency: c, intake, healthz, plainHttp, insert: null };
}

/** The bare-INSERT floor, after the server has stopped, on the same database. */
export async function insertFloor(result: IntakeRateResult, where: { dataDir: string; databaseUrl: string | undefined }): Promise<void> {
  const handle = await openDatabase({ url: where.databaseUrl, pgliteDir: path.join(where.dataDir, "pgdata"), poolSize: 10 });
  try {
    await handle.db.execute(sql`create table if not exists bench_insert_floor (id uuid primary key, received_on date not null, payload bytea not null)`);
    const payload = randomBytes(result.payloadBytes);
    // Warm-up, as for intake.
    await closedLoop(
      4,
      () =>
        handle.db
          .execute(sql`insert into bench_insert_floor (id, received_on, payload) values (${randomUUID()}, ${FLOOR_DAY}, ${payload})`)
          .then(() => undefined),
      (n) => n >= 40,
    );
    for (const level of result.levels) {
      await settle(`the INSERT floor at concurrency ${level.concurrency}`);
      level.insert = measured(
        await closedLoop(
          level.concurrency,
          async () => {
            await handle.db.execute(sql`insert into bench_insert_floor (id, received_on, payload) values (${randomUUID()}, ${FLOOR_DAY}, ${payload})`);
          },
          (n) => n >= Math.max(level.concurrency, level.intake.count),
        ),
      );
      say(
        `[${result.backend}] floor: ${level.insert.count} bare INSERTs of ${result.payloadBytes} bytes at concurrency ${level.concurrency}: ${fmt.perS(level.insert.perSecond)}, p50 ${fmt.ms(level.insert.latency?.p50)}, p99 ${fmt.ms(level.insert.latency?.p99)}`,
      );
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
        l.plainHttp ? `${fmt.ratio(i.perSecond / l.plainHttp.perSecond)} of plain HTTP floor` : "",
        `${fmt.ratio(i.perSecond / l.healthz.perSecond)} of /healthz floor`,
        `${i.errors} errors${i.firstError ? ` (${i.firstError})` : ""}; CPU per submission: server ${i.serverCpuMsPerOp.toFixed(1)} ms${r.backend === "postgres" ? `, PostgreSQL ${i.postgresCpuMsPerOp.toFixed(1)} ms` : ""}, client ${i.clientCpuMsPerOp.toFixed(1)} ms, other processes ${i.otherCpuMsPerOp.toFixed(1)} ms`,
      ]);
      rows.push([
        "  of which in the server (access log)",
        "",
        `p50 ${fmt.ms(i.serverLatency?.p50)} / p99 ${fmt.ms(i.serverLatency?.p99)}`,
        "",
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
          "",
          "same database, same driver, no HTTP",
        ]);
      }
      if (l.plainHttp) {
        rows.push([
          "  floor: same POST to plain node:http + one INSERT",
          `${fmt.perS(l.plainHttp.perSecond)} (${l.plainHttp.count})`,
          `p50 ${fmt.ms(l.plainHttp.latency?.p50, 2)} / p99 ${fmt.ms(l.plainHttp.latency?.p99, 2)}`,
          "",
          "1x",
          "",
          `same client and body, JSON.parse, same driver${r.backend === "pglite" ? ", own PGlite in the bench process" : ", same database"}; ${l.plainHttp.errors} errors`,
        ]);
      }
      rows.push([
        "  floor: GET /healthz",
        `${fmt.perS(l.healthz.perSecond)} (${l.healthz.count})`,
        `p50 ${fmt.ms(l.healthz.latency?.p50, 2)} / p99 ${fmt.ms(l.healthz.latency?.p99, 2)}`,
        "",
        "",
        "1x",
        "same server: HTTP stack + select 1",
      ]);
    }
  }
  printTable(
    "Intake under concurrent reporters (Node intake client, real encrypted text reports)",
    ["measure", "rate", "latency", "vs INSERT", "vs plain HTTP", "vs /healthz", "note"],
    rows,
  );
}
