import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, openSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester X13: after a rotation where the writer reopens the log (Python's WatchedFileHandler, logrotate's `create`)
// a `status` or a newly opened dashboard counted only the part since the rotation: `117/200 · 0:29` for a run at
// `170/200 · 0:43`, the failures before it missing from f, r and missing --from failures.
let dir: string;

/** The reference format through the stdlib's answer to logrotate: it reopens `bf.log` when the file is moved. */
const WRITER = `
import logging, logging.handlers, sys
h = logging.handlers.WatchedFileHandler('bf.log')
h.setFormatter(logging.Formatter('%(asctime)s - %(levelname)s - %(message)s'))
log = logging.getLogger('bf'); log.addHandler(h); log.setLevel(logging.INFO)
for line in sys.stdin:
    cmd, _, arg = line.strip().partition(' ')
    if cmd == 'start':
        n = int(arg)
        log.info('NBA.com Player Boxscore Scraper Backfill (v2)')
        log.info('Workers: 2 | Timeout: 60s')
        log.info(f'Loaded {n} dates from dates.csv')
        for i in range(1, n + 1): log.info(f'[{i}/{n}] Queued 2022-01-{i:02d}')
    elif cmd == 'ok': log.info(f'  \\u2705 Scraped {arg}')
    elif cmd == 'fail': log.warning(f'  \\u274c Failed {arg}: HTTP 500')
    elif cmd == 'done': log.info('BACKFILL COMPLETE')
    print('ack', flush=True)
`;

/** A writer process; each command is acknowledged once its line is in the file (no sleeps). */
function startWriter(cwd: string): { send: (cmd: string) => Promise<void>; end: () => Promise<void> } {
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-u', '-c', WRITER], { cwd });
  const acks = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  return {
    send: async (cmd) => {
      child.stdin.write(`${cmd}\n`);
      expect((await acks.next()).value).toBe('ack');
    },
    end: () => new Promise((resolve) => {
      child.on('close', () => resolve());
      child.stdin.end();
    }),
  };
}

const key = (i: number) => `2022-01-${String(i).padStart(2, '0')}`;
/** Keys 5, 10, 15 … fail: the ground truth the test wrote, not read back by the code under test. */
const outcome = (i: number) => `${i % 5 === 0 ? 'fail' : 'ok'} ${key(i)}`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-rotated-'));
  const w = startWriter(dir);
  await w.send('start 30');
  for (let i = 1; i <= 10; i++) await w.send(outcome(i));
  renameSync(path.join(dir, 'bf.log'), path.join(dir, 'bf.log.1'));
  for (let i = 11; i <= 20; i++) await w.send(outcome(i));
  // logrotate's next night: .1 becomes .2, the log becomes .1.
  renameSync(path.join(dir, 'bf.log.1'), path.join(dir, 'bf.log.2'));
  renameSync(path.join(dir, 'bf.log'), path.join(dir, 'bf.log.1'));
  for (let i = 21; i <= 25; i++) await w.send(outcome(i));
  await w.end();
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'rot', log: 'bf.log', keepAwake: false }));
}, 30_000);
afterAll(() => removeDir(dir));

describe('a run whose log was rotated twice under it', () => {
  test('status reads the rotated files first: the whole run, its failures, where it was read from', async () => {
    const out = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
    expect(out.run).toMatchObject({ total: 30, done: 25, succeeded: 20, failed: 5, failures: { 'HTTP 500': 5 } });
    // Its start is the banner's, in bf.log.2.
    expect(Date.parse(out.run.startedAt)).toBeLessThanOrEqual(statSync(path.join(dir, 'bf.log.2')).mtimeMs);
    expect(out.logRotated).toEqual({ readFirst: [path.join(dir, 'bf.log.2'), path.join(dir, 'bf.log.1')], partial: false });
    expect(out.runs).toEqual([]);
    const text = (await runCliAsync(['status'], { cwd: dir })).stdout;
    expect(text).toContain('\n          began in bf.log.2, bf.log.1 (rotated): read from there too\n');
    expect(text).toContain('run       25/30  83.3 %');
    const missing = (await runCliAsync(['missing', '--from', 'failures'], { cwd: dir })).stdout.trim().split('\n');
    expect(missing).toEqual([5, 10, 15, 20, 25].map(key));
    // Only read: the rotated files are as the writer left them.
    expect(readFileSync(path.join(dir, 'bf.log.2'), 'utf8').split('\n').filter(Boolean)).toHaveLength(3 + 30 + 10);
  }, 30_000);

  test('a dashboard opened after the rotations counts the same run', async () => {
    const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
    try {
      await waitFor(() => runtime.store.getState().log.historyDone, 'the history read', 15_000);
      const s = runtime.store.getState();
      expect(s.log.current).toMatchObject({ total: 30, succeeded: 20, failed: 5 });
      expect(s.log.history).toEqual([]);
      expect(s.log.rotatedFrom).toEqual([path.join(dir, 'bf.log.2'), path.join(dir, 'bf.log.1')]);
    } finally {
      await runtime.close();
    }
  }, 30_000);

  test('the start compressed away (bf.log.2.gz is not read): the figures are partial, and said so', async () => {
    const sub = mkdtempSync(path.join(dir, 'gz-'));
    for (const f of ['bf.log', 'bf.log.1']) writeFileSync(path.join(sub, f), readFileSync(path.join(dir, f)));
    writeFileSync(path.join(sub, 'bf.log.2.gz'), 'not read');
    writeFileSync(path.join(sub, 'bf.log.1.gz'), 'not read');
    // Copied: the rotated file's modification time is newer than the log's; its lines say which came first.
    utimesSync(path.join(sub, 'bf.log.1'), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    const out = JSON.parse((await runCliAsync(['status', '--json', '--log', 'bf.log'], { cwd: sub })).stdout);
    expect(out.run).toMatchObject({ done: 15, succeeded: 12, failed: 3 });
    expect(out.logRotated).toEqual({ readFirst: [path.join(sub, 'bf.log.1')], partial: true });
    const text = unwrapped((await runCliAsync(['status', '--log', 'bf.log'], { cwd: sub })).stdout);
    // Named where the start likely is, by logrotate's numbering (h83's note: not named), never read.
    expect(text).toContain('begins mid-run: its earlier lines are not beside the log (bf.log.1 read, not its start), likely in bf.log.2.gz (compressed, not read); figures count from its first line read');
  }, 30_000);

  test('only a compressed rotation beside a log that begins mid-run: status and the dashboard name it', async () => {
    const sub = mkdtempSync(path.join(dir, 'gz1-'));
    writeFileSync(path.join(sub, 'bf.log'), readFileSync(path.join(dir, 'bf.log')));
    writeFileSync(path.join(sub, 'bf.log.1.gz'), 'not read');
    writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ job: 'gz', log: 'bf.log', keepAwake: false }));
    const text = unwrapped((await runCliAsync(['status'], { cwd: sub })).stdout);
    expect(text).toContain('begins mid-run: its earlier lines are not beside the log, likely in bf.log.1.gz (compressed, not read); figures count from its first line read');
    const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
    try {
      await waitFor(() => runtime.store.getState().log.historyDone, 'the history read', 15_000);
      expect(runtime.store.getState().log).toMatchObject({ rotatedCompressed: 'bf.log.1.gz', rotatedFrom: [] });
    } finally {
      await runtime.close();
    }
    // Only named: as the writer left it.
    expect(readFileSync(path.join(sub, 'bf.log.1.gz'), 'utf8')).toBe('not read');
  }, 30_000);

  test('logrotate\'s `create`, then the writer killed: the path holds an empty file, the run is the rotated one (ended), not `waiting`', async () => {
    const sub = mkdtempSync(path.join(dir, 'create-'));
    const lines = readFileSync(path.join(dir, 'bf.log.2'), 'utf8');
    writeFileSync(path.join(sub, 'bf.log.1'), lines);
    writeFileSync(path.join(sub, 'bf.log'), '');
    const out = JSON.parse((await runCliAsync(['status', '--json', '--log', 'bf.log'], { cwd: sub })).stdout);
    expect(out.run).toMatchObject({ state: 'ended', total: 30, done: 10, succeeded: 8, failed: 2 });
    expect(out.logRotated).toEqual({ readFirst: [path.join(sub, 'bf.log.1')], partial: false });
  }, 30_000);

  test.each([
    ['no file at the path (moved aside by hand, nothing recreated it)', null],
    ['an empty file at the path (logrotate\'s `create`)', ''],
  ])('%s after the writer finished: the run in bf.log.1 is the job\'s last run, complete, not `waiting` (tester Z9)', async (_name, here) => {
    const sub = mkdtempSync(path.join(dir, 'z9-'));
    // A whole run, written by the writer to its end (its summary line), then moved aside.
    const w = startWriter(sub);
    await w.send('start 3');
    for (let i = 1; i <= 3; i++) await w.send(outcome(i * 5 - 4));
    await w.send('done');
    await w.end();
    renameSync(path.join(sub, 'bf.log'), path.join(sub, 'bf.log.1'));
    if (here !== null) writeFileSync(path.join(sub, 'bf.log'), here);
    const out = JSON.parse((await runCliAsync(['status', '--json', '--log', 'bf.log'], { cwd: sub })).stdout);
    expect(out.run).toMatchObject({ state: 'complete', total: 3, done: 3, succeeded: 3, failed: 0 });
    expect(out.logRotated).toEqual({ readFirst: [path.join(sub, 'bf.log.1')], partial: false });
    const text = (await runCliAsync(['status', '--log', 'bf.log'], { cwd: sub })).stdout;
    expect(text).toContain('\n          ran in bf.log.1 (rotated): nothing at the log\'s path since\n');
    writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ job: 'z9', log: 'bf.log', keepAwake: false }));
    const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
    try {
      await waitFor(() => runtime.store.getState().log.current?.complete === true, 'the rotated run read', 15_000);
      expect(runtime.store.getState().log.current).toMatchObject({ total: 3, succeeded: 3, failed: 0 });
    } finally {
      await runtime.close();
    }
  }, 30_000);

  test('logrotate\'s `create` under a writer that goes on writing bf.log.1: read there once (tester W20\'s way), never twice', async () => {
    const sub = mkdtempSync(path.join(dir, 'live-'));
    writeFileSync(path.join(sub, 'bf.log.1'), readFileSync(path.join(dir, 'bf.log.2'), 'utf8'));
    writeFileSync(path.join(sub, 'bf.log'), '');
    // The writer still holds the rotated file open for appending.
    const fd = openSync(path.join(sub, 'bf.log.1'), 'a');
    const holder = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', fd, 'ignore'] });
    closeSync(fd);
    try {
      const out = JSON.parse((await runCliAsync(['status', '--json', '--log', 'bf.log'], { cwd: sub })).stdout);
      expect(out.logMoved).toMatchObject({ to: path.join(sub, 'bf.log.1'), pids: [holder.pid] });
      expect(out.run).toMatchObject({ state: 'running', total: 30, done: 10, succeeded: 8, failed: 2, duplicateLines: 0 });
      expect(out.logRotated).toBeNull();
    } finally {
      holder.kill('SIGKILL');
    }
  }, 30_000);
});

// Tester AC19: a writer that opens the path for each line (no process holds the log between lines) and a rotation
// with logrotate's `create` while a dashboard follows: the dashboard read the new file as a log that begins mid-run,
// the failures before the rotation gone (failing 14 of 21), while status beside it read the whole run.
test('a dashboard following a log moved aside under a writer that reopens the path for each line keeps the run whole', async () => {
  const sub = mkdtempSync(path.join(dir, 'reopen-'));
  const log = path.join(sub, 'bf.log');
  const at = Date.UTC(2026, 11, 1, 10, 0, 0);
  const stamp = (s: number) => new Date(at + s * 1000).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  /** One line as such a writer adds it: open, append, close. */
  const say = (s: number, level: string, message: string) => appendFileSync(log, `${stamp(s)} - ${level} - ${message}\n`);
  say(0, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2)');
  say(0, 'INFO', 'Loaded 6 dates from dates.csv');
  say(1, 'WARNING', `  ❌ Failed ${key(1)}: HTTP 500`);
  say(2, 'WARNING', `  ❌ Failed ${key(2)}: HTTP 500`);
  say(3, 'INFO', `  ✅ Scraped ${key(3)}`);
  writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ job: 'reopen', log: 'bf.log', keepAwake: false, timezone: 'UTC' }));
  const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().log.current?.failed === 2, 'the part before the rotation read', 15_000);
    renameSync(log, `${log}.1`);
    say(4, 'WARNING', `  ❌ Failed ${key(4)}: HTTP 500`);
    say(5, 'INFO', `  ✅ Scraped ${key(5)}`);
    say(6, 'INFO', `  ✅ Scraped ${key(6)}`);
    say(7, 'INFO', 'BACKFILL COMPLETE');
    await waitFor(() => runtime.store.getState().log.current?.complete, 'the run read to its summary', 15_000);
    const s = runtime.store.getState();
    expect(s.log.current).toMatchObject({ total: 6, succeeded: 3, failed: 3, startedAt: at });
    expect(s.log.current?.beganMidway).toBeFalsy();
    expect(s.log.history).toEqual([]);
    expect(Object.values(s.log.current!.failures).reduce((a, b) => a + b, 0)).toBe(3);
  } finally {
    await runtime.close();
  }
}, 30_000);
