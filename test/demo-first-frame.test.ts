import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startPlatform } from '../src/app/platform-runtime.js';
import { PREPARING } from '../src/app/platform-demo.js';
import { DEMO_MARK } from '../src/app/demo.js';
import { stopDemoRegion } from '../src/app/demo-cloud-run.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { CLI } from './support/cli.js';
import { ROOT } from './support/dist.js';
import { waitFor } from './support/wait-for.js';

// Issue 14 item 3: a second `npm run demo` reached its first frame in about 2 s, most of it laying out ~13,000 key
// folders before drawing anything. The five-job demo now draws its overview first and lays them out under it; the
// sources wait for the set-up (they would count half-made folders), and the overview says how far it is.

const work = mkdtempSync(path.join(os.tmpdir(), 'bt-demo-first-frame-'));
// Thirteen thousand little folders: removing them takes a while on a loaded machine.
afterAll(() => rmSync(work, { recursive: true, force: true }), 120_000);

test('sources, failed-keys files and the chain wait for `ready`: nothing is read before it, all of it after', async () => {
  const dir = mkdtempSync(path.join(work, 'ready-'));
  for (const name of ['a', 'b']) {
    mkdirSync(path.join(dir, name, 'storage', '2024-01-02'), { recursive: true });
    writeFileSync(path.join(dir, name, 'storage', '2024-01-02', 'x.json'), '{}\n');
    writeFileSync(path.join(dir, name, 'keys.csv'), '2024-01-02\n2024-01-03\n');
    writeFileSync(path.join(dir, name, 'backfill.log'), '2025-11-26 08:00:00,000 - INFO - Loaded 2 dates from keys.csv\n');
  }
  const jobs = ['a', 'b'].map((name) => ({ name, log: `${name}/backfill.log`, failed: `${name}/failed_dates_*.json`, expected: `${name}/keys.csv`, storage: { url: `${name}/storage` } }));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs, chain: { expected: 'a/keys.csv', stages: [{ name: 'Phase 1', storage: { url: 'a/storage' } }] } }));
  let release = () => {};
  const ready = new Promise<void>((resolve) => (release = resolve));
  const waiting = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined, ready });
  // The same config without `ready`, started after it: once this one has read everything, the other could have too.
  const control = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined });
  const readAll = (p: typeof control) => p.jobs.every((j) => j.store.getState().log.historyDone && j.store.getState().coverage.storage?.keys) && p.chain!.getState().looks.get('Phase 1')?.keys;
  try {
    await waitFor(() => readAll(control), 'the platform without ready to read its logs, storage and chain', 30_000);
    for (const j of waiting.jobs) {
      const s = j.store.getState();
      expect(s.log.looked).toBe(false);
      expect(s.coverage.expected).toBeNull();
      // Configured at once (the cell says `unknown`, not `–`), never looked at.
      expect(s.coverage.storage).toMatchObject({ keys: null, checkedAt: null });
    }
    expect(waiting.chain!.getState().expected).toBeNull();
    release();
    await waitFor(() => readAll(waiting), 'the platform with ready to read everything once it resolved', 30_000);
    expect([...waiting.jobs[0].store.getState().coverage.storage!.keys!]).toEqual(['2024-01-02']);
  } finally {
    await Promise.all([waiting.close(), control.close()]);
  }
  // Leaving during a set-up that never ends (q under the first frame) closes at once all the same.
  const never = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined, ready: new Promise(() => {}) });
  let closed = false;
  void never.close().then(() => (closed = true));
  await waitFor(() => closed, 'close() with ready never resolved', 10_000);
}, 60_000);

/** `backfill-tui demo ARGS` in an 80×24 pseudo-terminal; resolves its output so far on demand. */
function demoInTerminal(args: string[]) {
  const cmd = `stty cols 80 rows 24; exec ${[process.execPath, CLI, 'demo', ...args].map((a) => JSON.stringify(a)).join(' ')}`;
  const child = spawn('script', ['-qfec', cmd, '/dev/null'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, exited, out: () => out };
}

test('a new five-job demo draws its overview before laying out its folders, says how far under the title, then fills the rows', async () => {
  const dir = path.join(work, 'platform');
  const demo = demoInTerminal(['--dir', dir]);
  try {
    await waitFor(() => /preparing the demo: [█░]+ [\d,]+ of [\d,]+ key folders/.test(demo.out()), 'the set-up bar on the overview', 60_000);
    // The first frame comes before the set-up starts: the overview, every file job still reading, no figures.
    const first = demo.out().slice(0, demo.out().indexOf('preparing the demo'));
    expect(first).toContain('· 6 jobs');
    expect(first).toContain('chain · reading the expected keys…');
    expect(first.match(/reading…/g)).toHaveLength(5);
    expect(first).not.toMatch(/\d+\.\d % · 95 %/);
    expect(first).toContain('q quit');
    // Once laid out: the marker is gone, the rows have storage figures, the chain its expected keys.
    await waitFor(() => !existsSync(path.join(dir, PREPARING)) && /75\.\d % · 95 %/.test(demo.out()) && /Phase 4 .*\d+\/\d+/.test(demo.out()), 'figures after the set-up', 90_000);
    // Marked as the demo's: `--dir` opens it again (and nothing else that is not empty).
    expect(existsSync(path.join(dir, DEMO_MARK))).toBe(true);
    demo.child.stdin.write('q');
    expect(await demo.exited).toBe(0);
    expect(demo.out()).toMatch(/demo Cloud Run region \(pid \d+\) stopped: no execution was running in it/);
    // Started as the installed command, it says that command to open it again (tester AC13: `npm run demo -- --dir`,
    // which works only in the repository).
    // The command on a line of its own, whole, to copy (tester AD1).
    expect(demo.out()).toContain(`open it again with:\r\n  npx backfill-tui demo --dir ${dir}\r\n`);
  } finally {
    if (demo.child.exitCode === null) {
      demo.child.kill('SIGKILL');
      // Killed, the demo could not stop its region (a detached process of its own).
      await stopDemoRegion(dir);
    }
  }
}, 180_000);

test('a demo directory left before its set-up finished is refused with what to do, not opened with half its folders', async () => {
  const dir = path.join(work, 'half');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: [{ name: 'a', log: 'a.log' }, { name: 'b', log: 'b.log', failed: 'b/failed_dates_*.json' }] }));
  writeFileSync(path.join(dir, PREPARING), 'the demo is laying out this directory\n');
  const demo = demoInTerminal(['--dir', dir]);
  try {
    expect(await demo.exited).toBe(1);
    expect(demo.out().replace(/\r?\n */g, ' ')).toContain(`${dir} was left before its set-up finished laying it out (the demo was killed then): start a new demo with \`npm run demo\``);
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
}, 60_000);

test('--dir on a folder of the operator\'s is refused, exit 2, and nothing in it is written or added (tester W11)', async () => {
  const dir = path.join(work, 'operators-own');
  mkdirSync(path.join(dir, 'player-boxscores'), { recursive: true });
  writeFileSync(path.join(dir, 'mine.log'), 'my precious log\n');
  writeFileSync(path.join(dir, 'player-boxscores', 'keys.csv'), 'my data\n');
  const demo = demoInTerminal(['--dir', dir]);
  try {
    expect(await demo.exited).toBe(2);
    // Wrapped at spaces within the 80 columns, hanging under its text (tester AF8 f: one 300-character line the terminal
    // broke mid-word, `the demo did n` / `ot write`); joined, it reads whole.
    const rows = demo.out().split(/\r?\n/).filter((l) => l !== '');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(80);
    expect(rows.slice(1).every((row) => row.startsWith('  ') && !row.startsWith('   '))).toBe(true);
    expect(rows.map((r) => r.trim()).join(' ')).toBe(`backfill-tui: ${dir} is not a demo directory: it holds files the demo did not write (mine.log, player-boxscores), and the demo would write over them; give --dir an empty or new folder, or one an earlier demo made`);
    expect(readdirSync(dir).sort()).toEqual(['mine.log', 'player-boxscores']);
    expect(readdirSync(path.join(dir, 'player-boxscores'))).toEqual(['keys.csv']);
    expect(readFileSync(path.join(dir, 'player-boxscores', 'keys.csv'), 'utf8')).toBe('my data\n');
  } finally {
    if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  }
}, 60_000);

test('npm run demo (scripts/demo.mjs) runs the demo command with its arguments in the same process once dist/ is fresh', () => {
  const dir = path.join(work, 'via-npm');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--dir', dir], { cwd: work, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  // The demo's own answer to a stdout that is no terminal: its arguments reached it, and nothing was built first.
  expect(r.status).toBe(2);
  expect(r.stderr).toBe('backfill-tui: stdout is not a terminal: the demo draws on one; in scripts use `backfill-tui status` (or `status --json`).\n');
  expect(existsSync(dir)).toBe(false);
  const help = spawnSync(process.execPath, [path.join(ROOT, 'scripts/demo.mjs'), '--help'], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  expect(help.stdout).toMatch(/^Usage: backfill-tui demo \[options\]/);
});

