import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'gateway/src/**/*.test.ts', 'schema/**/*.test.ts', 'tests/**/*.test.ts', 'portal/tests/**/*.test.ts', 'bench/**/*.test.ts'],
    globalSetup: ['./tests/globalSetup.ts'],
    setupFiles: ['./tests/setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
