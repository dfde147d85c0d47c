import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // PGlite is WebAssembly on the main thread: two files at a time keep the 2-core machine responsive.
    maxWorkers: 2,
    // CI also writes a JSON summary, from which .ci/run prints its closing 'N passed, N failed' line.
    reporters: process.env.CI === 'true' ? ['default', 'json'] : ['default'],
    outputFile: { json: 'test-results/vitest.json' },
  },
});
