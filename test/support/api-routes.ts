// The JSON API as the route files define it, read with the TypeScript parser so
// that a new route, method, op or schema is picked up without touching the
// tests: URL pattern from the Remix flat-route file name, methods from
// `loader` (GET) and `requireMethod(request, …)` in `action`, the caller from
// the guard it calls, the body it reads (readJson / readBounded / the raw
// stream) with its limit, the zod schemas it parses with, the query parameters
// it reads, and for `$op` routes every op (caseOps keys, op lists, `op === "…"`).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { z, type ZodTypeAny } from "zod";
import { uploadPartRoute } from "../../server/upload-parts";

export const ROOT = path.join(import.meta.dirname, "../..");
export const ROUTES_DIR = path.join(ROOT, "app/routes");

export type Method = "GET" | "POST" | "PUT" | "DELETE";
/** Who may call a route: derived from the guard its handler calls. */
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
  /** The byte limit of the body it reads (null: not read, or not known). */
  limit: number | null;
  /** Every schema the body may be parsed with (recovery has two steps). */
  schemas: ZodTypeAny[];
  /** Query parameters the handler reads (following it into the function it hands searchParams to). */
  query: string[];
}

const ROLE_CALLER: Record<string, CallerKind> = { ADMIN: "admin", INVESTIGATOR: "investigator", AFFILIATE: "affiliate", ANY_STAFF: "investigator" };

function walk(node: ts.Node | ts.Node[], visit: (n: ts.Node) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, visit);
    return;
  }
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

/**
 * The statements of a handler that run for one method: the body of
 * `handleApi(async () => { … })`, taking `if (request.method === "X") { … }`
 * blocks only for X (and stopping after one that returns).
 */
function methodSlice(fn: ts.FunctionDeclaration, method: string, sf: ts.SourceFile): ts.Node[] {
  let stmts: readonly ts.Statement[] = fn.body!.statements;
  const api = calls(fn.body!, "handleApi")[0]?.arguments[0];
  if (api && (ts.isArrowFunction(api) || ts.isFunctionExpression(api))) {
    if (!ts.isBlock(api.body)) return [api.body];
    stmts = api.body.statements;
  }
  const out: ts.Node[] = [];
  for (const st of stmts) {
    const m = ts.isIfStatement(st) ? /^request\.method === "([A-Z]+)"$/.exec(st.expression.getText(sf)) : null;
    if (!m || !ts.isIfStatement(st)) {
      out.push(st);
      continue;
    }
    if (m[1] !== method) continue;
    out.push(st.thenStatement);
    const block: readonly ts.Statement[] = ts.isBlock(st.thenStatement) ? st.thenStatement.statements : [st.thenStatement];
    if (block.some((x) => ts.isReturnStatement(x) || ts.isThrowStatement(x))) break;
  }
  return out;
}

function calls(node: ts.Node | ts.Node[], name: string): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  walk(node, (n) => {
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const id = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : "";
      if (id === name) out.push(n);
    }
  });
  return out;
}

interface ImportInfo {
  names: Map<string, { module: string; imported: string }>;
}

function importsOf(sf: ts.SourceFile, fromFile: string): ImportInfo {
  const names = new Map<string, { module: string; imported: string }>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause || st.importClause.isTypeOnly) continue;
    const spec = (st.moduleSpecifier as ts.StringLiteral).text;
    const module = spec.startsWith(".") ? path.resolve(path.dirname(fromFile), spec) : spec;
    const bindings = st.importClause.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) {
      for (const el of bindings.elements) {
        if (el.isTypeOnly) continue;
        names.set(el.name.text, { module, imported: (el.propertyName ?? el.name).text });
      }
    }
  }
  return { names };
}

function resolveTs(module: string): string | null {
  for (const ext of [".ts", ".tsx", "/index.ts"]) {
    try {
      readFileSync(module + ext);
      return module + ext;
    } catch {
      /* next */
    }
  }
  return null;
}

/** Modules safe to load in the test process to evaluate a schema or a limit: wire formats, limits, crypto, zod. */
function loadable(module: string): boolean {
  if (module === "zod") return true;
  if (!module.startsWith(ROOT)) return false;
  if (module.includes(`${path.sep}.server${path.sep}`) || module.endsWith(".server")) return false;
  return /[/\\](app[/\\](intake|staff|shared)|crypto)[/\\]/.test(module);
}

async function scopeFor(sf: ts.SourceFile, file: string): Promise<Record<string, unknown>> {
  const scope: Record<string, unknown> = { z };
  for (const [local, { module, imported }] of importsOf(sf, file).names) {
    if (!loadable(module)) continue;
    const resolved = module === "zod" ? "zod" : resolveTs(module);
    if (!resolved) continue;
    const mod = (await import(resolved === "zod" ? "zod" : pathToFileURL(resolved).href)) as Record<string, unknown>;
    if (imported in mod) scope[local] = mod[imported];
  }
  // Top-level constants of the route file itself (a local schema, an op list, a limit function).
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || !d.initializer) continue;
      try {
        scope[d.name.text] = evaluate(d.initializer.getText(sf), scope);
      } catch {
        /* not evaluable here (uses server code): left out */
      }
    }
  }
  return scope;
}

/** Evaluates a TypeScript expression from a route file with the given names in scope. */
export function evaluate(expression: string, scope: Record<string, unknown>): unknown {
  const js = ts.transpileModule(`(${expression})`, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText.trim().replace(/;$/, "");
  const names = Object.keys(scope);
  return new Function(...names, `"use strict"; return ${js};`)(...names.map((n) => scope[n]));
}

/** `.get("name")` on the function's searchParams argument, for a function defined in `file`. */
function queryNamesIn(file: string, fnName: string): string[] {
  const resolved = resolveTs(file);
  if (!resolved) return [];
  const sf = ts.createSourceFile(resolved, readFileSync(resolved, "utf8"), ts.ScriptTarget.ES2022, true);
  const out: string[] = [];
  walk(sf, (n) => {
    if (ts.isFunctionDeclaration(n) && n.name?.text === fnName && n.body) {
      const param = n.parameters[0]?.name;
      const p = param && ts.isIdentifier(param) ? param.text : "";
      for (const c of calls(n.body, "get")) {
        const recv = (c.expression as ts.PropertyAccessExpression).expression?.getText(sf);
        const arg = c.arguments[0];
        if (recv === p && arg && ts.isStringLiteral(arg)) out.push(arg.text);
      }
    }
  });
  return out;
}

function queryNames(fn: ts.Node | ts.Node[], sf: ts.SourceFile, file: string, imports: ImportInfo): string[] {
  const out = new Set<string>();
  // Variables holding the search params: const q = new URL(request.url).searchParams
  const holders = new Set<string>();
  walk(fn, (n) => {
    if (ts.isVariableDeclaration(n) && n.initializer && ts.isIdentifier(n.name) && /\.searchParams$/.test(n.initializer.getText(sf))) holders.add(n.name.text);
  });
  for (const c of calls(fn, "get")) {
    const recv = (c.expression as ts.PropertyAccessExpression).expression;
    const arg = c.arguments[0];
    if (!recv || !arg || !ts.isStringLiteral(arg)) continue;
    const text = recv.getText(sf);
    if (/searchParams$/.test(text) || holders.has(text)) out.add(arg.text);
  }
  // Handed on: inboxQuery(new URL(request.url).searchParams), parseStatisticsRange(q)
  walk(fn, (n) => {
    if (!ts.isCallExpression(n) || !ts.isIdentifier(n.expression)) return;
    if (!n.arguments.some((a) => /searchParams$/.test(a.getText(sf)) || holders.has(a.getText(sf)))) return;
    const imp = imports.names.get(n.expression.text);
    if (imp && imp.module.startsWith(ROOT)) for (const q of queryNamesIn(imp.module, imp.imported)) out.add(q);
  });
  return [...out];
}

/** String literals `op` is compared with, and op lists checked with `.includes(op)` / `Object.hasOwn(x, op)`. */
function opsIn(fn: ts.Node | ts.Node[], sf: ts.SourceFile, scope: Record<string, unknown>): string[] {
  const out = new Set<string>();
  walk(fn, (n) => {
    if (ts.isBinaryExpression(n) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(n.operatorToken.kind)) {
      const [a, b] = [n.left, n.right];
      if (ts.isIdentifier(a) && a.text === "op" && ts.isStringLiteral(b)) out.add(b.text);
    }
    if (ts.isCallExpression(n)) {
      const text = n.expression.getText(sf);
      const args = n.arguments.map((a) => a.getText(sf));
      if (/\.includes$/.test(text) && /^op\b/.test(args[0] ?? "")) {
        const list = scope[text.replace(/\.includes$/, "")];
        if (Array.isArray(list)) for (const x of list) out.add(String(x));
      }
      if (text === "Object.hasOwn" && args[1] === "op") {
        const obj = scope[args[0]!];
        if (obj && typeof obj === "object") for (const k of Object.keys(obj)) out.add(k);
      }
    }
  });
  return [...out];
}

function callerOf(fn: ts.Node | ts.Node[], sf: ts.SourceFile): CallerKind {
  const staff = calls(fn, "requireStaff")[0];
  if (staff) {
    const role = staff.arguments[2]?.getText(sf) ?? "";
    const c = ROLE_CALLER[role];
    if (!c) throw new Error(`unknown staff role constant ${role} in ${sf.fileName}`);
    return c;
  }
  if (calls(fn, "requireReporterSession").length) return "reporter";
  if (calls(fn, "uploadParams").length) return "upload";
  if (["beginTotpSetup", "finishTotpSetup", "loginSecondFactor"].some((n) => calls(fn, n).length)) return "pending";
  return "anonymous";
}

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

/** Every API endpoint (route × method × op) with what the tests need to know about it. */
export async function apiEndpoints(): Promise<Endpoint[]> {
  const out: Endpoint[] = [];
  for (const file of apiRouteFiles()) {
    const full = path.join(ROUTES_DIR, file);
    const sf = ts.createSourceFile(full, readFileSync(full, "utf8"), ts.ScriptTarget.ES2022, true);
    const imports = importsOf(sf, full);
    const scope = await scopeFor(sf, full);
    const { pattern, params } = patternOf(file);
    for (const st of sf.statements) {
      if (!ts.isFunctionDeclaration(st) || !st.name || !st.body) continue;
      const fnName = st.name.text;
      if (fnName !== "loader" && fnName !== "action") continue;
      if (!st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
      const methods: Method[] =
        fnName === "loader"
          ? ["GET"]
          : (calls(st.body, "requireMethod").flatMap((c) => c.arguments.slice(1).map((a) => (a as ts.StringLiteral).text)) as Method[]);
      if (fnName === "action" && methods.length === 0) throw new Error(`${file}: action without requireMethod: cannot tell its methods`);
      const ops = params.includes("op") ? opsIn(st.body, sf, scope) : [undefined];
      if (params.includes("op") && ops.length === 0) throw new Error(`${file} ${fnName}: cannot tell its ops`);
      for (const method of methods) {
        const slice = methodSlice(st, method, sf);
        const caller = callerOf(slice, sf);
        const json = calls(slice, "readJson")[0];
        const bounded = calls(slice, "readBounded")[0];
        const streams = slice.some((n) => /\brequest\.body\b/.test(n.getText(sf))) && !json && !bounded;
        const body: Endpoint["body"] = method === "GET" ? "none" : json ? "json" : bounded ? "bytes" : streams ? "stream" : "none";
        const limitExpr = (json ?? bounded)?.arguments[1]?.getText(sf) ?? null;
        const schemaExprs = calls(slice, "parseWith").map((c) => c.arguments[0]!.getText(sf));
        const query = queryNames(slice, sf, full, imports);
        for (const op of ops) {
          const local = { ...scope, key: op, op };
          const schemas = schemaExprs.map((e) => evaluate(e, local) as ZodTypeAny);
          for (const [i, sch] of schemas.entries()) {
            if (!sch || typeof (sch as ZodTypeAny).safeParse !== "function") throw new Error(`${file}: schema ${schemaExprs[i]} did not evaluate to a zod schema`);
          }
          const limit = limitExpr === null ? null : Number(evaluate(limitExpr, local));
          if (limitExpr !== null && !Number.isFinite(limit)) throw new Error(`${file}: body limit ${limitExpr} did not evaluate`);
          out.push({
            file,
            pattern: op === undefined ? pattern : pattern.replace(":op", op),
            params: params.filter((p) => !(op !== undefined && p === "op")),
            method,
            fn: fnName,
            op,
            caller,
            body,
            limit,
            schemas,
            query,
          });
        }
      }
    }
  }
  // Routes Express answers ahead of Remix (ADR 018) are described by their module, not a route file.
  for (const route of [uploadPartRoute]) {
    for (const method of route.methods) {
      out.push({
        file: route.file,
        pattern: route.path,
        params: [...route.path.matchAll(/:(\w+)/g)].map((m) => m[1]!),
        method,
        fn: "action",
        caller: "upload",
        body: "stream",
        limit: null,
        schemas: [],
        query: [],
      });
    }
  }
  return out;
}

export function endpointName(e: Endpoint): string {
  return `${e.method} ${e.pattern}`;
}
