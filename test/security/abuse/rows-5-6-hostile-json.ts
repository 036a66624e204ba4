// Issue 16: the attacks an outsider can make to silence the channel, replayed
// against the real portal on both databases, each row of the table in
// its own describe block with the outcome the issue asks for.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_LIMITS } from "../../../app/.server/platform/json-scan";
import { apiEndpoints, endpointName } from "../../support/api-routes";
import { backends } from "../../support/backends";
import { startTestPortal, type TestPortal } from "../../support/portal";
import { rawRequest, refusalProblem, type RawResponse } from "../../support/raw-http";

const MiB = 1024 * 1024;
const BACKENDS = await backends();
const ENDPOINTS = await apiEndpoints();

const codeOf = (r: RawResponse) => (JSON.parse(r.text) as { error: { code: string } }).error.code;
const postJson = (url: string, path: string, body: Buffer | string) =>
  rawRequest(url, { method: "POST", path, headers: { "Content-Type": "application/json" }, body, timeoutMs: 60_000 });

/** The JSON endpoints anyone can reach without a credential, with their path parameters filled in. */
const ANONYMOUS_JSON = ENDPOINTS.filter((e) => e.caller === "anonymous" && e.body === "json").map((e) => ({
  e,
  path: e.pattern.replace(/:(\w+)/g, () => crypto.randomUUID()),
}));

for (const backend of BACKENDS) {
  // Row 5: JSON.parse spent about half a second on each 1 MiB of nested `[`, on the main thread, so four of them
  // held /healthz for about two seconds. The shape is now refused on the bytes, after at most depth + 1 brackets.
  describe(`row 5: four 1 MiB bodies of nested [ to an anonymous endpoint, on ${backend}`, () => {
    let portal: TestPortal;
    beforeAll(async () => {
      portal = await startTestPortal(backend);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    it("refuses each with 400 json_too_deep while /healthz keeps answering, for a small share of the old CPU cost", async () => {
      const nested = Buffer.from("[".repeat(MiB));
      expect(nested.length).toBeLessThanOrEqual(ENDPOINTS.find((e) => e.pattern === "/api/intake/reports")!.limit!);
      // Warm the route and the connection handling, so that the measurement below is the bodies alone.
      expect((await postJson(portal.url, "/api/intake/reports", "{}")).status).toBe(400);

      const cpuBefore = process.cpuUsage();
      let done = false;
      const attack = Promise.all(Array.from({ length: 4 }, () => postJson(portal.url, "/api/intake/reports", nested))).finally(() => (done = true));
      const healthz: RawResponse[] = [];
      while (!done || healthz.length === 0) healthz.push(await rawRequest(portal.url, { method: "GET", path: "/healthz", timeoutMs: 60_000 }));
      const answers = await attack;
      const cpu = process.cpuUsage(cpuBefore);

      // CPU time of this process (the portal runs in it, and so does the client), not wall time: other work on the
      // machine hardly moves it. Measured on the 2-core test machine under a load average above 20: before the fix
      // 1,310 and 1,330 ms (PGlite, PostgreSQL: JSON.parse of each body), after it 94 and 152 ms (sending and
      // reading 4 MiB, polling /healthz, a scan of 9 bytes per body). The bound leaves the fix five times its cost,
      // so that only the old behaviour exceeds it.
      const cpuMs = (cpu.user + cpu.system) / 1000;
      expect(cpuMs).toBeLessThan(800);
      for (const r of answers) {
        expect(refusalProblem(r)).toBeNull();
        expect([r.status, codeOf(r)]).toEqual([400, "json_too_deep"]);
      }
      for (const r of healthz) expect(r.status).toBe(200);
    });

    it("refuses deep objects, closed nesting and nesting inside a valid-looking body the same way", async () => {
      const half = MiB / 2 - 64;
      for (const body of [
        "[".repeat(half) + "]".repeat(half),
        '{"a":'.repeat(MiB / 5 - 16),
        `{"categoryId":${"[".repeat(MiB - 64)}`,
        `${"[".repeat(JSON_LIMITS.depth + 1)}${"]".repeat(JSON_LIMITS.depth + 1)}`,
      ]) {
        const r = await postJson(portal.url, "/api/intake/reports", body);
        expect(refusalProblem(r)).toBeNull();
        expect([r.status, codeOf(r)]).toEqual([400, "json_too_deep"]);
      }
    });

    it("refuses nesting on every anonymous JSON endpoint, whatever its size limit", async () => {
      expect(ANONYMOUS_JSON.length).toBeGreaterThan(3);
      for (const { e, path } of ANONYMOUS_JSON) {
        const r = await postJson(portal.url, path, "[".repeat(Math.min(MiB, e.limit!)));
        expect(refusalProblem(r), endpointName(e)).toBeNull();
        expect([r.status, codeOf(r)], endpointName(e)).toEqual([400, "json_too_deep"]);
      }
      expect((await rawRequest(portal.url, { method: "GET", path: "/healthz" })).status).toBe(200);
    });
  });

  // Row 6: readJson walked the parsed body with `stack.push(...array)`, and an array of more than about 100,000
  // elements overflowed the call stack: 500. The element count is now bounded on the bytes, before parsing.
  describe(`row 6: a JSON array of over 100,000 elements to a JSON endpoint, on ${backend}`, () => {
    let portal: TestPortal;
    beforeAll(async () => {
      portal = await startTestPortal(backend);
    });
    afterAll(async () => {
      await portal?.stop();
    });

    const zeros = (n: number) => `[${"0,".repeat(n - 1)}0]`;

    it("refuses 150,000 elements with 400 json_too_many_elements, as the body or inside a member", async () => {
      for (const body of [zeros(150_000), `{"envelopes":${zeros(150_000)}}`, `{"excludedInvestigators":[${'"x",'.repeat(150_000)}"x"]}`]) {
        const r = await postJson(portal.url, "/api/intake/reports", body);
        expect(refusalProblem(r)).toBeNull();
        expect([r.status, codeOf(r)]).toEqual([400, "json_too_many_elements"]);
      }
    });

    it("answers every anonymous JSON endpoint with a 4xx, never a 500", async () => {
      // A body over an endpoint's byte limit is refused with 413 before the count matters; either is a clear 4xx.
      for (const { e, path } of ANONYMOUS_JSON) {
        const r = await postJson(portal.url, path, zeros(110_000));
        expect(refusalProblem(r), endpointName(e)).toBeNull();
        expect(r.status === 413 ? "too_large" : codeOf(r), endpointName(e)).toBe(r.status === 413 ? "too_large" : "json_too_many_elements");
      }
    });

    it("takes a body up to its endpoint's element limit to the schema, which names what is wrong, and refuses one more", async () => {
      // Each endpoint's limit is what its largest valid body holds plus room for unknown members (json-scan.ts);
      // within it the body is parsed and validated as before, and the schema's own maximum (1,000) answers.
      const submit = ENDPOINTS.find((e) => e.pattern === "/api/intake/reports")!;
      const { elements } = (submit.declared.body as { shape: { elements: number } }).shape;
      expect(elements).toBeGreaterThan(4000);
      const body = (n: number) => `{"excludedInvestigators":[${'"x",'.repeat(n - 1)}"x"]}`;
      const within = await postJson(portal.url, "/api/intake/reports", body(elements - 1));
      expect(refusalProblem(within)).toBeNull();
      expect(codeOf(within)).toBe("invalid_request");
      expect((JSON.parse(within.text) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("excludedInvestigators");
      const over = await postJson(portal.url, "/api/intake/reports", body(elements));
      expect([over.status, codeOf(over)]).toEqual([400, "json_too_many_elements"]);
    });
  });
}
