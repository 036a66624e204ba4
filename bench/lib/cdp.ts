// A minimal Chrome DevTools Protocol driver over --remote-debugging-pipe, for
// the timed upload runs.
//
// Why not Playwright there: Playwright enables the CDP Network domain on every
// page, and Chromium then copies every in-memory request body (our 8 MiB
// Uint8Array parts) into the Network.requestWillBeSent event as base64, which
// Playwright parses in Node. That cuts Chromium's upload rate from hundreds of
// MB/s to a few tens (see docs/BENCHMARKS.md), so an upload timed under
// Playwright measures the instrumentation. This driver only ever uses the
// Target, Page, Runtime, DOM and Input domains: the browser uploads as it does
// for a reporter.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "./chromium";

type Json = Record<string, unknown>;
interface Pending {
  resolve(v: Json): void;
  reject(e: Error): void;
  method: string;
}

export class CdpBrowser {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(msg: { method: string; params: Json; sessionId?: string }) => void>();

  private constructor(
    private readonly child: ChildProcess,
    private readonly userDataDir: string,
    private readonly toBrowser: Writable,
    fromBrowser: Readable,
  ) {
    let buffer = "";
    fromBrowser.setEncoding("utf8");
    fromBrowser.on("data", (chunk: string) => {
      buffer += chunk;
      let nul: number;
      while ((nul = buffer.indexOf("\0")) >= 0) {
        const text = buffer.slice(0, nul);
        buffer = buffer.slice(nul + 1);
        this.dispatch(JSON.parse(text) as Json);
      }
    });
    child.on("exit", () => {
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited during ${p.method}`));
      this.pending.clear();
    });
  }

  static async launch(): Promise<CdpBrowser> {
    const userDataDir = await mkdtemp(path.join(os.tmpdir(), "cor-bench-chromium-"));
    const child = spawn(
      CHROMIUM_PATH,
      [...CHROMIUM_ARGS, "--remote-debugging-pipe", `--user-data-dir=${userDataDir}`, "--no-default-browser-check", "about:blank"],
      { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"] },
    );
    const b = new CdpBrowser(child, userDataDir, child.stdio[3] as Writable, child.stdio[4] as Readable);
    await b.send("Browser.getVersion");
    return b;
  }

  private dispatch(msg: Json): void {
    if (typeof msg.id === "number") {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error) p.reject(new Error(`${p.method}: ${(msg.error as { message?: string }).message}`));
      else p.resolve((msg.result ?? {}) as Json);
    } else if (typeof msg.method === "string") {
      for (const l of this.listeners) l(msg as { method: string; params: Json; sessionId?: string });
    }
  }

  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.toBrowser.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  onEvent(fn: (msg: { method: string; params: Json; sessionId?: string }) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get pid(): number {
    return this.child.pid!;
  }

  async version(): Promise<string> {
    const v = await this.send("Browser.getVersion");
    return String(v.product ?? "").replace(/^[^/]*\//, "");
  }

  async newPage(): Promise<CdpPage> {
    const { browserContextId } = await this.send("Target.createBrowserContext", { disposeOnDetach: true });
    const { targetId } = await this.send("Target.createTarget", { url: "about:blank", browserContextId });
    const { sessionId } = await this.send("Target.attachToTarget", { targetId, flatten: true });
    const page = new CdpPage(this, String(sessionId), String(targetId), String(browserContextId));
    await this.send("Page.enable", {}, page.sessionId);
    return page;
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      await this.send("Browser.close").catch(() => {});
      const t = setTimeout(() => this.child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
    await rm(this.userDataDir, { recursive: true, force: true }).catch(() => {});
  }
}

export class CdpPage {
  constructor(
    private readonly browser: CdpBrowser,
    readonly sessionId: string,
    private readonly targetId: string,
    private readonly contextId: string,
  ) {}

  send(method: string, params: Json = {}): Promise<Json> {
    return this.browser.send(method, params, this.sessionId);
  }

  /** Navigates and waits for the load event. */
  async goto(url: string, timeoutMs = 60_000): Promise<void> {
    const loaded = new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        off();
        reject(new Error(`load of ${url} timed out`));
      }, timeoutMs);
      const off = this.browser.onEvent((m) => {
        if (m.sessionId === this.sessionId && m.method === "Page.loadEventFired") {
          clearTimeout(t);
          off();
          resolve();
        }
      });
    });
    const r = await this.send("Page.navigate", { url });
    if (r.errorText) throw new Error(`navigation to ${url} failed: ${String(r.errorText)}`);
    await loaded;
  }

  /** Runtime.evaluate (DevTools is not subject to the page's CSP); awaits promises, returns by value. */
  async evaluate<T>(expression: string): Promise<T> {
    const r = await this.send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true, userGesture: true });
    if (r.exceptionDetails) {
      const d = r.exceptionDetails as { text?: string; exception?: { description?: string } };
      throw new Error(`evaluate failed: ${d.exception?.description ?? d.text}`);
    }
    return (r.result as { value?: T }).value as T;
  }

  async waitFor(expression: string, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await this.evaluate<boolean>(`!!(${expression})`))) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${expression}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }

  /** What Playwright's setInputFiles does for a local browser: the browser opens the file by path. */
  async setInputFiles(selector: string, files: string[]): Promise<void> {
    const { root } = await this.send("DOM.getDocument", { depth: 0 });
    const { nodeId } = await this.send("DOM.querySelector", { nodeId: (root as { nodeId: number }).nodeId, selector });
    if (!nodeId) throw new Error(`no element ${selector}`);
    await this.send("DOM.setFileInputFiles", { nodeId, files });
  }

  /** A real mouse click in the middle of the element. */
  async click(selector: string): Promise<void> {
    const box = await this.evaluate<{ x: number; y: number } | null>(`(() => {
      const el = document.querySelector(${JSON.stringify(selector)});
      if (!el) return null;
      el.scrollIntoView({ block: "center" });
      const r = el.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`no element ${selector}`);
    const base = { x: box.x, y: box.y, button: "left", clickCount: 1 };
    await this.send("Input.dispatchMouseEvent", { type: "mouseMoved", x: box.x, y: box.y });
    await this.send("Input.dispatchMouseEvent", { type: "mousePressed", ...base });
    await this.send("Input.dispatchMouseEvent", { type: "mouseReleased", ...base });
  }

  async close(): Promise<void> {
    await this.browser.send("Target.closeTarget", { targetId: this.targetId }).catch(() => {});
    await this.browser.send("Target.disposeBrowserContext", { browserContextId: this.contextId }).catch(() => {});
  }
}
