// docs/openapi.json, the HTTP API of the portal as OpenAPI 3.1, generated from
// the route declarations (ADR 024): every route module's `api` export and the
// upload-part route Express answers ahead of Remix. Request and response
// bodies are the declared zod schemas as JSON Schema (zod-to-json-schema, the
// input side of each schema: base64url strings before decoding); errors are
// ApiErrorBody with the codes the guard, the body reading, the path parameters
// and the route itself can answer. The message formats inside the ciphertext
// fields are in docs/CRYPTO.md.
//
//   npm run openapi          writes docs/openapi.json
//   test/unit/openapi.test.ts fails while the committed file differs
//
// A development script, outside server/: nothing at run time loads it.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ZodTypeAny } from "zod";
import { zodToJsonSchema } from "zod-to-json-schema";
import {
  endpointsOf,
  proofOfWorkOf,
  type AnyEndpoint,
  type ApiRoute,
  type AuthScheme,
  type ErrorAnswer,
  type ParamSpec,
} from "../app/.server/platform/api-route";
import { apiErrorBody } from "../app/intake/wire";
import { OPTIONAL_POW_REFUSALS, POW_REFUSALS } from "../app/.server/platform/proof-of-work";
import { POW_HEADER } from "../app/shared/pow-wire";
import { uploadPartRoute } from "../app/.server/intake/upload-part-route";

const ROOT = path.join(import.meta.dirname, "..");
const ROUTES_DIR = path.join(ROOT, "app/routes");
export const OPENAPI_FILE = path.join(ROOT, "docs/openapi.json");

export interface DeclaredRoute {
  /** Where it is declared: the route file name, or the server module. */
  file: string;
  /** Remix-style pattern, e.g. /api/intake/uploads/:uploadId */
  pattern: string;
  api: ApiRoute;
}

/** The URL pattern of a Remix flat-route file name (pathless `_` segments dropped, `$x` a parameter). */
export function patternOf(file: string): string {
  const segs = file
    .replace(/\.tsx?$/, "")
    .split(".")
    .filter((s) => !s.startsWith("_"));
  return "/" + segs.map((s) => (s.startsWith("$") ? `:${s.slice(1)}` : s)).join("/");
}

/** Every API route module's declaration, loaded from source, then the routes Express answers ahead of Remix. */
export async function declaredRoutes(): Promise<DeclaredRoute[]> {
  const out: DeclaredRoute[] = [];
  for (const file of readdirSync(ROUTES_DIR)
    .filter((f) => /^api\..*\.tsx?$/.test(f))
    .sort()) {
    const { api } = (await import(pathToFileURL(path.join(ROUTES_DIR, file)).href)) as { api?: ApiRoute };
    if (!api) throw new Error(`${file} exports no API declaration (export const api = apiRoute(…))`);
    out.push({ file, pattern: patternOf(file), api });
  }
  out.push({ file: uploadPartRoute.file, pattern: uploadPartRoute.path, api: uploadPartRoute.api });
  return out;
}

type Json = Record<string, unknown>;

function schemaOf(schema: ZodTypeAny): Json {
  const s = zodToJsonSchema(schema, { target: "jsonSchema2019-09", $refStrategy: "none", effectStrategy: "input", pipeStrategy: "input" }) as Json;
  delete s.$schema;
  return s;
}

const SECURITY_SCHEMES: Record<Exclude<AuthScheme, "none">, Json> = {
  staffSession: {
    type: "apiKey",
    in: "cookie",
    name: "cor_staff",
    description:
      "The staff session cookie set by sign-in once both factors are given (ADR 012); `__Host-cor_staff` when the portal is served over HTTPS. HttpOnly, SameSite=Strict; state-changing requests must also come from the portal's origin.",
  },
  staffPendingSession: {
    type: "apiKey",
    in: "cookie",
    name: "cor_staff",
    description: "The staff session cookie after the password step, before the second factor (ADR 012): it passes only the second-factor and enrolment routes.",
  },
  reporterSession: {
    type: "http",
    scheme: "bearer",
    description: "The reporter's follow-up session token from POST /api/followup/session (ADR 011), as `Authorization: Bearer <token>`.",
  },
  uploadToken: {
    type: "apiKey",
    in: "header",
    name: "X-Upload-Token",
    description: "The capability token of one upload, from the answer that opened it (ADR 004).",
  },
};

const WHO: Record<string, string> = {
  anonymous: "anyone",
  reporter: "the reporter's follow-up session",
  upload: "the holder of the upload's token",
  pending: "a staff member between the password and the second factor",
  investigator: "a signed-in investigator",
  admin: "a signed-in administrator",
  affiliate: "a signed-in affiliate reviewer",
  staff: "any signed-in staff member",
};

/** Every error an endpoint can answer, by status. */
function errorsOf(e: AnyEndpoint, params: Readonly<Record<string, ParamSpec>>, opRoute: boolean): Map<number, Set<string>> {
  const all: ErrorAnswer[] = [{ status: 405, code: "method_not_allowed" }, { status: 503, code: "unavailable" }, ...e.guard.refusals];
  if (Object.values(params).some((p) => p.notFound !== undefined) || opRoute) all.push({ status: 404, code: "not_found" });
  const body = e.body;
  if (body.kind === "json") {
    all.push(
      { status: 400, code: "invalid_request" },
      { status: 400, code: "bad_json" },
      { status: 400, code: "empty_body" },
      { status: 400, code: "json_too_deep" },
      { status: 400, code: "json_too_many_elements" },
      { status: 413, code: "too_large" },
      { status: 415, code: "unsupported_media_type" },
    );
  }
  if (body.kind === "bytes") all.push({ status: 413, code: "too_large" });
  all.push(...e.errors);
  const pow = proofOfWorkOf(e);
  if (pow) all.push(...(pow.optional ? OPTIONAL_POW_REFUSALS : POW_REFUSALS));
  const out = new Map<number, Set<string>>();
  for (const { status, code } of all) out.set(status, (out.get(status) ?? new Set()).add(code));
  return new Map([...out].sort(([a], [b]) => a - b));
}

function operation(route: DeclaredRoute, method: string, e: AnyEndpoint, op: string | undefined): Json {
  const params = route.api.params;
  const pathParams = [...route.pattern.matchAll(/:(\w+)/g)].map((m) => m[1]!).filter((p) => !(route.api.kind === "ops" && p === route.api.opParam));
  const parameters: Json[] = pathParams.map((name) => {
    const spec = params[name];
    return {
      name,
      in: "path",
      required: true,
      description: spec?.description ?? name,
      schema: spec?.format === "uuid" ? { type: "string", format: "uuid" } : spec?.format === "integer" ? { type: "integer", minimum: 0 } : { type: "string" },
    };
  });
  for (const [name, description] of Object.entries(e.query)) parameters.push({ name, in: "query", required: false, description, schema: { type: "string" } });
  const pow = proofOfWorkOf(e);
  if (pow) {
    const what = `A solved proof-of-work challenge for the action "${pow.action}" from GET /api/pow/challenge?action=${pow.action}: base64 of the JSON {challenge, solution} (ALTCHA v2 payload; docs/CRYPTO.md §13, ADR 032). Each challenge is spent once, after the body is accepted.`;
    parameters.push({
      name: POW_HEADER,
      in: "header",
      required: !pow.optional,
      description: pow.optional
        ? `Optional. Sent again with a request that got 429 too_many_attempts naming proofOfWork "${pow.action}" in its body, it lets the request past the sign-in back-off instead of waiting for Retry-After; the attempt still counts as a failure until it succeeds (ADR 035). ${what} Without it nothing changes.`
        : what,
      schema: { type: "string", maxLength: 4096 },
    });
  }
  const out: Json = {
    operationId: `${method.toLowerCase()}${route.pattern.replace(/:(\w+)/g, (_, p: string) => (route.api.kind === "ops" && p === route.api.opParam ? op! : `by-${p}`)).replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ? c.toUpperCase() : ""))}`,
    summary: e.summary,
    description: `${route.api.summary}. Caller: ${WHO[e.guard.caller]}. Declared in ${route.file}.`,
    "x-caller": e.guard.caller,
  };
  if (parameters.length) out.parameters = parameters;
  out.security = e.guard.auth === "none" ? [] : [{ [e.guard.auth]: [] }];
  const body = e.body;
  if (body.kind === "json") {
    const schemas = body.schemas.map(schemaOf);
    out.requestBody = {
      required: true,
      description: `JSON, at most ${body.limit} bytes (413 too_large beyond), ${body.shape.depth} levels deep (400 json_too_deep) and ${body.shape.elements} array elements and object members in all (400 json_too_many_elements); unknown members are refused (400 invalid_request naming them).`,
      "x-max-body-bytes": body.limit,
      "x-max-json-depth": body.shape.depth,
      "x-max-json-elements": body.shape.elements,
      content: { "application/json": { schema: schemas.length === 1 ? schemas[0] : { oneOf: schemas } } },
    };
  } else if (body.kind === "bytes") {
    out.requestBody = {
      required: false,
      description: `At most ${body.limit} bytes (413 too_large beyond).`,
      "x-max-body-bytes": body.limit,
      content: { [body.contentType]: { schema: { type: "string", maxLength: body.limit } } },
    };
  } else if (body.kind === "stream") {
    out.requestBody = {
      required: true,
      description: "The bytes of the part, streamed.",
      content: { [body.contentType]: { schema: { type: "string", contentEncoding: "binary" } } },
    };
  }
  const responses: Json = {};
  const success: Json = { description: e.status === 204 ? "Done; no body." : "Success." };
  if (e.status !== 204) {
    if (e.response === "binary") success.content = { "application/octet-stream": { schema: { type: "string", contentEncoding: "binary" } } };
    else if (e.response) success.content = { "application/json": { schema: schemaOf(e.response) } };
    else throw new Error(`${method} ${route.pattern} (${route.file}) answers ${e.status} with a body but declares no response schema`);
  }
  responses[String(e.status)] = success;
  for (const [status, codes] of errorsOf(e, params, route.api.kind === "ops")) {
    const list = [...codes].sort();
    responses[String(status)] = {
      description:
        status === 429 && pow?.optional
          ? `Error: ${list.join(", ")}. A sign-in back-off's answer names error.proofOfWork: the same request sent again with X-Proof-Of-Work solved for that action goes past the wait (ADR 035).`
          : `Error: ${list.join(", ")}.`,
      "x-error-codes": list,
      ...(status === 405 ? { headers: { Allow: { description: "The methods the path takes.", schema: { type: "string" } } } } : {}),
      ...(status === 503 || status === 429 ? { headers: { "Retry-After": { description: "Seconds to wait.", schema: { type: "integer" } } } } : {}),
      content: { "application/json": { schema: { $ref: "#/components/schemas/ApiErrorBody" } } },
    };
  }
  out.responses = responses;
  return out;
}

/** The OpenAPI 3.1 document of the given routes. */
export function openApiDocument(routes: DeclaredRoute[]): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    for (const { method, op, endpoint } of endpointsOf(route.api)) {
      const opParam = route.api.kind === "ops" ? route.api.opParam : null;
      const p = route.pattern.replace(/:(\w+)/g, (_, name: string) => (name === opParam ? op! : `{${name}}`));
      (paths[p] ??= {})[method.toLowerCase()] = operation(route, method, endpoint, op);
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Clean OKESTRO Report HTTP API",
      version: "1",
      description:
        "The HTTP API of the portal, generated from the route declarations (npm run openapi; ADR 024). Every request and response field that holds ciphertext, keys or envelopes is unpadded base64url of a format described in docs/CRYPTO.md: an independent client needs both documents. Errors are always ApiErrorBody with a stable code; a method a path does not take is 405 method_not_allowed with Allow; a database outage is 503 unavailable with Retry-After. Every answer is Cache-Control: no-store.",
    },
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: { ApiErrorBody: schemaOf(apiErrorBody) },
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}

export async function openApiText(): Promise<string> {
  return `${JSON.stringify(openApiDocument(await declaredRoutes()), null, 2)}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  writeFileSync(OPENAPI_FILE, await openApiText());
  console.log(`wrote ${path.relative(process.cwd(), OPENAPI_FILE)}`);
}
