// The import graph of our own source, from relative specifiers only (no
// TypeScript compiler, no bundler): every `import … from`, `export … from`,
// side-effect `import "…"` and `import("…")`, type-only imports included.
// Used by test/unit/import-cycles.test.ts.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

const SOURCE = /\.(ts|tsx|mts|js|mjs)$/;
const SPECIFIER = /(?:^|[\s;])(?:import|export)\s[^;'"`]*?\sfrom\s*["']([^"']+)["']|(?:^|[\s;])import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "node_modules" && name !== "migrations" && name !== "build") out.push(...sourceFiles(p));
    } else if (SOURCE.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

function resolve(fromFile: string, spec: string): string | null {
  const base = path.resolve(path.dirname(fromFile), spec);
  for (const suffix of ["", ".ts", ".tsx", ".js", ".mjs", "/index.ts", "/index.tsx"]) {
    const p = base + suffix;
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

/** Strips comments so that an example import in a comment is not an edge (strings are left alone). */
function withoutComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

/** Repo-relative file -> the repo-relative files it imports, for every source file under `dirs`. */
export function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const d of dirs) {
    for (const file of sourceFiles(path.join(ROOT, d))) {
      const src = withoutComments(readFileSync(file, "utf8"));
      const deps = new Set<string>();
      for (const m of src.matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec || !spec.startsWith(".")) continue;
        const target = resolve(file, spec);
        if (target) deps.add(path.relative(ROOT, target));
      }
      graph.set(path.relative(ROOT, file), [...deps].sort());
    }
  }
  return graph;
}

/** The strongly connected components with more than one node (or a self-loop): each one is a cycle. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}

/** The graph between folders: an edge a -> b when a file in folder a imports one in folder b (a != b). */
export function folderGraph(graph: Map<string, string[]>, folderOf: (file: string) => string | null): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const [file, deps] of graph) {
    const a = folderOf(file);
    if (a === null) continue;
    if (!out.has(a)) out.set(a, new Set());
    for (const d of deps) {
      const b = folderOf(d);
      if (b !== null && b !== a) out.get(a)!.add(b);
    }
  }
  return new Map([...out].map(([k, v]) => [k, [...v].sort()]));
}
