// Drives bench/page/crypto-bench.ts in Chromium: raw secretstream, our
// AttachmentEncryptor, and (diagnostics) file reading and upload alone.
import type { Browser, Page } from "playwright-core";
import type { BenchApi, Timed } from "../page/crypto-bench";
import { bundleBenchPage, startBenchPageServer, type BenchPageServer } from "./static-server";

export interface Rate {
  bytes: number;
  ms: number;
  MBps: number;
}

export const rate = (t: Timed): Rate => ({ bytes: t.bytes, ms: t.ms, MBps: t.bytes / 1e6 / (t.ms / 1000) });

/** Median by MB/s of several runs. */
export function median(runs: Rate[]): Rate {
  const sorted = [...runs].sort((a, b) => a.MBps - b.MBps);
  return sorted[Math.floor(sorted.length / 2)]!;
}

type Fn = keyof BenchApi;

export class BenchPage {
  private constructor(
    private readonly page: Page,
    private readonly server: BenchPageServer,
  ) {}

  static async open(browser: Browser): Promise<BenchPage> {
    const server = await startBenchPageServer(await bundleBenchPage());
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    await page.waitForFunction(() => document.title === "bench ready");
    return new BenchPage(page, server);
  }

  get sinkUrl(): string {
    return `${this.server.url}/sink`;
  }

  async chooseFile(file: string): Promise<void> {
    await this.page.setInputFiles("#file", file);
  }

  async call<K extends Fn>(fn: K, ...args: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>> {
    return this.page.evaluate(
      ([name, a]) => (globalThis as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[name]!(...a),
      [fn, args] as [string, unknown[]],
    ) as Promise<Awaited<ReturnType<BenchApi[K]>>>;
  }

  /** Warm-up, then `runs` runs; returns every run and the median. */
  async repeat<K extends "rawPush" | "wasmCorePush" | "encryptorPush">(
    fn: K,
    runs: number,
    ...args: Parameters<BenchApi[K]>
  ): Promise<{ runs: Rate[]; median: Rate }> {
    const warm = [...args] as unknown[];
    warm[0] = Math.min(32 * 1024 * 1024, args[0] as number);
    await this.call(fn, ...(warm as Parameters<BenchApi[K]>));
    const out: Rate[] = [];
    for (let i = 0; i < runs; i++) out.push(rate((await this.call(fn, ...args)) as Timed));
    return { runs: out, median: median(out) };
  }

  async close(): Promise<void> {
    await this.page.context().close();
    await this.server.close();
  }
}
