// What the reporter pages make a phone load (issue 18, ADR 042), read from the production build through the
// real server: every page names its own description in the page's language (Lighthouse's SEO audit), no page
// loads the cipher (libsodium) up front, neither by a script nor a modulepreload nor a static import of one,
// and the landing page loads none of the form's code. Scores themselves belong to `npm run bench`.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translator, type Locale, type MessageKey } from "../../app/i18n";
import { startTestPortal, type TestPortal } from "../support/portal";
import { createStaff } from "../support/staff";

const ASSETS = path.join(fileURLToPath(new URL("../..", import.meta.url)), "build/client/assets");

const PAGES: { path: string; description: MessageKey }[] = [
  { path: "/", description: "meta.description.landing" },
  { path: "/report", description: "meta.description.report" },
  { path: "/status", description: "meta.description.status" },
  { path: "/privacy", description: "meta.description.privacy" },
];

interface RemixManifest {
  entry: { module: string; imports: string[] };
  routes: Record<string, { module: string; imports?: string[] }>;
}

const decode = (s: string) =>
  s
    .replace(/&#x27;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The `/assets/*.js` files a page's HTML names (scripts, modulepreloads, inline imports). */
function scriptsOf(html: string): Set<string> {
  return new Set([...html.matchAll(/\/assets\/[\w.-]+\.js/g)].map((m) => path.basename(m[0])));
}

/** Those files and every file they import statically (not `import()`), transitively: what loads with the page. */
async function closureOf(files: Iterable<string>): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(path.join(ASSETS, file), "utf8");
    for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([\w.-]+\.js)["']/g)) queue.push(m[1]!);
  }
  return seen;
}

describe("reporter pages: descriptions and the code they load", () => {
  let portal: TestPortal;
  let manifest: RemixManifest;
  let cipherChunks: Set<string>;

  async function page(pagePath: string, locale: Locale = "en"): Promise<string> {
    const response = await fetch(`${portal.url}${pagePath}?lang=${locale}`);
    expect(response.status, pagePath).toBe(200);
    return response.text();
  }

  beforeAll(async () => {
    portal = await startTestPortal("pglite");
    // With an investigator the report page shows the form (it is closed on an empty installation).
    await createStaff(portal, "investigator", "page-code-inv@okestro.example");
    const html = await page("/");
    const manifestFile = [...scriptsOf(html)].find((f) => f.startsWith("manifest-"));
    expect(manifestFile).toBeDefined();
    const text = await readFile(path.join(ASSETS, manifestFile!), "utf8");
    manifest = JSON.parse(text.replace(/^window\.__remixManifest\s*=\s*/, "").replace(/;\s*$/, "")) as RemixManifest;
    cipherChunks = new Set();
    for (const f of (await readdir(ASSETS)).filter((n) => n.endsWith(".js")))
      if ((await readFile(path.join(ASSETS, f), "utf8")).includes("libsodium")) cipherChunks.add(f);
  });
  afterAll(async () => {
    await portal?.stop();
  });

  it("finds the cipher in the build (else the checks below would pass on nothing)", () => {
    expect(cipherChunks.size).toBeGreaterThan(0);
  });

  for (const locale of ["en", "ko"] as const) {
    it(`gives every reporter page its own description in ${locale}`, async () => {
      const t = translator(locale);
      const seen = new Set<string>();
      for (const p of PAGES) {
        const html = await page(p.path, locale);
        const descriptions = [...html.matchAll(/<meta name="description" content="([^"]*)"/g)].map((m) => decode(m[1]!));
        expect(descriptions, p.path).toEqual([t(p.description)]);
        expect(descriptions[0]!.length, p.path).toBeGreaterThan(50);
        seen.add(descriptions[0]!);
      }
      expect(seen.size).toBe(PAGES.length);
    });
  }

  it("loads the cipher on no reporter page up front", async () => {
    for (const p of PAGES) {
      const loaded = await closureOf(scriptsOf(await page(p.path)));
      expect(loaded.size, p.path).toBeGreaterThan(3);
      expect(
        [...loaded].filter((f) => cipherChunks.has(f)),
        p.path,
      ).toEqual([]);
    }
  });

  it("loads none of the form's code on the landing page", async () => {
    const routeFiles = (id: string) => {
      const r = manifest.routes[id];
      expect(r, id).toBeDefined();
      return [r!.module, ...(r!.imports ?? [])].map((f) => path.basename(f));
    };
    // What only the report and follow-up pages need: their route modules and imports, less what a page
    // without a form (the privacy notice) loads too.
    const plainPage = await closureOf(scriptsOf(await page("/privacy")));
    const formCode = new Set([...routeFiles("routes/_reporter.report"), ...routeFiles("routes/_reporter.status")].filter((f) => !plainPage.has(f)));
    expect(formCode.size).toBeGreaterThan(2);
    const landing = await closureOf(scriptsOf(await page("/")));
    expect(landing).toContain(path.basename(manifest.routes["routes/_reporter._index"]!.module));
    expect([...landing].filter((f) => formCode.has(f))).toEqual([]);
  });
});
