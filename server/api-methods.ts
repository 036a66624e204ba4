// Wrong methods on the JSON API: every /api/ route answers a method it does not
// take with 405 {"error": {"code": "method_not_allowed", "message"}} and an
// `Allow` header listing the methods it does take.
//
// Why an Express middleware in front of Remix: Remix refuses a method a route
// module has no handler for (POST to a loader-only module, GET to an
// action-only one, OPTIONS anywhere) itself, before any route code runs, with
// its own body; `handleError` in entry.server only sees that after the answer
// is made, and cannot change it. The server build, though, lists every route
// module with its path, and every API route module exports its declaration
// (`api`, app/.server/platform/api-route.ts, ADR 024), which says what methods
// a path takes (per op for `$op` routes). Every 405 of the API comes from
// here; the declaration's own method check stays behind it as a fallback.
// A path under /api/ that is no API route gets a JSON 404 {"error": {"code":
// "not_found"}} here too, instead of the HTML page of the catch-all route: an
// API client gets an answer it can read. A path whose segments do not decode
// passes on, so the route it names refuses it in its own words.
import type { ServerBuild } from "@remix-run/node";
import type express from "express";

type Build = ServerBuild | (() => Promise<ServerBuild>);

/** What this middleware reads of a route module's declaration (app/.server/platform/api-route.ts). */
interface DeclaredRoute {
  allow(params: Record<string, string | undefined>): string[] | null;
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
        res
          .status(404)
          .set("Cache-Control", "no-store")
          .json({ error: { code: "not_found", message: "no such API route" } });
        return;
      }
      const declared = (route.module as { api?: DeclaredRoute }).api;
      // Every API route module declares itself (test/security/hostile-input.test.ts checks it); one that does not answers for itself.
      if (!declared) return next();
      const parts = req.path.replace(/^\//, "").replace(/\/$/, "").split("/").map(decoded);
      const allow = declared.allow(Object.fromEntries(route.names.flatMap((n, i) => (n ? [[n, parts[i] ?? ""]] : []))));
      // A path naming an op the route does not have: it answers for itself (its guard, then 404).
      if (allow === null) return next();
      if (allow.length === 0 || allow.includes(req.method)) return next();
      res
        .status(405)
        .set({ Allow: allow.join(", "), "Cache-Control": "no-store" })
        .json({ error: { code: "method_not_allowed", message: `use ${allow.length > 1 ? `${allow.slice(0, -1).join(", ")} or ${allow.at(-1)}` : allow[0]}` } });
    })().catch(next);
  };
}
