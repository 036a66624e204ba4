// HTTP at the byte level, for hostile requests fetch() will not make: any body
// bytes, a Content-Length that lies, chunked bodies beyond a limit, unencoded
// path bytes. One connection per request (a refused body may close it), and a
// deadline, so a server that hangs fails the test instead of stalling it.
import http from "node:http";

export interface RawRequest {
  method: string;
  /** Path and query, sent as given. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Announce this Content-Length but send only `body` (then wait for the answer). */
  declaredLength?: number;
  /** Send the body chunked, `chunkedBytes` in all, without a Content-Length. */
  chunkedBytes?: number;
  timeoutMs?: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

export class HangError extends Error {
  constructor(what: string, ms: number) {
    super(`no answer within ${ms} ms: ${what}`);
    this.name = "HangError";
  }
}

export function rawRequest(baseUrl: string, r: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const timeoutMs = r.timeoutMs ?? 20_000;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...r.headers };
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body, "utf8");
    if (r.chunkedBytes !== undefined) headers["Transfer-Encoding"] = "chunked";
    else if (r.declaredLength !== undefined) headers["Content-Length"] = r.declaredLength;
    else if (body !== undefined) headers["Content-Length"] = body.length;
    let answered = false;
    const req = http.request({ host: url.hostname, port: url.port, method: r.method, path: r.path, headers, agent: false, setHost: true });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new HangError(`${r.method} ${r.path}`, timeoutMs));
    }, timeoutMs);
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8"), ms: performance.now() - started });
      });
      res.on("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      // A server that refuses a body may close the connection while it is still being written;
      // the answer it sent first is what counts.
      if (answered) return;
      if (e.code === "EPIPE" || e.code === "ECONNRESET") {
        setTimeout(() => {
          if (!answered) {
            clearTimeout(timer);
            reject(new Error(`connection closed without an answer (${e.code}): ${r.method} ${r.path}`));
          }
        }, 200);
        return;
      }
      clearTimeout(timer);
      reject(e);
    });
    if (r.chunkedBytes !== undefined) {
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      let left = r.chunkedBytes;
      const pump = () => {
        while (left > 0 && !answered && !req.destroyed) {
          const n = Math.min(left, chunk.length);
          left -= n;
          if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            req.once("drain", pump);
            return;
          }
        }
        if (!answered && !req.destroyed) req.end();
      };
      pump();
    } else if (r.declaredLength !== undefined) {
      // Part of the body, then wait: the server must answer from the header alone.
      if (body) req.write(body);
    } else {
      req.end(body);
    }
  });
}

/** A clear API refusal: 4xx with `{error: {code, message}}` as JSON. Returns a problem description, or null. */
export function refusalProblem(res: RawResponse): string | null {
  if (res.status < 400 || res.status > 499) return `status ${res.status}: ${res.text.slice(0, 200)}`;
  if (!String(res.headers["content-type"] ?? "").startsWith("application/json"))
    return `status ${res.status} with content-type ${res.headers["content-type"]}: ${res.text.slice(0, 200)}`;
  try {
    const body = JSON.parse(res.text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code !== "string" || typeof body.error.message !== "string" || !body.error.code || !body.error.message)
      return `status ${res.status} without {error: {code, message}}: ${res.text.slice(0, 200)}`;
  } catch {
    return `status ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`;
  }
  return null;
}

/**
 * Starts a post that announces `declaredLength` bytes, sends `body` (part of them), waits until `until` holds (the
 * server got that far) and then closes the connection: a client that goes away partway through an upload.
 */
export async function postPartlyAndHangUp(
  baseUrl: string,
  r: { path: string; headers: Record<string, string>; body: Buffer; declaredLength: number },
  until: () => Promise<boolean>,
): Promise<void> {
  const url = new URL(baseUrl);
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method: "POST",
    path: r.path,
    headers: { ...r.headers, "Content-Length": r.declaredLength },
    agent: false,
  });
  req.on("error", () => {}); // the hang-up is the point
  req.write(r.body);
  const deadline = Date.now() + 20_000;
  try {
    while (!(await until())) {
      if (Date.now() > deadline) throw new HangError(`the server to read the start of POST ${r.path}`, 20_000);
      await new Promise((done) => setTimeout(done, 10));
    }
  } finally {
    req.destroy();
  }
}
