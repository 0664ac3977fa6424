import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // Tests that run dist/ get a fresh bundle (see the file); test/support/cli.ts also refuses a stale one.
    globalSetup: ['test/support/fresh-dist.ts'],
    // Timestamps in logs are local time; pin the zone so parsed epochs are the same on every machine.
    // XDG_CACHE_HOME: a CLI run under other V8 flags writes its code cache there (src/launch/cache-place.ts), not
    // into the home of whoever runs the tests.
    env: { TZ: 'UTC', METADATA_SERVER_DETECTION: 'none', FORCE_COLOR: '1', XDG_CACHE_HOME: path.join(os.tmpdir(), 'backfill-tui-test-cache') },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: real child processes and servers in the e2e tests need one to themselves.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
