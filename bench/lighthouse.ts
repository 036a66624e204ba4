// Lighthouse on the reporter pages (issue 18): performance, accessibility, best
// practices and SEO of `/`, `/report`, `/status` and `/privacy`, mobile form
// factor with Lighthouse's default (simulated) throttling, against Debian's
// Chromium. Lighthouse is pinned to 12.x, the last line whose engines allow
// Node 20 (ADR 042); it connects to a Chromium started here with the bench's
// flags, so nothing downloads a browser.
//
// Scores move with the machine's load: simulated throttling scales what it
// observed, and a busy core stretches the main-thread tasks it sees. Each page
// is therefore run BENCH_LIGHTHOUSE_RUNS times (median per category), and the
// load average and Lighthouse's own CPU benchmark index are printed beside the
// scores. Targets: performance >= 95, the other three 100. BENCH_LIGHTHOUSE_LOCALES (default `en`; `en,ko`
// for both) picks the languages, each page opened with `?lang=`.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import lighthouse from "lighthouse";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./lib/chromium";
import { ROOT } from "./lib/portal";
import { envList, envNum, median, printTable, say, settle } from "./lib/util";

/** The median run's full report per page, for reading every audit (open in Lighthouse's viewer). */
const REPORT_DIR = path.join(ROOT, "bench/out/lighthouse");

export const LIGHTHOUSE_PAGES = ["/", "/report", "/status", "/privacy"] as const;
export const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"] as const;
type Category = (typeof CATEGORIES)[number];
export const TARGETS: Record<Category, number> = { performance: 95, accessibility: 100, "best-practices": 100, seo: 100 };

export interface LighthousePage {
  path: string;
  locale: string;
  /** Median score per category, 0-100, over the runs. */
  scores: Record<Category, number>;
  /** Every run's scores, in order. */
  runs: Record<Category, number>[];
  /** Lighthouse's CPU benchmark index per run (higher: faster machine; its docs call < 1000 a slow device). */
  benchmarkIndex: number[];
  /** 1-minute load average before each run. */
  loadAverage1m: number[];
  /** Audits that cost points in the last run: id and score (null: informative). */
  failing: { id: string; score: number | null; category: Category }[];
  /** Main metrics of the median-performance run (ms; CLS unitless). */
  metrics: Record<string, number>;
}

export interface LighthouseResult {
  version: string;
  runsPerPage: number;
  pages: LighthousePage[];
  allMet: boolean;
}

/** Headless Chromium with a DevTools port that Lighthouse connects to; port 0 lets Chromium pick, read from its stderr. */
async function launchForLighthouse(): Promise<{ port: number; close(): Promise<void> }> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), "cor-bench-lighthouse-"));
  const child: ChildProcess = spawn(
    CHROMIUM_PATH,
    [
      ...CHROMIUM_ARGS,
      "--remote-debugging-port=0",
      "--remote-debugging-address=127.0.0.1",
      `--user-data-dir=${userDataDir}`,
      "--no-default-browser-check",
      "about:blank",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    let err = "";
    const timer = setTimeout(() => reject(new Error(`chromium gave no DevTools port within 30 s:\n${err}`)), 30_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      err += chunk;
      const m = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`chromium exited before listening:\n${err}`)));
  });
  return {
    port,
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * One Lighthouse run. Mobile form factor and simulated throttling are Lighthouse's defaults: no config on purpose.
 * A run that fails to record the page (NO_NAVSTART and the like, which Lighthouse itself says to run again) is
 * retried, twice at most.
 */
async function audit(url: string, port: number) {
  for (let attempt = 1; ; attempt++) {
    const result = await lighthouse(url, { port, output: "json", logLevel: "error", onlyCategories: [...CATEGORIES] });
    if (!result) throw new Error(`lighthouse returned nothing for ${url}`);
    const error = result.lhr.runtimeError;
    if (!error) return result.lhr;
    if (attempt === 3) throw new Error(`lighthouse on ${url}: ${error.code} ${error.message}`);
    say(`  lighthouse on ${url}: ${error.code}; running it again`);
  }
}

const METRICS = ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift", "speed-index"] as const;

export async function benchLighthouse(
  baseUrl: string,
  runs = Math.max(1, Math.round(envNum("BENCH_LIGHTHOUSE_RUNS", 3))),
  locales = envList("BENCH_LIGHTHOUSE_LOCALES", ["en"]),
): Promise<LighthouseResult> {
  for (const l of locales) if (l !== "en" && l !== "ko") throw new Error(`BENCH_LIGHTHOUSE_LOCALES: unknown language ${l} (en, ko)`);
  const chromium = await launchForLighthouse();
  const pages: LighthousePage[] = [];
  let version = "unknown";
  try {
    for (const locale of locales)
      for (const pagePath of LIGHTHOUSE_PAGES) {
        const url = new URL(`${pagePath}?lang=${locale}`, baseUrl).href;
        const perRun: { scores: Record<Category, number>; lhr: Awaited<ReturnType<typeof audit>> }[] = [];
        const loads: number[] = [];
        for (let r = 0; r < runs; r++) {
          await settle(`lighthouse ${pagePath} (${locale}) run ${r + 1}`);
          loads.push(os.loadavg()[0] ?? 0);
          const lhr = await audit(url, chromium.port);
          version = lhr.lighthouseVersion;
          const scores = Object.fromEntries(CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)])) as Record<Category, number>;
          perRun.push({ scores, lhr });
          say(
            `  lighthouse ${pagePath} (${locale}) run ${r + 1}: ${CATEGORIES.map((c) => `${c} ${scores[c]}`).join(", ")} (benchmark index ${lhr.environment.benchmarkIndex})`,
          );
        }
        const scores = Object.fromEntries(CATEGORIES.map((c) => [c, median(perRun.map((x) => x.scores[c]))])) as Record<Category, number>;
        const medianRun = [...perRun].sort((a, b) => a.scores.performance - b.scores.performance)[Math.floor(perRun.length / 2)]!;
        await mkdir(REPORT_DIR, { recursive: true });
        await writeFile(path.join(REPORT_DIR, `${pagePath === "/" ? "index" : pagePath.slice(1)}-${locale}.json`), JSON.stringify(medianRun.lhr));
        const failing: LighthousePage["failing"] = [];
        for (const c of CATEGORIES) {
          for (const ref of medianRun.lhr.categories[c]?.auditRefs ?? []) {
            const audit = medianRun.lhr.audits[ref.id];
            if (!audit || ref.weight === 0 || audit.score === null || audit.score >= 1) continue;
            failing.push({ id: ref.id, score: audit.score, category: c });
          }
        }
        pages.push({
          path: pagePath,
          locale,
          scores,
          runs: perRun.map((x) => x.scores),
          benchmarkIndex: perRun.map((x) => x.lhr.environment.benchmarkIndex),
          loadAverage1m: loads,
          failing,
          metrics: Object.fromEntries(METRICS.map((m) => [m, medianRun.lhr.audits[m]?.numericValue ?? NaN])),
        });
      }
  } finally {
    await chromium.close();
  }
  const allMet = pages.every((p) => CATEGORIES.every((c) => p.scores[c] >= TARGETS[c]));
  return { version, runsPerPage: runs, pages, allMet };
}

export function printLighthouse(r: LighthouseResult): void {
  const rows = r.pages.map((p) => [
    `${p.path} (${p.locale})`,
    ...CATEGORIES.map((c) => `${p.scores[c]}${p.runs.length > 1 ? ` (${p.runs.map((x) => x[c]).join("/")})` : ""}`),
    CATEGORIES.every((c) => p.scores[c] >= TARGETS[c]) ? "met" : "NOT met",
    `load ${p.loadAverage1m.map((l) => l.toFixed(1)).join("/")}, index ${p.benchmarkIndex.map((b) => b.toFixed(0)).join("/")}`,
  ]);
  printTable(
    `Lighthouse ${r.version}, mobile, default throttling, median of ${r.runsPerPage} run(s) (each run in brackets); target performance >= ${TARGETS.performance}, others ${TARGETS.accessibility}`,
    ["page", ...CATEGORIES, "target", "machine (1-min load average, benchmark index)"],
    rows,
  );
  const details = r.pages.map((p) => [
    `${p.path} (${p.locale})`,
    `FCP ${p.metrics["first-contentful-paint"]?.toFixed(0)} ms, LCP ${p.metrics["largest-contentful-paint"]?.toFixed(0)} ms, TBT ${p.metrics["total-blocking-time"]?.toFixed(0)} ms, CLS ${p.metrics["cumulative-layout-shift"]?.toFixed(3)}, SI ${p.metrics["speed-index"]?.toFixed(0)} ms`,
    p.failing.length ? p.failing.map((f) => `${f.id} ${f.score}`).join(", ") : "none",
  ]);
  printTable("Lighthouse: metrics of the median run and audits that cost points", ["page", "metrics", "audits below 1"], details);
}
