/**
 * The installed `backfill-tui` (dist/src/bin.cjs, CommonJS: Node starts a CommonJS program faster than an ES
 * module). The one-shot commands (`status`, `missing`, `--version`, `--help`: src/launch/route.ts) run the
 * CLI bundled as CommonJS (dist/src/one-shot.cjs) with V8's code cache (made at build time, or on this machine
 * for another Node: src/launch/cache-place.ts); every other command
 * (the dashboard, demo, init, sim) runs the ES-module CLI with its lazily loaded chunks (dist/src/cli.js).
 * Both are the same src/cli.ts: the route decides only how fast a command starts.
 */
import { join } from 'node:path';
import { cachePlan, nodeFlags, userCacheDir } from './launch/cache-place.js';
import { runWithCodeCache } from './launch/code-cache.js';
import { oneShotCommand } from './launch/route.js';
import { launchParseWorker } from './app/parse-worker-launch.js';

// Set by the build (scripts/build.mjs) from the bundle it made and the Node that made its code cache.
declare const __BT_ONE_SHOT_ID__: string;
declare const __BT_CACHE_V8__: string;
declare const __BT_CACHE_ARCH__: string;

const command = oneShotCommand(process.argv);
if (command !== null) {
  const bundle = join(__dirname, 'one-shot.cjs');
  const shipped = { file: `${bundle}.v8cache`, bundleId: __BT_ONE_SHOT_ID__, v8: __BT_CACHE_V8__, arch: __BT_CACHE_ARCH__ };
  const plan = cachePlan(shipped, { v8: process.versions.v8, arch: process.arch, flags: nodeFlags(), cacheDir: userCacheDir() });
  // A user cache is made by a run that reads something (a --version run compiles too little to be worth keeping).
  // A long log's parse worker starts once the bundle is compiled, before it runs: it loads beside the CLI's own load
  // (the worker is the read's critical path; started after the CLI had run up to its first wait, it started ~13 M
  // instructions of this thread later).
  const beforeRun = command === 'info' ? undefined : () => launchParseWorker(process.argv.slice(2), __dirname);
  runWithCodeCache(bundle, plan, { bundleId: __BT_ONE_SHOT_ID__, learn: command !== 'info', writeCacheTo: process.env.BACKFILL_TUI_WRITE_CODE_CACHE || undefined, beforeRun });
} else {
  void import('./cli.js');
}
