import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = mkdtempSync(path.join(os.tmpdir(), 'bt-pack-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });

test('npm pack, install the tarball into an empty directory, and run the installed bin', () => {
  const out = npm(['pack', '--json', '--pack-destination', work], ROOT);
  const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  const paths = files.map((f) => f.path);
  expect(paths).toContain('dist/src/cli.js');
  expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/'))).toBe(false);
  const app = path.join(work, 'app');
  npm(['init', '-y'], (execFileSync('mkdir', ['-p', app]), app));
  // Offline first: the dependencies are in npm's cache from the project's own install.
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(work, filename)], app);
  const bin = path.join(app, 'node_modules', '.bin', 'backfill-tui');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(execFileSync(bin, ['--version'], { cwd: app, encoding: 'utf8' }).trim()).toBe(pkg.version);
  const log = path.join(app, 'b.log');
  writeFileSync(log, '2025-11-26 23:17:12,345 - INFO - [1/2] Queued 2021-10-31\n2025-11-26 23:17:13,345 - INFO -   ✅ Scraped 2021-10-31\n');
  const r = spawnSync(bin, ['status', '--json', '--log', log], { cwd: app, encoding: 'utf8' });
  expect(r.status).toBe(0);
  expect(JSON.parse(r.stdout).run).toMatchObject({ succeeded: 1, total: 2 });
}, 300_000);
