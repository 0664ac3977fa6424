import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { startLoopbackServer } from '../src/cloud-run/loopback/server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'bt-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

test('npm pack, install the tarball into an empty directory, and run the installed bin', async () => {
  const out = npm(['pack', '--json', '--pack-destination', work], ROOT);
  const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  // The bin (a launcher), the one-shot commands' CommonJS bundle with its V8 code cache, the ES-module CLI, and
  // the parse worker a long log is read in.
  const shipped = ['dist/src/bin.cjs', 'dist/src/one-shot.cjs', 'dist/src/one-shot.cjs.v8cache', 'dist/src/cli.js', 'dist/src/parse-worker.cjs'];
  for (const p of shipped) expect(paths).toContain(p);
  // Every relative import of a shipped file (static, dynamic or require) names a shipped file (tester Y12: the
  // dashboard's Cloud Storage source and the demo's Cloud Run client were imported from files the package lacked).
  const unshipped: string[] = [];
  for (const p of paths.filter((f) => /\.c?js$/.test(f))) {
    const text = readFileSync(path.join(ROOT, p), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\(\s*)["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(p), m[1]));
      if (!paths.includes(target)) unshipped.push(`${p} -> ${m[1]}`);
    }
  }
  expect(unshipped).toEqual([]);
  // One bundle plus its lazily loaded chunks, not the hundreds of modules the sources and Ink's tree are
  // (~180 in src/ alone): each command loading only what it needs adds a chunk or two, never hundreds.
  const imported = ['dist/src/coverage/gcs-source.js', 'dist/src/cloud-run/api.js'];
  expect(paths.every((p) => shipped.includes(p) || imported.includes(p) || p.startsWith('dist/src/chunks/') || !p.startsWith('dist/'))).toBe(true);
  expect(paths.length).toBeLessThan(100);
  expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/'))).toBe(false);
  const app = path.join(work, 'app');
  npm(['init', '-y'], (execFileSync('mkdir', ['-p', app]), app));
  // Offline first: the dependencies are in npm's cache from the project's own install.
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, filename)], app);
  // The views, React and the parser are inside the bundle: they are not installed beside it.
  expect(existsSync(path.join(app, 'node_modules', 'ink'))).toBe(false);
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const npx = (args: string[]) => spawnSync('npx', ['--offline', 'backfill-tui', ...args], { cwd: app, encoding: 'utf8', timeout: 120_000 });
  const version = npx(['--version']);
  expect(version.stderr).toBe('');
  expect(version.stdout.trim()).toBe(pkg.version);
  const log = path.join(app, 'b.log');
  const scraped = '2025-11-26 23:17:13,345 - INFO -   ✅ Scraped 2021-10-31\n';
  writeFileSync(log, `2025-11-26 23:17:12,345 - INFO - [1/2] Queued 2021-10-31\n${scraped}${scraped}`);
  const timing = path.join(app, 'timing.jsonl');
  const r = spawnSync('npx', ['--offline', 'backfill-tui', 'status', '--json', '--log', log], { cwd: app, encoding: 'utf8', timeout: 120_000, env: { ...process.env, BACKFILL_TUI_TIMING: timing } });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1, total: 2, duplicateLines: 1 });
  // The installed copy ran from its code cache (made by the same Node at build time).
  expect(JSON.parse(readFileSync(timing, 'utf8').trim().split('\n').at(-1)!)).toMatchObject({ codeCache: 'accepted' });
  // The installed parse worker is found and reads the log to the same result (forced on: the log is short).
  const worker = spawnSync('npx', ['--offline', 'backfill-tui', 'status', '--json', '--log', log], { cwd: app, encoding: 'utf8', timeout: 120_000, env: { ...process.env, BACKFILL_TUI_TIMING: timing, BACKFILL_TUI_PARSE_WORKER: 'on' } });
  expect(worker.stderr).toBe('');
  expect(JSON.parse(worker.stdout)).toEqual(JSON.parse(r.stdout));
  const stages = (JSON.parse(readFileSync(timing, 'utf8').trim().split('\n').at(-1)!) as { marks: [string][] }).marks.map((m) => m[0]);
  expect(stages).toContain('parse worker done');
  // A Cloud Run job: the installed copy loads the official clients (@google-cloud/run, @google-cloud/logging: runtime
  // dependencies, outside the bundle) from its own node_modules and reads a region's execution and its log.
  const region = await startLoopbackServer({
    project: 'pkg-project',
    region: 'us-west2',
    jobs: [{ name: 'pkg-job' }],
    runTask: async (ctx) => {
      ctx.log('2025-11-26 23:17:12,345 - INFO - [1/1] Queued 2021-10-31');
      ctx.log(scraped.trimEnd());
      return 0;
    },
  });
  try {
    await region.world.run(region.world.findJob('pkg-project', 'us-west2', 'pkg-job')!).done;
    writeFileSync(path.join(app, 'cr.json'), JSON.stringify({ job: 'pkg-cr', cloudRun: { project: 'pkg-project', region: 'us-west2', job: 'pkg-job', apiEndpoint: region.url, loggingEndpoint: region.url } }));
    const cr = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('npx', ['--offline', 'backfill-tui', 'status', '--json', '--config', 'cr.json'], { cwd: app });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
    expect(cr.stderr).toBe('');
    expect(cr.status).toBe(0);
    expect(JSON.parse(cr.stdout)).toMatchObject({ execution: { state: 'succeeded' }, run: { succeeded: 1, total: 1 } });
    expect(region.requests.map((r) => r.route)).toContain('entries');
  } finally {
    await region.close();
  }
}, 300_000);
