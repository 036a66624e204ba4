// test/upgrade/build-snapshot.ts is compiled inside release 0.1.0's checkout when that release's fixture is
// rebuilt (docs/RELEASES.md, ADR 026), so every module it imports must exist in that release, not in this tree.
// Reads the release's tree from git (commit of the tag v0.1.0); nothing is built or rebuilt.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const RELEASE = "1084275"; // v0.1.0, docs/RELEASES.md
const BUILDER = "test/upgrade/build-snapshot.ts";

function existsAtRelease(file: string): boolean {
  try {
    execFileSync("git", ["cat-file", "-e", `${RELEASE}:${file}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The builder's relative imports that resolve to no module of the release. */
function missingAtRelease(source: string): string[] {
  const specifiers = [...source.matchAll(/^import[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms)].map((m) => m[1]!);
  expect(specifiers.length).toBeGreaterThan(5);
  return specifiers.filter((s) => {
    const base = path.posix.join(path.posix.dirname(BUILDER), s);
    return ![".ts", ".tsx", "/index.ts", ""].some((ext) => existsAtRelease(base + ext));
  });
}

describe("the upgrade fixture builder", () => {
  it("imports only modules release 0.1.0 has", () => {
    expect(existsAtRelease("package.json"), `commit ${RELEASE} (v0.1.0) must be in this clone`).toBe(true);
    expect(missingAtRelease(readFileSync(BUILDER, "utf8"))).toEqual([]);
  });

  it("would have caught the copy adapted to this tree's identity API", () => {
    const adapted = execFileSync("git", ["show", `0d086d7:${BUILDER}`], { encoding: "utf8" });
    expect(missingAtRelease(adapted)).toEqual(["../support/identity"]);
  });
});
