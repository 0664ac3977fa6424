import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { cachePlan, nodeFlags, userCacheDir } from '../src/launch/cache-place.js';
import { isOneShot } from '../src/launch/route.js';
import { CLI, ESM_CLI } from './support/cli.js';
import { ROOT } from './support/dist.js';

// The installed bin (src/bin.ts) runs `status` and `missing` from one CommonJS bundle compiled with V8's code
// cache, and everything else from the ES-module CLI. What it must keep: the same output either way, the cache
// really used, and a damaged, cut or missing cache ignored (V8 would crash on damaged bytes it trusts).

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-one-shot-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const log = path.join(work, 'backfill.log');
writeFileSync(
  log,
  [
    '2025-11-26 23:17:10,000 - INFO - Loaded 3 dates from /tmp/dates.txt',
    '2025-11-26 23:17:12,345 - INFO -   ✅ Scraped 2021-10-31',
    '2025-11-26 23:17:13,345 - WARNING -   ❌ Failed 2021-11-01: HTTP 500',
    '2025-11-26 23:17:14,345 - INFO -   ✅ Scraped 2021-11-02',
    '',
  ].join('\n'),
);

/** Runs `node <bin> args` with start-up timing on: exit code, output, and the process's timing record. */
function run(
  bin: string,
  args: string[],
  name: string,
  env: Record<string, string | undefined> = {},
): { code: number | null; stdout: string; stderr: string; timing: { codeCache?: string; cacheKind?: string; marks: [string, number, number][] } | null } {
  const timing = path.join(work, `${name}.timing`);
  rmSync(timing, { force: true });
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, BACKFILL_TUI_TIMING: timing, ...env } });
  let record = null;
  try {
    record = JSON.parse(readFileSync(timing, 'utf8').trim().split('\n').at(-1)!);
  } catch {
    // no record: the process never reached its output
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, timing: record };
}

const status = ['status', '--json', '--log', log];
// What the ES-module CLI prints: the reference the one-shot path must match.
const reference = run(ESM_CLI, status, 'reference');

test('status --json through the bin runs the one-shot bundle from its code cache, with the ES-module CLI\'s output', () => {
  expect(reference.code).toBe(0);
  expect(JSON.parse(reference.stdout).run).toMatchObject({ succeeded: 2, failed: 1 });
  const r = run(CLI, status, 'bin');
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toBe(reference.stdout);
  expect(r.timing?.codeCache).toBe('accepted');
  expect(r.timing?.cacheKind).toBe('shipped');
  expect(r.timing?.marks.map(([m]) => m).slice(0, 2)).toEqual(['launcher', 'bundle compiled']);
});

/**
 * A copy of the shipped files in a directory of its own, so its cache can be damaged without touching dist/,
 * with a user cache folder of its own (`env`): a refused shipped cache makes the run write one there.
 */
function copyOfBin(name: string): { bin: string; cache: string; env: Record<string, string> } {
  const dir = path.join(work, name);
  mkdirSync(path.join(dir, 'dist', 'src'), { recursive: true });
  for (const f of ['bin.cjs', 'one-shot.cjs', 'one-shot.cjs.v8cache']) copyFileSync(path.join(ROOT, 'dist', 'src', f), path.join(dir, 'dist', 'src', f));
  return { bin: path.join(dir, 'dist', 'src', 'bin.cjs'), cache: path.join(dir, 'dist', 'src', 'one-shot.cjs.v8cache'), env: { XDG_CACHE_HOME: path.join(dir, 'xdg') } };
}

describe('a cache V8 must not use is ignored, with the same output, and the next run has one of its own', () => {
  test('the copy itself uses its cache (the cases below change only the cache)', () => {
    const { bin, env } = copyOfBin('intact');
    const r = run(bin, status, 'intact', env);
    expect(r.stdout).toBe(reference.stdout);
    expect(r.timing).toMatchObject({ codeCache: 'accepted', cacheKind: 'shipped' });
    // Nothing to learn: no user cache is written.
    expect(existsSync(env.XDG_CACHE_HOME)).toBe(false);
  });

  test('damaged bytes in the middle of the cache', () => {
    const { bin, cache, env } = copyOfBin('damaged');
    const bytes = readFileSync(cache);
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64; i++) bytes[i] ^= 0x5a;
    writeFileSync(cache, bytes);
    const r = run(bin, status, 'damaged', env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(reference.stdout);
    expect(r.timing).toMatchObject({ codeCache: 'rejected', cacheKind: 'shipped' });
    const next = run(bin, status, 'damaged-next', env);
    expect(next.stdout).toBe(reference.stdout);
    expect(next.timing).toMatchObject({ codeCache: 'accepted', cacheKind: 'user' });
  });

  test('a cache cut short (a half-written file)', () => {
    const { bin, cache, env } = copyOfBin('cut');
    writeFileSync(cache, readFileSync(cache).subarray(0, 4096));
    const r = run(bin, status, 'cut', env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(reference.stdout);
    expect(r.timing).toMatchObject({ codeCache: 'rejected', cacheKind: 'shipped' });
  });

  test('no cache file at all', () => {
    const { bin, cache, env } = copyOfBin('absent');
    rmSync(cache);
    const r = run(bin, status, 'absent', env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(reference.stdout);
    expect(r.timing).toMatchObject({ codeCache: 'absent', cacheKind: 'shipped' });
    expect(run(bin, status, 'absent-next', env).timing).toMatchObject({ codeCache: 'accepted', cacheKind: 'user' });
  });
});

describe("under V8 flags of its own (or another Node), the bin makes and uses a cache in the user's cache folder", () => {
  // NODE_OPTIONS=--max-old-space-size=… (common in CI) is a V8 flag: V8 refuses the shipped cache under it.
  const flags = { NODE_OPTIONS: '--max-old-space-size=3000' };

  test('the first run compiles and writes it, the next ones use it; a damaged one is refused and written again', () => {
    const { bin } = copyOfBin('user-cache');
    const xdg = path.join(work, 'xdg');
    const env = { ...flags, XDG_CACHE_HOME: xdg };
    const dir = path.join(xdg, 'backfill-tui');
    mkdirSync(dir, { recursive: true });
    // Another build's cache and a file that is not ours.
    writeFileSync(path.join(dir, 'one-shot-0000000000000000-v8-1-x64-none.v8cache'), 'old');
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    const first = run(bin, status, 'user-1', env);
    expect(first.stdout).toBe(reference.stdout);
    // V8 refuses the build's cache under the flag; this run compiles from source and writes the user's.
    expect(first.timing).toMatchObject({ codeCache: 'rejected', cacheKind: 'shipped' });
    const made = readdirSync(dir).filter((f) => f.endsWith('.v8cache'));
    expect(made).toHaveLength(1);
    expect(readdirSync(dir)).toContain('notes.txt');
    const second = run(bin, status, 'user-2', env);
    expect(second.stdout).toBe(reference.stdout);
    expect(second.timing).toMatchObject({ codeCache: 'accepted', cacheKind: 'user' });
    const cache = path.join(dir, made[0]);
    const bytes = readFileSync(cache);
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 64; i++) bytes[i] ^= 0x5a;
    writeFileSync(cache, bytes);
    const damaged = run(bin, status, 'user-3', env);
    expect(damaged.stderr).toBe('');
    expect(damaged.stdout).toBe(reference.stdout);
    expect(damaged.timing).toMatchObject({ codeCache: 'rejected', cacheKind: 'user' });
    expect(run(bin, status, 'user-4', env).timing).toMatchObject({ codeCache: 'accepted', cacheKind: 'user' });
  });

  test('a cache folder that cannot be made, or none at all: the same output, nothing said', () => {
    const { bin } = copyOfBin('no-cache-dir');
    const notADir = path.join(work, 'a-file');
    writeFileSync(notADir, '');
    const blocked = run(bin, status, 'blocked', { ...flags, XDG_CACHE_HOME: notADir });
    expect(blocked.stderr).toBe('');
    expect(blocked.code).toBe(0);
    expect(blocked.stdout).toBe(reference.stdout);
    const none = run(bin, status, 'no-home', { ...flags, XDG_CACHE_HOME: undefined, HOME: undefined });
    expect(none.stdout).toBe(reference.stdout);
    expect(none.timing).toMatchObject({ codeCache: 'rejected', cacheKind: 'shipped' });
  });

  test('which cache a process reads, and where it would write one (src/launch/cache-place.ts)', () => {
    const shipped = { file: '/pkg/one-shot.cjs.v8cache', bundleId: 'abc', v8: '11.3', arch: 'x64' };
    const none = () => false;
    const plan = (v8: string, arch: string, flags: string, cacheDir: string | null, exists: (f: string) => boolean = none) => cachePlan(shipped, { v8, arch, flags, cacheDir }, exists);
    const user = '/c/one-shot-abc-v8-11.3-x64-none.v8cache';
    expect(plan('11.3', 'x64', '', '/c')).toEqual({ read: { file: shipped.file, kind: 'shipped' }, write: user });
    // This machine's own, once there is one, before the shipped one.
    expect(plan('11.3', 'x64', '', '/c', (f) => f === user)).toEqual({ read: { file: user, kind: 'user' }, write: user });
    expect(plan('12.4', 'x64', '', '/c')).toEqual({ read: null, write: '/c/one-shot-abc-v8-12.4-x64-none.v8cache' });
    const a = plan('11.3', 'x64', '--max-old-space-size=3000', '/c');
    const b = plan('11.3', 'x64', '--max-old-space-size=4000', '/c');
    expect(a.read).toEqual({ file: shipped.file, kind: 'shipped' });
    expect(a.write).not.toBe(b.write);
    expect(plan('11.3', 'arm64', '', null)).toEqual({ read: null, write: null });
    expect(nodeFlags(['--inspect'], { NODE_OPTIONS: '--max-old-space-size=1' })).toBe('--inspect --max-old-space-size=1');
    expect(nodeFlags([], {})).toBe('');
    expect(userCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/backfill-tui');
    expect(userCacheDir({ HOME: '/home/op' })).toBe('/home/op/.cache/backfill-tui');
    expect(userCacheDir({})).toBeNull();
  });
});

test('the other commands still run through the bin: missing, --version, a usage error', () => {
  const missing = run(CLI, ['missing', '--from', 'failures', '--log', log], 'missing');
  expect(missing.stdout).toBe('2021-11-01\n');
  expect(missing.timing?.codeCache).toBe('accepted');
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  expect(run(CLI, ['--version'], 'version').stdout.trim()).toBe(pkg.version);
  const usage = run(CLI, ['--log', log, 'nonsense'], 'usage');
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain("unknown command 'nonsense'");
});

describe('which commands the one-shot bundle serves (src/launch/route.ts)', () => {
  const cases: [string[], boolean][] = [
    [['status'], true],
    [['status', '--json'], true],
    [['missing', '--from', 'failures'], true],
    [['--log', 'status', 'status'], true],
    [['--log=x.log', 'status'], true],
    [['-c', 'cfg.json', '--job', 'nightly', 'missing'], true],
    [['-ccfg.json', 'status'], true],
    [['--no-color', '--state-dir', 'd', 'status'], true],
    [['--version'], true],
    [['-h'], true],
    // The dashboard and the commands that need it or their own modules: the ES-module CLI.
    [[], false],
    [['--log', 'x.log'], false],
    [['--log'], false],
    [['demo'], false],
    [['init'], false],
    [['sim', '--start', '2021-10-19'], false],
    [['loopback-cloud-run'], false],
    // Anything the route does not know goes where every command is served (which explains a mistake).
    [['--unknown', 'status'], false],
    [['--', 'status'], false],
    [['statuses'], false],
  ];
  for (const [args, oneShot] of cases) {
    test(`${JSON.stringify(args)} → ${oneShot ? 'one-shot bundle' : 'ES-module CLI'}`, () => {
      expect(isOneShot(['node', 'backfill-tui', ...args])).toBe(oneShot);
    });
  }
});
