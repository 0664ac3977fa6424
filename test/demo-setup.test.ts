import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { layOutObjects, type DemoObject } from '../src/app/demo-layout.js';
import { demoProgress } from '../src/app/demo-progress.js';
import { createLocalSource } from '../src/coverage/local-source.js';
import { CLI } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester T26: the five-job demo left the screen blank for 8–13 s on a loaded machine while it wrote ~13,000
// little files one by one. The set-up now says how far it is from the start, and lays its objects out as links.

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-demo-setup-'));
afterAll(() => rm(work), 120_000);
function rm(p: string) {
  rmSync(p, { recursive: true, force: true });
}

test('laid-out objects are key folders the local source counts, each a link to one object, with progress from 0 to the end', async () => {
  const root = mkdtempSync(path.join(work, 'layout-'));
  const storage = path.join(root, 'storage');
  const keys = Array.from({ length: 150 }, (_, i) => `2022-01-${String(1 + (i % 28)).padStart(2, '0')}-${i}`);
  const objects: DemoObject[] = keys.map((key) => ({ folder: storage, key, name: '20251126_120000.json' }));
  const seen: [number, number][] = [];
  await layOutObjects(root, objects, (done, total) => seen.push([done, total]));
  const found = await createLocalSource({ dir: storage, name: 'storage' }).list(new AbortController().signal);
  expect([...found.keys].sort()).toEqual([...keys].sort());
  // One object on disk, linked 150 times over (plus its own name): not 150 files of their own.
  const first = statSync(path.join(storage, keys[0], '20251126_120000.json'));
  expect(first.nlink).toBe(151);
  expect(statSync(path.join(storage, keys[149], '20251126_120000.json')).ino).toBe(first.ino);
  expect(seen[0]).toEqual([0, 150]);
  expect(seen.at(-1)).toEqual([150, 150]);
  expect(seen.map(([d]) => d)).toEqual([...seen.map(([d]) => d)].sort((a, b) => a - b));
});

test('the progress line: said at once, a bar of done of total, redrawn at most every 100 ms, cleared at the end; silent off a terminal', () => {
  let t = 0;
  const written: string[] = [];
  const p = demoProgress({ isTTY: true, columns: 80, write: (s) => written.push(s) }, { now: () => t });
  p.step('laying out /tmp/x');
  expect(written).toEqual(['\r\x1b[2Kpreparing the demo: laying out /tmp/x']);
  p.count('key folders', 0, 1000);
  t += 50;
  p.count('key folders', 400, 1000); // too soon after the last line: not drawn
  t += 60;
  p.count('key folders', 500, 1000);
  p.count('key folders', 1000, 1000); // the end is always drawn
  p.done();
  expect(written.slice(1)).toEqual([
    `\r\x1b[2Kpreparing the demo: ${'░'.repeat(24)} 0 of 1,000 key folders`,
    `\r\x1b[2Kpreparing the demo: ${'█'.repeat(12)}${'░'.repeat(12)} 500 of 1,000 key folders`,
    `\r\x1b[2Kpreparing the demo: ${'█'.repeat(24)} 1,000 of 1,000 key folders`,
    '\r\x1b[2K',
  ]);
  // Every line fits the terminal (a wrapped line would not be rewritten in place).
  const narrow: string[] = [];
  demoProgress({ isTTY: true, columns: 40, write: (s) => narrow.push(s) }).count('key folders', 5, 10);
  expect(narrow[0].replace('\r\x1b[2K', '').length).toBeLessThanOrEqual(39);
  const piped: string[] = [];
  const q = demoProgress({ isTTY: false, write: (s) => piped.push(s) });
  q.step('x');
  q.count('key folders', 1, 2);
  q.done();
  expect(piped).toEqual([]);
});

test('demo without a terminal is a usage error said before anything is made (tester U13)', async () => {
  const dir = path.join(work, 'no-terminal');
  for (const stdin of ['ignore', 'pipe'] as const) {
    const child = spawn(process.execPath, [CLI, 'demo', '--dir', dir], { cwd: work, stdio: [stdin, 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toBe('backfill-tui: stdout is not a terminal: the demo draws on one; in scripts use `backfill-tui status` (or `status --json`).\n');
    expect(existsSync(dir)).toBe(false);
  }
});

test('a new demo shows its set-up progress on the terminal before the first frame', async () => {
  const dir = path.join(work, 'demo');
  // The single-job demo: the same set-up path as the five-job one, without its Cloud Run region process.
  const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} demo --job player-boxscores --dir ${JSON.stringify(dir)}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: work, env: { ...process.env, COLUMNS: '80', LINES: '24' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitFor(() => out.includes('player-boxscores (demo)'), 'the first frame', 60_000);
    const total = /preparing the demo: █+ ([\d,]+) of \1 key folders/.exec(out);
    expect(total, 'the bar at its end').not.toBeNull();
    // Said before anything was laid out, and before the dashboard drew.
    const said = out.indexOf('preparing the demo: laying out');
    const bar = out.indexOf('preparing the demo: ░');
    expect(said).toBeGreaterThanOrEqual(0);
    expect(said).toBeLessThan(bar);
    expect(bar).toBeLessThan(out.indexOf('player-boxscores (demo)'));
    expect(existsSync(path.join(dir, 'backfill-tui.config.json'))).toBe(true);
    expect(readdirSync(path.join(dir, 'storage')).length).toBeGreaterThan(100);
    child.stdin.write('q');
    expect(await exited).toBe(0);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}, 90_000);

// Tester AC13: the reopen hint names the command that works where the demo was started; npm sets
// npm_lifecycle_event to the script's name under `npm run demo` (the installed command is checked end to end in
// demo-first-frame.test.ts).
test('under `npm run demo` the reopen hint is the repository script; otherwise the installed command', async () => {
  const { reopenCommand } = await import('../src/app/demo.js');
  expect(reopenCommand('/tmp/d', { npm_lifecycle_event: 'demo' })).toBe('npm run demo -- --dir /tmp/d');
  expect(reopenCommand('/tmp/d', { npm_lifecycle_event: 'npx' })).toBe('npx backfill-tui demo --dir /tmp/d');
  expect(reopenCommand('/tmp/d', {})).toBe('npx backfill-tui demo --dir /tmp/d');
});
