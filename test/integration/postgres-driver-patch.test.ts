// The install-time patch to postgres.js (patches/postgres+3.4.7.patch, ADR 020) and the check that
// refuses to open PostgreSQL without it (db/patched-driver.ts). The unpatched driver here is the real
// one: the installed package copied and the patch taken off again with `git apply -R`, which succeeds
// only if what is installed is exactly the patch's result. A copy of the real db/ code, resolving
// "postgres" to that unpatched copy, then shows that openDatabase refuses PostgreSQL.
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assertPatchedDriver, CONNECTION_FIXES, UnpatchedDriverError } from "../../db/patched-driver";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const require = createRequire(import.meta.url);

async function patchFile(): Promise<string> {
  const names = (await readdir(path.join(root, "patches"))).filter((f) => f.startsWith("postgres+") && f.endsWith(".patch"));
  expect(names).toHaveLength(1);
  return path.join(root, "patches", String(names[0]));
}

/** Every file of a directory tree, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true });
  const files: string[] = [];
  for (const name of names) if ((await stat(path.join(dir, name))).isFile()) files.push(name);
  return files;
}

describe("the postgres.js patch", () => {
  it("is applied to the installed driver, in the build Node imports and the one it requires", () => {
    expect(Reflect.get(postgres, "connectionFixes")).toBe(CONNECTION_FIXES);
    expect(() => assertPatchedDriver(postgres)).not.toThrow();
    expect(() => assertPatchedDriver(require("postgres") as object)).not.toThrow();
  });

  describe("taken off again", () => {
    let dir: string;
    let pristine: string;

    beforeAll(async () => {
      dir = await mkdtemp(path.join(os.tmpdir(), "unpatched-postgres-"));
      pristine = path.join(dir, "node_modules", "postgres");
      await cp(path.join(root, "node_modules", "postgres"), pristine, { recursive: true });
      // The patch names its files a/node_modules/postgres/...; outside a repository git apply works like patch(1).
      await run("git", ["apply", "--reverse", await patchFile()], { cwd: dir });
    });
    afterAll(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it("leaves the version the patch was made for, without any of the edits", async () => {
      const made = /^postgres\+(.+)\.patch$/.exec(path.basename(await patchFile()))?.[1];
      expect(JSON.parse(await readFile(path.join(pristine, "package.json"), "utf8")).version).toBe(made);
      for (const file of await filesUnder(pristine)) {
        expect(await readFile(path.join(pristine, file), "utf8"), file).not.toContain("clean-okestro-report");
      }
    });

    it("is refused by the check, in both builds, with a message naming patch-package and the ADR", async () => {
      const esm = (await import(pathToFileURL(path.join(pristine, "src", "index.js")).href)) as { default: object };
      const cjs = require(path.join(pristine, "cjs", "src", "index.js")) as object;
      for (const driver of [esm.default, cjs]) {
        expect(typeof driver).toBe("function");
        expect(() => assertPatchedDriver(driver)).toThrow(UnpatchedDriverError);
      }
      let error: unknown;
      try {
        assertPatchedDriver(esm.default);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(UnpatchedDriverError);
      expect((error as Error).message).toContain("patch-package");
      expect((error as Error).message).toContain("docs/decisions/020-");
    });

    it("makes openDatabase refuse PostgreSQL, where the installed driver opens it", async () => {
      // db/ as it is, beside the driver under test; every other package is the installed one. postgres.js
      // connects lazily, so with the patched driver openDatabase returns although nothing listens on port 1.
      const open = async (name: string, driver: string) => {
        const app = path.join(dir, name);
        await mkdir(path.join(app, "node_modules"), { recursive: true });
        await cp(path.join(root, "db"), path.join(app, "db"), { recursive: true });
        await cp(driver, path.join(app, "node_modules", "postgres"), { recursive: true });
        for (const entry of await readdir(path.join(root, "node_modules"))) {
          if (entry !== "postgres" && entry !== ".bin") await symlink(path.join(root, "node_modules", entry), path.join(app, "node_modules", entry));
        }
        await writeFile(path.join(app, "package.json"), JSON.stringify({ type: "module" }));
        await writeFile(
          path.join(app, "open.ts"),
          [
            'import { openDatabase } from "./db/client";',
            'const h = await openDatabase({ url: "postgres://postgres@127.0.0.1:1/none", poolSize: 1 }).catch((e: Error) => e);',
            "if (!(h instanceof Error)) await h.close();",
            "process.stdout.write(JSON.stringify(h instanceof Error ? { name: h.name, message: h.message } : { opened: h.kind }));",
          ].join("\n"),
        );
        const { stdout } = await run(process.execPath, ["--import", "tsx", "open.ts"], { cwd: app });
        return JSON.parse(stdout) as { name?: string; message?: string; opened?: string };
      };
      expect(await open("with-patch", path.join(root, "node_modules", "postgres"))).toEqual({ opened: "postgres" });
      const refused = await open("without-patch", pristine);
      expect(refused.name).toBe("UnpatchedDriverError");
      expect(refused.message).toContain("patch-package");
    });
  });
});
