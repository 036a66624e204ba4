import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, type Plugin } from "vite";
import remixConfig from "./remix.config.js";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * API route modules (app/routes/api.*.ts) export their declaration (`api`, ADR 024) beside `loader`/`action`, and
 * its handlers reach server-only code. They have nothing for the browser, so the client build gets an empty module
 * for each (Remix removes only `loader`, `action` and `headers`). Server builds and Remix's export scan (ssr) see
 * the real module.
 */
function apiRoutesServerOnly(): Plugin {
  return {
    name: "api-routes-server-only",
    enforce: "pre",
    transform(_code, id, options) {
      if (options?.ssr) return;
      if (!/[/\\]app[/\\]routes[/\\]api\.[^/\\]*\.ts$/.test(id.split("?")[0]!)) return;
      return { code: "export {};\n", map: null };
    },
  };
}

export default defineConfig({
  plugins: [apiRoutesServerOnly(), remix(remixConfig)],
  build: { target: "es2022", assetsInlineLimit: 0 },
  server: { hmr: { port: 24678 } },
});
