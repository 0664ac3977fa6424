/**
 * A log moved aside while its writer goes on (tester W20: `mv bf.log bf.log.1`, logrotate's default `create`): the
 * run is read where its writer writes, counted once, until that writer is gone; launching stays refused meanwhile.
 * Real files and a real child process writing them; every wait is on a signal with a deadline.
 */
import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { launchBackfill } from '../src/app/launcher.js';
import { procWriters } from '../src/app/proc-writers.js';
import { loadConfig } from '../src/config.js';
import type { MovedLog } from '../src/follow/moved-log.js';
import { followLog } from '../src/log-follower.js';
import { rotatedName } from '../src/runner/log-writers.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { logLine } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-log-moved-'));
afterAll(() => removeDir(dir));

/**
 * A backfill writing its log as `>> bf.log` does: the file opened once for appending, each line written when the
 * test sends it (a JSON string a line on stdin), `ok N` on stdout after each write; it exits when stdin ends.
 */
const WRITER = `const fs = require('fs');
const fd = fs.openSync(process.argv[1], 'a');
let n = 0, buf = '';
process.stdin.on('data', (d) => {
  buf += d;
  for (let i; (i = buf.indexOf('\\n')) >= 0; buf = buf.slice(i + 1)) {
    fs.writeSync(fd, JSON.parse(buf.slice(0, i)));
    console.log('ok ' + ++n);
  }
});
process.stdin.on('end', () => process.exit(0));
console.log('ready');`;

interface Writer {
  child: ChildProcess;
  pid: number;
  /** Writes `text` into the log and resolves once it is written. */
  write(text: string): Promise<void>;
  /** Ends the writer and resolves once it has exited. */
  end(): Promise<void>;
}

const writers: ChildProcess[] = [];
afterEach(() => {
  for (const c of writers.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function startWriter(log: string): Promise<Writer> {
  const child = spawn(process.execPath, ['-e', WRITER, log], { stdio: ['pipe', 'pipe', 'inherit'] });
  writers.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await waitFor(() => out.includes('ready'), 'the writer to open the log');
  let sent = 0;
  return {
    child,
    pid: child.pid!,
    async write(text) {
      sent += 1;
      const want = `ok ${sent}\n`;
      child.stdin!.write(JSON.stringify(text) + '\n');
      await waitFor(() => out.includes(want), `write ${sent} to be done`);
    },
    async end() {
      child.stdin!.end();
      await exited;
    },
  };
}

// Lines of a run going on now (a run whose newest line is old reads `stalled`), 200 ms apart, all in the past.
const t0 = Math.floor(Date.now() / 1000) * 1000 - 10_000;
const lines = (from: number, messages: string[]) => messages.map((m, i) => logLine(t0 + 200 * (from + i), m.includes('❌') ? 'WARNING' : 'INFO', m)).join('\n') + '\n';
const FIRST = lines(0, ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', '  Workers: 3', 'Loaded 10 dates', ...['2021-10-19', '2021-10-20', '2021-10-21', '2021-10-22'].map((k) => `  ✅ Scraped ${k}`)]);
const AFTER_MOVE = lines(10, ['  ✅ Scraped 2021-10-23', '  ❌ Failed 2021-10-24: HTTP 500']);

function jobDir(): { sub: string; log: string } {
  const sub = mkdtempSync(path.join(dir, 'job-'));
  const log = path.join(sub, 'bf.log');
  writeFileSync(path.join(sub, 'keys.csv'), Array.from({ length: 10 }, (_, i) => `2021-10-${19 + i}`).join('\n') + '\n');
  // A command that would launch the same keys beside the run: it must never be started.
  writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ log: 'bf.log', expected: 'keys.csv', timezone: 'UTC', keepAwake: false, command: [process.execPath, '-e', 'process.exit(3)', '{keysFile}'] }));
  return { sub, log };
}

describe('the dashboard, when the log is moved aside while its writer goes on (tester W20)', () => {
  /** Moves the log as the case says; returns where it is now, what the notices call it, and the notice. */
  type Move = (log: string) => { to: string; said: string; notice?: (pid: number) => string };
  test.each<[string, Move]>([
    ['mv and a new empty file (logrotate create)', (log) => (renameSync(log, `${log}.1`), writeFileSync(log, ''), { to: `${log}.1`, said: 'bf.log.1' })],
    ['mv alone (nothing at the path)', (log) => (renameSync(log, `${log}.1`), { to: `${log}.1`, said: 'bf.log.1' })],
    // No rotated name to find it by: only the file the dashboard holds says which it is.
    ['mv to another folder under another name', (log) => {
      const to = path.join(path.dirname(log), 'archive', 'monday.txt');
      mkdirSync(path.dirname(to));
      renameSync(log, to);
      return { to, said: to };
    }],
    // Tester X6: an operator freeing disk, a cleanup cron; the writer's descriptor names `bf.log (deleted)`.
    ['rm (the log deleted under its writer)', (log) => (unlinkSync(log), { to: `${log} (deleted)`, said: 'bf.log (deleted)', notice: (pid) => `bf.log was deleted while pid ${pid} still writes it; following the running writer (pid ${pid})` })],
  ])('%s: the run stays running with its figures, said; launching is refused; then the new file goes on from it', async (what, move) => {
    const { sub, log } = jobDir();
    writeFileSync(log, '');
    const writer = await startWriter(log);
    const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
    const state = () => runtime.store.getState();
    try {
      await writer.write(FIRST);
      await waitFor(() => state().log.current?.succeeded === 4 && state().process.externalPids.includes(writer.pid), 'the run and its writer seen', 20_000);
      const { to, said, notice } = move(log);
      await writer.write(AFTER_MOVE);
      await waitFor(() => state().log.current?.failed === 1 && state().log.moved, 'the lines written after the move, read from the moved file', 20_000);
      expect(state().log.current).toMatchObject({ succeeded: 5, failed: 1, total: 10, workers: 3, startedAt: t0 });
      expect(state().log.history).toEqual([]);
      expect(state().log.moved).toMatchObject({ to, pids: [writer.pid] });
      expect(state().ui.notices.map((n) => n.text)).toContain(notice?.(writer.pid) ?? `log moved to ${said}; following the running writer (pid ${writer.pid}) there`);
      // Never said ended (tester X6: `ended` and a "run ended without a summary" alert for a run going on).
      expect(state().alerts.recent.map((a) => a.text)).toEqual([]);
      // The next look at who writes the log still finds the writer, by the file it holds.
      const lookedAt = state().process.writersCheckedAt!;
      await waitFor(() => state().process.writersCheckedAt! > lookedAt, 'a look at the writers after the move', 20_000);
      expect(state().process).toMatchObject({ external: true, externalPids: [writer.pid] });
      // `s` and a launch of its own (a second dashboard's look at /proc) are both refused.
      runtime.controller.onIntent('resume');
      await waitFor(() => state().ui.notices.some((n) => n.text.includes(`the log is being written by pid ${writer.pid}`)), 'the refusal of s');
      expect(state().ui.confirm).toBeNull();
      if (!what.includes('another name')) {
        // A look that never saw the move finds the writer by the rotated name of the file it writes.
        const own = await launchBackfill(loadConfig({ cwd: sub }), { keys: ['2021-10-25'], label: 'resume', workers: 1, timeout: 10 });
        expect(own).toMatchObject({ ok: false, message: `not launched: the log is being written by pid ${writer.pid}, not started here` });
      }

      // The writer ends: the rest of the moved file is read, and the path's file goes on from the run.
      await writer.write(lines(20, ['  ✅ Scraped 2021-10-25', 'BACKFILL COMPLETE']));
      await writer.end();
      await waitFor(() => state().log.moved === null && state().log.current?.complete, 'the moved file read to its end and left', 20_000);
      expect(state().ui.notices.map((n) => n.text)).toContain(`pid ${writer.pid} no longer writes ${said}: following bf.log again`);
      appendFileSync(log, lines(30, ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 3 dates', '  ✅ Scraped 2021-10-26']));
      await waitFor(() => state().log.current?.total === 3 && state().log.current?.succeeded === 1, 'the next run in the new file', 20_000);
      // The moved run counted once, to its end, and kept as the run before.
      expect(state().log.history.map((r) => [r.succeeded, r.failed, r.complete])).toEqual([[6, 1, true]]);
    } finally {
      await runtime.close();
    }
  }, 90_000);
});

describe('status --json after the move (a fresh look that never saw the log at its path)', () => {
  test.each([
    ['a new empty file at the path', (log: string) => (renameSync(log, `${log}.1`), writeFileSync(log, ''))],
    ['nothing at the path', (log: string) => renameSync(log, `${log}.1`)],
    ['the log deleted', (log: string) => unlinkSync(log)],
  ])('%s: the run is running, its figures from the moved file', async (what, move) => {
    const { sub, log } = jobDir();
    writeFileSync(log, '');
    const writer = await startWriter(log);
    await writer.write(FIRST);
    move(log);
    await writer.write(AFTER_MOVE);
    const r = await runCliAsync(['status', '--json'], { cwd: sub });
    expect(r.stderr).toBe('');
    const json = JSON.parse(r.stdout);
    expect(json.run).toMatchObject({ state: 'running', succeeded: 5, failed: 1, total: 10 });
    expect(json.process).toMatchObject({ external: true, externalPids: [writer.pid] });
    expect(json.logMoved).toEqual({ to: what === 'the log deleted' ? `${log} (deleted)` : `${log}.1`, pids: [writer.pid] });
    const text = await runCliAsync(['status'], { cwd: sub });
    expect(unwrapped(text.stdout)).toContain(what === 'the log deleted' ? `bf.log was deleted while pid ${writer.pid} still writes it; following the running writer (pid ${writer.pid})` : `log moved to bf.log.1; following the running writer (pid ${writer.pid}) there`);
    await writer.end();
    // Its writer gone, the moved file is an archive: the path is the log again.
    const after = JSON.parse((await runCliAsync(['status', '--json'], { cwd: sub })).stdout);
    expect(after.logMoved).toBeNull();
    expect(after.process.external).toBe(false);
  }, 60_000);
});

describe('the follower', () => {
  /** Follows `log` with who-writes-what from /proc, collecting what it reports. */
  function follow(log: string) {
    const ac = new AbortController();
    const got = { text: '', resets: [] as string[], moved: [] as (MovedLog | null)[] };
    const done = followLog(
      log,
      {
        onChunk: (c) => (got.text += c.toString('utf8')),
        onReset: (r) => got.resets.push(r),
        onWaiting: () => undefined,
        onProgress: () => undefined,
        onMoved: (m) => got.moved.push(m),
      },
      { signal: ac.signal, pollMs: 20, writers: procWriters() },
    );
    return { got, stop: async () => (ac.abort(), await done) };
  }

  test('a new file at the path that gets lines while the moved one is still written: the old is read to its end, then the new, each line once', async () => {
    const sub = mkdtempSync(path.join(dir, 'f-'));
    const log = path.join(sub, 'bf.log');
    writeFileSync(log, '');
    const writer = await startWriter(log);
    const f = follow(log);
    try {
      await writer.write('a1\na2\n');
      await waitFor(() => f.got.text === 'a1\na2\n', 'the first lines');
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
      await writer.write('a3\n');
      await waitFor(() => f.got.moved.length === 1, 'the move reported');
      expect(f.got.moved[0]).toMatchObject({ to: `${log}.1`, pids: [writer.pid] });
      await waitFor(() => f.got.text.endsWith('a3\n'), 'a line written after the move');
      // Another process starts writing the path: the log goes on there.
      appendFileSync(log, 'b1\n');
      await waitFor(() => f.got.text.endsWith('b1\n'), 'the new file followed');
      expect(f.got.text).toBe('a1\na2\na3\nb1\n');
      expect(f.got.resets).toEqual(['rotated']);
      expect(f.got.moved.at(-1)).toBeNull();
    } finally {
      await f.stop();
      await writer.end();
    }
  }, 30_000);

  test('moved to another folder under another name: followed by the file it is, whatever its name', async () => {
    const sub = mkdtempSync(path.join(dir, 'f-'));
    const log = path.join(sub, 'bf.log');
    mkdirSync(path.join(sub, 'archive'));
    const archived = path.join(sub, 'archive', 'monday.txt');
    writeFileSync(log, '');
    const writer = await startWriter(log);
    const f = follow(log);
    try {
      await writer.write('a1\n');
      await waitFor(() => f.got.text === 'a1\n', 'the first line');
      renameSync(log, archived);
      await writer.write('a2\n');
      // The moved file is read to its end first, then who holds it asked: the line can come before the move's report.
      await waitFor(() => f.got.text === 'a1\na2\n' && f.got.moved.length > 0, 'the line written after the move, and the move reported');
      expect(f.got.moved).toEqual([expect.objectContaining({ to: archived, pids: [writer.pid] })]);
      await writer.end();
      await waitFor(() => f.got.moved.at(-1) === null, 'the moved file left once its writer is gone');
      writeFileSync(log, 'c1\n');
      await waitFor(() => f.got.text.endsWith('c1\n'), 'the new file at the path');
      expect(f.got.text).toBe('a1\na2\nc1\n');
      expect(f.got.resets).toEqual(['rotated']);
    } finally {
      await f.stop();
    }
  }, 30_000);

  test('a log moved aside with no writer left is not held: the path is followed at once, the new file going on from it', async () => {
    const sub = mkdtempSync(path.join(dir, 'f-'));
    const log = path.join(sub, 'bf.log');
    writeFileSync(log, 'a1\n');
    const f = follow(log);
    try {
      await waitFor(() => f.got.text === 'a1\n', 'the first line');
      renameSync(log, `${log}.1`);
      writeFileSync(log, '');
      await waitFor(() => f.got.resets.length === 1, 'the new file taken');
      // Beside the log under a rotated name (tester AC19: a writer that reopens the path for each line): a rotation.
      expect(f.got.resets).toEqual(['rotated']);
      expect(f.got.moved).toEqual([]);
    } finally {
      await f.stop();
    }
  }, 30_000);

  test('a log deleted, or moved under another name, and made again: replaced, not a rotation', async () => {
    for (const away of [(log: string) => unlinkSync(log), (log: string) => renameSync(log, path.join(path.dirname(log), 'kept-aside.txt'))]) {
      const sub = mkdtempSync(path.join(dir, 'f-'));
      const log = path.join(sub, 'bf.log');
      writeFileSync(log, 'a1\n');
      const f = follow(log);
      try {
        await waitFor(() => f.got.text === 'a1\n', 'the first line');
        away(log);
        writeFileSync(log, '');
        await waitFor(() => f.got.resets.length === 1, 'the new file taken');
        expect(f.got.resets).toEqual(['replaced']);
      } finally {
        await f.stop();
      }
    }
  }, 30_000);
});

describe('rotatedName: a file that looks moved aside from the log, by its name', () => {
  test.each([
    ['/a/bf.log.1', true],
    ['/a/bf.log-20261130', true],
    ['/a/bf.log_old', true],
    ['/a/bf.log (deleted)', true],
    ['/a/bf.log.1 (deleted)', true],
    ['/a/bf.log', false],
    ['/a/bf.logger', false],
    ['/a/bf.log.', false],
    ['/b/bf.log.1', false],
    ['/a/x/bf.log.1', false],
  ])('%s: %s', (link, rotated) => {
    expect(rotatedName(link, '/a/bf.log')).toBe(rotated);
  });
});
