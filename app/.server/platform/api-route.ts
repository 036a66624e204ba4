// API routes declared once (ADR 024). A route module declares, per method (and
// per op for `$op` routes): who may call it (the guard), the body it takes (JSON
// with a schema and a byte limit, raw bytes, a stream, or none), its query
// parameters, the success status and response schema, and the handler. From
// that one object come the module's Remix `loader`/`action` (method check,
// guard, path parameters, body read with its limit and strict parse, then the
// handler with typed input), the 405 with `Allow` that server/api-dispatch.ts
// answers ahead of Remix, the endpoint list of the security suites
// (test/support/api-routes.ts) and docs/openapi.json (scripts/openapi.ts).
//
// Route modules export the declaration as `api` and its `loader`/`action`; the
// browser build gets none of it (vite.config.ts empties API route modules for
// the client: the handlers reach server code).
import type { ActionFunctionArgs, AppLoadContext, LoaderFunctionArgs } from "@remix-run/node";
import { Readable } from "node:stream";
import type { z, ZodTypeAny } from "zod";
import { isUuid } from "../../../crypto/encoding";
import { POW_HEADER, type PowAction } from "../../shared/pow-wire";
import { ApiError, handleApi, json, parseWith, readBounded, readJson } from "./http";
import { shapeLimits, type JsonLimits } from "./json-scan";
import { responseMismatch } from "./response-check";
import type { SpentProof } from "./proof-of-work";
import { services, type Services } from "./services";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";
export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "DELETE"];

/** Who a guard lets in; the access-control matrix and the OpenAPI security of each operation follow from it. */
export type CallerKind = "anonymous" | "reporter" | "upload" | "pending" | "investigator" | "admin" | "affiliate" | "staff";
/** How the caller proves who it is (ADR 011, 012): the OpenAPI security scheme. */
export type AuthScheme = "none" | "staffSession" | "staffPendingSession" | "reporterSession" | "uploadToken";

/** An error answer a route can give: its status and stable code (documented; the body is always ApiErrorBody). */
export interface ErrorAnswer {
  status: number;
  code: string;
}

export type Params = LoaderFunctionArgs["params"];

/** An endpoint's proof of work: required for an action, or optional (spent only when the header is sent). */
export type ProofOfWorkSpec = PowAction | { action: PowAction; optional: true };

/** The action and whether the header may be left out, or null for an endpoint without a proof of work. */
export function proofOfWorkOf(e: { proofOfWork?: ProofOfWorkSpec }): { action: PowAction; optional: boolean } | null {
  const spec = e.proofOfWork;
  if (!spec) return null;
  return typeof spec === "string" ? { action: spec, optional: false } : spec;
}

export interface GuardArgs {
  services: Services;
  request: Request;
  params: Params;
  context: AppLoadContext;
}

export interface Guard<P = unknown> {
  readonly caller: CallerKind;
  readonly auth: AuthScheme;
  /** What the guard itself answers when it refuses. */
  readonly refusals: readonly ErrorAnswer[];
  check(args: GuardArgs): Promise<P> | P;
}

export type Body =
  | { kind: "none" }
  /**
   * JSON read with readJson (415/400/413 before parsing, and the shape limits derived from `schemas` checked on the
   * bytes: json-scan.ts), parsed strictly with one of `schemas` (chosen by `choose`).
   */
  | { kind: "json"; limit: number; shape: JsonLimits; schemas: readonly ZodTypeAny[]; choose: (raw: unknown) => ZodTypeAny }
  /** Raw bytes read with readBounded. */
  | { kind: "bytes"; limit: number; contentType: string }
  /** A stream the handler reads itself (the upload parts). */
  | { kind: "stream"; contentType: string };

const NO_BODY: Body = { kind: "none" };

/** A JSON body of at most `limit` bytes, parsed with `schema` (strict: unknown members refused). */
export function jsonBody<S extends ZodTypeAny>(
  limit: number,
  schema: S,
): { kind: "json"; limit: number; shape: JsonLimits; schemas: readonly [S]; choose: (raw: unknown) => S } {
  return { kind: "json", limit, shape: shapeLimits([schema]), schemas: [schema], choose: () => schema };
}

/** A JSON body that is one of several shapes; `choose` picks the schema a body is parsed with (its errors name that one). */
export function jsonBodyOf<S extends readonly ZodTypeAny[]>(
  limit: number,
  schemas: S,
  choose: (raw: unknown) => S[number],
): { kind: "json"; limit: number; shape: JsonLimits; schemas: S; choose: (raw: unknown) => S[number] } {
  return { kind: "json", limit, shape: shapeLimits(schemas), schemas, choose };
}

export function bytesBody(limit: number, contentType = "text/plain"): { kind: "bytes"; limit: number; contentType: string } {
  return { kind: "bytes", limit, contentType };
}

export function streamBody(contentType = "application/octet-stream"): { kind: "stream"; contentType: string } {
  return { kind: "stream", contentType };
}

type BodyValue<B> = B extends { kind: "json"; schemas: readonly (infer S)[] }
  ? S extends ZodTypeAny
    ? z.output<S>
    : never
  : B extends { kind: "bytes" }
    ? Buffer
    : B extends { kind: "stream" }
      ? Readable
      : undefined;

/** A path parameter: its format, and for a uuid the 404 message a malformed one gets (checked after the guard). */
export interface ParamSpec {
  format: "uuid" | "string" | "integer";
  description: string;
  /** A malformed uuid answers 404 not_found with this message; without it the guard or handler checks the value. */
  notFound?: string;
}

export function uuidParam(notFound: string | undefined, description: string): ParamSpec {
  return { format: "uuid", description, notFound };
}

export interface HandlerInput<P, B> {
  services: Services;
  request: Request;
  params: Params;
  context: AppLoadContext;
  /** What the guard answered: the staff member, the reporter session, the upload and its token. */
  caller: P;
  body: B;
  query: URLSearchParams;
  /** The challenge spent on this request, for an endpoint that declares `proofOfWork`. */
  proof?: SpentProof;
}

export interface Endpoint<P = unknown, B extends Body = Body> {
  summary: string;
  guard: Guard<P>;
  body: B;
  /** Query parameters the handler reads, with what they mean. */
  query: Readonly<Record<string, string>>;
  /** Runs after the guard and before the body is read (a rate limit that must count before parsing). */
  before?: (input: Omit<HandlerInput<P, undefined>, "body">) => void | Promise<void>;
  /**
   * The action a solved proof of work in the `X-Proof-Of-Work` header must be for (ADR 032). Checked and spent after
   * the body is parsed and before the handler, so a malformed body is refused without costing the client a challenge.
   * `optional`: a request without the header goes on without `proof` (ADR 035: the way past a sign-in back-off); one
   * with it is checked and spent all the same.
   */
  proofOfWork?: ProofOfWorkSpec;
  /** The success status; the helper answers it as JSON with the handler's value (204: no body). */
  status: number;
  /**
   * Schema of the success body (JSON), "binary" for a download, null when there is none (204). With
   * API_RESPONSE_CHECK on, every JSON answer is checked against it, strictly (response-check.ts).
   */
  response: ZodTypeAny | "binary" | null;
  /** Errors this endpoint answers besides the guard's and the body's (documented, not enforced). */
  errors: readonly ErrorAnswer[];
  handler: (input: HandlerInput<P, BodyValue<B>>) => Promise<unknown>;
}

export interface EndpointSpec<P, B extends Body> {
  summary: string;
  guard: Guard<P>;
  body?: B;
  query?: Record<string, string>;
  before?: Endpoint<P, B>["before"];
  proofOfWork?: ProofOfWorkSpec;
  status?: number;
  response?: ZodTypeAny | "binary" | null;
  errors?: ErrorAnswer[];
  handler: (input: HandlerInput<P, BodyValue<B>>) => Promise<unknown>;
}

/** One method of a route (or of one op): the guard and body type the handler's input. */
export function endpoint<P, B extends Body = { kind: "none" }>(spec: EndpointSpec<P, B>): Endpoint<P, B> {
  return {
    summary: spec.summary,
    guard: spec.guard,
    body: spec.body ?? (NO_BODY as B),
    query: spec.query ?? {},
    before: spec.before,
    proofOfWork: spec.proofOfWork,
    status: spec.status ?? 200,
    response: spec.response ?? null,
    errors: spec.errors ?? [],
    handler: spec.handler,
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a route's endpoints each have their own guard and body
export type AnyEndpoint = Endpoint<any, any>;
export type MethodMap = Partial<Record<HttpMethod, AnyEndpoint>>;

interface RouteCommon {
  summary: string;
  /** Path parameters, checked in this order after the guard. */
  params: Readonly<Record<string, ParamSpec>>;
  /** Remix handlers: `loader` answers GET and HEAD, `action` every other method. Undefined when not declared. */
  loader?: (args: LoaderFunctionArgs) => Promise<Response>;
  action?: (args: ActionFunctionArgs) => Promise<Response>;
  /** The methods a path of this route takes (GET brings HEAD); null: an op this route does not have (it answers 404). */
  allow(params: Params): string[] | null;
}

export interface PlainRoute extends RouteCommon {
  kind: "plain";
  methods: MethodMap;
}

export interface OpRoute extends RouteCommon {
  kind: "ops";
  /** The path parameter naming the op. */
  opParam: string;
  ops: Readonly<Record<string, MethodMap>>;
  /** For a path naming no op: the guard that runs first, and the 404 message per method (as before ops were declared). */
  unknownOp: { guard: Guard; message: Partial<Record<HttpMethod, string>> };
}

export type ApiRoute = PlainRoute | OpRoute;

/** "GET, HEAD or POST", the message of every 405. */
export function methodList(allow: readonly string[]): string {
  return allow.length > 1 ? `${allow.slice(0, -1).join(", ")} or ${allow.at(-1)}` : (allow[0] ?? "");
}

function allowOf(methods: MethodMap): string[] {
  return HTTP_METHODS.filter((m) => methods[m]).flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
}

export function methodNotAllowed(allow: readonly string[]): ApiError {
  const refused = new ApiError(405, "method_not_allowed", `use ${methodList(allow)}`);
  refused.allow = [...allow];
  return refused;
}

function checkParams(specs: Readonly<Record<string, ParamSpec>>, params: Params): void {
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.format === "uuid" && spec.notFound !== undefined && !isUuid(params[name] ?? "")) throw new ApiError(404, "not_found", spec.notFound);
  }
}

async function run(
  e: AnyEndpoint,
  paramSpecs: Readonly<Record<string, ParamSpec>>,
  args: LoaderFunctionArgs | ActionFunctionArgs,
  opParam?: string,
): Promise<Response> {
  const { request, params, context } = args;
  const s = services(context);
  const caller: unknown = await e.guard.check({ services: s, request, params, context });
  checkParams(paramSpecs, params);
  const query = new URL(request.url).searchParams;
  const base = { services: s, request, params, context, caller, query };
  if (e.before) await e.before(base);
  let body: unknown;
  const spec = e.body as Body;
  if (spec.kind === "json") {
    const raw = await readJson(request, spec.limit, spec.shape);
    body = parseWith(spec.choose(raw), raw);
  } else if (spec.kind === "bytes") {
    body = await readBounded(request, spec.limit);
  } else if (spec.kind === "stream") {
    body = request.body ? Readable.fromWeb(request.body as import("node:stream/web").ReadableStream) : Readable.from([]);
  }
  const pow = proofOfWorkOf(e);
  const header = request.headers.get(POW_HEADER);
  const proof = pow && (header !== null || !pow.optional) ? await s.proofOfWork.spend({ header, action: pow.action, clientKey: context.clientKey }) : undefined;
  const result = await e.handler({ ...base, body: body as never, proof });
  if (s.config.API_RESPONSE_CHECK) await checkAnswer(e, args, opParam, result, s);
  if (result instanceof Response) return result;
  if (e.status === 204) return new Response(null, { status: 204 });
  return json(result, { status: e.status });
}

/**
 * API_RESPONSE_CHECK: a JSON success answer that its declared schema does not describe (an undeclared member
 * included) is logged, naming the route, and answered 500 instead, so that the tests fail on it.
 */
export async function checkAnswer(
  e: AnyEndpoint,
  args: Pick<LoaderFunctionArgs, "request" | "params">,
  opParam: string | undefined,
  result: unknown,
  s: Services,
): Promise<void> {
  let answer: unknown = result;
  if (result instanceof Response) {
    const isJson = result.headers.get("Content-Type")?.startsWith("application/json");
    if (!isJson || result.status !== e.status) return; // an error or a download the handler answered itself
    answer = await result.clone().json();
  } else if (e.status === 204) return;
  const problem = e.response === null || e.response === "binary" ? "a JSON answer where none is declared" : responseMismatch(e.response, answer);
  if (problem === null) return;
  s.log.error("API answer does not match its declared response schema", { route: `${args.request.method} ${routeOf(args, opParam)}`, problem });
  throw new ApiError(500, "response_mismatch", "the answer does not match its declared response schema");
}

/** The request's path with each path parameter's value but the op's replaced by its name (no ids or tokens in the log). */
function routeOf({ request, params }: Pick<LoaderFunctionArgs, "request" | "params">, opParam: string | undefined): string {
  const values = new Map(Object.entries(params).flatMap(([name, value]) => (name === opParam ? [] : [[value, `:${name}`] as const])));
  const decode = (seg: string) => {
    try {
      return decodeURIComponent(seg);
    } catch {
      return seg;
    }
  };
  return new URL(request.url).pathname
    .split("/")
    .map((seg) => values.get(decode(seg)) ?? seg)
    .join("/");
}

function remixHandlers(
  endpointFor: (method: string, params: Params) => { endpoint: AnyEndpoint } | ApiError,
  paramSpecs: Readonly<Record<string, ParamSpec>>,
  hasGet: boolean,
  hasOther: boolean,
  opParam?: string,
): Pick<RouteCommon, "loader" | "action"> {
  const handle = (args: LoaderFunctionArgs | ActionFunctionArgs) =>
    handleApi(async () => {
      const method = args.request.method === "HEAD" ? "GET" : args.request.method;
      const found = endpointFor(method, args.params);
      if (found instanceof ApiError) throw found;
      return run(found.endpoint, paramSpecs, args, opParam);
    });
  return { loader: hasGet ? handle : undefined, action: hasOther ? handle : undefined };
}

/** A route with one endpoint per method. */
export function apiRoute(spec: { summary: string; params?: Record<string, ParamSpec>; methods: MethodMap }): PlainRoute {
  const params = spec.params ?? {};
  const allow = allowOf(spec.methods);
  const handlers = remixHandlers(
    (method) => {
      const e = spec.methods[method as HttpMethod];
      return e ? { endpoint: e } : methodNotAllowed(allow);
    },
    params,
    Boolean(spec.methods.GET),
    HTTP_METHODS.some((m) => m !== "GET" && spec.methods[m]),
  );
  return { kind: "plain", summary: spec.summary, params, methods: spec.methods, allow: () => allow, ...handlers };
}

/**
 * A route whose last path segment names an operation (`$op`), each op declared like a route of its own: a method an
 * op does not take gets 405 with that op's `Allow`. A path naming no op answers as before: the shared guard, the
 * path parameters, then 404 (a method no op takes: 405 with every method of the route).
 */
export function apiOps(spec: {
  summary: string;
  params?: Record<string, ParamSpec>;
  opParam: string;
  ops: Record<string, MethodMap>;
  unknownOp: OpRoute["unknownOp"];
}): OpRoute {
  const params = spec.params ?? {};
  const opOf = (p: Params): MethodMap | null => {
    const op = p[spec.opParam] ?? "";
    return Object.hasOwn(spec.ops, op) ? spec.ops[op]! : null;
  };
  const every = Object.values(spec.ops);
  const anyMethod = (m: HttpMethod) => every.some((ops) => ops[m]);
  const union = HTTP_METHODS.filter(anyMethod).flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m]));
  const unknown = (method: string): AnyEndpoint =>
    endpoint({
      summary: "no such operation",
      guard: spec.unknownOp.guard,
      handler: () => Promise.reject(new ApiError(404, "not_found", spec.unknownOp.message[method as HttpMethod] ?? "no such operation")),
    });
  const handlers = remixHandlers(
    (method, p) => {
      const ops = opOf(p);
      if (!ops) return union.includes(method) ? { endpoint: unknown(method) } : methodNotAllowed(union);
      const e = ops[method as HttpMethod];
      return e ? { endpoint: e } : methodNotAllowed(allowOf(ops));
    },
    params,
    anyMethod("GET"),
    HTTP_METHODS.some((m) => m !== "GET" && anyMethod(m)),
    spec.opParam,
  );
  return {
    kind: "ops",
    summary: spec.summary,
    params,
    opParam: spec.opParam,
    ops: spec.ops,
    unknownOp: spec.unknownOp,
    allow: (p) => {
      const ops = opOf(p);
      return ops ? allowOf(ops) : null;
    },
    ...handlers,
  };
}

/** Every (method, op, endpoint) of a route: what the security suites and the OpenAPI document walk. */
export function endpointsOf(route: ApiRoute): { method: HttpMethod; op?: string; endpoint: AnyEndpoint }[] {
  const list = (methods: MethodMap, op?: string) => HTTP_METHODS.filter((m) => methods[m]).map((method) => ({ method, op, endpoint: methods[method]! }));
  return route.kind === "plain" ? list(route.methods) : Object.entries(route.ops).flatMap(([op, methods]) => list(methods, op));
}
