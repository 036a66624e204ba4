// `npm run test:load`: the load test (bench/load.ts) in a smaller variant, as a
// test of correctness under load: every acknowledged submission must read back
// and decrypt to what was sent. Nothing here is timed. Kept out of `npm test`
// (whose pattern is test/**/*.test.ts) because it occupies both cores.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/load/**/*.load.ts"],
    environment: "node",
    testTimeout: 600_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 1,
    minWorkers: 1,
    reporters: ["default"],
  },
});
