import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const SERVER_BUILD_DIR = path.join(ROOT, remixConfig.buildDirectory ?? "build", "server");

/**
 * The server-side domain code, which server/ and cli/ import from source. The SSR build leaves it
 * out and imports it, so one copy of each module exists at run time (ADR 021).
 */
export function isSharedServerModule(file: string): boolean {
  const rel = path.relative(ROOT, file.split("?")[0]!).split(path.sep).join("/");
  if (rel.startsWith("../") || path.isAbsolute(rel)) return false;
  return /^(?:app\/\.server|db|crypto)\//.test(rel) || /^app\/.*\.server\.ts$/.test(rel);
}

/**
 * The dev server's SSR side (`npm run dev`) likewise hands the shared modules to Node's own import, as
 * `server/start.ts` does, instead of evaluating a second copy in Vite's module runner. Vite only
 * externalizes packages there, so its fetchModule is wrapped. Edits to these modules therefore take a
 * restart of the dev server, as edits to server/ always did; routes and components still reload.
 */
function sharedServerModulesInDev(): Plugin {
  return {
    name: "cor:shared-server-modules",
    apply: "serve",
    configureServer(server) {
      const ssr = server.environments.ssr;
      const fetchModule = ssr.fetchModule.bind(ssr);
      ssr.fetchModule = (url, importer, options) => {
        // Dev-server URLs of files in the project are "/" + their path from the root.
        const file = url.startsWith("/") && !url.startsWith("/@") && !url.includes("?") ? path.join(ROOT, url) : null;
        if (file && isSharedServerModule(file)) return Promise.resolve({ externalize: pathToFileURL(file).href, type: "module" });
        return fetchModule(url, importer, options);
      };
    },
  };
}

/**
 * API route modules (app/routes/api.*.ts) export their declaration (`api`, ADR 024) beside `loader`/`action`, and
 * its handlers reach server-only code. They have nothing for the browser, so the client build gets an empty module
 * for each (Remix removes only `loader`, `action` and `headers`). Server builds and Remix's export scan (ssr) see
 * the real module.
 */
function apiRoutesServerOnly(): Plugin {
  return {
    name: "cor:api-routes-server-only",
    enforce: "pre",
    transform(_code, id, options) {
      if (options?.ssr) return;
      if (!/[/\\]app[/\\]routes[/\\]api\.[^/\\]*\.ts$/.test(id.split("?")[0]!)) return;
      return { code: "export {};\n", map: null };
    },
  };
}

export default defineConfig(({ isSsrBuild }) => ({
  plugins: [apiRoutesServerOnly(), remix(remixConfig), sharedServerModulesInDev()],
  build: {
    target: "es2022",
    assetsInlineLimit: 0,
    // Client build: untouched (Remix refuses .server modules there).
    ...(isSsrBuild && {
      rollupOptions: {
        external: (id: string, _importer: string | undefined, resolved: boolean) => resolved && isSharedServerModule(id),
        output: {
          // Relative to the output directory; Rollup makes it relative to each chunk. Without this it
          // would be relative to the inputs' common directory, "/" for Remix's virtual entry. "" keeps
          // Rollup's own path for everything else.
          paths: (id: string) => (isSharedServerModule(id) ? path.relative(SERVER_BUILD_DIR, id).split(path.sep).join("/") : ""),
        },
      },
    }),
  },
  server: { hmr: { port: 24678 } },
}));
