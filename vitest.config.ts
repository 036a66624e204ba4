import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Two cores: the end-to-end files each start a server and a browser.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ["default"],
  },
});
