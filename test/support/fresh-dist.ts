// vitest globalSetup: tests that run dist/ (the CLI, the dashboard harness) must never test stale code.
// When the sources changed since the last build (or there is none), bundle again before any test runs
// (esbuild: a second or two; types are `npm run typecheck`'s job) and say so.
// @ts-expect-error -- plain ES module without types
import { build, staleReason } from '../../scripts/build.mjs';

export default async function setup(): Promise<void> {
  const why = (staleReason as () => string | null)();
  if (!why) return;
  process.stderr.write(`test setup: ${why}; bundling dist/ before the tests\n`);
  await (build as (o: { quiet: boolean }) => Promise<void>)({ quiet: true });
}
