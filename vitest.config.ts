import { configDefaults, defineConfig } from "vitest/config";
import LongestFirst from "./test/setup/sequencer";

// Three projects that run on their own (`vitest run --project unit`) or together (`vitest run`), in one pool:
//   unit         no server, no build: crypto, configuration, helpers (PostgreSQL only where a test says so)
//   integration  the real portal (production build) over HTTP, on PGlite and PostgreSQL; security, faults, upgrades
//   e2e          the real portal driven by Chromium
// The last two start every portal from a migrated database made once per run (ADR 023).
const DATABASE_SNAPSHOTS = ["test/setup/database-snapshots.ts"];

export default defineConfig({
  test: {
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Two cores: the end-to-end files each start a server and a browser.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ["default"],
    // Longest files first, also on a clean clone without vitest's cache (test/setup/sequencer.ts).
    sequence: { sequencer: LongestFirst },
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts", "test/crypto/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "test/security/**/*.test.ts", "test/faults/**/*.test.ts", "test/upgrade/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "**/*.e2e.test.ts"],
          globalSetup: DATABASE_SNAPSHOTS,
        },
      },
      {
        extends: true,
        test: { name: "e2e", include: ["test/**/*.e2e.test.ts"], globalSetup: DATABASE_SNAPSHOTS },
      },
    ],
  },
});
