/**
 * The installed `backfill-tui` (dist/src/bin.cjs, CommonJS: Node starts a CommonJS program faster than an ES
 * module). The one-shot commands (`status`, `missing`, `--version`, `--help`: src/launch/route.ts) run the
 * CLI bundled as CommonJS (dist/src/one-shot.cjs) with V8's code cache made at build time; every other command
 * (the dashboard, demo, init, sim) runs the ES-module CLI with its lazily loaded chunks (dist/src/cli.js).
 * Both are the same src/cli.ts: the route decides only how fast a command starts.
 */
import { join } from 'node:path';
import { runWithCodeCache } from './launch/code-cache.js';
import { isOneShot } from './launch/route.js';

if (isOneShot(process.argv)) {
  const bundle = join(__dirname, 'one-shot.cjs');
  runWithCodeCache(bundle, `${bundle}.v8cache`, { writeCacheTo: process.env.BACKFILL_TUI_WRITE_CODE_CACHE || undefined });
} else {
  void import('./cli.js');
}
