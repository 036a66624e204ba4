// ESLint for the whole tree (ADR 022): `npm run lint` runs it and Prettier's check, and `npm test` runs lint first.
// Formatting is Prettier's alone, so no stylistic rules here. Later blocks replace a rule's options for their files, so each
// restriction rule is configured in one place per set of files.
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const root = fileURLToPath(new URL(".", import.meta.url));

const onlyCryptoImportsLibsodium = ["libsodium-wrappers", "libsodium-wrappers-sumo"].map((name) => ({
  name,
  message: "Only crypto/ imports libsodium: use what crypto/index exports.",
}));

// Server-only code. Browser code may not import it, not even its types (shared wire types live in modules both sides import).
const serverOnly = ["app/.server/**", "**/*.server.ts", "**/*.server.tsx", "db/**", "server/**", "cli/**"];

// Audience folders do not borrow from each other: what two of them share gets its own place.
const audiences = ["reporter", "staff", "admin", "affiliate"];

export default defineConfig(
  { ignores: ["build/", "coverage/", "test-results/", "bench/out/", "data/", ".cache/"] },
  { linterOptions: { reportUnusedDisableDirectives: "error" } },
  js.configs.recommended,
  // Without type information: the type-aware rules would more than double the lint time (ADR 022); `tsc --noEmit` checks types.
  tseslint.configs.recommended,
  {
    files: ["**/*.js", "**/*.mjs"],
    languageOptions: { globals: globals.node },
  },
  {
    plugins: { "import-x": importX, "react-hooks": reactHooks },
    settings: {
      // import-x parses imported TypeScript files itself (to follow cycles) only with these two settings.
      "import-x/extensions": [".ts", ".tsx", ".js", ".mjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts", ".tsx"] },
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".tsx", ".js", ".mjs", ".json"] })],
    },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
      // Type-only imports are erased, so only value imports (static or dynamic) make a cycle at run time.
      // ignoreExternal: a cycle through a package is not ours to fix, and its files need not be parsed.
      "import-x/no-cycle": ["error", { ignoreExternal: true }],
      // `_name` marks a parameter kept for its position (Express error handlers) and a property left out of a rest copy.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      // Input checks and tests match NUL and control characters on purpose.
      "no-control-regex": "off",
      "no-restricted-imports": ["error", { paths: onlyCryptoImportsLibsodium }],
    },
  },
  {
    // crypto/ is shared by browser and server: it depends on nothing but libsodium and itself.
    files: ["crypto/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(?!\\./|libsodium-wrappers(-sumo)?$)", message: "crypto/ imports only its own modules and libsodium." }] },
      ],
    },
  },
  {
    // Route modules call domain functions; they do not build database queries.
    files: ["app/routes/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: onlyCryptoImportsLibsodium,
          patterns: [
            { group: ["drizzle-orm", "drizzle-orm/*"], message: "Route modules call a domain function in app/.server instead of querying." },
            { regex: "^(\\.\\./)+db(/|$)", message: "Route modules call a domain function in app/.server instead of using db/." },
          ],
        },
      ],
    },
  },
  {
    // Browser code: app/ except server modules and route modules, plus crypto/. Route modules (and root.tsx, the root
    // route) are the bridge: Remix strips their loaders and actions, and what those import, from the browser build.
    files: ["app/**", "crypto/**"],
    ignores: ["app/.server/**", "app/routes/**", "app/root.tsx", "**/*.server.ts", "**/*.server.tsx"],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          basePath: root,
          zones: [
            { target: ".", from: serverOnly, message: "Browser code does not import server-only modules (ADR 022)." },
            ...audiences.map((a) => ({
              target: `app/${a}`,
              from: audiences.filter((b) => b !== a).map((b) => `app/${b}`),
              message: "Audience folders do not borrow from each other: move what they share to its own place.",
            })),
          ],
        },
      ],
    },
  },
);
