import { afterEach, describe, expect, test } from 'vitest';
import { readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, type LaunchOptions } from '../src/runner/launch.js';
import { findAttachable } from '../src/runner/attach.js';
import { logWriters } from '../src/runner/log-writers.js';
import { isAlive, readProcStat } from '../src/runner/proc.js';
import { readRuns } from '../src/runner/runs-file.js';
import { watchProcess, type ExitInfo } from '../src/runner/watch.js';
import {
  bundle, cleanup, LINES_SCRIPT, node, readText, runnerModule, stdoutOf, tempDir, track, waitFor, writeScript,
} from './runner-support.js';

afterEach(cleanup);

function setup(argv: (dir: string) => string[], extra: Partial<LaunchOptions> = {}): LaunchOptions {
  const dir = tempDir();
  return {
    argv: argv(dir), cwd: dir, env: { PYTHONUNBUFFERED: '1' }, logFile: join(dir, 'job.log'),
    stateDir: join(dir, '.backfill-tui'), keysFile: join(dir, 'keys.txt'), keyCount: 3, label: 'resume', ...extra,
  };
}

const expectedLines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}/${n}`).join('\n');

describe('launch', () => {
  test('the child runs detached in its own session, appends to the log after what was there, and finishes', async () => {
    const opts = setup((dir) => [process.execPath, writeScript(dir, 'lines.mjs', LINES_SCRIPT), '30', '20']);
    writeFileSync(opts.logFile, 'earlier run, untouched\n');
    const result = await launch({ ...opts, startWindowMs: 200 });
    if (!result.ok) throw new Error(result.reason);
    const { pid, procStart } = result.run;
    track(pid);
    const stat = readProcStat(pid!)!;
    expect([stat.pgrp, stat.session]).toEqual([pid, pid]); // setsid: a terminal hangup or our group's signals miss it
    expect(readlinkSync(`/proc/${pid}/fd/0`)).toBe('/dev/null');
    expect(readlinkSync(`/proc/${pid}/fd/1`)).toBe(opts.logFile);
    // We closed our copy of the log descriptor: only the child writes the log.
    expect(await logWriters(opts.logFile)).toEqual([pid]);
    expect((await readRuns(opts.stateDir, null))[0]).toMatchObject({ id: result.run.id, pid, procStart, end: null, keyCount: 3 });

    const ended = await new Promise<ExitInfo>((resolve) => watchProcess(pid!, procStart, { child: result.child, onExit: resolve }));
    expect(ended).toMatchObject({ exitCode: 0, signal: null });
    expect(readText(opts.logFile)).toBe(`earlier run, untouched\nready\n${expectedLines(30)}\n`);
  });

  test('the run outlives the dashboard: SIGHUP to its group and SIGKILL do not stop it, a new one re-attaches', async () => {
    const opts = setup((dir) => [process.execPath, writeScript(dir, 'lines.mjs', LINES_SCRIPT), '20', '20', join(dir, 'gate')]);
    const gate = join(opts.cwd, 'gate');
    // The "dashboard" is a separate node process running the real launch(); it stays up until killed.
    const dashboard = bundle(opts.cwd, 'dashboard', `
      import { launch } from ${JSON.stringify(runnerModule('launch'))};
      const opts = JSON.parse(process.argv[2]);
      launch({ ...opts, startWindowMs: 100 }).then((r) => console.log(JSON.stringify(r.ok ? r.run : r)));
      setInterval(() => {}, 1000);
    `);
    const parent = node(dashboard, [JSON.stringify(opts)], { detached: true }); // its own group, like a terminal's job
    const out = stdoutOf(parent);
    const run = JSON.parse(await waitFor(() => out().trim(), 'the dashboard to launch'));
    track(run.pid);
    expect(readProcStat(run.pid)?.ppid).toBe(parent.pid);

    const gone = new Promise((r) => parent.once('exit', r));
    process.kill(-parent.pid!, 'SIGHUP'); // the terminal closing
    process.kill(parent.pid!, 'SIGKILL'); // and the dashboard crashing, in case it survived the hangup
    await gone;
    expect(isAlive(run.pid, run.procStart)).toBe(true);

    // A new dashboard finds the run from runs.jsonl and watches it by polling /proc.
    const found = findAttachable(await readRuns(opts.stateDir, null));
    expect(found.attachable?.id).toBe(run.id);
    const ended = new Promise<ExitInfo>((resolve) => watchProcess(run.pid, run.procStart, { pollMs: 20, onExit: resolve }));
    writeFileSync(gate, ''); // only now does the child write its lines and finish
    expect(await ended).toMatchObject({ exitCode: null, signal: null });
    expect(readText(opts.logFile)).toBe(`ready\n${expectedLines(20)}\n`);
    expect(findAttachable(await readRuns(opts.stateDir, null)).ended.map((r) => r.id)).toEqual([run.id]);
  });

  test('a command that does not exist fails to start, recorded as such, nothing left running', async () => {
    const opts = setup(() => ['no-such-backfill-command-xyz', '--csv=x']);
    writeFileSync(opts.logFile, 'before\n');
    const result = await launch(opts);
    expect(result).toMatchObject({ ok: false, reason: 'Command not found: no-such-backfill-command-xyz', firstOutput: '' });
    const [run] = await readRuns(opts.stateDir, null);
    expect(run).toMatchObject({ pid: null, end: { reason: 'failed-to-start', message: 'Command not found: no-such-backfill-command-xyz' } });
    expect(readText(opts.logFile)).toBe('before\n');
  });

  test('a command that exits at once with an error: the reason and its first output', async () => {
    const opts = setup(() => [process.execPath, '-e', 'process.stderr.write("usage: job.py --service-url URL\\n"); process.exit(3)']);
    writeFileSync(opts.logFile, 'x'.repeat(5000) + '\n');
    const result = await launch({ ...opts, startWindowMs: 10_000 }); // the exit ends the wait long before
    if (result.ok) throw new Error('expected a failure');
    track(result.run.pid);
    expect(result.reason).toBe(`${process.execPath} exited with code 3 right after starting`);
    expect(result.firstOutput).toBe('usage: job.py --service-url URL\n');
    const [run] = await readRuns(opts.stateDir, null);
    expect(run).toMatchObject({ pid: result.run.pid, end: { reason: 'failed-to-start', exitCode: 3 } });
  });

  // Tester W15: /bin/false read as `launched run … pid N` then `ended · 0:01` and an "ended without a summary" alert:
  // it exited while its launch record was being written (an fsync), before the start window listened for an exit.
  test('a command that has exited before its launch record is written still fails to start, with its exit code', async () => {
    const opts = setup(() => ['/bin/false']);
    /** Holds the launch (synchronously, in the spawn's own tick) until the child is dead: its exit comes during the record's write. */
    const untilDead = (pid: number) => {
      const pause = new Int32Array(new SharedArrayBuffer(4));
      const deadline = Date.now() + 10_000;
      while (!/^[ZX]/.test(readProcStat(pid)?.state ?? 'X')) {
        if (Date.now() > deadline) throw new Error(`pid ${pid} did not exit`);
        Atomics.wait(pause, 0, 0, 5);
      }
    };
    const result = await launch({ ...opts, startWindowMs: 10_000, onSpawn: untilDead });
    if (result.ok) throw new Error('expected a failure to start');
    expect(result.reason).toBe('/bin/false exited with code 1 right after starting');
    const [run] = await readRuns(opts.stateDir, null);
    expect(run).toMatchObject({ end: { reason: 'failed-to-start', exitCode: 1 } });
  });

  test('first output is capped at 2 KB', async () => {
    const opts = setup(() => [process.execPath, '-e', 'process.stdout.write("y".repeat(10000)); process.exitCode = 1']);
    const result = await launch({ ...opts, startWindowMs: 10_000 });
    if (result.ok) throw new Error('expected a failure');
    expect(result.firstOutput).toBe('y'.repeat(2048));
  });

  test('a missing working directory fails to start with that reason', async () => {
    const opts = setup(() => [process.execPath, '-e', '0']);
    const result = await launch({ ...opts, cwd: join(opts.cwd, 'nope') });
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/working directory .*nope does not exist/) });
  });

  test('a log that cannot be opened fails to start with the reason, before anything is spawned', async () => {
    const opts = setup(() => [process.execPath, '-e', '0']);
    writeFileSync(join(opts.cwd, 'logs'), 'a file where a directory should be');
    const result = await launch({ ...opts, logFile: join(opts.cwd, 'logs', 'job.log') });
    expect(result).toMatchObject({
      ok: false, run: { pid: null },
      reason: expect.stringMatching(/^Cannot write the log .*job\.log: .*\/logs is a file, not a directory \(EEXIST\)$/),
    });
    expect((await readRuns(opts.stateDir, null))[0].end?.reason).toBe('failed-to-start');
  });

  test('env additions reach the child; a clean quick exit is a run, and the watcher still hears it', async () => {
    const opts = setup(() => [process.execPath, '-e', 'process.stdout.write("unbuffered=" + process.env.PYTHONUNBUFFERED + "\\n")']);
    const result = await launch({ ...opts, startWindowMs: 5000 });
    if (!result.ok) throw new Error(result.reason);
    const ended = await new Promise<ExitInfo>((resolve) =>
      watchProcess(result.run.pid!, result.run.procStart, { child: result.child, onExit: resolve }));
    expect(ended.exitCode).toBe(0);
    expect(readText(opts.logFile)).toBe('unbuffered=1\n');
  });
});
