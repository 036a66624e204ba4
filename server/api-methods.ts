// Wrong methods on the JSON API: every /api/ route answers a method it does not
// take with 405 {"error": {"code": "method_not_allowed", "message"}} and an
// `Allow` header listing the methods it does take.
//
// Why an Express middleware in front of Remix: Remix refuses a method a route
// module has no handler for (POST to a loader-only module, GET to an
// action-only one, OPTIONS anywhere) itself, before any route code runs, with
// its own body; `handleError` in entry.server only sees that after the answer
// is made, and cannot change it. The server build, though, lists every route
// module with its path and its `loader` and `action`, so a middleware can tell
// beforehand what a route answers: GET and HEAD if it has a loader, and what
// its action takes. An action says which methods it takes once, in the
// `requireMethod(request, …)` call that opens it (app/.server/platform/http.ts): the
// middleware asks it once per module by calling the action with a probe
// request, on which requireMethod throws its list back before anything else
// runs (test/security/hostile-input.test.ts checks that every action opens
// with requireMethod). Route modules need no second list, and every 405 of the
// API comes from here; requireMethod's own 405 stays behind it as a fallback.
// A path under /api/ that is no API route gets a JSON 404 {"error": {"code":
// "not_found"}} here too, instead of the HTML page of the catch-all route: an
// API client gets an answer it can read. A path whose segments do not decode
// passes on, so the route it names refuses it in its own words.
import type { AppLoadContext, ServerBuild } from "@remix-run/node";
import type express from "express";
import { METHOD_PROBE, type MethodsProbe } from "../app/.server/platform/http";

type Build = ServerBuild | (() => Promise<ServerBuild>);

interface ApiRoute {
  /** Path segments: a literal, or null for a `:param` segment. */
  segments: (string | null)[];
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
    .map((r) => ({ segments: r.path.split("/").map((s) => (s.startsWith(":") ? null : s.toLowerCase())), module: r.module }));
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** The route a path goes to, as Remix matches it: case-insensitive, a literal segment before a parameter. */
function match(routes: ApiRoute[], pathname: string): ApiRoute | null {
  const parts = pathname.replace(/^\//, "").replace(/\/$/, "").split("/").map(decoded);
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

const probed = new WeakMap<object, Promise<string[] | null>>();

/** The methods an action takes, from its opening requireMethod call; null if it does not answer the probe. */
function actionMethods(module: ApiRoute["module"]): Promise<string[] | null> {
  let known = probed.get(module);
  if (!known) {
    const request = Object.assign(new Request("http://method-probe.invalid/", { method: "POST" }), { [METHOD_PROBE]: true });
    known = Promise.resolve()
      .then(() => module.action!({ request, params: {}, context: {} as AppLoadContext }))
      .then(
        () => null,
        (error: unknown) => {
          const e = error as Partial<MethodsProbe> | null;
          return e?.name === "MethodsProbe" && Array.isArray(e.methods) ? e.methods : null;
        },
      );
    probed.set(module, known);
  }
  return known;
}

export function apiMethods(build: Build): express.RequestHandler {
  const tables = new WeakMap<ServerBuild, ApiRoute[]>();
  return (req, res, next) => {
    if (!req.path.toLowerCase().startsWith("/api/")) return next();
    void (async () => {
      const b = typeof build === "function" ? await build() : build;
      let routes = tables.get(b);
      if (!routes) tables.set(b, (routes = apiRoutes(b)));
      const route = match(routes, req.path);
      if (!route) {
        if (req.path.split("/").some((segment) => decoded(segment) === null)) return next();
        res.status(404).set("Cache-Control", "no-store").json({ error: { code: "not_found", message: "no such API route" } });
        return;
      }
      const reads = typeof route.module.loader === "function";
      const writes = typeof route.module.action === "function" ? await actionMethods(route.module) : [];
      // An action that did not tell its methods: let it answer for itself (requireMethod).
      if (writes === null) return next();
      const allow = [...(reads ? ["GET", "HEAD"] : []), ...writes];
      if (allow.length === 0 || allow.includes(req.method)) return next();
      res
        .status(405)
        .set({ Allow: allow.join(", "), "Cache-Control": "no-store" })
        .json({ error: { code: "method_not_allowed", message: `use ${allow.length > 1 ? `${allow.slice(0, -1).join(", ")} or ${allow.at(-1)}` : allow[0]}` } });
    })().catch(next);
  };
}
