import path from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- plain ES module without types
import { staleReason } from '../../scripts/build.mjs';

/** The project root: dist/ lives under it. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Throws when dist/ is missing or older than the sources: a test that runs dist/ must fail loudly
 * rather than test stale code (vitest's global setup bundles first; this catches any way around it).
 */
export function assertFreshDist(): void {
  const why = (staleReason as (root: string) => string | null)(ROOT);
  if (why) throw new Error(`dist/ is stale: ${why}. Run \`npm run build\` (or \`npm test\`, which builds first).`);
}
