// The module graph has no import cycles (issue 15): none between files of
// app/, server/, cli/, db/ and crypto/, and none between the domain folders of
// app/.server, whose dependencies run one way (platform at the bottom, then
// audit, notifications, staff identity, case access, ... up to the
// administration). A cycle is reported with the files or folders in it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { cycles, folderGraph, importGraph, ROOT } from "../support/import-graph";

const graph = importGraph(["app", "server", "cli", "db", "crypto"]);

describe("import graph", () => {
  it("sees our modules and their imports", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("app/.server/intake/intake.ts")).toContain("app/.server/platform/services.ts");
  });

  it("has no cycle between files", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("has no cycle between the domain folders of app/.server", () => {
    const folders = folderGraph(graph, (f) => /^app\/\.server\/([^/]+)\//.exec(f)?.[1] ?? null);
    expect(folders.size).toBeGreaterThan(5);
    expect(cycles(folders)).toEqual([]);
  });

  it("keeps server modules out of browser code (types included: wire types live in app/<audience>/wire.ts or app/shared/)", () => {
    const serverOnly = (f: string) => f.startsWith("app/.server/") || /\.server\.tsx?$/.test(f);
    // Route modules are compiled for both sides; Remix strips their server imports from the browser bundle.
    const browser = (f: string) => f.startsWith("app/") && !serverOnly(f) && !f.startsWith("app/routes/") && f !== "app/entry.server.tsx";
    const offenders = [...graph].filter(([f, deps]) => browser(f) && deps.some(serverOnly)).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it("leaves database queries to the domain: no route module imports the schema or drizzle", () => {
    const routes = [...graph.keys()].filter((f) => f.startsWith("app/routes/"));
    expect(routes.length).toBeGreaterThan(20);
    const offenders = routes.filter(
      (f) => graph.get(f)!.some((d) => d.startsWith("db/")) || /from\s+["']drizzle-orm/.test(readFileSync(path.join(ROOT, f), "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("keeps the audience folders of app/ from borrowing from each other (what they share is in app/shared/)", () => {
    const AUDIENCES = ["reporter", "staff", "admin", "affiliate"];
    const audienceOf = (f: string) => AUDIENCES.find((a) => f.startsWith(`app/${a}/`)) ?? null;
    const borrowed = [...graph].flatMap(([f, deps]) =>
      deps.filter((d) => audienceOf(f) !== null && audienceOf(d) !== null && audienceOf(d) !== audienceOf(f)).map((d) => `${f} -> ${d}`),
    );
    expect(borrowed).toEqual([]);
  });

  it("finds a cycle when there is one", () => {
    const g = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(cycles(g)).toEqual([["a", "b", "c"]]);
  });
});
