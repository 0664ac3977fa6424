import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI, runCli, runCliAsync } from './support/cli.js';
import { writeSyntheticLog } from '../src/sim/synthetic-log.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';
import { waitFor } from './support/wait-for.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the simulator to the end with its log appended to `log` (as `>> log 2>&1` would). */
async function simToLog(cwd: string, log: string, args: string[]): Promise<number> {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [CLI, 'sim', ...args], { cwd, stdio: ['ignore', fd, fd] });
    return await new Promise((resolve) => child.on('close', (c) => resolve(c ?? -1)));
  } finally {
    closeSync(fd);
  }
}

const count = (text: string, needle: string | RegExp) => text.split('\n').filter((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l))).length;
/** Per-key failure lines: the outcome lines and worker crashes, not Progress or summary lines. */
const FAILURE_LINE = / - (WARNING|ERROR) - ( {2}❌ (Failed|Timeout|Error) |Exception processing )/;

function job(name: string): string {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

describe('basics', () => {
  test('--version prints the package version', () => {
    const r = runCli(['--version'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('--help names the commands', () => {
    const r = runCli(['--help'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const cmd of ['status', 'missing', 'demo', 'init', 'sim']) expect(r.stdout).toContain(cmd);
  });

  test('sim --help prints the simulator\'s flags on stdout and exits 0', () => {
    const r = runCli(['sim', '--help'], { cwd: dir });
    expect(r.code).toBe(0);
    for (const flag of ['--csv', '--workers', '--timeout', '--storage', '--seed', '--speed', '--failed-dir', '--fail-rate', '--mean-seconds']) expect(r.stdout).toContain(flag);
    // Every flag of the usage lines has a row saying what it does (tester AC7.3: the damage flags had none).
    const usage = r.stdout.slice(0, r.stdout.indexOf('\n\n'));
    const flags = [...usage.matchAll(/\[(--[a-z-]+)/g)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(15);
    for (const flag of flags) expect(r.stdout).toMatch(new RegExp(`\\n  ${flag}\\b.* \\w`));
    expect(r.stdout).toContain('--keys=A,B,C');
    expect(r.stderr).toBe('');
  });

  // Tester AE14: sim's and the loopback region's --help ran to 122 and 165 columns; every other command's fits 80.
  test.each([['sim', '--help'], ['loopback-cloud-run', '--help'], ['--help'], ['sim', '--no-such-flag']])('%s %s: every line within 80 columns', (...args) => {
    const r = runCli(args, { cwd: dir });
    const out = `${r.stdout}${r.stderr}`;
    expect(out.length).toBeGreaterThan(100);
    const wide = out.split('\n').filter((l) => l.length > 80);
    expect(wide).toEqual([]);
  });

  test('the bare command with stdout not a terminal says to use status, exit 2', () => {
    const d = job('notty');
    const r = runCli(['--log', 'x.log'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backfill-tui status');
  });

  test('no config and no flags: how to start, exit 2', () => {
    const r = runCli(['status'], { cwd: job('empty') });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('backfill-tui init');
  });

  test('a missing log is waiting, not a crash', () => {
    const r = runCli(['status', '--json', '--log', 'nope.log'], { cwd: job('missing-log') });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).run.state).toBe('waiting');
  });
});

describe('bad config names the file and the field, exit 2', () => {
  test.each([
    ['not JSON', '{ "log": "a.log", ', /backfill-tui\.config\.json: not valid JSON/],
    ['an unknown key', JSON.stringify({ log: 'a.log', lgo: 'b' }), /backfill-tui\.config\.json: invalid config[\s\S]*lgo/],
    ['a wrong type', JSON.stringify({ log: 'a.log', workers: 'six' }), /backfill-tui\.config\.json: invalid config[\s\S]*workers/],
    ['command not an array of strings', JSON.stringify({ log: 'a.log', command: 'python run.py' }), /invalid config[\s\S]*command/],
    ['a bad grammar pattern', JSON.stringify({ log: 'a.log', grammar: { progress: '(unclosed' } }), /grammar\.progress/],
    ['a bad table name', JSON.stringify({ log: 'a.log', warehouse: { table: 'a.b.c`; DROP', column: 'game_date' } }), /warehouse\.table/],
  ])('%s', (_name, text, pattern) => {
    const d = job(`bad-${_name.replace(/\W+/g, '-')}`);
    writeFileSync(path.join(d, 'backfill-tui.config.json'), text);
    const r = runCli(['status', '--json'], { cwd: d });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).toContain(path.join(d, 'backfill-tui.config.json'));
  });
});

describe('status --json on logs the simulator writes', () => {
  test('a complete run: counts equal the log, state complete, failures by kind', async () => {
    const d = job('complete');
    const log = path.join(d, 'backfill.log');
    expect(await simToLog(d, log, ['--workers', '6', '--timeout', '180', '--speed', '1000000', '--storage', 'st', '--seed', '3'])).toBe(0);
    const text = readFileSync(log, 'utf8');
    const r = await runCliAsync(['status', '--json', '--log', log], { cwd: d });
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.run.state).toBe('complete');
    expect(s.run.succeeded).toBe(count(text, '✅ Scraped'));
    expect(s.run.failed).toBe(count(text, FAILURE_LINE));
    expect(s.run.failed).toBe(Number(/❌ Failed: (\d+)/.exec(text)![1]));
    expect(s.run.failures['HTTP 500']).toBe(count(text, ': HTTP 500'));
    expect(s.run.failures.timeout).toBe(count(text, '❌ Timeout'));
    expect(s.run.total).toBe(Number(/Loaded (\d+) dates/.exec(text)![1]));
    expect(s.run.done).toBe(s.run.total);
    expect(s.runs).toEqual([]);
    expect(Object.keys(s)).toEqual(expect.arrayContaining(['job', 'log', 'run', 'runs']));
  });

  test('two runs appended to one file: the last is current, the first is history; skips come from Progress and summary', async () => {
    const d = job('multi');
    const log = path.join(d, 'backfill.log');
    const keys = Array.from({ length: 160 }, (_, i) => new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
    writeFileSync(path.join(d, 'keys.txt'), keys.join('\n') + '\n');
    await simToLog(d, log, ['--csv', 'keys.txt', '--workers', '6', '--speed', '1000000', '--storage', 'st', '--seed', '4', '--fail-rate', '0.3']);
    await simToLog(d, log, ['--csv', 'keys.txt', '--workers', '6', '--speed', '1000000', '--storage', 'st', '--seed', '5', '--fail-rate', '0.3']);
    const r = await runCliAsync(['status', '--json', '--log', log], { cwd: d });
    const s = JSON.parse(r.stdout);
    expect(s.runs).toHaveLength(1);
    expect(s.runs[0].state).toBe('complete');
    const firstScraped = s.runs[0].succeeded;
    // The second run skips what the first stored: exactly its successes.
    expect(s.run.skipped).toBe(firstScraped);
    expect(s.run.succeeded + s.run.failed + s.run.skipped).toBe(s.run.total);
    const summary = readFileSync(log, 'utf8').split('BACKFILL COMPLETE')[2];
    expect(Number(/⏭️\s+Skipped: (\d+)/.exec(summary)![1])).toBe(s.run.skipped);
  });

  test('a log of many appended runs: the newest 200 earlier runs, counted exactly, and the text says older ones are not read', async () => {
    const d = job('many-runs');
    const log = path.join(d, 'backfill.log');
    const written = await writeSyntheticLog(log, { bytes: 900_000, seed: 11, keysPerRun: 6, workers: 2 });
    expect(written.runs).toBeGreaterThan(HISTORY_LIMIT + 20);
    const s = JSON.parse((await runCliAsync(['status', '--json', '--log', log], { cwd: d })).stdout);
    expect(s.runs).toHaveLength(HISTORY_LIMIT);
    // The kept runs are the last 201 in the file: grep's count from the oldest kept run's banner on.
    const text = readFileSync(log, 'utf8');
    const banners = [...text.matchAll(/^.* - INFO - .* initialized$/gm)];
    expect(banners).toHaveLength(written.runs);
    const kept = text.slice(banners[banners.length - (HISTORY_LIMIT + 1)].index);
    const all = [...s.runs, s.run];
    expect(all.reduce((n: number, r: { succeeded: number }) => n + r.succeeded, 0)).toBe(count(kept, '✅ Scraped'));
    expect(all.reduce((n: number, r: { failed: number }) => n + r.failed, 0)).toBe(count(kept, FAILURE_LINE));
    const t = await runCliAsync(['status', '--log', log], { cwd: d });
    // The run the read began at (read for where the next begins) left the list; its failures count (tester AF3).
    expect(t.stdout).toContain(`the newest ${HISTORY_LIMIT} runs of this log (older ones are not listed)\n          failures count the 1 older run read too\n`);
    expect(s.failures.unlistedRuns).toBe(1);
  });

  test('a run cut off mid-way (killed): counted from what it wrote, state ended', async () => {
    const d = job('cut');
    const log = path.join(d, 'backfill.log');
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [CLI, 'sim', '--workers', '1', '--speed', '200', '--storage', 'st'], { cwd: d, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    await waitFor(() => count(readFileSync(log, 'utf8'), '[') >= 12, 'a dozen keys in the log', 20_000);
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    const text = readFileSync(log, 'utf8');
    const r = await runCliAsync(['status', '--json', '--log', log], { cwd: d });
    const s = JSON.parse(r.stdout);
    expect(s.run.state).toBe('ended');
    expect(s.run.succeeded).toBe(count(text, '✅ Scraped'));
    // Ended without a summary: it finished where its elapsed ends, its last line (tester X9: null read "still going").
    expect(s.run.finishedAt).not.toBeNull();
    expect(s.run.finishedAt).toBe(s.run.lastActivityAt);
  });

  test('status (text) prints the same facts for people', async () => {
    const d = job('text');
    const log = path.join(d, 'backfill.log');
    await simToLog(d, log, ['--workers', '2', '--speed', '1000000', '--storage', 'st', '--seed', '9']);
    const s = JSON.parse((await runCliAsync(['status', '--json', '--log', log], { cwd: d })).stdout);
    const t = await runCliAsync(['status', '--log', log], { cwd: d });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('complete');
    expect(t.stdout).toContain(`✓ ${s.run.succeeded.toLocaleString('en-US')} scraped`);
  });
});

describe('coverage from the command line', () => {
  function coverageJob(name: string, present: string[], expected: string[]) {
    const d = job(name);
    writeFileSync(path.join(d, 'expected.txt'), expected.join('\n') + '\n');
    for (const k of present) {
      mkdirSync(path.join(d, 'st', k), { recursive: true });
      writeFileSync(path.join(d, 'st', k, 'x.json'), '{}');
    }
    writeFileSync(path.join(d, 'backfill-tui.config.json'), JSON.stringify({ log: 'b.log', expected: 'expected.txt', storage: { url: 'st' } }));
    return d;
  }
  const keys = Array.from({ length: 20 }, (_, i) => `2022-01-${String(i + 1).padStart(2, '0')}`);

  test('--require 95 exits 1 below the target and 0 at it (19 of 20 is exactly 95 %)', () => {
    const low = coverageJob('req-low', keys.slice(0, 18), keys);
    const r1 = runCli(['status', '--require', '95'], { cwd: low });
    expect(r1.code).toBe(1);
    expect(r1.stderr).toContain('1 more needed');
    const ok = coverageJob('req-ok', keys.slice(0, 19), keys);
    expect(runCli(['status', '--require', '95', '--source', 'storage'], { cwd: ok }).code).toBe(0);
    expect(runCli(['status', '--require', '100'], { cwd: ok }).code).toBe(1);
  });

  test('status --json has the coverage object; extra keys never raise coverage', () => {
    const d = coverageJob('cov-json', [...keys.slice(0, 10), '2030-01-01'], keys);
    const s = JSON.parse(runCli(['status', '--json'], { cwd: d }).stdout);
    expect(s.coverage.expected).toBe(20);
    expect(s.coverage.storage).toMatchObject({ present: 10, extra: 1, percent: 50, stale: false, error: null });
    expect(s.coverage.targets[0]).toMatchObject({ percent: 95, keys: 19, storage: { met: false, needed: 9 } });
    expect(s.coverage.warehouse).toBeNull();
    expect(s.process).toMatchObject({ pid: null, attached: false, external: false, runId: null });
  });

  test('missing --from storage prints the missing keys sorted, one a line', () => {
    const d = coverageJob('missing', keys.slice(5), keys);
    const r = runCli(['missing', '--from', 'storage'], { cwd: d });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(keys.slice(0, 5).join('\n') + '\n');
  });
});

describe('init', () => {
  test('writes an example config once and never overwrites it', () => {
    const d = job('init');
    expect(runCli(['init'], { cwd: d }).code).toBe(0);
    const file = path.join(d, 'backfill-tui.config.json');
    expect(existsSync(file)).toBe(true);
    const before = readFileSync(file, 'utf8');
    expect(JSON.parse(before).warehouse.table).toBe('nba-props-platform.nba_raw.nbac_player_boxscores');
    const again = runCli(['init'], { cwd: d });
    expect(again.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(before);
    // The example is a valid config, and reads the failures of the date script and of its retry script beside it.
    const scripts = path.join(d, 'backfill_jobs/scrapers/nbac_player_boxscore');
    mkdirSync(scripts, { recursive: true });
    const entry = (key: string) => ({ game_date: key, status: 'failed', error: 'HTTP 500' });
    writeFileSync(path.join(scripts, 'failed_dates_20251126_231710.json'), JSON.stringify({ total_failed: 1, failed_dates: [entry('2022-04-17')] }));
    writeFileSync(path.join(scripts, 'retry_failed_dates_20251127_085942.json'), JSON.stringify({ total_failed: 1, failed_dates: [entry('2022-04-18')] }));
    const status = runCli(['status', '--json'], { cwd: d, env: { STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9/storage/v1' } });
    expect(status.code).not.toBe(2);
    expect(JSON.parse(status.stdout).failures.failing).toBe(2);
  });
});
