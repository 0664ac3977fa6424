#!/usr/bin/env node
/**
 * Builds dist/ with esbuild: the CLI as one ES module (dist/src/cli.js) plus lazily loaded chunks
 * (dashboard views, simulator, demo, cloud sources) in dist/src/chunks/, so `status` loads a few files
 * instead of the hundreds of small modules Ink and its dependencies are made of. Types are checked by
 * `tsc --noEmit` (`npm run typecheck`), never here.
 *
 *   node scripts/build.mjs              build
 *   node scripts/build.mjs --if-stale   build only when the inputs changed since the last build
 *   node scripts/build.mjs --check      exit 1 (and say why) when dist/ is missing or stale
 *
 * dist/build-meta.json is esbuild's metafile (which sources and packages went into which output file):
 * tests read it to tell which packages a command loaded.
 *
 * dist/build-stamp.json records a hash of every input (src/, components/, package.json,
 * package-lock.json, tsconfig.json, this script): that is how tests and `npm run demo` know whether
 * dist/ is what the sources say.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, 'build-stamp.json');
const META = join(DIST, 'build-meta.json');

/** What runs as a program or is imported by the bench and the test harness (each keeps its dist/ path). */
export const ENTRIES = [
  'src/cli.ts',
  'src/config.ts',
  'src/app/runtime.ts',
  'src/sim/synthetic-log.ts',
  'src/state/apply-lines.ts',
  'src/state/app-state.ts',
  'src/state/reducer.ts',
  'src/state/failures-view.ts',
  'src/log-follower.ts',
  'src/app/log-events.ts',
  'src/parser/index.ts',
  'src/coverage/math.ts',
  'src/coverage/gcs-source.ts',
  'src/app/platform-demo.ts',
  'src/cloud-run/api.ts',
];

/** Loaded from node_modules at run time, and only by the commands that use them (large CommonJS trees). */
const EXTERNAL = ['@google-cloud/*', 'google-auth-library', 'react-devtools-core'];

/**
 * commander requires node:child_process at load for a feature we never use (subcommands as separate
 * executables); child_process brings node:net and more, a fifth of `status`'s start-up. Its require is
 * served by a stand-in that loads the real module on first use, so commander still works as shipped.
 */
export const lazyChildProcessForCommander = {
  name: 'lazy-child-process-for-commander',
  setup(b) {
    b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      /[\\/]node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy-builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-builtin' }, (args) => ({
      contents: `let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require('node:${args.path}'))[key] });`,
      loader: 'js',
    }));
  },
};

/**
 * yoga-layout (Ink's layout engine) carries its WebAssembly as a data: URL and, when `fetch` exists, reads it
 * with fetch: that loads Node's whole fetch implementation (undici) and decodes the URL through it before the
 * dashboard's first frame. Its own base64 path (taken where there is no fetch) is used instead.
 */
export const yogaWithoutFetch = {
  name: 'yoga-without-fetch',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const fetchTest = '"function"!=typeof fetch';
      if (!text.includes(fetchTest)) throw new Error(`${args.path}: no ${fetchTest} to take out (yoga-layout changed): update scripts/build.mjs`);
      return { contents: text.replaceAll(fetchTest, 'true'), loader: 'js' };
    });
  },
};

/** Plugins of every build (see each). */
export const PLUGINS = [lazyChildProcessForCommander, yogaWithoutFetch];

/**
 * What src/cli.ts loads for commands the one-shot bundle never serves (src/launch/route.ts sends them to the
 * ES-module CLI). Left out, so the bundle holds no Ink (whose top-level await CommonJS cannot have) and stays
 * small; reaching one anyway says so instead of running half a command.
 */
const NOT_ONE_SHOT = ['./app/platform-dashboard.js', './app/demo.js', './app/init.js', './sim/sim-main.js', './cloud-run/loopback/main.js'];
export const oneShotOnly = {
  name: 'one-shot-only',
  setup(b) {
    b.onResolve({ filter: /^\.\/(app|sim|cloud-run)\// }, (args) =>
      /[\\/]src[\\/]cli\.ts$/.test(args.importer) && NOT_ONE_SHOT.includes(args.path) ? { path: args.path, namespace: 'not-one-shot' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'not-one-shot' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`internal: ${args.path} is not in the one-shot bundle (src/launch/route.ts sent this command to it)`)});`,
      loader: 'js',
    }));
  },
};

/** The launcher's import of the ES-module CLI stays an import of dist/src/cli.js, beside it. */
const cliBesideLauncher = {
  name: 'cli-beside-launcher',
  setup(b) {
    b.onResolve({ filter: /^\.\/cli\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

/**
 * A small job of the usual shapes, in `dir`: a log (date keys queued then scraped or failed, then a run of
 * game-id keys with their date, timeouts, Progress lines), its config file (the usual way to run `status`),
 * expected keys, a local storage folder with some of them, and a failed-keys file.
 */
function writeWarmUpJob(dir) {
  const lines = [];
  const at = (i) => `2025-11-26 08:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String((i * 37) % 1000).padStart(3, '0')}`;
  let i = 0;
  const put = (level, msg) => lines.push(`${at(i++)} - ${level} - ${msg}`);
  put('INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized');
  put('INFO', '  Workers: 6');
  put('INFO', 'Loaded 60 dates from /tmp/dates_missing_from_gcs.txt');
  const date = (k) => new Date(Date.UTC(2021, 9, 19) + k * 86_400_000).toISOString().slice(0, 10);
  for (let k = 0; k < 60; k++) put('INFO', `[${k + 1}/60] Queued ${date(k)}`);
  for (let k = 0; k < 60; k++) put(k % 7 === 3 ? 'WARNING' : 'INFO', k % 7 === 3 ? `  ❌ Failed ${date(k)}: HTTP 500` : `  ✅ Scraped ${date(k)}`);
  put('INFO', '📊 Progress: 50/60 (83.3%) | ✅ 42 | ⏭️ 0 | ❌ 8 | ETA: 1min');
  put('INFO', 'BACKFILL COMPLETE');
  put('INFO', 'NBA.com Team Boxscore Scraper Backfill (v2) initialized');
  put('INFO', 'Loaded 120 games from game_ids_to_scrape.csv');
  const ids = [];
  const failed = [];
  for (let k = 0; k < 120; k++) {
    const id = String(22100000 + k).padStart(10, '0');
    ids.push(`${id},${date(Math.floor(k / 12))}`);
    if (k % 9 === 4) {
      put('WARNING', `  ❌ Failed ${id}: HTTP 500`);
      failed.push({ game_id: id, game_date: date(Math.floor(k / 12)), status: 'failed', error: 'HTTP 500' });
    } else if (k % 13 === 6) put('WARNING', `  ❌ Timeout scraping ${id}`);
    else {
      put('INFO', `  ✅ Scraped ${id} (${date(Math.floor(k / 12))})`);
      if (k % 3 !== 0) {
        mkdirSync(join(dir, 'storage', id), { recursive: true });
        writeFileSync(join(dir, 'storage', id, 'boxscore.json'), '{}');
      }
    }
    if ((k + 1) % 50 === 0) put('INFO', `📊 Progress: ${k + 1}/120 (${(((k + 1) / 120) * 100).toFixed(1)}%) | ✅ ${k} | ⏭️ 0 | ❌ 1 | ETA: 1min`);
  }
  writeFileSync(join(dir, 'backfill.log'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'game_ids.csv'), `game_id,game_date\n${ids.join('\n')}\n`);
  writeFileSync(join(dir, 'failed_games_20251126_080000.json'), JSON.stringify({ timestamp: '2025-11-26T08:10:00.000000', total_failed: failed.length, failed_games: failed }, null, 2));
  const config = { job: 'team-boxscores', log: 'backfill.log', expected: { file: 'game_ids.csv' }, storage: { url: 'storage' }, failed: 'failed_games_*.json', targets: [95, 98, 100] };
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify(config, null, 2));
}

/**
 * V8's code cache of the one-shot bundle: `status --json` runs once on writeWarmUpJob's job through the
 * launcher, which writes the cache of everything that run compiled (src/launch/code-cache.ts): the config
 * schema, the expected keys, the storage listing and the failed-keys file as well as the log. Made by the
 * same Node that builds; another Node version or other V8 flags make a cache of their own at run time.
 */
function writeCodeCache(launcher, cacheFile) {
  const dir = mkdtempSync(join(tmpdir(), 'backfill-tui-build-'));
  try {
    writeWarmUpJob(dir);
    const { NODE_OPTIONS: _, BACKFILL_TUI_TIMING: __, ...env } = process.env;
    const r = spawnSync(process.execPath, [launcher, 'status', '--json'], { cwd: dir, env: { ...env, BACKFILL_TUI_WRITE_CODE_CACHE: cacheFile }, encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0 || !existsSync(cacheFile)) throw new Error(`build: making the code cache failed (exit ${r.status}): ${r.stderr}`);
    // The warm-up must have read what it was given, or the cache holds less than it should.
    const run = JSON.parse(r.stdout);
    if (!(run.run?.succeeded > 0 && run.coverage?.expected > 0)) throw new Error(`build: the code cache's warm-up read no run or no expected keys: ${r.stdout.slice(0, 300)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function files(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

/** Hash of everything the build reads under `root`: a changed, added or removed source file changes it. */
export function inputsHash(root = ROOT) {
  const h = createHash('sha256');
  const inputs = [
    ...files(join(root, 'src')),
    ...files(join(root, 'components')),
    ...['package.json', 'package-lock.json', 'tsconfig.json', 'scripts/build.mjs'].map((f) => join(root, f)),
  ].sort();
  for (const f of inputs) {
    h.update(relative(root, f));
    h.update('\0');
    h.update(existsSync(f) ? readFileSync(f) : Buffer.alloc(0));
    h.update('\0');
  }
  return h.digest('hex');
}

/** null when `root`/dist matches the sources, else why not. */
export function staleReason(root = ROOT) {
  const stampFile = join(root, 'dist', 'build-stamp.json');
  if (!existsSync(stampFile)) return 'dist/ has not been built (no dist/build-stamp.json)';
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return 'dist/build-stamp.json is unreadable';
  }
  return stamp.inputs === inputsHash(root) ? null : 'sources changed since dist/ was built';
}

/**
 * Constants of every build: React and the rest pick their production builds (nothing reads NODE_ENV for
 * anything else); the CLI's version is the package's, so no run reads package.json for `--version`.
 */
const DEFINE = {
  'process.env.NODE_ENV': '"production"',
  __BT_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version),
};

export async function build({ quiet = false } = {}) {
  const started = performance.now();
  const { build: esbuild } = await import('esbuild');
  const inputs = inputsHash();
  rmSync(DIST, { recursive: true, force: true });
  const result = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: DIST,
    outbase: '.',
    entryNames: '[dir]/[name]',
    chunkNames: 'src/chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    define: DEFINE,
    // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
    banner: { js: "import { createRequire as __btCreateRequire } from 'node:module'; const require = __btCreateRequire(import.meta.url);" },
    plugins: PLUGINS,
    jsx: 'automatic',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // The one-shot commands' CLI (src/bin.ts, src/launch/route.ts): the same src/cli.ts as one CommonJS file, whose
  // compiled code V8 can cache (Node 20 caches no ES modules). Dynamic imports become lazy parts of the file.
  const oneShot = join(DIST, 'src', 'one-shot.cjs');
  const oneShotResult = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli.ts'],
    outfile: oneShot,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    external: EXTERNAL,
    // import.meta.url is made only where it is read (a file URL costs a URL parse, and status reads none).
    define: { ...DEFINE, 'import.meta.url': '__btImportMeta.url' },
    // The file is one function expression, CommonJS's module wrapper, that the launcher compiles as it is (no
    // copy of half a megabyte to wrap it). Strict, as the ES-module build is.
    banner: { js: `(function (exports, require, module, __filename, __dirname) {"use strict";const __btImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; } };` },
    footer: { js: '})' },
    plugins: [...PLUGINS, oneShotOnly],
    // Without comments and indentation the file is a third smaller and pure ASCII (esbuild escapes the rest),
    // so the launcher reads it as Latin-1, a plain copy, instead of decoding UTF-8 into a two-byte string.
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  // The source's `#!` line would come first, before the wrapper, where the launcher's compile cannot take it.
  const oneShotText = readFileSync(oneShot, 'utf8').replace(/^#![^\n]*\n/, '');
  const nonAscii = /[^\x00-\x7f]/.exec(oneShotText);
  if (nonAscii) throw new Error(`build: ${oneShot} is not pure ASCII at offset ${nonAscii.index} (src/launch/code-cache.ts reads it as Latin-1)`);
  writeFileSync(oneShot, oneShotText);
  // The parse worker (src/parser/parse-worker.ts): one CommonJS file beside the bundles, found by
  // src/app/parse-worker-client.ts from either; a long history is read and parsed there (h35).
  const workerResult = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/parser/parse-worker.ts'],
    outfile: join(DIST, 'src', 'parse-worker.cjs'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    define: DEFINE,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const launcher = join(DIST, 'src', 'bin.cjs');
  const launcherResult = await esbuild({
    absWorkingDir: ROOT,
    entryPoints: ['src/bin.ts'],
    outfile: launcher,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
    // Which bundle and which Node the shipped code cache is for (src/launch/cache-place.ts).
    define: {
      __BT_ONE_SHOT_ID__: JSON.stringify(createHash('sha256').update(oneShotText).digest('hex').slice(0, 16)),
      __BT_CACHE_V8__: JSON.stringify(process.versions.v8),
      __BT_CACHE_ARCH__: JSON.stringify(process.arch),
    },
    plugins: [cliBesideLauncher],
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  chmodSync(launcher, 0o755);
  writeCodeCache(launcher, `${oneShot}.v8cache`);
  const outputs = { ...result.metafile.outputs, ...oneShotResult.metafile.outputs, ...workerResult.metafile.outputs, ...launcherResult.metafile.outputs };
  writeFileSync(META, JSON.stringify({ inputs: { ...result.metafile.inputs, ...oneShotResult.metafile.inputs, ...workerResult.metafile.inputs, ...launcherResult.metafile.inputs }, outputs }));
  writeFileSync(STAMP, `${JSON.stringify({ inputs, builtAt: new Date().toISOString() })}\n`);
  if (!quiet) process.stderr.write(`build: dist/ bundled in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const quiet = args.includes('--quiet');
  if (args.includes('--check')) {
    const why = staleReason();
    if (why) {
      process.stderr.write(`build: ${why}; run \`npm run build\`\n`);
      process.exit(1);
    }
  } else if (args.includes('--if-stale')) {
    const why = staleReason();
    if (why) {
      if (!quiet) process.stderr.write(`build: ${why}: building\n`);
      await build({ quiet });
    }
  } else {
    await build({ quiet });
  }
}
