import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql ships both CJS and ESM; loading both gives "another realm" errors.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { APOLLO_TELEMETRY_DISABLED: 'true', NODE_ENV: 'test' },
  },
});
