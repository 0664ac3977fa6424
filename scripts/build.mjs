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
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    // React and the rest pick their production builds; nothing reads NODE_ENV for anything else.
    define: { 'process.env.NODE_ENV': '"production"' },
    // CommonJS dependencies bundled into ES modules still call require() for Node built-ins.
    banner: { js: "import { createRequire as __btCreateRequire } from 'node:module'; const require = __btCreateRequire(import.meta.url);" },
    plugins: PLUGINS,
    jsx: 'automatic',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  writeFileSync(META, JSON.stringify(result.metafile));
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
