// Vitest settings: tests under test/, a GC hook for reachability tests, generous timeouts for asc builds,
// and a global setup that keeps dist/ (the pool's worker script) up to date.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    execArgv: ["--expose-gc"],
    globalSetup: ["test/helpers/dist-setup.ts"],
  },
});
