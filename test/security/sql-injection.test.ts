// SQL injection (issue 8). (a) Statically: no query in app/ or db/ is built
// from strings (test/support/sql-lint.ts, on the syntax tree): no sql.raw or
// sql.identifier with a non-literal, no template string or concatenation
// handed to execute/query/unsafe, no string assembled inside a drizzle sql
// template, no SQL text in a plain template string; the legitimate uses are
// allowlisted below with the reason. (b) Dynamically, on every backend:
// classic payloads through every path parameter, every query parameter and
// every JSON string field of every API route (from the route files), as the
// caller allowed to use it. Each answers 2xx or 4xx, never 5xx, never slowly
// (no pg_sleep ran); filters with a payload return nothing they should not
// (the inbox, also for the investigator the reporter excluded; the audit log;
// reviewers of an affiliate); a payload that is stored is stored verbatim;
// afterwards every table is there with its row count unchanged (but for rows
// the accepted requests added, named below), and every report still decrypts.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSodium } from "../../crypto";
import { categories, staffInvitations, staffUsers } from "../../db/schema";
import { apiEndpoints, endpointName, ROOT } from "../support/api-routes";
import { backends } from "../support/backends";
import { buildWorld, fillPath, hintFor, pathParams, reportsReadable, rowCounts, startHostilePortal, tableNames, type World } from "../support/hostile-world";
import { rawRequest, type RawResponse } from "../support/raw-http";
import { lintSource, lintTree, type SqlFinding } from "../support/sql-lint";
import { fields, getAt, sample, setAt } from "../support/zod-probe";
import "../support/reuse-staff-keys"; // not a test about signing in (ADR 023)

/** Legitimate string building next to SQL, each with why it is safe. Keyed by file and the flagged text. */
const ALLOWED: { file: string; text: string; why: string }[] = [
  {
    file: "app/.server/admin/admin.ts",
    text: '`${f.action.replace(/[%_\\\\\\u0000]/g, "")}%`',
    why: "the audit filter's LIKE pattern: the template only appends the % wildcard after the caller's own wildcards were removed, and drizzle binds the whole pattern as one parameter ($n); it never becomes SQL text",
  },
  {
    file: "db/client.ts",
    text: "db.execute(query)",
    why: "queryRows() runs a drizzle SQL object, typed so that no string fits: it is built with the sql tagged template, which binds every value as a parameter",
  },
  {
    file: "db/client.ts",
    text: "client.query<Row>(statement, params)",
    why: "the migrator's session on PGlite (db/migrator.ts): it runs the committed migration files' statements, the migrator's own literal queries with bound parameters, and a DROP INDEX whose names PostgreSQL's format('%I') quoted from the catalog; no request input reaches it",
  },
  {
    file: "db/client.ts",
    text: "one.unsafe<Row[]>(statement, params as postgres.ParameterOrJSON<never>[])",
    why: "the migrator's session on PostgreSQL, as on PGlite above",
  },
];

const PAYLOADS: [string, string][] = [
  ["classic tautology", "' OR '1'='1"],
  ["stacked DROP TABLE", "'; DROP TABLE reports; --"],
  ["closing parenthesis", "1) OR 1=1 --"],
  ["placeholder", "$1"],
  ["escaped NUL text", "\\x00"],
  ["NUL character", "a\u0000b"],
  ["backslash quote", "\\' OR 1=1 --"],
  ["unicode quotes", "\u2018 OR \u20181\u2019=\u20191 --"],
  ["fullwidth apostrophe", "\uFF07 OR 1=1 --"],
  ["LIKE wildcards", "%' OR '%'='"],
  ["UNION", "' UNION SELECT email, kdf_salt FROM staff_users --"],
  ["comment", "admin'/*"],
  ["time-based", "'||(SELECT pg_sleep(20))||'"],
  ["stacked sleep", "1; SELECT pg_sleep(20); --"],
  ["dollar quoting", "$$; DROP TABLE reports; $$"],
  ["cast", "1::int; DROP TABLE staff_users"],
];
/** Long strings: a payload repeated (query and path: within a URL's limits; JSON: up to the field's maximum or 100,000). */
const LONG = "' OR 1=1 -- ".repeat(500);

/** Tables that may grow while payloads are accepted, and why; every other table keeps its row count. */
const MAY_GROW: Record<string, string> = {
  audit_log: "accepted requests and audited reads are logged (the chain stays verifiable)",
  categories: "an administrator may name a new category with any text (stored verbatim, checked below)",
  staff_invitations: "an administrator may invite any address the schema accepts (stored verbatim, checked below)",
  staff_sign_in_backoff: "a payload as a staff address is a wrong sign-in, counted per keyed address and client (ADR 030; no address stored)",
  submission_counters: "reports, uploads and follow-up posts are counted per client and window before their body is read (ADR 034)",
  pow_spent: "every proof of work a request carries is spent once (ADR 032)",
  identity_access_settings: "an administrator may set the identity-access reasons to any text the schema accepts (one row, stored verbatim; ADR 052)",
};

// A time-based payload that ran would hold its request for 20 s. The bound sits far above what a loaded
// machine takes for an honest request, so it tells "a payload ran" apart from "the machine is busy".
const SLOW_MS = 15_000;

function okStatus(res: RawResponse): string | null {
  if (res.status >= 500) return `${res.status} (server error): ${res.text.slice(0, 200)}`;
  if (res.status < 200 || (res.status >= 300 && res.status < 400)) return `status ${res.status}`;
  if (res.ms > SLOW_MS) return `took ${Math.round(res.ms)} ms (a payload may have run)`;
  return null;
}

const ENDPOINTS = await apiEndpoints();

describe("no query is built from strings (app/, db/, server/, cli/)", () => {
  // app/ and db/, and the server entry and CLI, which reach the same database.
  const findings = lintTree(ROOT, ["app", "db", "server", "cli"]);
  const allowed = (f: SqlFinding) => ALLOWED.some((a) => a.file === f.file && a.text === f.text);

  it("finds nothing but the allowlisted uses", () => {
    expect(findings.filter((f) => !allowed(f)).map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`)).toEqual([]);
  });

  it("has no stale allowlist entries", () => {
    for (const a of ALLOWED)
      expect(
        findings.some((f) => f.file === a.file && f.text === a.text),
        `${a.file}: ${a.text}`,
      ).toBe(true);
  });

  it("would catch each kind of string building (the check itself works)", () => {
    const bad = [
      "sql.raw(name)",
      "sql.raw(`select ${x}`)",
      "sql.identifier(column)",
      "db.execute(`select * from reports where id = '${id}'`)",
      'db.execute("select * from reports where id = \'" + id + "\'")',
      "db.execute(query)",
      "tx.execute(`delete from uploads`)",
      "client.query(`select ${x}`)",
      "client.unsafe(text)",
      'sql`select * from t where a = ${"\'" + v + "\'"}`',
      "sql`select * from t where a = ${`${v}`}`",
      "const q = `select * from reports where case_number = '${n}'`",
      'const q = "delete from uploads where id = " + id',
    ];
    for (const line of bad) expect(lintSource("probe.ts", line).length, line).toBeGreaterThan(0);
    const good = [
      'sql.raw("now()")',
      "db.execute(sql`select ${x}`)",
      'client.query("select 1")',
      "sql`select * from t where a = ${v}`",
      "db.select().from(reports).where(eq(reports.id, id))",
      "const msg = `selected ${n} files from the list`",
    ];
    for (const line of good) expect(lintSource("probe.ts", line), line).toEqual([]);
  });
});

for (const backend of await backends()) {
  describe(`SQL injection payloads on ${backend}`, () => {
    let w: World;
    let tablesBefore: string[];
    let countsBefore: Record<string, number>;
    const accepted: { endpoint: string; field: string; payload: string }[] = [];

    beforeAll(async () => {
      await loadSodium();
      w = await buildWorld(await startHostilePortal(backend), { excludedSession: true });
      tablesBefore = await tableNames(w);
      countsBefore = await rowCounts(w);
    });
    afterAll(async () => {
      if (process.env.SQLI_VERBOSE) console.log(`${backend}: ${requests} requests`);
      await w?.portal.stop();
    });

    let requests = 0;
    const send = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
      requests++;
      return rawRequest(w.url, { method, path, headers: body === undefined ? headers : { ...headers, "Content-Type": "application/json" }, body });
    };

    /** Runs requests four at a time; returns the problems. */
    const run = async (jobs: (() => Promise<string | null>)[]) => {
      const problems: string[] = [];
      const queue = [...jobs];
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let j = queue.shift(); j; j = queue.shift()) {
            const p = await j().catch((e: unknown) => String(e));
            if (p) problems.push(p);
          }
        }),
      );
      return problems;
    };

    /** Calls `each` for every item, eight at a time (reads only: each request keeps its own assertions). */
    const eightAtATime = async <T>(items: T[], each: (item: T) => Promise<void>) => {
      for (let i = 0; i < items.length; i += 8) await Promise.all(items.slice(i, i + 8).map(each));
    };

    for (const e of ENDPOINTS.filter((x) => x.params.length)) {
      it(`path parameters of ${endpointName(e)}`, async () => {
        const real = pathParams(w);
        const sample_ = e.body === "json" ? JSON.stringify(sample(e.schemas[0]!, hintFor(w, e))) : e.body === "stream" ? "x".repeat(10) : undefined;
        const jobs: (() => Promise<string | null>)[] = [];
        for (const p of e.params) {
          for (const [label, payload] of [...PAYLOADS, ["long", LONG.slice(0, 3000)] as [string, string]]) {
            jobs.push(async () => {
              const path = fillPath(e, { ...real, [p]: encodeURIComponent(payload) });
              const res = await send(e.method, path, w.headers[e.caller], sample_);
              const problem = okStatus(res);
              // A payload is never an id: nothing may be found, changed or listed under it.
              if (!problem && res.status < 300) return `:${p} ${label}: answered ${res.status}: ${res.text.slice(0, 120)}`;
              return problem && `:${p} ${label}: ${problem}`;
            });
          }
        }
        expect(await run(jobs)).toEqual([]);
      });
    }

    for (const e of ENDPOINTS.filter((x) => x.query.length)) {
      it(`query parameters of ${endpointName(e)}`, async () => {
        const path = fillPath(e, pathParams(w));
        const jobs: (() => Promise<string | null>)[] = [];
        for (const q of e.query) {
          for (const [label, payload] of [...PAYLOADS, ["long", LONG.slice(0, 6000)] as [string, string]]) {
            jobs.push(async () => {
              const res = await send("GET", `${path}?${q}=${encodeURIComponent(payload)}`, w.headers[e.caller]);
              const problem = okStatus(res);
              return problem && `?${q}= ${label}: ${problem}`;
            });
          }
        }
        expect(await run(jobs)).toEqual([]);
      });
    }

    it("the inbox with a payload in any filter lists nothing extra, for the investigator and the one the reporter excluded", async () => {
      const ids = async (headers: Record<string, string>, query: string) => {
        const r = await send("GET", `/api/staff/cases${query}`, headers);
        expect(r.status, `${query}: ${r.text.slice(0, 200)}`).toBe(200);
        return new Set((JSON.parse(r.text) as { rows: { id: string }[] }).rows.map((x) => x.id));
      };
      const inbox = ENDPOINTS.find((x) => x.pattern === "/api/staff/cases" && x.method === "GET")!;
      for (const [who, headers] of [
        ["investigator", w.headers.investigator],
        ["excluded investigator", w.excludedHeaders!],
      ] as const) {
        const all = await ids(headers, "");
        if (who === "investigator") expect(all.has(w.ids.reportId)).toBe(true);
        else expect(all.has(w.ids.reportId)).toBe(false);
        await eightAtATime(
          inbox.query.flatMap((q) => PAYLOADS.map(([label, payload]) => [q, label, payload] as const)),
          async ([q, label, payload]) => {
            const got = await ids(headers, `?${q}=${encodeURIComponent(payload)}`);
            const extra = [...got].filter((id) => !all.has(id));
            expect(extra, `${who}: ?${q}= ${label}`).toEqual([]);
          },
        );
      }
    });

    it("the audit log filtered by a payload lists only entries whose action starts with it (none)", async () => {
      await eightAtATime(PAYLOADS, async ([label, payload]) => {
        const r = await send("GET", `/api/admin/audit?action=${encodeURIComponent(payload)}`, w.headers.admin);
        expect(r.status, label).toBe(200);
        const rows = (JSON.parse(r.text) as { action: string }[]).filter((x) => !x.action.startsWith(payload.replace(/[%_\\\u0000]/g, "")));
        expect(rows, label).toEqual([]);
      });
    });

    it("reviewers of an affiliate named by a payload: refused, no reviewer listed", async () => {
      await eightAtATime(PAYLOADS, async ([label, payload]) => {
        const r = await send("GET", `/api/staff/cases/${w.ids.reportId}/reviewers?affiliate=${encodeURIComponent(payload)}`, w.headers.investigator);
        expect(r.status, `${label}: ${r.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
        expect(r.status, label).toBeLessThan(500);
        expect(r.text).not.toContain(w.ids.cloudReviewerId);
      });
      // The check can fail: the real affiliate does list its reviewer.
      const ok = await send("GET", `/api/staff/cases/${w.ids.reportId}/reviewers?affiliate=cloud`, w.headers.investigator);
      expect(ok.text).toContain(w.ids.cloudReviewerId);
    });

    it("statistics for a payload range: refused", async () => {
      const queries = PAYLOADS.flatMap(([label, payload]) =>
        [`from=${encodeURIComponent(payload)}`, `to=${encodeURIComponent(payload)}`, `from=2024-01-01&to=${encodeURIComponent(payload)}`].map(
          (q) => [label, q] as const,
        ),
      );
      await eightAtATime(queries, async ([label, q]) => {
        const r = await send("GET", `/api/admin/statistics?${q}`, w.headers.admin);
        expect(r.status, `${label} ${q}`).toBe(400);
      });
    });

    for (const e of ENDPOINTS.filter((x) => x.body === "json")) {
      it(`JSON string fields of ${endpointName(e)}`, async () => {
        const baseline = sample(e.schemas[0]!, hintFor(w, e));
        const path = fillPath(e, pathParams(w));
        const jobs: (() => Promise<string | null>)[] = [];
        for (const f of fields(e.schemas[0]!, baseline)) {
          if (!["string", "uuid", "enum", "b64"].includes(f.kind)) continue;
          const name = f.path.join(".");
          const current = String(getAt(baseline, f.path));
          // Shape-checked fields are refused before any query: three payloads show it. Free text gets them all,
          // fitted to the field's length so that they reach the database.
          const list: [string, string][] = f.kind === "string" ? [...PAYLOADS, ["long", LONG]] : PAYLOADS.slice(0, 3);
          for (const [label, raw] of list) {
            let payload = raw;
            if (f.kind === "string") {
              if (f.max !== undefined && payload.length > f.max) payload = payload.slice(0, f.max);
              if (f.min !== undefined && payload.length < f.min) payload = payload.padEnd(f.min, "A");
              // Keep a shape the schema wants (an e-mail address, six digits) around the payload where it can.
              if (f.schema.safeParse(current).success && !f.schema.safeParse(payload).success && current.includes("@"))
                payload = `${payload.replace(/[@\s]/g, "")}@okestro.example`.slice(-(f.max ?? 254));
            }
            const body = setAt(baseline, f.path, payload);
            jobs.push(async () => {
              const res = await send(e.method, path, w.headers[e.caller], JSON.stringify(body));
              const problem = okStatus(res);
              if (!problem && res.status < 300 && e.method !== "GET") accepted.push({ endpoint: endpointName(e), field: name, payload });
              return problem && `${name} ${label}: ${problem}`;
            });
          }
        }
        // Run one at a time within an endpoint: accepted requests must be attributable.
        const problems: string[] = [];
        for (const j of jobs) {
          const p = await j().catch((err: unknown) => String(err));
          if (p) problems.push(p);
        }
        expect(problems).toEqual([]);
      });
    }

    it("stores accepted payloads verbatim (bound as parameters, never run)", async () => {
      const db = w.portal.services.db;
      if (process.env.SQLI_VERBOSE)
        console.log(
          backend,
          JSON.stringify(accepted.map((a) => `${a.endpoint} ${a.field}`).reduce<Record<string, number>>((m, k) => ({ ...m, [k]: (m[k] ?? 0) + 1 }), {})),
        );
      // Where an accepted payload lands: it must be there exactly as sent.
      const stored: Record<string, (v: string) => Promise<unknown[]>> = {
        "POST /api/admin/categories nameKo": (v) => db.select().from(categories).where(eq(categories.nameKo, v)),
        "POST /api/admin/categories nameEn": (v) => db.select().from(categories).where(eq(categories.nameEn, v)),
        "POST /api/staff/invitations email": (v) => db.select().from(staffInvitations).where(eq(staffInvitations.email, v)),
        "POST /api/staff/invitations displayName": (v) => db.select().from(staffInvitations).where(eq(staffInvitations.displayName, v)),
      };
      let checked = 0;
      for (const a of accepted) {
        const find = stored[`${a.endpoint} ${a.field}`];
        if (!find) continue;
        expect((await find(a.payload)).length, `${a.endpoint} ${a.field}: ${JSON.stringify(a.payload)}`).toBeGreaterThan(0);
        checked++;
      }
      expect(checked).toBeGreaterThan(PAYLOADS.length);
      // Sign-in steps with a payload address got the decoy answers, never a real account's salt.
      const salts = new Set((await db.select({ s: staffUsers.kdfSalt }).from(staffUsers)).map((r) => Buffer.from(r.s).toString("base64url")));
      for (const [, payload] of PAYLOADS) {
        const r = await send("POST", "/api/staff/prelogin", {}, JSON.stringify({ email: payload.padEnd(3, "A") }));
        if (r.status === 200) expect(salts.has((JSON.parse(r.text) as { salt: string }).salt)).toBe(false);
      }
    });

    it("keeps every table, and every row count but for rows accepted requests added; every report still decrypts", async () => {
      expect(await tableNames(w)).toEqual(tablesBefore);
      const after = await rowCounts(w);
      const changed = Object.keys(countsBefore)
        .filter((t) => after[t] !== countsBefore[t])
        .map((t) => `${t}: ${countsBefore[t]} -> ${after[t]}`);
      const unexplained = changed.filter((c) => {
        const t = c.split(":")[0]!;
        return !(t in MAY_GROW) || after[t]! < countsBefore[t]!;
      });
      expect(unexplained).toEqual([]);
      // Each added category and invitation is one of the accepted requests.
      const added = (t: string) => after[t]! - countsBefore[t]!;
      expect(added("categories")).toBeLessThanOrEqual(accepted.filter((a) => a.endpoint === "POST /api/admin/categories").length);
      expect(added("staff_invitations")).toBeLessThanOrEqual(accepted.filter((a) => a.endpoint === "POST /api/staff/invitations").length);
      expect(await reportsReadable(w)).toEqual([]);
      const healthz = await send("GET", "/healthz", {});
      expect(healthz.status).toBe(200);
      // The audit chain is intact after all of it.
      const verify = await send("GET", "/api/admin/audit?verify=1", w.headers.admin);
      expect(JSON.parse(verify.text)).toMatchObject({ ok: true });
    });
  });
}
