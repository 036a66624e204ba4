// API_RESPONSE_CHECK (ADR 024): every test portal checks each JSON answer against its declared response schema,
// strictly. This shows the check is not a no-op: a route declared with apiRoute whose answer drifts from its schema
// (an undeclared member, deep inside; a wrong type; a JSON answer where none is declared) is answered 500 and logged
// naming the route, without any value of the answer in the log.
import type { AppLoadContext } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { anyone } from "../../app/.server/api-guards";
import { apiRoute, endpoint, uuidParam } from "../../app/.server/platform/api-route";
import { loadConfig } from "../../app/.server/platform/config";
import { json } from "../../app/.server/platform/http";
import { createLogger } from "../../app/.server/platform/log";
import { responseMismatch, strictDeep } from "../../app/.server/platform/response-check";
import type { Services } from "../../app/.server/platform/services";
import { declaredRoutes } from "../../scripts/openapi";
import { endpointsOf } from "../../app/.server/platform/api-route";

const SECRET = "c2VjcmV0LWNpcGhlcnRleHQ";
const answer = z.object({
  rows: z.array(
    z.object({ id: z.string(), title: z.string().nullable(), link: z.discriminatedUnion("kind", [z.object({ kind: z.literal("case"), n: z.string() })]) }),
  ),
  details: z.record(z.union([z.string(), z.number()])),
  page: z.number().int().optional(),
});

describe("responseMismatch", () => {
  const good = { rows: [{ id: "a", title: null, link: { kind: "case", n: "1" } }], details: { x: 1 } };

  it("accepts an answer its schema describes, as JSON encodes it (undefined members dropped)", () => {
    expect(responseMismatch(answer, good)).toBeNull();
    expect(responseMismatch(answer, { ...good, page: undefined })).toBeNull();
  });

  it("refuses an undeclared member at any depth, naming where and which", () => {
    expect(responseMismatch(answer, { ...good, extra: 1 })).toBe("(answer): unrecognized_keys (extra)");
    expect(responseMismatch(answer, { ...good, rows: [{ ...good.rows[0], envelope: SECRET }] })).toBe("rows.0: unrecognized_keys (envelope)");
    expect(responseMismatch(answer, { ...good, rows: [{ ...good.rows[0], link: { kind: "case", n: "1", caseId: "x" } }] })).toMatch(
      /^rows\.0\.link: unrecognized_keys \(caseId\)/,
    );
  });

  it("refuses a wrong type, a missing member and a value outside an enum, without quoting the value", () => {
    const wrong = responseMismatch(answer, { ...good, rows: [{ id: 7, title: SECRET, link: { kind: SECRET, n: "1" } }], details: { x: true } });
    expect(wrong).toContain("rows.0.id: invalid_type");
    expect(wrong).toContain("rows.0.link");
    expect(wrong).toContain("details.x");
    expect(wrong).not.toContain(SECRET);
    expect(responseMismatch(answer, { rows: [] })).toBe("details: invalid_type");
  });

  it("refuses a schema it cannot see through, rather than let part of an answer go unchecked", () => {
    expect(() => strictDeep(z.object({ a: z.any() }))).toThrow(/ZodAny is not supported/);
    expect(() => strictDeep(z.object({ a: z.object({ b: z.string() }).and(z.object({ c: z.string() })) }))).toThrow(/ZodIntersection/);
  });
});

describe("API_RESPONSE_CHECK in apiRoute", () => {
  const route = apiRoute({
    summary: "a route whose answers drift",
    params: { id: uuidParam("no such thing", "the thing") },
    methods: {
      GET: endpoint({
        summary: "answers what the query asks for",
        guard: anyone,
        response: z.object({ id: z.string(), count: z.number().int() }),
        handler: async ({ query, params }) => {
          const base = { id: params.id!, count: 1 };
          if (query.get("drift") === "member") return { ...base, token: SECRET };
          if (query.get("drift") === "type") return { ...base, count: "1" };
          if (query.get("drift") === "response") return json({ ...base, token: SECRET }, { headers: { "X-Own": "1" } });
          return base;
        },
      }),
      POST: endpoint({ summary: "declares no answer but gives one", guard: anyone, handler: async () => ({ ok: true }) }),
    },
  });
  const id = "3f2c8a4e-9b1d-4c7e-8a5f-0d6e2b1c9a7f";

  async function call(check: boolean, method: "GET" | "POST", query = "") {
    const lines: string[] = [];
    const services = { config: loadConfig({ API_RESPONSE_CHECK: String(check) }), log: createLogger("debug", (l) => lines.push(l)) } as Services;
    const request = new Request(`http://portal.test/api/things/${id}${query}`, { method });
    const context = { services, cspNonce: "", clientKey: "" } as AppLoadContext;
    const handler = method === "GET" ? route.loader! : route.action!;
    const res = await handler({ request, params: { id }, context });
    return { status: res.status, body: (await res.json()) as unknown, log: lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
  }

  it("answers a matching answer as declared", async () => {
    const { status, body, log } = await call(true, "GET");
    expect(status).toBe(200);
    expect(body).toEqual({ id, count: 1 });
    expect(log).toEqual([]);
  });

  it.each(["member", "type", "response"])("answers 500 and logs the route for an answer that drifts (%s), never a value", async (drift) => {
    const { status, body, log } = await call(true, "GET", `?drift=${drift}`);
    expect(status).toBe(500);
    expect(body).toMatchObject({ error: { code: "response_mismatch" } });
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: "error", route: "GET /api/things/:id" });
    expect(log[0]!.problem).toBe(drift === "type" ? "count: invalid_type" : "(answer): unrecognized_keys (token)");
    expect(JSON.stringify(log)).not.toContain(SECRET);
    expect(JSON.stringify(log)).not.toContain(id);
  });

  it("answers 500 for a JSON answer where the endpoint declares none", async () => {
    const { status, log } = await call(true, "POST");
    expect(status).toBe(500);
    expect(log[0]).toMatchObject({ route: "POST /api/things/:id", problem: "a JSON answer where none is declared" });
  });

  it("leaves the answers alone when off (production's default)", async () => {
    expect((await call(false, "GET", "?drift=member")).body).toEqual({ id, count: 1, token: SECRET });
    expect((await call(false, "POST")).status).toBe(200);
  });
});

describe("every declared response schema", () => {
  it("can be checked strictly (no part of any answer escapes the check)", async () => {
    let schemas = 0;
    for (const route of await declaredRoutes()) {
      for (const { endpoint: e } of endpointsOf(route.api)) {
        if (e.response === null || e.response === "binary") continue;
        expect(() => strictDeep(e.response as z.ZodTypeAny), route.file).not.toThrow();
        schemas++;
      }
    }
    expect(schemas).toBeGreaterThan(60);
  });
});
