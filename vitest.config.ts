import { defineConfig } from 'vitest/config';

const common = {
  pool: 'forks' as const,
  // Browser journeys on a loaded 2-core machine can take a while; nothing here waits on a timer that long.
  testTimeout: 90_000,
  hookTimeout: 120_000,
  teardownTimeout: 30_000,
  // What a poll waits for still shows up on a busy machine, only later; a poll returns as soon as it holds.
  expect: { poll: { timeout: 10_000 } },
};

export default defineConfig({
  test: {
    projects: [
      {
        // The whole stack (database, auth emulator, every subgraph, gateway, portal): journeys across services.
        test: {
          ...common,
          name: 'stack',
          include: ['packages/*/src/**/*.test.ts', 'subgraphs/*/src/**/*.test.ts', 'gateway/src/**/*.test.ts', 'schema/**/*.test.ts', 'tests/**/*.test.ts', 'portal/tests/**/*.test.ts', 'bench/**/*.test.ts'],
          globalSetup: ['./tests/globalSetup.ts'],
          setupFiles: ['./tests/setup.ts'],
        },
      },
      {
        // Each subgraph by itself on its own databases (`npm run test:subgraphs`): no gateway, no other service, no portal build.
        test: {
          ...common,
          name: 'subgraphs',
          include: ['subgraphs/*/test/**/*.test.ts'],
          globalSetup: ['./tests/subgraphSetup.ts'],
        },
      },
    ],
  },
});
