import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Tests that run dist/ get a fresh bundle (see the file); test/support/cli.ts also refuses a stale one.
    globalSetup: ['test/support/fresh-dist.ts'],
    // Timestamps in logs are local time; pin the zone so parsed epochs are the same on every machine.
    env: { TZ: 'UTC', METADATA_SERVER_DETECTION: 'none', FORCE_COLOR: '1' },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: real child processes and servers in the e2e tests need one to themselves.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
