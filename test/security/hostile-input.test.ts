// Malformed and hostile data for every API endpoint (issue 8). The endpoints
// come from the route declarations (test/support/api-routes.ts: URL pattern,
// methods, caller, body limit, zod schemas, query parameters, ops), so a new route, op or field is
// covered without editing this file. Each endpoint is called as the caller
// that may use it, with a body that is valid as far as the server can check
// except for one hostile thing: wrong JSON types, missing fields, oversized
// fields and bodies, malformed ids and enums, NUL characters, truncated and
// tampered ciphertexts in every base64url field, non-JSON and non-UTF-8
// bodies, wrong Content-Types, extra members (prototype pollution, mass
// assignment), hostile path and query parameters, and for uploads parts out of
// order, duplicated, missing, too big, cut off, and completion too early.
// Every one must get a clear 4xx JSON error ({error: {code, message}}), never
// a 5xx, never a hang; afterwards the server still answers /healthz, takes a
// normal submission, and nothing already stored has changed (every row of
// every table and the blob directory, compared before and after). Three kinds
// of answer are not that error, by design: a read with a hostile query value
// may be answered (an unknown filter is ignored; these run before the
// comparison starts, since an answered read is audited), and the tab-close
// beacon answers 204 to anything (it gives no oracle). A method a route does
// not take, whether or not its module has a handler for it, gets 405 JSON
// with an Allow header naming exactly what the path takes (per op).
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { safeFileName } from "../../app/components/save-file";
import { MAX_PART_BYTES, UPLOAD_TOKEN_HEADER, LIMITS } from "../../app/intake/limits";
import { fetchIntakeInfo, submitEncryptedReport, type IntakeError, type ReportDraft } from "../../app/reporter/intake-client";
import { isCryptoError, loadSodium } from "../../crypto";
import { apiEndpoints, apiRouteFiles, endpointName, loadRouteModule, type Endpoint } from "../support/api-routes";
import { backends } from "../support/backends";
import { memoryFile } from "../support/files";
import {
  buildWorld,
  diffSnapshots,
  fillPath,
  hintFor,
  pathParams,
  snapshot,
  startHostilePortal,
  type Exclusions,
  type Snapshot,
  type World,
} from "../support/hostile-world";
import { decryptReportAsInvestigator } from "../support/investigator";
import { rawRequest, refusalProblem, type RawRequest, type RawResponse } from "../support/raw-http";
import { PASSWORD } from "../support/staff";
import { sample, variants, withExtraFieldsJson, type Path } from "../support/zod-probe";
import { withSolvedPow } from "../support/pow";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

const ENDPOINTS = await apiEndpoints();

/**
 * Columns that legitimately change while hostile requests are refused, left out of the before/after comparison:
 * - staff_sessions.last_seen_at, reporter_sessions.last_seen_at: every authenticated request, refused or not,
 *   proves the caller is active and moves the idle clock (the session must not time out during the suite).
 * - the limits' own state, whole tables (issue 16): refused requests are what they count. Wrong sign-ins
 *   move the back-off (staff_sign_in_backoff, ADR 030), every report and follow-up post is counted before
 *   its body is read (submission_counters, ADR 034), and every proof of work is spent once (pow_spent, ADR 032).
 */
const EXCLUDED: Exclusions = {
  staff_sessions: ["last_seen_at"],
  reporter_sessions: ["last_seen_at"],
  staff_sign_in_backoff: ["*"],
  submission_counters: ["*"],
  pow_spent: ["*"],
};

/**
 * Base64url fields whose bytes carry no version or structure: any 32 bytes are a valid look-up value, and an export
 * signing key is a raw Ed25519 public key (ADR 054) that only its own signatures can prove.
 */
const OPAQUE_FIELDS = new Set(["receiptLookup", "signingKey"]);

type Expect =
  /** A clear 4xx JSON error; `unknown`: a 400 invalid_request naming this member as an unknown field. */
  | { kind: "refused"; status?: number[]; unknown?: string }
  /** A read: any 2xx or a clear 4xx (e.g. an unknown filter is ignored). */
  | { kind: "answered" }
  /** The tab-close beacon: 204 with no body for anything it does not recognise, or a clear 4xx. */
  | { kind: "beacon" }
  /** A method the route does not take: 405 method_not_allowed (no body for HEAD) with exactly these methods in Allow. */
  | { kind: "wrong-method"; allow: string[] };

interface Case {
  label: string;
  req: RawRequest;
  expect: Expect;
  /** Cases on one upload run one after another. */
  serial?: boolean;
}

const REFUSED: Expect = { kind: "refused" };

function problemOf(c: Case, res: RawResponse): string | null {
  if (res.status >= 500) return `${res.status} (server error): ${res.text.slice(0, 200)}`;
  if (c.expect.kind === "refused") {
    const p = refusalProblem(res);
    if (p) return p;
    if (c.expect.status && !c.expect.status.includes(res.status))
      return `status ${res.status}, expected ${c.expect.status.join(" or ")}: ${res.text.slice(0, 200)}`;
    if (c.expect.unknown) {
      const { error } = JSON.parse(res.text) as { error: { code: string; fields?: Record<string, string> } };
      if (error.code !== "invalid_request" || error.fields?.[c.expect.unknown] !== "unknown field")
        return `does not name ${c.expect.unknown} as an unknown field: ${res.text.slice(0, 200)}`;
    }
    return null;
  }
  if (c.expect.kind === "wrong-method") {
    if (res.status !== 405) return `status ${res.status}, expected 405: ${res.text.slice(0, 200)}`;
    const allow = String(res.headers.allow ?? "")
      .split(/,\s*/)
      .filter(Boolean)
      .sort();
    if (allow.join(", ") !== [...c.expect.allow].sort().join(", ")) return `Allow: ${res.headers.allow ?? "(none)"}, expected ${c.expect.allow.join(", ")}`;
    if (c.req.method === "HEAD")
      return String(res.headers["content-type"] ?? "").startsWith("application/json") ? null : `content-type ${res.headers["content-type"]}`;
    const p = refusalProblem(res);
    if (p) return p;
    return (JSON.parse(res.text) as { error: { code: string } }).error.code === "method_not_allowed" ? null : `code ${res.text.slice(0, 200)}`;
  }
  if (c.expect.kind === "beacon") {
    if (res.status === 204 && res.text === "") return null;
    return refusalProblem(res);
  }
  if (res.status >= 200 && res.status < 300) return null;
  return refusalProblem(res);
}

/** Hostile values for one path parameter (already percent-encoded where needed). */
function pathVariants(name: string, real: string, other: string): [string, string][] {
  const common: [string, string][] = [
    ["not a uuid", "not-a-uuid"],
    ["upper-case", real.toUpperCase()],
    ["without dashes", real.replace(/-/g, "")],
    ["with a character more", `${real}0`],
    ["an id that does not exist", "5a0c8e1e-3f3b-4c55-9a51-0f6f0c7e9d21"],
    ["the id of something else", other],
    ["path traversal", "..%2F..%2F..%2Fetc%2Fpasswd"],
    ["NUL byte", `${real.slice(0, 8)}%00${real.slice(8)}`],
    ["broken percent-encoding", "%ZZ"],
    ["truncated percent-encoding", `${real}%E2%80`],
    ["right-to-left override", `%E2%80%AE${real}`],
    ["3000 characters", "a".repeat(3000)],
    ["__proto__", "__proto__"],
    ["constructor", "constructor"],
    ["SQL", "%27%20OR%20%271%27%3D%271"],
    ["a space", "%20"],
  ];
  if (name === "part") {
    return [
      ["negative", "-1"],
      ["fraction", "1.5"],
      ["exponent", "1e3"],
      ["hexadecimal", "0x1"],
      ["letters", "abc"],
      ["8 digits", "99999999"],
      ["leading space", "%201"],
      ["NUL byte", "1%00"],
      ["broken percent-encoding", "%ZZ"],
      ["__proto__", "__proto__"],
    ];
  }
  return common;
}

const QUERY_VALUES: [string, string][] = [
  ["NUL byte", "%00"],
  ["NUL inside", "a%00b"],
  ["broken percent-encoding", "%ZZ"],
  ["5000 characters", "x".repeat(5000)],
  ["SQL", "%27%20OR%201%3D1--"],
  ["negative", "-1"],
  ["huge number", "1e400"],
  ["unicode", "%E2%80%AE%ED%95%9C"],
];

/** JSON text with raw bytes spliced into the first string value the schema takes as plain text (else any string). */
function spliceIntoString(json: string, baseline: unknown, bytes: Buffer): Buffer {
  const marker = "\uE000MARK\uE000";
  let done = false;
  const visit = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === "string" && !/^[A-Za-z0-9_-]{20,}$/.test(v) && !/^[0-9a-f-]{36}$/.test(v)) {
      done = true;
      return `${v.slice(0, 1)}${marker}${v.slice(1)}`;
    }
    if (Array.isArray(v)) return v.map(visit);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, visit(x)]));
    return v;
  };
  let marked = JSON.stringify(visit(baseline));
  if (!done) marked = json.replace(/"([^"]*)"(?=\s*[,}\]])/, `"$1${marker}"`);
  const [a, b] = marked.split(marker);
  return Buffer.concat([Buffer.from(a!, "utf8"), bytes, Buffer.from(b ?? "", "utf8")]);
}

/**
 * Hostile JSON shapes (issue 16 rows 5 and 6), each as large as the endpoint's byte limit allows: deep objects and
 * arrays, huge arrays and objects, numbers JSON.stringify never writes, long strings, many duplicate keys, a chain
 * of `__proto__` keys, unpaired surrogate escapes. Only readJson sees most of them; what the schema sees
 * (numbers, duplicates) is in the body's own members.
 */
function shapeCases(text: string, baseline: unknown, limit: number, first: boolean): [string, string][] {
  const room = Math.min(limit, 4 * 1024 * 1024) - 64;
  const keys = Object.keys(baseline as object);
  const firstKey = JSON.stringify(keys[0] ?? "x");
  const out: [string, string][] = [
    [`${Math.floor(room / 5)} nested objects`, `${'{"a":'.repeat(Math.floor(room / 5))}1${"}".repeat(Math.floor(room / 5))}`.slice(0, room)],
    ["nesting one past the depth limit inside a member", text.replace(/\}$/, `,"x":${"[".repeat(9)}${"]".repeat(9)}}`)],
    [`${Math.floor(room / 2)} zeros in an array`, `[${"0,".repeat(Math.floor(room / 2) - 1)}0]`],
    [`${Math.floor(room / 2)} zeros in the first member`, `{${firstKey}:[${"0,".repeat(Math.floor(room / 2) - 8)}0]}`],
    [`an object of ${Math.floor(room / 12)} members`, `{${Array.from({ length: Math.floor(room / 12) }, (_, i) => `"k${i}":0`).join(",")}}`.slice(0, room)],
    [
      `the first member ${Math.floor(room / (firstKey.length + 6))} times`,
      `{${`${firstKey}:[[]],`.repeat(Math.floor(room / (firstKey.length + 6)) - 1)}${firstKey}:[[]]}`,
    ],
    ["a chain of __proto__ keys", `${'{"__proto__":'.repeat(12)}{"polluted":"yes"}${"}".repeat(12)}`],
    ["a string as long as the limit", JSON.stringify("x".repeat(room - 2))],
    ["unpaired high surrogate escape in a member", text.replace(/^\{/, `{"\\ud800":"\\ud800",`)],
    ["unpaired low surrogate escape in a key", text.replace(/^\{/, `{"\\udc00x":1,`)],
    ["escaped NUL in a key", text.replace(/^\{/, `{"a\\u0000":1,`)],
  ].filter(() => first) as [string, string][];
  // Numbers as text: what JSON.stringify never writes (overflow to Infinity, underflow, 10,000 digits, -0), in every
  // member the baseline holds a number in.
  for (const key of keys.filter((k) => typeof (baseline as Record<string, unknown>)[k] === "number")) {
    for (const n of ["1e400", "-1e400", "1e-400", "-0", "1".repeat(10_000), "123456789012345678901234567890"]) {
      const marked = JSON.stringify({ ...(baseline as object), [key]: "\uE000N" }).replace('"\uE000N"', n);
      out.push([`${key}: number ${n.length > 40 ? `of ${n.length} digits` : n}`, marked]);
    }
  }
  return out.filter(([, body]) => body.length <= limit);
}

function jsonCases(e: Endpoint, w: World, path: string, headers: Record<string, string>): Case[] {
  const cases: Case[] = [];
  const limit = e.limit!;
  const baseline = sample(e.schemas[0]!, hintFor(w, e));
  const text = JSON.stringify(baseline);
  const post = (label: string, body: Buffer | string, extra: Partial<RawRequest> = {}, expect: Expect = REFUSED): Case => ({
    label,
    req: { method: e.method, path, body, ...extra, headers: { ...headers, "Content-Type": "application/json", ...(extra.headers ?? {}) } },
    expect,
  });
  const all = variants(e.schemas, baseline, { opaque: (p: Path) => OPAQUE_FIELDS.has(String(p[p.length - 1])) });
  for (const v of all) {
    const expect: Expect = v.unknown ? { kind: "refused", status: [400], unknown: v.unknown } : REFUSED;
    cases.push(post(`${v.category}: ${v.label}${v.schemaValid ? " (schema-valid: the server must refuse it)" : ""}`, JSON.stringify(v.body), {}, expect));
  }

  // The body as a whole. What only readJson sees (syntax, encoding, Content-Type, nesting) is sent to the first op
  // of a route (the other ops share the same reading); what depends on the schema or the limit, to every op.
  const first = firstOfHandler(e);
  for (const [label, body] of [
    ["JSON null", "null"],
    ["JSON array", "[]"],
    ["JSON string", '"probe"'],
    ["JSON number", "42"],
    ["JSON true", "true"],
    ["the body inside an array", `[${text}]`],
    ["an empty object", "{}"],
  ] as [string, string][]) {
    if (label === "an empty object" && e.schemas.some((s) => s.safeParse({}).success)) continue;
    if (!first && !["JSON null", "the body inside an array", "an empty object"].includes(label)) continue;
    cases.push(post(`body: ${label}`, body));
  }
  const notJson: [string, string][] = [
    ["not JSON", "{"],
    ["plain text", "hello"],
    ["trailing garbage", `${text}garbage`],
    ["two JSON documents", `${text}${text}`],
    ["NaN", "NaN"],
    ["single quotes", text.replaceAll('"', "'")],
    ["a comment", `/* c */${text}`],
    ["a UTF-8 byte order mark", `\uFEFF${text}`],
  ];
  for (const [label, body] of notJson) if (first || label.startsWith("trailing")) cases.push(post(`not JSON: ${label}`, body));
  // Valid JSON in which a repeated member (the last one wins) gives the first field a wrong type.
  cases.push(
    post(
      "body: a repeated member overriding a field with a wrong type",
      text.replace(/\}$/, `,${JSON.stringify(Object.keys(baseline as object)[0] ?? "x")}:[[]]}`),
    ),
  );
  cases.push(post("body: empty", Buffer.alloc(0)));
  for (const [label, body] of shapeCases(text, baseline, limit, first)) cases.push(post(`JSON shape: ${label}`, body));
  // Just past this endpoint's own element limit (derived from its schema: json-scan.ts), in its first member.
  const { elements } = (e.declared.body as { shape: { elements: number } }).shape;
  const firstKey = JSON.stringify(Object.keys(baseline as object)[0] ?? "x");
  cases.push(post(`JSON shape: ${elements + 1} elements, one past the endpoint's limit`, `{${firstKey}:[${"0,".repeat(elements - 1)}0]}`));
  const depth = Math.max(1, Math.min(100_000, Math.floor(limit / 2) - 16));
  if (first) {
    cases.push(post(`body: ${depth} nested arrays`, `${"[".repeat(depth)}${"]".repeat(depth)}`));
    cases.push(post(`body: ${depth} unclosed arrays`, "[".repeat(depth)));
    // Not UTF-8.
    cases.push(post("not UTF-8: bytes FF FE FD", Buffer.from([0xff, 0xfe, 0xfd, 0x7b, 0x7d])));
    cases.push(post("not UTF-8: UTF-16LE with a byte order mark", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")])));
  }
  cases.push(post("not UTF-8: invalid sequence C3 28 inside a string", spliceIntoString(text, baseline, Buffer.from([0xc3, 0x28]))));
  cases.push(post("not UTF-8: overlong '/' (C0 AF) inside a string", spliceIntoString(text, baseline, Buffer.from([0xc0, 0xaf]))));
  cases.push(post("not UTF-8: lone continuation byte inside a string", spliceIntoString(text, baseline, Buffer.from([0x80]))));
  // Content-Type: the CORS-simple types a cross-site form could send, and none at all.
  for (const type of first
    ? ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", null]
    : ["text/plain"]) {
    const h: Record<string, string> = { ...headers };
    if (type) h["Content-Type"] = type;
    cases.push({
      label: `Content-Type: ${type ?? "none"}`,
      req: { method: e.method, path, headers: h, body: text },
      expect: { kind: "refused", status: [415] },
    });
  }
  // Oversized bodies: announced (answered from the header alone, without waiting for the body) and streamed.
  cases.push(
    post(
      `oversized: Content-Length ${limit + 1} announced, 16 bytes sent`,
      Buffer.from(text.slice(0, 16)),
      { declaredLength: limit + 1 },
      { kind: "refused", status: [413] },
    ),
  );
  cases.push(
    post(`oversized: ${limit + 1} bytes chunked, no Content-Length`, Buffer.alloc(0), { chunkedBytes: limit + 1 }, { kind: "refused", status: [413] }),
  );
  if (first) cases.push(post(`oversized: Content-Length 10^15`, Buffer.from("{"), { declaredLength: 1e15 }, { kind: "refused", status: [413] }));
  // Extra members everywhere (prototype pollution, mass assignment), in a body that is otherwise wrong in one field:
  // they must not get it past validation. In a valid body they are refused and named ("unknown member" variants
  // above, and a whole submission after the suite).
  const broken = all.find((v) => !v.schemaValid && (v.category === "missing field" || v.category === "wrong type"));
  if (broken) cases.push(post(`extra members (__proto__, constructor, role, …) with ${broken.label}`, withExtraFieldsJson(broken.body)));
  if (!e.schemas.some((x) => x.safeParse({}).success)) cases.push(post("extra members only", withExtraFieldsJson({})));
  return cases;
}

/** The first endpoint of a route file and handler (each op of a `$op` route shares its path and query handling). */
const firstOfHandler = (e: Endpoint) => ENDPOINTS.find((x) => x.file === e.file && x.fn === e.fn) === e;
const SHORT_PATH_SET = new Set(["not a uuid", "an id that does not exist", "the id of something else", "upper-case", "NUL byte", "negative", "letters"]);

function pathCases(e: Endpoint, w: World, headers: Record<string, string>, body: () => Partial<RawRequest>): Case[] {
  const cases: Case[] = [];
  const real = pathParams(w);
  for (const p of e.params) {
    const other = p === "reportId" ? w.ids.attachmentId : w.ids.reportId;
    // Every variant on the first op of a route; the others share its parameter handling and get the main ones.
    const chosen = pathVariants(p, real[p]!, other).filter(([l, v]) => v !== real[p] && (firstOfHandler(e) || SHORT_PATH_SET.has(l)));
    for (const [label, value] of chosen) {
      cases.push({ label: `path :${p}: ${label}`, req: { method: e.method, path: fillPath(e, { ...real, [p]: value }), headers, ...body() }, expect: REFUSED });
    }
  }
  return cases;
}

function queryCases(e: Endpoint, path: string, headers: Record<string, string>): Case[] {
  const cases: Case[] = [];
  // Each endpoint's declared query parameters; the Remix _data parameter once per route file and handler.
  for (const q of e.query) {
    for (const [label, value] of QUERY_VALUES)
      cases.push({ label: `query ${q}: ${label}`, req: { method: "GET", path: `${path}?${q}=${value}`, headers }, expect: { kind: "answered" } });
    cases.push({ label: `query ${q}: given twice`, req: { method: "GET", path: `${path}?${q}=1&${q}=2`, headers }, expect: { kind: "answered" } });
    cases.push({
      label: `query ${q}: as an array (${q}[]=)`,
      req: { method: "GET", path: `${path}?${q}[]=1&${q}[x]=2`, headers },
      expect: { kind: "answered" },
    });
  }
  if (e.method === "GET" && firstOfHandler(e))
    cases.push({ label: "query: Remix _data parameter", req: { method: "GET", path: `${path}?_data=root`, headers }, expect: { kind: "answered" } });
  return cases;
}

/** Uploads: parts out of order, duplicated, missing, bigger than announced, cut off; completion too early; wrong tokens. */
function uploadCases(e: Endpoint, w: World): Case[] {
  const { partialUpload: a, completeUpload: b, freshUpload: c } = w.ids;
  const tok = (t: string) => ({ [UPLOAD_TOKEN_HEADER]: t, "Content-Type": "application/octet-stream" });
  const part = (u: { id: string }, n: number | string) => `/api/intake/uploads/${u.id}/parts/${n}`;
  const cases: Case[] = [];
  const refused = (...status: number[]): Expect => ({ kind: "refused", status });
  if (e.method === "PUT") {
    const remaining = a.expected - MAX_PART_BYTES; // part 1 of the part-way upload
    cases.push(
      {
        label: "duplicated part: part 0 again after it was stored",
        req: { method: "PUT", path: part(a, 0), headers: tok(a.token), body: Buffer.alloc(remaining, 1) },
        expect: refused(409),
      },
      {
        label: "out of order: part 2 before part 1",
        req: { method: "PUT", path: part(a, 2), headers: tok(a.token), body: Buffer.alloc(100, 1) },
        expect: refused(409),
      },
      {
        label: "out of order: part 1 before part 0",
        req: { method: "PUT", path: part(c, 1), headers: tok(c.token), body: Buffer.alloc(100, 1) },
        expect: refused(409),
      },
      {
        label: "bigger than announced: one byte more than remains",
        req: { method: "PUT", path: part(a, 1), headers: tok(a.token), body: Buffer.alloc(remaining + 1, 1) },
        expect: refused(413),
      },
      {
        label: "bigger than announced: Content-Length says so, 10 bytes sent",
        req: { method: "PUT", path: part(a, 1), headers: tok(a.token), body: Buffer.alloc(10, 1), declaredLength: remaining + 1 },
        expect: refused(413),
      },
      {
        label: "bigger than announced: chunked, no Content-Length",
        req: { method: "PUT", path: part(a, 1), headers: tok(a.token), chunkedBytes: remaining + 5000 },
        expect: refused(413),
      },
      {
        label: "bigger than a part may be: Content-Length MAX_PART_BYTES + 1",
        req: { method: "PUT", path: part(c, 0), headers: tok(c.token), body: Buffer.alloc(10, 1), declaredLength: MAX_PART_BYTES + 1 },
        expect: refused(413),
      },
      {
        label: "bigger than announced on a fresh upload",
        req: { method: "PUT", path: part(c, 0), headers: tok(c.token), body: Buffer.alloc(c.expected + 1, 1) },
        expect: refused(413),
      },
      { label: "empty part", req: { method: "PUT", path: part(a, 1), headers: tok(a.token), body: Buffer.alloc(0) }, expect: refused(400) },
      {
        label: "part for a completed upload",
        req: { method: "PUT", path: part(b, 0), headers: tok(b.token), body: Buffer.alloc(100, 1) },
        expect: refused(409),
      },
      {
        label: "part for a completed upload, next index",
        req: { method: "PUT", path: part(b, 1), headers: tok(b.token), body: Buffer.alloc(100, 1) },
        expect: refused(409),
      },
      {
        label: "wrong token (another upload's)",
        req: { method: "PUT", path: part(a, 1), headers: tok(b.token), body: Buffer.alloc(100, 1) },
        expect: refused(404),
      },
      {
        label: "no token",
        req: { method: "PUT", path: part(a, 1), headers: { "Content-Type": "application/octet-stream" }, body: Buffer.alloc(100, 1) },
        expect: refused(404),
      },
      { label: "token that is not base64url", req: { method: "PUT", path: part(a, 1), headers: tok("%%%"), body: Buffer.alloc(100, 1) }, expect: refused(404) },
      {
        label: "token with its first character changed",
        req: { method: "PUT", path: part(a, 1), headers: tok(`${a.token.startsWith("A") ? "B" : "A"}${a.token.slice(1)}`), body: Buffer.alloc(100, 1) },
        expect: refused(404),
      },
    );
  }
  if (e.pattern.endsWith("/complete")) {
    cases.push(
      {
        label: "complete with a part missing",
        req: { method: "POST", path: `/api/intake/uploads/${a.id}/complete`, headers: tok(a.token) },
        expect: refused(409),
      },
      {
        label: "complete before any part arrived",
        req: { method: "POST", path: `/api/intake/uploads/${c.id}/complete`, headers: tok(c.token) },
        expect: refused(409),
      },
      {
        label: "complete with another upload's token",
        req: { method: "POST", path: `/api/intake/uploads/${c.id}/complete`, headers: tok(b.token) },
        expect: refused(404),
      },
    );
  }
  if (e.pattern === "/api/intake/uploads/:uploadId") {
    const m = e.method;
    cases.push(
      { label: `${m} with another upload's token`, req: { method: m, path: `/api/intake/uploads/${a.id}`, headers: tok(b.token) }, expect: refused(404) },
      { label: `${m} without a token`, req: { method: m, path: `/api/intake/uploads/${a.id}` }, expect: refused(404) },
    );
  }
  return cases.map((x) => ({ ...x, serial: true }));
}

/** A part that breaks off half-way: the server cuts it back, keeps serving, and the upload is where it was. */
async function interruptedPart(w: World): Promise<string | null> {
  const a = w.ids.partialUpload;
  const url = new URL(w.url);
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname, () => {
      sock.write(
        `PUT /api/intake/uploads/${a.id}/parts/1 HTTP/1.1\r\nHost: ${url.host}\r\n${UPLOAD_TOKEN_HEADER}: ${a.token}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${a.expected - MAX_PART_BYTES}\r\n\r\n`,
      );
      sock.write(Buffer.alloc(300, 9), () => setTimeout(() => sock.destroy(), 100));
    });
    sock.on("close", () => resolve());
    sock.on("error", reject);
  });
  // The server notices the cut connection and cuts the blob back; give it a moment, then the status must be unchanged.
  for (let i = 0; i < 50; i++) {
    const r = await rawRequest(w.url, { method: "GET", path: `/api/intake/uploads/${a.id}`, headers: { [UPLOAD_TOKEN_HEADER]: a.token } });
    if (r.status !== 200) return `status after an interrupted part: ${r.status} ${r.text}`;
    const s = JSON.parse(r.text) as { nextPart: number; receivedBytes: number };
    if (s.nextPart !== 1 || s.receivedBytes !== MAX_PART_BYTES) return `upload moved after an interrupted part: ${r.text}`;
    if (i > 3) return null;
    await new Promise((res) => setTimeout(res, 50));
  }
  return null;
}

function casesFor(e: Endpoint, w: World): Case[] {
  const headers = w.headers[e.caller];
  const path = fillPath(e, pathParams(w));
  const cases: Case[] = [];
  if (e.body === "json") {
    const baseline = JSON.stringify(sample(e.schemas[0]!, hintFor(w, e)));
    cases.push(...jsonCases(e, w, path, headers));
    cases.push(...pathCases(e, w, headers, () => ({ headers: { ...headers, "Content-Type": "application/json" }, body: baseline })));
  } else if (e.body === "bytes") {
    const beacon: Expect = { kind: "beacon" };
    cases.push(
      {
        label: `oversized: ${e.limit! + 1} bytes`,
        req: { method: e.method, path, headers, body: Buffer.alloc(e.limit! + 1, 0x41) },
        expect: { kind: "refused", status: [413] },
      },
      { label: "oversized: 1 MiB chunked", req: { method: e.method, path, headers, chunkedBytes: 1 << 20 }, expect: { kind: "refused", status: [413] } },
      { label: "not UTF-8", req: { method: e.method, path, headers, body: Buffer.from([0xff, 0xfe, 0xfd, 0x00]) }, expect: beacon },
      {
        label: "JSON instead of a token",
        req: { method: e.method, path, headers: { ...headers, "Content-Type": "application/json" }, body: '{"token":"x"}' },
        expect: beacon,
      },
      { label: "a token that is no session", req: { method: e.method, path, headers, body: "A".repeat(43) }, expect: beacon },
      { label: "empty", req: { method: e.method, path, headers, body: Buffer.alloc(0) }, expect: beacon },
    );
  } else if (e.body === "stream") {
    cases.push(...pathCases(e, w, headers, () => ({ headers: { ...headers, "Content-Type": "application/octet-stream" }, body: Buffer.alloc(100, 1) })));
  } else {
    cases.push(...pathCases(e, w, headers, () => ({})));
  }
  cases.push(...queryCases(e, path, headers));
  if (e.pattern.startsWith("/api/intake/uploads/:uploadId")) cases.push(...uploadCases(e, w));
  // Every method the route does not take (once per path: each op of a `$op` route has its own), whether its module
  // has a handler for it (an action taking other methods) or not (POST to a loader-only module, GET to an action-only one).
  const mine = ENDPOINTS.filter((x) => x.file === e.file && x.pattern === e.pattern);
  if (mine[0] === e) {
    const allow = [...new Set(mine.flatMap((x) => (x.method === "GET" ? ["GET", "HEAD"] : [x.method])))];
    const json = { ...headers, "Content-Type": "application/json" };
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].filter((m) => !allow.includes(m))) {
      const body = ["GET", "HEAD"].includes(method) ? {} : { headers: json, body: "{}" };
      cases.push({ label: `method: ${method}`, req: { method, path, headers, ...body }, expect: { kind: "wrong-method", allow } });
    }
  }
  return cases;
}

async function runCases(w: World, cases: Case[], concurrency = 4): Promise<{ problems: string[]; count: number }> {
  const problems: string[] = [];
  const one = async (c: Case) => {
    try {
      const res = await rawRequest(w.url, c.req);
      const p = problemOf(c, res);
      if (p) problems.push(`${c.label}: ${p}`);
    } catch (error) {
      problems.push(`${c.label}: ${String(error)}`);
    }
  };
  for (const c of cases.filter((x) => x.serial)) await one(c);
  const queue = cases.filter((x) => !x.serial);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await one(c);
    }),
  );
  return { problems, count: cases.length };
}

for (const backend of await backends()) {
  describe(`hostile input on ${backend}`, () => {
    let w: World;
    let before: Snapshot;
    const tally = { requests: 0, byCategory: new Map<string, number>() };

    beforeAll(async () => {
      await loadSodium();
      w = await buildWorld(await startHostilePortal(backend));
    });
    afterAll(async () => {
      if (process.env.HOSTILE_VERBOSE) console.log(backend, tally.requests, JSON.stringify(Object.fromEntries(tally.byCategory)));
      await w?.portal.stop();
    });

    const check = async (name: string, cases: Case[]) => {
      for (const c of cases) {
        const k = c.label.split(":")[0]!;
        tally.byCategory.set(k, (tally.byCategory.get(k) ?? 0) + 1);
      }
      const { problems, count } = await runCases(w, cases);
      tally.requests += count;
      expect(problems).toEqual([]);
    };

    it("finds the API routes in the route files, with a caller, a body limit and a schema where they read JSON", () => {
      expect(ENDPOINTS.length).toBeGreaterThan(50);
      for (const e of ENDPOINTS) {
        if (e.body === "json") {
          expect(e.schemas.length, endpointName(e)).toBeGreaterThan(0);
          expect(e.limit, endpointName(e)).toBeGreaterThan(0);
        }
      }
      // Every case op is its own endpoint.
      expect(ENDPOINTS.filter((e) => e.file === "api.staff.cases.$reportId.$op.ts" && e.method === "POST").length).toBeGreaterThanOrEqual(21);
    });

    it("finds a declaration in every API route module, whose Remix handlers are the ones it made", async () => {
      // server/api-dispatch.ts answers wrong methods from these declarations; a module without one would answer for itself.
      const files = apiRouteFiles();
      expect(files.length).toBeGreaterThan(40);
      for (const file of files) {
        const mod = await loadRouteModule(file);
        expect(mod.api, file).toBeDefined();
        expect([mod.loader, mod.action], file).toEqual([mod.api!.loader, mod.api!.action]);
      }
    });

    // Reads first: a GET with a hostile query value may be answered (an unknown filter is ignored), and a read
    // that is answered is audited and marks things seen, as it should. The comparison starts after them.
    for (const e of ENDPOINTS.filter((x) => x.method === "GET")) {
      it(`${endpointName(e)} as ${e.caller}: hostile query values`, async () => {
        await check(
          endpointName(e),
          casesFor(e, w).filter((c) => c.expect.kind === "answered"),
        );
      });
    }

    it("snapshots every table and the blob directory", async () => {
      // Anything the requests so far set off in the background settles first.
      await new Promise((r) => setTimeout(r, 300));
      before = await snapshot(w, EXCLUDED);
      expect(Object.keys(before.tables).length).toBeGreaterThan(20);
    });

    for (const e of ENDPOINTS) {
      it(`${endpointName(e)} as ${e.caller}`, async () => {
        await check(
          endpointName(e),
          casesFor(e, w).filter((c) => c.expect.kind !== "answered"),
        );
      });
    }

    it("cuts back a part whose connection breaks off", async () => {
      expect(await interruptedPart(w)).toBeNull();
    });

    it("changed nothing already stored: every row of every table and every blob", async () => {
      const after = await snapshot(w, EXCLUDED);
      expect(diffSnapshots(before, after)).toEqual([]);
    });

    it("answers a path under /api/ that is no route with a JSON 404, whatever the method", async () => {
      const paths = [
        "/api/",
        "/api/nope",
        "/api/intake/reports/extra",
        "/api/intake/uploads/x/parts/0/more",
        "/api/staff/cases/x/y/z/w",
        "/API/INTAKE/NOPE",
        "/api/%E2%80%AEgnp.exe",
      ];
      for (const path of paths) {
        for (const method of ["GET", "POST", "DELETE"]) {
          const r = await rawRequest(w.url, { method, path, headers: { "Content-Type": "application/json" }, body: method === "GET" ? undefined : "{}" });
          expect(refusalProblem(r), `${method} ${path}`).toBeNull();
          expect([r.status, (JSON.parse(r.text) as { error: { code: string } }).error.code], `${method} ${path}`).toEqual([404, "not_found"]);
        }
      }
    });

    it("still answers /healthz, and nothing polluted Object.prototype", async () => {
      const r = await rawRequest(w.url, { method: "GET", path: "/healthz" });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ status: "ok" });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("refuses a submission with extra members in its objects, naming each, then takes it without them, and it reads back exactly", async () => {
      // The first submission goes through a fetch that adds the hostile extra members to every object of the JSON body.
      const addExtras: typeof fetch = (input, init) => {
        if (String(input).endsWith("/api/intake/reports") && typeof init?.body === "string")
          init = { ...init, body: withExtraFieldsJson(JSON.parse(init.body)) };
        return fetch(input, init);
      };
      const info = await fetchIntakeInfo({ baseUrl: w.url });
      const bytes = Buffer.from("after the hostile suite");
      const draft: ReportDraft = {
        categoryId: info.categories[0]!.id,
        title: "still works",
        body: { description: "a normal report", details: "", periodFrom: null, periodTo: null },
        identity: null,
        excludedInvestigators: [],
        consentReport: true,
        consentOptional: true,
        consentAffiliateIdentity: false,
      };
      const file = () => memoryFile("../../etc/passwd\u0007\u202Etxt.exe", "text/plain", bytes);
      const refused = await submitEncryptedReport(draft, [file()], info, { baseUrl: w.url, fetch: addExtras, retryDelaysMs: [] }).then(
        () => null,
        (e: unknown) => e as IntakeError,
      );
      expect(refused).toMatchObject({ code: "invalid_request", status: 400 });
      const named = Object.entries(refused!.fields ?? {})
        .filter(([, v]) => v === "unknown field")
        .map(([k]) => k);
      for (const k of ["__proto__", "constructor", "role", "status", "caseNumber", "envelopes.0.isAdmin", "envelopes.0.__proto__", "attachments.0.role"])
        expect(named).toContain(k);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();

      const r = await submitEncryptedReport(draft, [file()], info, { baseUrl: w.url });
      const got = await decryptReportAsInvestigator(w.portal.services, r.reportId, "inv@okestro.example", PASSWORD);
      expect(got.title).toBe("still works");
      expect(Buffer.from(got.files[0]!.bytes).equals(bytes)).toBe(true);
      // The name is stored as sent (inside the ciphertext); it is cleaned when a browser saves the file.
      expect(safeFileName(got.files[0]!.name)).toBe(".._.._etc_passwd__txt.exe");
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it("accepts a ciphertext altered inside (the server holds no key and cannot tell), which the reader then refuses", async () => {
      // Flipping a byte past the version byte keeps every shape the server can check; only the AEAD tag,
      // checked where the key is (the investigator's browser), shows it. Stored as a new report, not a change.
      const flip: typeof fetch = (input, init) => {
        if (String(input).endsWith("/api/intake/reports") && typeof init?.body === "string") {
          const body = JSON.parse(init.body) as { title: string };
          const t = Buffer.from(body.title, "base64url");
          t[t.length - 20]! ^= 0x01;
          init = { ...init, body: JSON.stringify({ ...body, title: t.toString("base64url") }) };
        }
        return fetch(input, init);
      };
      const info = await fetchIntakeInfo({ baseUrl: w.url });
      const r = await submitEncryptedReport(
        {
          categoryId: info.categories[0]!.id,
          title: "tampered",
          body: { description: "x", details: "", periodFrom: null, periodTo: null },
          identity: null,
          excludedInvestigators: [],
          consentReport: true,
          consentOptional: false,
          consentAffiliateIdentity: false,
        },
        [],
        info,
        { baseUrl: w.url, fetch: flip },
      );
      const err = await decryptReportAsInvestigator(w.portal.services, r.reportId, "inv@okestro.example", PASSWORD).then(
        () => null,
        (e: unknown) => e,
      );
      expect(isCryptoError(err)).toBe(true);
    });

    it("takes two copies of the same part at once exactly once", async () => {
      const open = await rawRequest(w.url, {
        method: "POST",
        path: "/api/intake/uploads",
        headers: { "Content-Type": "application/json", ...(await withSolvedPow(w.url, "upload")) },
        body: JSON.stringify({ reportId: crypto.randomUUID(), ciphertextBytes: 5000 }),
      });
      expect(open.status).toBe(201);
      const { uploadId, token } = JSON.parse(open.text) as { uploadId: string; token: string };
      const put = () =>
        rawRequest(w.url, {
          method: "PUT",
          path: `/api/intake/uploads/${uploadId}/parts/0`,
          headers: { [UPLOAD_TOKEN_HEADER]: token },
          body: Buffer.alloc(5000, 5),
        });
      const results = await Promise.all([put(), put(), put()]);
      expect(results.filter((x) => x.status === 200)).toHaveLength(1);
      for (const x of results.filter((y) => y.status !== 200)) expect(refusalProblem(x)).toBeNull();
      const status = JSON.parse(
        (await rawRequest(w.url, { method: "GET", path: `/api/intake/uploads/${uploadId}`, headers: { [UPLOAD_TOKEN_HEADER]: token } })).text,
      ) as { receivedBytes: number; nextPart: number };
      expect(status).toMatchObject({ receivedBytes: 5000, nextPart: 1 });
      expect(
        (await rawRequest(w.url, { method: "POST", path: `/api/intake/uploads/${uploadId}/complete`, headers: { [UPLOAD_TOKEN_HEADER]: token } })).status,
      ).toBe(200);
    });
  });
}

describe("file names from encrypted metadata, when the browser saves the file (safeFileName)", () => {
  it.each([
    ["report.pdf", "report.pdf"],
    ["보고서 2024.pdf", "보고서 2024.pdf"],
    ["../../etc/passwd", ".._.._etc_passwd"],
    ["..\\..\\Windows\\system32\\evil.dll", ".._.._Windows_system32_evil.dll"],
    ["C:\\Users\\x\\a.txt", "C:_Users_x_a.txt"],
    ["/absolute/path.txt", "_absolute_path.txt"],
    ["line\nbreak\r.txt", "line_break_.txt"],
    ["nul\u0000byte.txt", "nul_byte.txt"],
    ["tab\tbell\u0007esc\u001b.txt", "tab_bell_esc_.txt"],
    ["del\u007f.txt", "del_.txt"],
    ["c1\u0085\u009b.txt", "c1__.txt"],
    ["invoice\u202Efdp.exe", "invoice_fdp.exe"],
    ["isolate\u2066x\u2069.txt", "isolate_x_.txt"],
    ["mark\u200e\u200f\u061c.txt", "mark___.txt"],
    ["sep\u2028\u2029.txt", "sep__.txt"],
    ["\ufeffbom.txt", "_bom.txt"],
    ["", "download"],
    [".", "download"],
    ["..", "download"],
    ["  ", "download"],
  ])("%j is saved as %j", (name, expected) => {
    expect(safeFileName(name)).toBe(expected);
  });

  it("never lets a path separator or a control character through, whatever the name", () => {
    const alphabet = ["a", ".", "/", "\\", "\u0000", "\u001f", "\u007f", "\u0080", "\u009f", "\u202e", "\u2067", "한", " ", "\n"];
    let seed = 1;
    const rnd = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const name = Array.from({ length: 1 + Math.floor(rnd() * 12) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join("");
      const out = safeFileName(name);
      expect(out).not.toMatch(/[\\/\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(out).not.toMatch(/^\.*$/);
      expect(out.length).toBeGreaterThan(0);
    }
  });

  it("keeps names up to the form's limit intact", () => {
    const name = `${"가".repeat(LIMITS.fileNameChars - 4)}.pdf`;
    expect(safeFileName(name)).toBe(name);
  });
});
