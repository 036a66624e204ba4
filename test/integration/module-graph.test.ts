// One module graph at run time (ADR 021): the Remix server build imports the domain code
// (app/.server, *.server.ts, db, crypto) from source instead of carrying its own copy, so server/,
// cli/ and the routes share one instance of each module. The run-time side of this is exercised
// wherever an error made by server/'s objects is recognised by class inside a route (the mailer's
// MailError in test/integration/reporter-notifications.test.ts, "when SMTP is down").
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isSharedServerModule } from "../../vite.config";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUILD = path.join(ROOT, "build/server");

async function files(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && pattern.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

describe("the server build and the domain code", () => {
  it("imports every shared module from source, by a path that exists", async () => {
    const imported = new Set<string>();
    for (const file of await files(BUILD, /\.js$/)) {
      const code = await readFile(file, "utf8");
      for (const m of code.matchAll(/(?:from|import)\s*"(\.[^"]+\.ts)"/g)) {
        const target = path.resolve(path.dirname(file), m[1]!);
        expect(existsSync(target), `${path.relative(ROOT, file)} imports ${m[1]}`).toBe(true);
        expect(isSharedServerModule(target)).toBe(true);
        imported.add(path.relative(ROOT, target).split(path.sep).join("/"));
      }
    }
    for (const dir of ["app/", "db/", "crypto/"])
      expect(
        [...imported].some((f) => f.startsWith(dir)),
        dir,
      ).toBe(true);
    expect(imported).toContain("app/intake/upload-params.server.ts");
  });

  it("defines none of their classes itself (no second copy to fail an instanceof)", async () => {
    const classes = new Set<string>();
    for (const dir of ["app", "db", "crypto"]) {
      for (const file of (await files(path.join(ROOT, dir), /\.ts$/)).filter(isSharedServerModule)) {
        for (const m of (await readFile(file, "utf8")).matchAll(/^export class (\w+)/gm)) classes.add(m[1]!);
      }
    }
    expect(classes).toContain("ApiError");
    expect(classes).toContain("MailError");
    const build = (await Promise.all((await files(BUILD, /\.js$/)).map((f) => readFile(f, "utf8")))).join("\n");
    for (const name of classes) expect(build, name).not.toMatch(new RegExp(`\\bclass ${name}\\b`));
  });

  it("covers every module server/ and cli/ import from app/, db/ and crypto/ (where domain code moves, the rule follows)", async () => {
    const resolve = (from: string, spec: string) =>
      [".ts", ".tsx", "/index.ts"].map((ext) => path.resolve(path.dirname(from), spec) + ext).find((f) => existsSync(f));
    const outside: string[] = [];
    for (const dir of ["server", "cli"]) {
      for (const file of await files(path.join(ROOT, dir), /\.ts$/)) {
        for (const m of (await readFile(file, "utf8")).matchAll(/^import (?!type )[^;]*?from "(\.[^"]+)";/gms)) {
          const target = resolve(file, m[1]!);
          const rel = target && path.relative(ROOT, target).split(path.sep).join("/");
          if (!rel || !/^(?:app|db|crypto)\//.test(rel)) continue;
          // The message catalogs are constants: a copy in the build and one here share no state.
          if (rel.startsWith("app/i18n/")) continue;
          if (!isSharedServerModule(target)) outside.push(`${path.relative(ROOT, file)} -> ${rel}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });

  it("keeps the rule to the domain code: routes, components and browser code stay in the build", () => {
    expect(isSharedServerModule(path.join(ROOT, "app/.server/platform/mailer.ts"))).toBe(true);
    expect(isSharedServerModule(path.join(ROOT, "db/schema/reports.ts"))).toBe(true);
    expect(isSharedServerModule(path.join(ROOT, "crypto/index.ts"))).toBe(true);
    expect(isSharedServerModule(path.join(ROOT, "app/intake/upload-params.server.ts"))).toBe(true);
    expect(isSharedServerModule(path.join(ROOT, "app/entry.server.tsx"))).toBe(false);
    expect(isSharedServerModule(path.join(ROOT, "app/routes/api.intake.info.ts"))).toBe(false);
    expect(isSharedServerModule(path.join(ROOT, "app/i18n/index.ts"))).toBe(false);
    expect(isSharedServerModule(path.join(ROOT, "node_modules/zod/index.js"))).toBe(false);
    expect(isSharedServerModule("/elsewhere/db/client.ts")).toBe(false);
  });
});
