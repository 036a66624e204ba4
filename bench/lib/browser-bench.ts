// Drives bench/page/crypto-bench.ts in Chromium: raw secretstream, our
// AttachmentEncryptor, and (diagnostics) file reading and upload alone.
import type { Browser } from "playwright-core";
import type { BenchApi, Timed } from "../page/crypto-bench";
import type { CdpBrowser } from "./cdp";
import { cdpDriver, playwrightDriver, type FormDriver } from "./drivers";
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
    private readonly page: FormDriver,
    private readonly server: BenchPageServer,
  ) {}

  /** Opens the bench page in a playwright-core browser or in the bare CDP driver's browser. */
  static async open(browser: Browser | CdpBrowser): Promise<BenchPage> {
    const server = await startBenchPageServer(await bundleBenchPage());
    const page = "newContext" in browser ? await playwrightDriver(browser) : await cdpDriver(browser);
    await page.goto(server.url);
    for (let i = 0; (await page.evaluate<string>("document.title")) !== "bench ready"; i++) {
      if (i > 200) throw new Error("the bench page did not load");
      await new Promise((r) => setTimeout(r, 50));
    }
    return new BenchPage(page, server);
  }

  get driver(): FormDriver["name"] {
    return this.page.name;
  }

  get sinkUrl(): string {
    return `${this.server.url}/sink`;
  }

  async chooseFile(file: string): Promise<void> {
    await this.page.setInputFiles("#file", [file]);
  }

  async call<K extends Fn>(fn: K, ...args: Parameters<BenchApi[K]>): Promise<Awaited<ReturnType<BenchApi[K]>>> {
    return this.page.evaluate<Awaited<ReturnType<BenchApi[K]>>>(`globalThis.bench[${JSON.stringify(fn)}](...${JSON.stringify(args)})`);
  }

  /**
   * The three crypto measurements: one warm-up pass of each (WebAssembly
   * tiers up from Liftoff to TurboFan while it runs), then `runs` rounds with
   * the three interleaved, so that drift in the machine hits all alike.
   */
  async cryptoRates(totalBytes: number, partBytes: number, runs: number): Promise<Record<"raw" | "wasmCore" | "encryptor", { runs: Rate[]; median: Rate }>> {
    const warm = Math.min(totalBytes, 64 * 1024 * 1024);
    await this.call("rawPush", warm);
    await this.call("wasmCorePush", warm);
    await this.call("encryptorPush", warm, partBytes);
    const raw: Rate[] = [];
    const wasmCore: Rate[] = [];
    const encryptor: Rate[] = [];
    for (let i = 0; i < runs; i++) {
      raw.push(rate(await this.call("rawPush", totalBytes)));
      wasmCore.push(rate(await this.call("wasmCorePush", totalBytes)));
      encryptor.push(rate(await this.call("encryptorPush", totalBytes, partBytes)));
    }
    const pack = (xs: Rate[]) => ({ runs: xs, median: median(xs) });
    return { raw: pack(raw), wasmCore: pack(wasmCore), encryptor: pack(encryptor) };
  }

  async close(): Promise<void> {
    await this.page.close();
    await this.server.close();
  }
}
