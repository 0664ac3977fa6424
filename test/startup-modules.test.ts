import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { CLI, ESM_CLI } from './support/cli.js';
import { ROOT } from './support/dist.js';
import { writeJobsDir } from './support/jobs-dir.js';

// What a command loads is what its start-up costs (issue 14: `status` ≤ 1.5 × `node -e 0`, first frame ≤ 400 ms).
// These tests pin what the one-shot and dashboard paths must NOT load; the time itself is `npm run bench`'s.

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-startup-mods-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// A module loader hook that appends every loaded URL to $LOADED, and a preload that writes Node's own list of
// built-in modules it loaded (process.moduleLoadList) to $BUILTINS at exit.
const hooks = path.join(work, 'hooks.mjs');
writeFileSync(hooks, "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  const r = await next(url, context);\n  appendFileSync(process.env.LOADED, url + '\\n');\n  return r;\n}\n");
const register = path.join(work, 'register.mjs');
writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
const builtins = path.join(work, 'builtins.cjs');
writeFileSync(builtins, "process.on('exit', () => require('node:fs').writeFileSync(process.env.BUILTINS, process.moduleLoadList.join('\\n')));\n");

interface Meta {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
const meta = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'build-meta.json'), 'utf8')) as Meta;

/** The npm packages bundled into the dist files loaded (by URL), from the build's metafile. */
function packagesIn(urls: string[]): Set<string> {
  const out = new Set<string>();
  for (const url of urls) {
    if (!url.startsWith('file:')) continue;
    const rel = path.relative(ROOT, new URL(url).pathname).split(path.sep).join('/');
    const output = meta.outputs[rel];
    if (!output) throw new Error(`${rel} is not in dist/build-meta.json`);
    for (const input of Object.keys(output.inputs)) {
      const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      if (m) out.add(m[1]);
    }
  }
  return out;
}

/** Runs node with the two recorders; stdout and stderr go to files (a pipe would load node:net for its socket). */
function recorded(args: string[], name: string): { urls: string[]; packages: Set<string>; builtins: string[]; stdout: string; code: number | null } {
  const loaded = path.join(work, `${name}.loaded`);
  const list = path.join(work, `${name}.builtins`);
  const out = path.join(work, `${name}.out`);
  const err = path.join(work, `${name}.err`);
  writeFileSync(loaded, '');
  const fd = openSync(out, 'w');
  const efd = openSync(err, 'w');
  const r = spawnSync(process.execPath, ['-r', builtins, '--import', register, ...args], {
    cwd: work,
    env: { ...process.env, LOADED: loaded, BUILTINS: list },
    stdio: ['ignore', fd, efd],
    timeout: 60_000,
  });
  closeSync(fd);
  closeSync(efd);
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${readFileSync(err, 'utf8')}`);
  const urls = readFileSync(loaded, 'utf8').split('\n').filter((u) => u.startsWith('file:'));
  const modules = readFileSync(list, 'utf8').split('\n').filter((l) => l.startsWith('NativeModule ')).map((l) => l.slice('NativeModule '.length));
  return { urls, packages: packagesIn(urls), builtins: modules, stdout: readFileSync(out, 'utf8'), code: r.status };
}

const log = path.join(work, 'backfill.log');
writeFileSync(log, '2025-11-26 23:17:12,345 - INFO - [1/2] Queued 2021-10-31\n2025-11-26 23:17:13,345 - INFO -   ✅ Scraped 2021-10-31\n');

// The installed bin runs `status` from one CommonJS file (src/bin.ts), where a module loader hook sees no
// packages; the ES-module CLI is the same src/cli.ts split into files, so it shows which packages the command
// evaluates (the one-shot bundle keeps every dynamically imported module unevaluated until it is imported).
test('status --json --log FILE loads no config schema, file watcher, views or time-zone library', () => {
  const r = recorded([ESM_CLI, 'status', '--json', '--log', log], 'status-esm');
  expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1 });
  // The recorder works: the argument parser is bundled into what status loads.
  expect(r.packages).toContain('commander');
  for (const pkg of ['zod', 'chokidar', 'readdirp', 'ink', 'react', 'yoga-layout', 'luxon', 'string-width']) expect(r.packages, pkg).not.toContain(pkg);
});

// Text status wraps a line longer than the terminal by display width (tester Z10), with the width library: loaded
// only when a line may need it, so the overview of several jobs whose lines all fit pays nothing for it (~30 ms).
test('text status of several jobs whose lines all fit loads no width library; one with a long problem does', () => {
  const jobs = mkdtempSync(path.join(work, 'jobs-'));
  writeJobsDir(jobs, { jobs: ['alpha-job', 'beta-job'], keys: ['2021-10-19', '2021-10-20'], present: (i) => i, finished: () => true });
  const fits = recorded([ESM_CLI, 'status', '--config', path.join(jobs, 'backfill-tui.config.json')], 'status-jobs');
  expect(fits.stdout).toContain('alpha-job');
  expect(fits.packages).not.toContain('string-width');
  // A storage path long enough that its problem (the folder not there yet) passes 80 columns: wrapped, so loaded.
  const config = JSON.parse(readFileSync(path.join(jobs, 'backfill-tui.config.json'), 'utf8'));
  config.jobs[1].storage.url = `beta-job/${'a-long-folder-name/'.repeat(5)}storage`;
  writeFileSync(path.join(jobs, 'backfill-tui.config.json'), JSON.stringify(config));
  const long = recorded([ESM_CLI, 'status', '--config', path.join(jobs, 'backfill-tui.config.json')], 'status-jobs-long');
  expect(long.stdout.split('\n').some((l) => l.includes('a-long-folder-name'))).toBe(true);
  for (const l of long.stdout.split('\n')) expect([...l].length, l).toBeLessThanOrEqual(80);
  expect(long.packages).toContain('string-width');
});

test('the installed bin runs status --json from its one compiled file, with no unused Node modules', () => {
  const r = recorded([CLI, 'status', '--json', '--log', log], 'status');
  expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1 });
  // Only the launcher goes through the module loader: not the ES-module CLI, not one of its chunks.
  expect(r.urls.map((u) => path.relative(ROOT, new URL(u).pathname))).toEqual([path.join('dist', 'src', 'bin.cjs')]);
  // child_process (commander's executable subcommands; ps where /proc is missing), net (a refused-port probe),
  // crypto (temp names of atomic writes), perf_hooks (start-up timing), os (chokidar): none needed to read once.
  expect(r.builtins).toContain('fs');
  for (const mod of ['child_process', 'net', 'crypto', 'perf_hooks', 'os']) expect(r.builtins, mod).not.toContain(mod);
});

test("the dashboard's views load without Node's fetch (Ink's layout engine reads its WebAssembly from a data: URL)", () => {
  const views = Object.keys(meta.outputs).filter((o) => o.endsWith('.js') && Object.keys(meta.outputs[o].inputs).some((i) => i.includes('node_modules/yoga-layout/')));
  expect(views.length).toBeGreaterThan(0);
  const urls = views.map((o) => pathToFileURL(path.join(ROOT, o)).href);
  const r = recorded(['--input-type=module', '-e', `for (const u of ${JSON.stringify(urls)}) await import(u); console.log('loaded');`], 'views');
  expect(r.stdout.trim()).toBe('loaded');
  expect(r.packages).toContain('ink');
  expect(r.packages).toContain('yoga-layout');
  expect(r.builtins.filter((m) => m.includes('undici'))).toEqual([]);
});
