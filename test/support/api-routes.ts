// The JSON API as the route modules declare it (app/.server/platform/api-route.ts,
// ADR 024): every route module's `api` export, and the upload-part route Express
// answers ahead of Remix, walked into one endpoint per path × method × op, with
// the caller its guard lets in, the body it reads with its limit and schemas,
// and the query parameters it reads. A new route, method or op is picked up
// without touching the tests.
import { readdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ZodTypeAny } from "zod";
import { endpointsOf, type AnyEndpoint, type ApiRoute, type CallerKind as GuardCaller } from "../../app/.server/platform/api-route";
import { uploadPartRoute } from "../../server/upload-parts";

export const ROOT = path.join(import.meta.dirname, "../..");
export const ROUTES_DIR = path.join(ROOT, "app/routes");

export type Method = "GET" | "POST" | "PUT" | "DELETE";
/** Who may call a route: from the guard it declares (any staff role is tried as an investigator). */
export type CallerKind = "anonymous" | "reporter" | "upload" | "pending" | "investigator" | "admin" | "affiliate";

export interface Endpoint {
  file: string;
  /** e.g. /api/intake/uploads/:uploadId/parts/:part */
  pattern: string;
  /** Path parameters, in order (`op` already filled in when `op` is set). */
  params: string[];
  method: Method;
  fn: "loader" | "action";
  /** For `$op` routes, the op this endpoint stands for. */
  op?: string;
  caller: CallerKind;
  body: "json" | "bytes" | "stream" | "none";
  /** The byte limit of the body it reads (null: not read, or not limited here). */
  limit: number | null;
  /** Every schema the body may be parsed with (recovery has two steps). */
  schemas: ZodTypeAny[];
  /** Query parameters the handler reads. */
  query: string[];
  /** The declaration itself. */
  declared: AnyEndpoint;
}

const CALLER: Record<GuardCaller, CallerKind> = {
  anonymous: "anonymous",
  reporter: "reporter",
  upload: "upload",
  pending: "pending",
  investigator: "investigator",
  admin: "admin",
  affiliate: "affiliate",
  staff: "investigator",
};

export function patternOf(file: string): { pattern: string; params: string[] } {
  const segs = file
    .replace(/\.tsx?$/, "")
    .split(".")
    .filter((s) => !s.startsWith("_"));
  return {
    pattern: "/" + segs.map((s) => (s.startsWith("$") ? `:${s.slice(1)}` : s)).join("/"),
    params: segs.filter((s) => s.startsWith("$")).map((s) => s.slice(1)),
  };
}

export function apiRouteFiles(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter((f) => /^api\..*\.tsx?$/.test(f))
    .sort();
}

/** A route module as loaded from source: its declaration and the Remix handlers. */
export interface RouteModule {
  api?: ApiRoute;
  loader?: unknown;
  action?: unknown;
}

export async function loadRouteModule(file: string): Promise<RouteModule> {
  return (await import(pathToFileURL(path.join(ROUTES_DIR, file)).href)) as RouteModule;
}

/** Every declared API route with its URL pattern: the route modules, then the routes Express answers ahead of Remix. */
export async function apiRoutes(): Promise<{ file: string; pattern: string; params: string[]; api: ApiRoute }[]> {
  const out = [];
  for (const file of apiRouteFiles()) {
    const { api } = await loadRouteModule(file);
    if (!api) throw new Error(`${file} exports no API declaration (export const api = apiRoute(…))`);
    out.push({ file, ...patternOf(file), api });
  }
  // Routes Express answers ahead of Remix (ADR 018) are declared in their module, not a route file.
  for (const route of [uploadPartRoute]) {
    out.push({ file: route.file, pattern: route.path, params: [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!), api: route.api });
  }
  return out;
}

/** Every API endpoint (route × method × op) with what the tests need to know about it. */
export async function apiEndpoints(): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (const route of await apiRoutes()) {
    const opParam = route.api.kind === "ops" ? route.api.opParam : null;
    for (const { method, op, endpoint } of endpointsOf(route.api)) {
      const body = endpoint.body;
      out.push({
        file: route.file,
        pattern: op === undefined || opParam === null ? route.pattern : route.pattern.replace(`:${opParam}`, op),
        params: route.params.filter((p) => !(op !== undefined && p === opParam)),
        method,
        fn: method === "GET" ? "loader" : "action",
        op,
        caller: CALLER[endpoint.guard.caller],
        body: body.kind,
        limit: body.kind === "json" || body.kind === "bytes" ? body.limit : null,
        schemas: body.kind === "json" ? [...body.schemas] : [],
        query: Object.keys(endpoint.query),
        declared: endpoint,
      });
    }
  }
  return out;
}

export function endpointName(e: Endpoint): string {
  return `${e.method} ${e.pattern}`;
}
