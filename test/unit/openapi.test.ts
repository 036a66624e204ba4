// docs/openapi.json is generated from the route declarations (ADR 024) and committed: it must be what the code
// generates now, and describe every declared endpoint with its guard's security and its body limit.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { anyone } from "../../app/.server/api-guards";
import { apiRoute, endpoint, endpointsOf } from "../../app/.server/platform/api-route";
import { declaredRoutes, OPENAPI_FILE, openApiDocument, openApiText } from "../../scripts/openapi";

describe("docs/openapi.json", () => {
  it("is what the route declarations generate", async () => {
    const committed = readFileSync(OPENAPI_FILE, "utf8");
    const generated = await openApiText();
    expect(committed === generated, "docs/openapi.json differs from the route declarations: run `npm run openapi` and commit the result").toBe(true);
  });

  it("has an operation for every declared endpoint, with its security, body limit and error body", async () => {
    const routes = await declaredRoutes();
    const doc = openApiDocument(routes) as {
      paths: Record<string, Record<string, { security: unknown[]; requestBody?: { "x-max-body-bytes"?: number }; responses: Record<string, unknown> }>>;
    };
    let count = 0;
    for (const route of routes) {
      for (const { method, op, endpoint } of endpointsOf(route.api)) {
        const opParam = route.api.kind === "ops" ? route.api.opParam : null;
        const p = route.pattern.replace(/:(\w+)/g, (_, name: string) => (name === opParam ? op! : `{${name}}`));
        const operation = doc.paths[p]?.[method.toLowerCase()];
        expect(operation, `${method} ${p}`).toBeDefined();
        expect(operation!.security, `${method} ${p}`).toEqual(endpoint.guard.auth === "none" ? [] : [{ [endpoint.guard.auth]: [] }]);
        if (endpoint.body.kind === "json") expect(operation!.requestBody?.["x-max-body-bytes"], `${method} ${p}`).toBe(endpoint.body.limit);
        expect(operation!.responses["405"], `${method} ${p}`).toBeDefined();
        count++;
      }
    }
    expect(count).toBeGreaterThan(70);
  });

  it("documents the answer of every endpoint that has one: a JSON schema or a download", async () => {
    const undocumented: string[] = [];
    for (const route of await declaredRoutes()) {
      for (const { method, op, endpoint } of endpointsOf(route.api)) {
        if (endpoint.status !== 204 && endpoint.response === null) undocumented.push(`${method} ${route.pattern}${op ? ` (${op})` : ""}`);
      }
    }
    expect(undocumented, "declare a `response` schema in the wire module (ADR 024)").toEqual([]);
    expect(readFileSync(OPENAPI_FILE, "utf8")).not.toContain("not declared");
  });

  it("refuses to document an endpoint that answers JSON without a response schema", () => {
    const api = apiRoute({ summary: "x", methods: { GET: endpoint({ summary: "x", guard: anyone, handler: async () => ({}) }) } });
    expect(() => openApiDocument([{ file: "api.example.ts", pattern: "/api/example", api }])).toThrow(/declares no response schema/);
  });
});
