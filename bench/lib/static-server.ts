// A throwaway HTTP server on 127.0.0.1 for the browser micro-benchmarks: it
// serves the esbuild bundle of bench/page/crypto-bench.ts from a page of its
// own (the app's strict CSP forbids injecting scripts into its pages), and
// swallows PUT /sink bodies to measure the browser's raw upload rate.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const HERE = path.dirname(fileURLToPath(import.meta.url));

export interface BenchPageServer {
  url: string;
  close(): Promise<void>;
}

/** Bundles the page script like Vite would resolve it (browser, ESM "import" conditions). */
export async function bundleBenchPage(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(HERE, "../page/crypto-bench.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export async function startBenchPageServer(script: string): Promise<BenchPageServer> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>bench</title></head>
<body><input type="file" id="file"><script type="module" src="/bench.js"></script></body></html>`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (req.method === "GET" && url.pathname === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(html);
    } else if (req.method === "GET" && url.pathname === "/bench.js") {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-store" });
      res.end(script);
    } else if (req.method === "PUT" && url.pathname === "/sink") {
      let bytes = 0;
      req.on("data", (c: Buffer) => (bytes += c.length));
      req.on("end", () => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ bytes }));
      });
    } else {
      res.writeHead(404).end();
    }
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
