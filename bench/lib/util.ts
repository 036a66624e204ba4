// Small helpers shared by the benchmark sections: settings from the
// environment, progress lines, percentiles, tables, and waiting for a quiet
// machine before a timed section.
import { waitForIdle } from "./cpu";

export function envNum(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number (got ${raw})`);
  return n;
}

export function envList(name: string, fallback: string[]): string[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  return raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

const started = Date.now();
export const say = (msg: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${msg}\n`);
export const elapsedS = () => (Date.now() - started) / 1000;

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles. */
export function stats(xs: number[]): Stats | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
  return { n: s.length, mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1]! };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function printTable(title: string, header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const cols = Math.max(...all.map((r) => r.length));
  const w = Array.from({ length: cols }, (_, i) => Math.max(...all.map((r) => (r[i] ?? "").length)));
  const line = (row: string[]) =>
    w
      .map((n, i) => (row[i] ?? "").padEnd(n))
      .join("  ")
      .trimEnd();
  process.stdout.write(`\n${title}\n${line(header)}\n${w.map((n) => "-".repeat(n)).join("  ")}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

export const fmt = {
  ms: (x: number | null | undefined, digits = 1) => (x == null ? "n/a" : `${x.toFixed(digits)} ms`),
  perS: (x: number) => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)}/s`,
  ratio: (x: number | null | undefined) => (x == null || !Number.isFinite(x) ? "n/a" : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}x`),
  mbps: (x: number) => `${x.toFixed(1)} MB/s`,
  kb: (x: number) => `${(x / 1000).toFixed(1)} KB`,
  mib: (x: number | null | undefined) => (x == null ? "n/a" : `${x.toFixed(1)} MiB`),
};

// ------------------------------------------------------------ idle waits

const WAIT_IDLE_S = envNum("BENCH_WAIT_IDLE_S", 30);
const WAIT_IDLE_TOTAL_S = envNum("BENCH_WAIT_IDLE_TOTAL_S", 120);
let waitedTotalS = 0;
export const idleWaits: { before: string; waitedS: number; idle: boolean; lastBusyPct: number }[] = [];

/**
 * Before a timed section: waits up to BENCH_WAIT_IDLE_S for other work on the
 * machine to stop, and no more than BENCH_WAIT_IDLE_TOTAL_S over the whole run,
 * so that a busy shared machine cannot stretch the run without bound.
 */
export async function settle(before: string): Promise<void> {
  const budget = Math.min(WAIT_IDLE_S, WAIT_IDLE_TOTAL_S - waitedTotalS);
  if (budget <= 0) return;
  const r = await waitForIdle(budget);
  waitedTotalS += r.waitedS;
  idleWaits.push({ before, ...r });
  if (!r.idle) say(`WARNING: the machine stayed busy (${r.lastBusyPct.toFixed(0)} %) for ${r.waitedS.toFixed(0)} s before ${before}; measuring anyway`);
  else if (r.waitedS > 1.5) say(`waited ${r.waitedS.toFixed(0)} s for other work on the machine to stop`);
}

/** Runs `concurrency` loops of `op` until `until()` says stop; each op's latency is recorded. */
export async function closedLoop(
  concurrency: number,
  op: (worker: number, i: number) => Promise<void>,
  until: (done: number) => boolean,
): Promise<{ count: number; wallMs: number; latencies: number[]; errors: unknown[] }> {
  const latencies: number[] = [];
  const errors: unknown[] = [];
  let started = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (!until(started)) {
        const i = started++;
        const a = performance.now();
        try {
          await op(w, i);
          latencies.push(performance.now() - a);
        } catch (error) {
          errors.push(error);
        }
      }
    }),
  );
  return { count: latencies.length, wallMs: performance.now() - t0, latencies, errors };
}
