// Proof of work (ADR 032, issue 16): how long Chromium takes to solve a
// challenge at each difficulty level, and what it adds to a reporter's whole
// submission at the normal difficulty.
//
// - Solve time: the production server (PGlite) hands out nothing here; the
//   challenges are made in Node with altcha-lib exactly as the portal makes
//   them (SHA-256, cost 1, deterministic counter), with the counter at half
//   the difficulty: the average case, the same work in every run. They are
//   solved in the report page of the running portal by the worker it ships
//   (/assets/pow.worker-*.js), in as many workers as the page uses (at most 4,
//   at most the cores), through altcha-lib's own worker protocol.
// - Added time: the real report form, submitted with one small attachment and
//   without (POW_DIFFICULTY at its default): for each proof, the challenge
//   request's duration (Resource Timing) plus the time the page shows its
//   proof-of-work notice (from the challenge's arrival to the solution). Target:
//   under one second in all for a submission.
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { createChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/sha";
import { createInvestigator, ROOT, startPortalProcess } from "./lib/portal";
import { envList, envNum, fmt, printTable, say } from "./lib/util";

export const TARGET_POW_SUBMISSION_MS = 1000;
/** The portal's default difficulty (app/.server/platform/config.ts POW_DIFFICULTY). */
const NORMAL = 10_000;

export interface PowBenchResult {
  workers: number;
  /** Per level (difficulty = NORMAL × 2^level): median solve time over the runs, ms. */
  solve: { level: number; difficulty: number; medianMs: number; runs: number[] }[];
  /** Added time of a whole submission at normal difficulty, ms: text only, and with one attachment (two proofs). */
  submission: { files: number; proofs: number; addedMs: number; challengeMs: number; solveMs: number; totalMs: number }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchPow(browser: Browser): Promise<PowBenchResult> {
  const levels = envList("BENCH_POW_LEVELS", ["0", "1", "2", "3", "4", "5", "6"]).map(Number);
  const runs = Math.max(1, envNum("BENCH_POW_RUNS", 5));
  const worker = readdirSync(path.join(ROOT, "build/client/assets")).find((f) => /^pow\.worker-[\w-]+\.js$/.test(f));
  if (!worker) throw new Error("no pow.worker asset in build/client/assets: run npm run build");
  const tmp = await mkdtemp(path.join(os.tmpdir(), "cor-bench-pow-"));
  const dataDir = path.join(tmp, "data");
  await createInvestigator(dataDir, "pow-bench@okestro.example");
  // Every submission comes from 127.0.0.1: one client, which the per-client report limit (ADR 034) would stop after
  // ten; the proof of work itself stays at its default difficulty.
  const portal = await startPortalProcess(dataDir, {
    POW_CLIENT_ACTIONS: "100000",
    POW_GLOBAL_ACTIONS: "100000",
    REPORTS_PER_CLIENT: "10000",
    FLOOD_REPORTS: "100000",
  });
  try {
    const context = await browser.newContext({ locale: "en-US" });
    const page = await context.newPage();
    await page.goto(`${portal.url}/report?lang=en`);
    const workers = await page.evaluate(() => Math.min(4, navigator.hardwareConcurrency || 1));

    const solve: PowBenchResult["solve"] = [];
    for (const level of levels) {
      const difficulty = NORMAL * 2 ** level;
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const challenge = await createChallenge({
          algorithm: "SHA-256",
          cost: 1,
          counter: Math.floor(difficulty / 2),
          deriveKey,
          hmacSignatureSecret: "bench",
          hmacKeySignatureSecret: "bench-key",
        });
        const ms = await page.evaluate(
          async ({ url, challenge, workers }) => {
            const pool = Array.from({ length: workers }, () => new Worker(url, { type: "module" }));
            const t0 = performance.now();
            await Promise.race(
              pool.map(
                (w, i) =>
                  new Promise((resolve, reject) => {
                    w.onmessage = (e) => (e.data ? resolve(e.data) : undefined);
                    w.onerror = reject;
                    w.postMessage({ type: "work", challenge, counterStart: i, counterStep: workers, timeout: 0 });
                  }),
              ),
            );
            const ms = performance.now() - t0;
            for (const w of pool) w.terminate();
            return ms;
          },
          { url: `/assets/${worker}`, challenge, workers },
        );
        times.push(ms);
      }
      solve.push({ level, difficulty, medianMs: median(times), runs: times });
      say(`  level ${level} (difficulty ${difficulty}): median ${median(times).toFixed(0)} ms over ${runs}`);
    }

    const submission: PowBenchResult["submission"] = [];
    for (const files of [0, 1]) {
      const added: { challengeMs: number; solveMs: number; totalMs: number }[] = [];
      for (let r = 0; r < runs; r++) {
        await page.goto(`${portal.url}/report?lang=en`);
        await page.evaluate(() => {
          const m: { shown: number[]; hidden: number[] } = { shown: [], hidden: [] };
          (window as unknown as { __pow: typeof m }).__pow = m;
          let on = false;
          new MutationObserver(() => {
            const now = document.querySelector("[data-testid=pow-notice]") !== null;
            if (now !== on) (now ? m.shown : m.hidden).push(performance.now());
            on = now;
          }).observe(document, { subtree: true, childList: true });
        });
        const submit = page.getByRole("button", { name: "Encrypt and submit" });
        await submit.waitFor();
        while (!(await submit.isEnabled())) await page.waitForTimeout(50);
        await page.getByLabel(/^Type of report/).selectOption({ index: 1 });
        await page.getByLabel(/^Title/).fill("Proof-of-work bench");
        await page.getByLabel(/^Description/).fill("Measuring what the proof of work adds to a submission.");
        if (files)
          await page.locator('input[name="attachments"]').setInputFiles([{ name: "small.txt", mimeType: "text/plain", buffer: Buffer.alloc(10_000, 65) }]);
        await page.locator('input[name="consentReport"]').check();
        // A file is an optional item: the form asks for the second consent with it.
        if (files) await page.locator('input[name="consentOptional"]').check();
        const t0 = await page.evaluate(() => performance.now());
        await submit.click();
        await page.getByTestId("receipt-code").waitFor({ timeout: 120_000 });
        const m = await page.evaluate((start) => {
          const w = window as unknown as { __pow: { shown: number[]; hidden: number[] } };
          const challenges = performance.getEntriesByType("resource").filter((e) => e.name.includes("/api/pow/challenge") && e.startTime >= start);
          return {
            challengeMs: challenges.reduce((a, e) => a + e.duration, 0),
            solveMs: w.__pow.shown.reduce((a, s, i) => a + ((w.__pow.hidden[i] ?? s) - s), 0),
            totalMs: performance.now() - start,
          };
        }, t0);
        added.push(m);
      }
      const pick = (k: "challengeMs" | "solveMs" | "totalMs") => median(added.map((a) => a[k]));
      const result = {
        files,
        proofs: files + 1,
        challengeMs: pick("challengeMs"),
        solveMs: pick("solveMs"),
        addedMs: median(added.map((a) => a.challengeMs + a.solveMs)),
        totalMs: pick("totalMs"),
      };
      submission.push(result);
      say(`  submission with ${files} file(s): proof of work adds ${result.addedMs.toFixed(0)} ms of ${result.totalMs.toFixed(0)} ms (median of ${runs})`);
    }
    await context.close();
    return { workers, solve, submission };
  } finally {
    await portal.stop();
    await rm(tmp, { recursive: true, force: true });
  }
}

export function printPow(r: PowBenchResult): void {
  printTable(
    `Proof of work: solve time in Chromium, ${r.workers} worker(s), counter at half the difficulty (the average case)`,
    ["level", "difficulty", "median", "runs"],
    r.solve.map((s) => [String(s.level), String(s.difficulty), fmt.ms(s.medianMs, 0), s.runs.map((x) => x.toFixed(0)).join(", ")]),
  );
  printTable(
    "Proof of work: added time of a whole submission at normal difficulty (target < 1 s)",
    ["files", "proofs", "challenge requests", "solving", "added", "whole submission", "status"],
    r.submission.map((s) => [
      String(s.files),
      String(s.proofs),
      fmt.ms(s.challengeMs, 0),
      fmt.ms(s.solveMs, 0),
      fmt.ms(s.addedMs, 0),
      fmt.ms(s.totalMs, 0),
      s.addedMs < TARGET_POW_SUBMISSION_MS ? "met" : "MISSED",
    ]),
  );
}
