// Hostile JSON (issue 16, rows 5 and 6) against the production server process:
// what one hostile 1 MiB body costs the server's main thread, and how long
// /healthz takes while four of them arrive at once. The bodies go to the
// anonymous submission endpoint (POST /api/intake/reports, the largest
// anonymous JSON limit). Server CPU is read from /proc (bench/lib/cpu.ts), so
// the client's own work is not counted. Floor: the same server's CPU for a
// 1 MiB body it refuses before parsing (a string that is not an object, cut
// off) and /healthz on an idle server.
import { processCpuMs } from "./lib/cpu";
import type { Backend } from "./lib/backends";
import type { PortalProcess } from "./lib/portal";
import { fmt, printTable, stats } from "./lib/util";
import { rawRequest } from "../test/support/raw-http";

const MiB = 1024 * 1024;

const envelopes = (n: number) => Buffer.from(JSON.stringify({ envelopes: Array.from({ length: n }, () => ({ staffUserId: "x", envelope: "y" })) }));

/** The hostile shapes of issue 16, each about 1 MiB (the submission endpoint's limit). */
export function hostileBodies(): { name: string; body: Buffer }[] {
  const half = MiB / 2;
  return [
    { name: "1 MiB of unclosed [", body: Buffer.from("[".repeat(MiB)) },
    { name: "512 Ki nested arrays, closed", body: Buffer.from("[".repeat(half) + "]".repeat(half)) },
    { name: "array of 500,000 zeros", body: Buffer.from(`[${"0,".repeat(half - 2)}0]`) },
    { name: "object of 80,000 members", body: Buffer.from(`{${Array.from({ length: 80_000 }, (_, i) => `"k${i}":0`).join(",")}}`) },
    // Past the submission's element limit (4,670: its largest valid body plus room for unknown members).
    { name: "3,300 wrong envelopes (9,901 elements)", body: envelopes(3300) },
    // Just within it: what still reaches JSON.parse and the schema, the most a hostile body can cost now.
    { name: "1,556 wrong envelopes (4,669 elements)", body: envelopes(1556) },
  ];
}

export interface HostileJsonResult {
  backend: Backend;
  shapes: { name: string; bytes: number; status: number; code: string; serverCpuMs: number; answerMs: number }[];
  /** Server CPU for a 1 MiB body refused unparsed (`"aaa…` cut off: not JSON). */
  floorCpuMs: number;
  healthzIdleP50Ms: number;
  /** /healthz polled while 4 bodies of 1 MiB nested [ arrive in parallel: the slowest answer. */
  healthzDuringAttackMaxMs: number;
  attackStatuses: number[];
}

const post = (url: string, body: Buffer) =>
  rawRequest(url, { method: "POST", path: "/api/intake/reports", headers: { "Content-Type": "application/json" }, body, timeoutMs: 60_000 });

async function cpuPer(portal: PortalProcess, body: Buffer, runs: number) {
  let status = 0;
  let code = "";
  const ms: number[] = [];
  const before = processCpuMs(portal.pid) ?? 0;
  for (let i = 0; i < runs; i++) {
    const r = await post(portal.url, body);
    status = r.status;
    code = r.text.startsWith("{") ? ((JSON.parse(r.text) as { error?: { code?: string } }).error?.code ?? "") : r.text.slice(0, 30);
    ms.push(r.ms);
  }
  const cpu = ((processCpuMs(portal.pid) ?? 0) - before) / runs;
  return { status, code, serverCpuMs: cpu, answerMs: stats(ms)!.p50 };
}

export async function benchHostileJson(backend: Backend, portal: PortalProcess, runs = 5): Promise<HostileJsonResult> {
  // Warm the route (first request compiles the route module's code paths).
  await post(portal.url, Buffer.from("{}"));
  const floor = await cpuPer(portal, Buffer.from(`"${"a".repeat(MiB - 1)}`), runs);
  const shapes: HostileJsonResult["shapes"] = [];
  for (const { name, body } of hostileBodies()) shapes.push({ name, bytes: body.length, ...(await cpuPer(portal, body, runs)) });

  const idle: number[] = [];
  for (let i = 0; i < 20; i++) idle.push((await rawRequest(portal.url, { method: "GET", path: "/healthz" })).ms);

  // The attack of row 5: four bodies at once, /healthz polled until they are all answered.
  const nested = Buffer.from("[".repeat(MiB));
  let done = false;
  const attack = Promise.all(Array.from({ length: 4 }, () => post(portal.url, nested))).finally(() => (done = true));
  const during: number[] = [];
  while (!done || during.length === 0) during.push((await rawRequest(portal.url, { method: "GET", path: "/healthz", timeoutMs: 60_000 })).ms);
  const answers = await attack;
  return {
    backend,
    shapes,
    floorCpuMs: floor.serverCpuMs,
    healthzIdleP50Ms: stats(idle)!.p50,
    healthzDuringAttackMaxMs: Math.max(...during),
    attackStatuses: answers.map((a) => a.status),
  };
}

export function printHostileJson(results: HostileJsonResult[]): void {
  const rows: string[][] = [];
  for (const r of results) {
    for (const s of r.shapes)
      rows.push([`${r.backend}: ${s.name}`, `${s.status} ${s.code}`, fmt.ms(s.serverCpuMs, 1), fmt.ms(r.floorCpuMs, 1), fmt.ms(s.answerMs, 1)]);
    rows.push([
      `${r.backend}: /healthz during 4 x 1 MiB [ in parallel`,
      r.attackStatuses.join(" "),
      "",
      `idle p50 ${fmt.ms(r.healthzIdleP50Ms, 1)}`,
      `max ${fmt.ms(r.healthzDuringAttackMaxMs, 1)}`,
    ]);
  }
  printTable("Hostile JSON (issue 16 rows 5, 6): server CPU per body", ["body", "answer", "server CPU", "floor (unparsed 1 MiB)", "answer time"], rows);
}
