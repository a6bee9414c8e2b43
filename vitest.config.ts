import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    restoreMocks: true,
    // Hang guards, not performance budgets: the suite must pass on a busy 2-core machine, where a
    // property test or a synth takes several times what it takes on a quiet one.
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // CI asks for a JSON report too (.ci/run prints a plain closing line from it).
    ...(process.env.VITEST_JSON_REPORT
      ? { reporters: ['default', 'json'], outputFile: { json: process.env.VITEST_JSON_REPORT } }
      : {}),
  },
});
