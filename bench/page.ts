// Reporter page (DESIGN.md section 6): the weight of the report form's
// JavaScript and CSS (gzip), and the time until the form is usable over a slow
// link (1 Mbit/s each way, 300 ms latency, Chromium's own throttling through
// CDP Network.emulateNetworkConditions, empty cache). "Usable" is the moment
// the submit button loses `disabled`, which the form sets with
// `disabled={!hydrated}`: React has hydrated and the submit handler is live.
// The target also says the form is usable before libsodium finishes loading:
// the libsodium chunk's end of download (Resource Timing) is read in the same
// page load.
//
// Floor, in the same run over the same throttled link: a static page made of
// the same bytes, as they went over the wire (an HTML document of the report
// page's encoded size, referencing one script as large as the report page's
// initial JavaScript and CSS together), timed until that script has run. The
// ratio is what the page's structure (several requests, module graph) and
// hydration add to moving its bytes.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { measurePageWeight, type PageWeight } from "./lib/page-weight";
import { envNum, fmt, printTable, say, settle } from "./lib/util";
import type { Backend } from "./lib/backends";

export const TARGET_PAGE_GZIP_BYTES = 300 * 1000;
export const THROTTLE = { latencyMs: 300, bitsPerSecond: 1_000_000 };

const INIT = `(() => {
  const m = (window.__pageBench = { usable: null });
  const check = () => {
    const b = document.querySelector('button[type="submit"]');
    if (b && !b.disabled && m.usable === null) { m.usable = performance.now(); return true; }
    return false;
  };
  const obs = new MutationObserver(() => { if (check()) obs.disconnect(); });
  obs.observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["disabled"] });
  // A poll as well, in case a mutation record is missed; one check per frame costs nothing here.
  const poll = () => { if (!check()) requestAnimationFrame(poll); };
  requestAnimationFrame(poll);
})();`;

export interface ThrottledLoad {
  /** Navigation start to the submit button enabled (ms). */
  usableMs: number;
  firstContentfulPaintMs: number | null;
  domContentLoadedMs: number;
  /** Navigation start to the end of the libsodium chunk's download. */
  libsodiumDoneMs: number | null;
  /** Bytes as they went over the wire (encoded bodies): the document, the initial JS/CSS, the lazy chunks. */
  htmlBytes: number;
  initialBytes: number;
  lazyBytes: number;
  requestsBeforeUsable: number;
  /** Content-Encoding of the JS/CSS responses (the compression middleware picks by Accept-Encoding). */
  encodings: string[];
}

export interface PageResult {
  backend: Backend;
  weight: PageWeight | null;
  runs: ThrottledLoad[];
  floorRuns: number[];
  usableMs: number;
  floorMs: number;
  ratio: number;
  libsodiumDoneMs: number | null;
  usableBeforeLibsodiumEveryRun: boolean;
  /** Loads that failed (never usable within 60 s); retried up to twice. */
  failures: string[];
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function throttle(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  const bytesPerSecond = THROTTLE.bitsPerSecond / 8;
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: THROTTLE.latencyMs,
    downloadThroughput: bytesPerSecond,
    uploadThroughput: bytesPerSecond,
  });
}

async function loadReportPage(browser: Browser, portalUrl: string): Promise<ThrottledLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await throttle(page);
    await page.addInitScript(INIT);
    const encodings = new Set<string>();
    page.on("response", (r) => {
      if (/\.(m?js|css)$/.test(new URL(r.url()).pathname)) encodings.add(r.headers()["content-encoding"] ?? "identity");
    });
    const response = await page.goto(`${portalUrl}/report?lang=en`, { waitUntil: "commit", timeout: 120_000 });
    const html = (await response?.text()) ?? "";
    const referenced = new Set([...html.matchAll(/\/assets\/[^"'\s)]+\.(?:m?js|css)/g)].map((m) => m[0]));
    try {
      await page.waitForFunction(() => (window as unknown as { __pageBench: { usable: number | null } }).__pageBench.usable !== null, undefined, {
        timeout: 60_000,
        polling: 100,
      });
    } catch (error) {
      const state = await page
        .evaluate(() => {
          const b = document.querySelector<HTMLButtonElement>('button[type="submit"]');
          const res = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
          return `readyState ${document.readyState}, button ${b ? (b.disabled ? "disabled" : "enabled") : "missing"}, ${res.length} resources, unfinished ${res
            .filter((r) => r.responseEnd === 0)
            .map((r) => r.name)
            .join(" ")}`;
        })
        .catch((e: unknown) => `no page state (${String(e)})`);
      throw new Error(`the form did not become usable within 60 s: ${state}`, { cause: error });
    }
    // The reporter starts on the form (a focus), which is when the libsodium chunk begins to load (ADR 042);
    // then until the page stops fetching.
    await page.focus("form textarea, form input:not([type=hidden]), form select");
    let seen = -1;
    for (let stableSince = Date.now(); Date.now() - stableSince < 1500; await new Promise((r) => setTimeout(r, 250))) {
      const n = await page.evaluate(() => performance.getEntriesByType("resource").filter((e) => (e as PerformanceResourceTiming).responseEnd > 0).length);
      if (n !== seen) {
        seen = n;
        stableSince = Date.now();
      }
    }
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      const res = (performance.getEntriesByType("resource") as PerformanceResourceTiming[]).map((e) => ({
        path: new URL(e.name).pathname,
        start: e.startTime,
        end: e.responseEnd,
        encoded: e.encodedBodySize,
      }));
      return {
        usable: (window as unknown as { __pageBench: { usable: number } }).__pageBench.usable,
        fcp: fcp ? fcp.startTime : null,
        dcl: nav.domContentLoadedEventEnd,
        htmlBytes: nav.encodedBodySize,
        res,
      };
    });
    const assets = m.res.filter((r) => /\.(m?js|css)$/.test(r.path));
    const lazy = assets.filter((r) => !referenced.has(r.path));
    const initial = assets.filter((r) => referenced.has(r.path));
    return {
      usableMs: m.usable,
      firstContentfulPaintMs: m.fcp,
      domContentLoadedMs: m.dcl,
      libsodiumDoneMs: lazy.length ? Math.max(...lazy.map((r) => r.end)) : null,
      htmlBytes: m.htmlBytes,
      initialBytes: initial.reduce((n, r) => n + r.encoded, 0),
      lazyBytes: lazy.reduce((n, r) => n + r.encoded, 0),
      requestsBeforeUsable: m.res.filter((r) => r.start < m.usable).length + 1,
      encodings: [...encodings].sort(),
    };
  } finally {
    await context.close();
  }
}

/** The floor's static page: `htmlBytes` of HTML that references one script of `scriptBytes`, neither compressed. */
export async function startFloorServer(htmlBytes: number, scriptBytes: number): Promise<{ url: string; close(): Promise<void> }> {
  const filler = (n: number) => randomBytes(Math.ceil(n)).toString("base64").slice(0, Math.max(0, n));
  const head = `<!doctype html><html><head><meta charset="utf-8"><title>floor</title><script type="module" src="/floor.js"></script></head><body><!--`;
  const tail = `--><form><button type="submit">Submit</button></form></body></html>`;
  const html = head + filler(htmlBytes - head.length - tail.length) + tail;
  const end = `*/window.__floorDone=performance.now();`;
  const script = "/*" + filler(scriptBytes - 2 - end.length) + end;
  const server: Server = createServer((req, res) => {
    if (req.url === "/") res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(html);
    else if (req.url === "/floor.js") res.writeHead(200, { "Content-Type": "text/javascript", "Cache-Control": "no-store" }).end(script);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export async function loadFloorPage(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await throttle(page);
    await page.goto(url, { waitUntil: "commit", timeout: 120_000 });
    await page.waitForFunction(() => typeof (window as unknown as { __floorDone?: number }).__floorDone === "number", undefined, {
      timeout: 120_000,
      polling: 100,
    });
    return await page.evaluate(() => (window as unknown as { __floorDone: number }).__floorDone);
  } finally {
    await context.close();
  }
}

export async function benchPage(browser: Browser, portalUrl: string, backend: Backend, withWeight: boolean): Promise<PageResult> {
  const runs = Math.max(1, envNum("BENCH_PAGE_RUNS", 3));
  const weight = withWeight ? await measurePageWeight(browser, portalUrl) : null;
  if (weight) say(`[${backend}] /report JS+CSS gzip: initial ${fmt.kb(weight.initialGzipBytes)}, lazy ${fmt.kb(weight.lazyGzipBytes)}`);
  await settle("the throttled page loads");
  say(
    `[${backend}] /report over ${THROTTLE.bitsPerSecond / 1e6} Mbit/s with ${THROTTLE.latencyMs} ms latency, empty cache: ${runs} loads, each followed by its floor`,
  );
  const loads: ThrottledLoad[] = [];
  const floorRuns: number[] = [];
  const failures: string[] = [];
  // Warm-up: server-side caches (Chromium's caches do not carry over: a fresh context each time).
  await loadReportPage(browser, portalUrl).catch((e: unknown) => failures.push(`warm-up: ${String(e)}`));
  for (let i = 0; loads.length < runs && i < runs + 2; i++) {
    let l: ThrottledLoad;
    try {
      l = await loadReportPage(browser, portalUrl);
    } catch (error) {
      // Reported, not hidden: a load that never became usable within 60 s.
      failures.push(String(error));
      say(`  WARNING: a throttled load failed: ${String(error).split("\n")[0]}`);
      continue;
    }
    loads.push(l);
    const floor = await startFloorServer(l.htmlBytes, l.initialBytes);
    try {
      floorRuns.push(await loadFloorPage(browser, floor.url));
    } finally {
      await floor.close();
    }
    say(
      `  usable at ${l.usableMs.toFixed(0)} ms (floor ${floorRuns[floorRuns.length - 1]!.toFixed(0)} ms), libsodium loaded at ${l.libsodiumDoneMs?.toFixed(0) ?? "n/a"} ms; ` +
        `on the wire: HTML ${fmt.kb(l.htmlBytes)}, initial JS+CSS ${fmt.kb(l.initialBytes)}, lazy ${fmt.kb(l.lazyBytes)}`,
    );
  }
  if (loads.length === 0) throw new Error(`no throttled load of /report became usable: ${failures.join("; ")}`);
  const usableMs = median(loads.map((l) => l.usableMs));
  const floorMs = median(floorRuns);
  const sodium = loads.map((l) => l.libsodiumDoneMs).filter((x): x is number => x !== null);
  return {
    backend,
    weight,
    runs: loads,
    floorRuns,
    usableMs,
    floorMs,
    ratio: usableMs / floorMs,
    libsodiumDoneMs: sodium.length ? median(sodium) : null,
    usableBeforeLibsodiumEveryRun: loads.every((l) => l.libsodiumDoneMs !== null && l.usableMs < l.libsodiumDoneMs),
    failures,
  };
}

export function printPage(results: PageResult[]): void {
  const rows: string[][] = [];
  const w = results.find((r) => r.weight)?.weight;
  if (w) {
    rows.push([
      "/report JS+CSS gzip, initial (form usable)",
      fmt.kb(w.initialGzipBytes),
      fmt.ratio(w.initialGzipBytes / TARGET_PAGE_GZIP_BYTES) + " of target",
      `<= 300 KB: ${w.initialGzipBytes <= TARGET_PAGE_GZIP_BYTES ? "met" : "NOT met"}`,
    ]);
    rows.push([
      "  + lazily loaded (libsodium chunk)",
      fmt.kb(w.lazyGzipBytes),
      fmt.ratio(w.totalGzipBytes / TARGET_PAGE_GZIP_BYTES) + " of target",
      `total ${fmt.kb(w.totalGzipBytes)}: ${w.totalGzipBytes <= TARGET_PAGE_GZIP_BYTES ? "also within" : "over 300 KB with libsodium"}`,
    ]);
  }
  for (const r of results) {
    const l = r.runs[0]!;
    rows.push([
      `${r.backend}: usable over 1 Mbit/s + 300 ms (median of ${r.runs.length})`,
      fmt.ms(r.usableMs, 0),
      `${r.ratio.toFixed(2)}x floor`,
      `floor (same bytes, one HTML + one script) ${fmt.ms(r.floorMs, 0)}; runs ${r.runs.map((x) => x.usableMs.toFixed(0)).join(", ")} ms${r.failures.length ? `; ${r.failures.length} load(s) failed, see JSON` : ""}`,
    ]);
    rows.push([
      `${r.backend}:   libsodium chunk downloaded`,
      fmt.ms(r.libsodiumDoneMs, 0),
      "",
      `usable before libsodium finished loading in every run: ${r.usableBeforeLibsodiumEveryRun ? "yes (met)" : "NO"}`,
    ]);
    rows.push([
      `${r.backend}:   first contentful paint / DOMContentLoaded`,
      `${fmt.ms(median(r.runs.map((x) => x.firstContentfulPaintMs ?? NaN)), 0)} / ${fmt.ms(median(r.runs.map((x) => x.domContentLoadedMs)), 0)}`,
      "",
      `on the wire: HTML ${fmt.kb(l.htmlBytes)}, initial JS+CSS ${fmt.kb(l.initialBytes)} (${l.encodings.join("/")} as served), lazy ${fmt.kb(l.lazyBytes)}; ${l.requestsBeforeUsable} requests before usable`,
    ]);
  }
  printTable(
    `Reporter page (throttled: ${THROTTLE.bitsPerSecond / 1e6} Mbit/s, ${THROTTLE.latencyMs} ms latency, Chromium CDP emulation)`,
    ["measure", "figure", "ratio", "target / note"],
    rows,
  );
}
