// The exposition format of server/metrics-registry.ts, the route patterns of server/route-pattern.ts
// (the only labels taken from a request) and the metrics settings (ADR 040).
import type { ServerBuild } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/.server/platform/config";
import { methodLabel, statusClass } from "../../server/metrics";
import { Collected, Counter, Histogram, Registry } from "../../server/metrics-registry";
import { routePatterns } from "../../server/route-pattern";

describe("the exposition format", () => {
  it("writes counters, cumulative histograms and collected gauges with escaped label values", async () => {
    const registry = new Registry();
    const c = registry.add(new Counter("x_total", "Things\ncounted", ["route", "status"]));
    const h = registry.add(new Histogram("x_seconds", "Time", ["route"], [0.1, 1]));
    registry.add(new Collected("x_up", "Up", "gauge", [], () => [{ labels: {}, value: 1 }]));
    c.inc({ route: '/a "b" \\c\nd', status: "2xx" });
    c.inc({ route: '/a "b" \\c\nd', status: "2xx" }, 2);
    for (const v of [0.05, 0.5, 5]) h.observe({ route: "/a" }, v);
    expect(await registry.render()).toBe(
      [
        "# HELP x_total Things\\ncounted",
        "# TYPE x_total counter",
        'x_total{route="/a \\"b\\" \\\\c\\nd",status="2xx"} 3',
        "# HELP x_seconds Time",
        "# TYPE x_seconds histogram",
        'x_seconds_bucket{route="/a",le="0.1"} 1',
        'x_seconds_bucket{route="/a",le="1"} 2',
        'x_seconds_bucket{route="/a",le="+Inf"} 3',
        'x_seconds_sum{route="/a"} 5.55',
        'x_seconds_count{route="/a"} 3',
        "# HELP x_up Up",
        "# TYPE x_up gauge",
        "x_up 1",
        "",
      ].join("\n"),
    );
  });

  it("refuses labels other than the declared ones, bad names and a counter going down", () => {
    const c = new Counter("y_total", "Y", ["route"]);
    expect(() => c.inc({})).toThrow(RangeError);
    expect(() => c.inc({ route: "/", ip: "10.0.0.1" })).toThrow(RangeError);
    expect(() => c.inc({ route: "/" }, -1)).toThrow(RangeError);
    expect(() => new Counter("bad-name", "Z")).toThrow(RangeError);
    expect(() => new Histogram("h", "H", ["le"], [1])).toThrow(RangeError);
    expect(() => new Histogram("h", "H", [], [2, 1])).toThrow(RangeError);
    const r = new Registry();
    r.add(new Counter("twice", "T"));
    expect(() => r.add(new Counter("twice", "T"))).toThrow(RangeError);
  });

  it("collapses methods and statuses to a fixed set", () => {
    expect(["GET", "POST", "PROPFIND", "get"].map(methodLabel)).toEqual(["GET", "POST", "other", "other"]);
    expect([200, 304, 404, 503, 99, 600].map(statusClass)).toEqual(["2xx", "3xx", "4xx", "5xx", "other", "other"]);
  });
});

describe("route patterns", () => {
  // The shape of a Remix server build's route manifest, for a tree like ours.
  const route = (id: string, parentId: string | undefined, path?: string, index?: boolean) => ({ id, parentId, path, index, module: {} });
  const routes = Object.fromEntries(
    [
      route("root", undefined, ""),
      route("routes/_reporter", "root"),
      route("routes/_reporter._index", "routes/_reporter", undefined, true),
      route("routes/_reporter.status", "routes/_reporter", "status"),
      route("routes/staff.cases.$caseNumber", "root", "staff/cases/:caseNumber"),
      route("routes/api.staff.cases", "root", "api/staff/cases"),
      route("routes/api.intake.uploads.$uploadId", "root", "api/intake/uploads/:uploadId"),
      route("routes/api.intake.uploads.$uploadId.complete", "routes/api.intake.uploads.$uploadId", "complete"),
      route("routes/$", "root", "*"),
    ].map((r) => [r.id, r]),
  );
  const patternOf = routePatterns({ routes } as unknown as ServerBuild, ["/api/intake/uploads/:uploadId/parts/:part"]);

  it("names the route a path goes to by its pattern, never by the path's values", () => {
    expect(patternOf("/")).toBe("/");
    expect(patternOf("/status")).toBe("/status");
    expect(patternOf("/STATUS/")).toBe("/status");
    expect(patternOf("/staff/cases/COR-7K2M-Q9XA")).toBe("/staff/cases/:caseNumber");
    expect(patternOf("/staff/cases/COR-7K2M-Q9XA.data")).toBe("/staff/cases/:caseNumber");
    expect(patternOf("/_root.data")).toBe("/");
    expect(patternOf("/api/staff/cases")).toBe("/api/staff/cases");
    const id = "0b9d3f1e-1c55-4a8e-9f61-4d5a2b7c8e90";
    expect(patternOf(`/api/intake/uploads/${id}`)).toBe("/api/intake/uploads/:uploadId");
    expect(patternOf(`/api/intake/uploads/${id}/complete`)).toBe("/api/intake/uploads/:uploadId/complete");
    expect(patternOf(`/api/intake/uploads/${id}/parts/3`)).toBe("/api/intake/uploads/:uploadId/parts/:part");
  });

  it("gives every path no other route takes the catch-all's one label", () => {
    for (const p of ["/10.0.0.1", "/staff/cases", "/staff/cases/a/b", "/api/x/COR-7K2M-Q9XA", "/%E0%A4%A", "/status/x"]) expect(patternOf(p)).toBe("/*");
    const withoutCatchAll = routePatterns({
      routes: { root: routes.root, "routes/api.staff.cases": routes["routes/api.staff.cases"] },
    } as unknown as ServerBuild);
    expect(withoutCatchAll("/elsewhere")).toBeNull();
  });
});

describe("metrics settings", () => {
  it("are off by default, on loopback when a port is given, and checked", () => {
    expect(loadConfig({}).METRICS_PORT).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: "9464" })).toMatchObject({ METRICS_PORT: 9464, METRICS_HOST: "127.0.0.1" });
    expect(loadConfig({ METRICS_PORT: "9464", METRICS_HOST: "::" }).METRICS_HOST).toBe("::");
    expect(() => loadConfig({ METRICS_PORT: "metrics" })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_PORT: "70000" })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ METRICS_HOST: "0.0.0.0" })).toThrow(new ConfigError(["METRICS_HOST: set, but METRICS_PORT is not (no metrics are served)"]));
    expect(() => loadConfig({ PORT: "8080", METRICS_PORT: "8080" })).toThrow(/METRICS_PORT: must differ from PORT/);
    expect(() => loadConfig({ METRICS_PORT: "9464", METRICS_HOST: "host name" })).toThrow(/METRICS_HOST/);
  });
});
