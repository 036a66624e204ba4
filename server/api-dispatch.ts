// The JSON API's front door: every request under /api/ is matched here against
// the API route modules of the server build, once, and then
// - a path that is no API route gets a JSON 404 {"error": {"code":
//   "not_found"}} instead of the HTML page of the catch-all route;
// - a method the route does not take gets 405 {"error": {"code":
//   "method_not_allowed"}} with an `Allow` header listing what it does take;
// - anything else goes straight to the route module's handler (the `loader` or
//   `action` its declaration made, app/.server/platform/api-route.ts, ADR 024).
//
// Why not leave the last step to Remix: its request handler matches the whole
// route tree twice per request (flattening and ranking every route each time),
// about a millisecond of CPU per API request, to find the module this table
// found already; an API route has no UI, so nothing else of Remix applies.
// Why the 405 cannot be Remix's: it refuses a method a route module has no
// handler for itself, with its own body, before any route code runs.
// A path whose segments do not decode, or a route module without a
// declaration, passes on to Remix, so the route answers in its own words.
// The answer is written with backpressure (`sendResponse`): the adapter's own
// writer does not wait for the client, so a download to a slow reader held the
// unread part of the file in the server's memory (BENCHMARKS.md finding 15).
import type { AppLoadContext, LoaderFunctionArgs, ServerBuild } from "@remix-run/node";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
// The adapter's own conversion (not re-exported by its index): the same Request as Remix's handler makes.
import { createRemixRequest } from "@remix-run/express/dist/server.js";
import type express from "express";
import { describeError, type Logger } from "../app/.server/platform/log";

type Build = ServerBuild | (() => Promise<ServerBuild>);

/** What this middleware reads of a route module's declaration (app/.server/platform/api-route.ts). */
interface DeclaredRoute {
  allow(params: Record<string, string | undefined>): string[] | null;
  loader?: (args: LoaderFunctionArgs) => Promise<Response>;
  action?: (args: LoaderFunctionArgs) => Promise<Response>;
}

interface ApiRoute {
  /** Path segments: a literal, or null for a `:param` segment. */
  segments: (string | null)[];
  /** The parameter name of each `:param` segment (null for a literal). */
  names: (string | null)[];
  module: ServerBuild["routes"][string]["module"];
}

/** The API routes of a build with their full paths (Remix nests `api.x.$id.y` under `api.x.$id` where that exists). */
function apiRoutes(build: ServerBuild): ApiRoute[] {
  const fullPath = (id: string): string => {
    const r = build.routes[id]!;
    const own = r.path ?? "";
    return r.parentId ? [fullPath(r.parentId), own].filter(Boolean).join("/") : own;
  };
  return Object.keys(build.routes)
    .map((id) => ({ path: fullPath(id), module: build.routes[id]!.module }))
    .filter((r) => r.path.startsWith("api/"))
    .map((r) => {
      const parts = r.path.split("/");
      return {
        segments: parts.map((s) => (s.startsWith(":") ? null : s.toLowerCase())),
        names: parts.map((s) => (s.startsWith(":") ? s.slice(1) : null)),
        module: r.module,
      };
    });
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The route a path goes to, as Remix matches it: case-insensitive, a literal segment before a parameter. */
function match(routes: ApiRoute[], parts: (string | null)[]): ApiRoute | null {
  let best: ApiRoute | null = null;
  let bestScore = -1;
  for (const r of routes) {
    if (r.segments.length !== parts.length) continue;
    let score = 0;
    const fits = r.segments.every((seg, i) => {
      const part = parts[i];
      if (!part) return false;
      if (seg === null) return true;
      score++;
      return seg === part.toLowerCase();
    });
    if (fits && score > bestScore) [best, bestScore] = [r, score];
  }
  return best;
}

export function apiDispatch(build: Build, loadContext: (req: express.Request, res: express.Response) => AppLoadContext): express.RequestHandler {
  const tables = new WeakMap<ServerBuild, ApiRoute[]>();
  return (req, res, next) => {
    if (!req.path.toLowerCase().startsWith("/api/")) return next();
    void (async () => {
      const b = typeof build === "function" ? await build() : build;
      let routes = tables.get(b);
      if (!routes) tables.set(b, (routes = apiRoutes(b)));
      // The path's segments, decoded once: for the match and for the parameters.
      const parts = req.path.replace(/^\//, "").replace(/\/$/, "").split("/").map(decoded);
      const route = match(routes, parts);
      if (!route) {
        if (parts.includes(null)) return next();
        res
          .status(404)
          .set("Cache-Control", "no-store")
          .json({ error: { code: "not_found", message: "no such API route" } });
        return;
      }
      const declared = (route.module as { api?: DeclaredRoute }).api;
      // Every API route module declares itself (test/security/hostile-input.test.ts checks it); one that does not answers for itself.
      if (!declared) return next();
      const params = Object.fromEntries(route.names.flatMap((n, i) => (n ? [[n, parts[i] ?? ""]] : [])));
      const allow = declared.allow(params);
      if (allow === null || allow.length === 0 || allow.includes(req.method)) {
        const handler = req.method === "GET" || req.method === "HEAD" ? declared.loader : declared.action;
        if (!handler) return next();
        const request = createRemixRequest(req, res);
        const context = loadContext(req, res);
        let response: Response;
        try {
          response = await handler({ request, params, context });
        } catch (error) {
          // What Remix's handleError (app/entry.server.tsx) did for these: handleApi answered every expected error
          // (ApiError, an unreachable database) already, so this is a fault, logged by its description alone.
          if (request.signal.aborted) return;
          context.services.log.error("request failed", describeError(error));
          res
            .status(500)
            .set("Cache-Control", "no-store")
            .json({ error: { code: "internal_error", message: "the server could not answer this request" } });
          return;
        }
        await sendResponse(res, response, context.services.log);
        return;
      }
      res
        .status(405)
        .set({ Allow: allow.join(", "), "Cache-Control": "no-store" })
        .json({ error: { code: "method_not_allowed", message: `use ${allow.length > 1 ? `${allow.slice(0, -1).join(", ")} or ${allow.at(-1)}` : allow[0]}` } });
    })().catch(next);
  };
}

/** How a client that stopped reading (closed the tab, cancelled the download) ends the pipeline. */
const CLIENT_GONE = new Set(["ERR_STREAM_PREMATURE_CLOSE", "ECONNRESET", "EPIPE"]);

/**
 * Writes a route's answer as the adapter's `sendRemixResponse` does (status, every header), but streams the body
 * at the client's pace: the next chunk is read from the route's stream (a blob store read) only once the socket has
 * taken the last, so a download holds at most a few chunks in memory however slowly it is read. A client that
 * goes away ends the stream, and with it the blob store's read; that is no fault of the server's.
 */
export async function sendResponse(res: express.Response, response: Response, log: Logger): Promise<void> {
  res.statusMessage = response.statusText;
  res.status(response.status);
  for (const [key, value] of response.headers.entries()) res.append(key, value);
  // A HEAD answer has no body: Node would discard it, but only after the route's stream (a whole blob) was read.
  if (!response.body || res.req.method === "HEAD") {
    await response.body?.cancel().catch(() => {});
    res.end();
    return;
  }
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), res);
  } catch (error) {
    if (CLIENT_GONE.has((error as NodeJS.ErrnoException).code ?? "")) return;
    // The route's stream failed mid-answer (say, the blob store went away): the headers are sent, so the only honest
    // answer left is a cut connection, which pipeline made already.
    log.error("answer stream failed", describeError(error));
  }
}
