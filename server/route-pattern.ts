// The declared route a request path goes to, as its pattern ("/staff/cases/:caseNumber"): the label the
// metrics count requests by (ADR 040). Raw paths carry case numbers, report and upload ids and tokens;
// a pattern is made of the route tree's own literals and parameter names, so the labels are as few as
// the routes and say nothing about a request.
//
// It matches as Remix does for our flat route tree: case-insensitive literals, a `:param` for one
// segment, a `*` splat for the rest; the most literal segments win, an index route wins over its
// pathless layout, and a splat (the catch-all 404 page, `$.tsx`) loses to any other route, so every
// unknown path has that one label. A single-fetch data request (`/x.data`, `/_root.data`) counts as its
// page. Paths are only matched, never kept.
import type { ServerBuild } from "@remix-run/node";

interface Pattern {
  label: string;
  /** A literal (lower case) or null for a `:param` segment. */
  segments: (string | null)[];
  splat: boolean;
  index: boolean;
  depth: number;
}

function patternOf(path: string, index = false, depth = 0): Pattern {
  const parts = path.split("/").filter(Boolean);
  const splat = parts.at(-1) === "*";
  const fixed = splat ? parts.slice(0, -1) : parts;
  return {
    label: `/${parts.join("/")}`,
    segments: fixed.map((s) => (s.startsWith(":") ? null : s.toLowerCase())),
    splat,
    index,
    depth,
  };
}

/** Every route of the build but the root, with its full path (parents' paths joined, as api-dispatch.ts does). */
function buildPatterns(build: ServerBuild): Pattern[] {
  const chain = (id: string): { path: string; depth: number } => {
    const r = build.routes[id]!;
    if (!r.parentId) return { path: r.path ?? "", depth: 0 };
    const up = chain(r.parentId);
    return { path: [up.path, r.path ?? ""].filter(Boolean).join("/"), depth: up.depth + 1 };
  };
  return Object.keys(build.routes)
    .filter((id) => build.routes[id]!.parentId)
    .map((id) => {
      const { path, depth } = chain(id);
      return patternOf(path, build.routes[id]!.index === true, depth);
    });
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment).toLowerCase();
  } catch {
    return null;
  }
}

/** Better match first: no splat, more literals, an index route, deeper in the tree. */
function rank(p: Pattern): number[] {
  return [p.splat ? 0 : 1, p.segments.filter((s) => s !== null).length, p.index ? 1 : 0, p.depth];
}

function better(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
  return false;
}

/**
 * The pattern matcher of a build's routes and of the routes Express answers itself (`extra`, such as the
 * upload parts); `null` for a path no route takes (only possible without a catch-all route).
 */
export function routePatterns(build: ServerBuild, extra: readonly string[] = []): (path: string) => string | null {
  const patterns = [...buildPatterns(build), ...extra.map((p) => patternOf(p.replace(/^\//, "")))];
  return (path) => {
    let p = path;
    if (p.endsWith(".data")) p = p === "/_root.data" ? "/" : p.slice(0, -".data".length);
    const parts = p.split("/").filter(Boolean).map(decoded);
    let best: Pattern | null = null;
    let bestRank: number[] = [];
    for (const candidate of patterns) {
      const n = candidate.segments.length;
      if (candidate.splat ? parts.length < n : parts.length !== n) continue;
      if (!candidate.segments.every((seg, i) => parts[i] !== undefined && (seg === null || seg === parts[i]))) continue;
      const r = rank(candidate);
      if (!best || better(r, bestRank)) [best, bestRank] = [candidate, r];
    }
    return best?.label ?? null;
  };
}
