// JavaScript and CSS the report page loads, gzip-compressed as the server
// sends them (compression middleware, zlib level 6). "Initial" is what the
// server-rendered HTML references (the form works once that has run);
// "lazy" is what the page fetches once the reporter starts on the form (the
// libsodium chunk; ADR 042), here a focus on the first field.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser } from "playwright-core";
import { ROOT } from "./portal";

export interface Asset {
  path: string;
  bytes: number;
  gzipBytes: number;
  servedEncoding: string | null;
}

export interface PageWeight {
  initial: Asset[];
  lazy: Asset[];
  initialGzipBytes: number;
  lazyGzipBytes: number;
  totalGzipBytes: number;
}

export async function measurePageWeight(browser: Browser, portalUrl: string): Promise<PageWeight> {
  const pageUrl = `${portalUrl}/report?lang=en`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const loaded = new Map<string, string | null>();
  page.on("response", (r) => {
    const p = new URL(r.url()).pathname;
    if (/\.(m?js|css)$/.test(p)) loaded.set(p, r.headers()["content-encoding"] ?? null);
  });
  let html = "";
  page.on("response", async (r) => {
    if (r.url() === pageUrl) html = await r.text().catch(() => "");
  });
  try {
    await page.goto(pageUrl, { waitUntil: "networkidle" });
    await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('button[type="submit"]')?.disabled);
    await page.focus("form textarea, form input:not([type=hidden]), form select");
    // Until no new chunk has arrived for a second (the load already passed network idle once).
    for (let n = -1, since = Date.now(), start = Date.now(); Date.now() - since < 1000 && Date.now() - start < 30_000; await page.waitForTimeout(200)) {
      if (loaded.size !== n) [n, since] = [loaded.size, Date.now()];
    }
  } finally {
    await context.close();
  }
  const referenced = new Set([...html.matchAll(/\/assets\/[^"'\s)]+\.(?:m?js|css)/g)].map((m) => m[0]));
  const initial: Asset[] = [];
  const lazy: Asset[] = [];
  for (const [p, enc] of loaded) {
    const bytes = await readFile(path.join(ROOT, "build/client", p));
    const a: Asset = { path: p, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 6 }).length, servedEncoding: enc };
    (referenced.has(p) ? initial : lazy).push(a);
  }
  const sum = (xs: Asset[]) => xs.reduce((n, a) => n + a.gzipBytes, 0);
  return {
    initial,
    lazy,
    initialGzipBytes: sum(initial),
    lazyGzipBytes: sum(lazy),
    totalGzipBytes: sum(initial) + sum(lazy),
  };
}
