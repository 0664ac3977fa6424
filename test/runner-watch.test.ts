import { afterEach, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { procStartOf } from '../src/runner/proc.js';
import { watchProcess, type ExitInfo } from '../src/runner/watch.js';
import { cleanup, node, tempDir, track, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

const idle = () => node(writeScript(tempDir(), 'idle.mjs', 'setInterval(() => {}, 1000);'));

describe('watchProcess', () => {
  test('with our child handle: the exit code and signal', async () => {
    const child = spawn(process.execPath, ['-e', 'process.exit(7)'], { stdio: 'ignore' });
    track(child.pid);
    const info = await new Promise<ExitInfo>((resolve) => watchProcess(child.pid!, null, { child, onExit: resolve, now: () => 42 }));
    expect(info).toEqual({ exitCode: 7, signal: null, at: 42, seenAliveAt: 42 });

    const killed = idle();
    const gone = new Promise<ExitInfo>((resolve) => watchProcess(killed.pid!, null, { child: killed, onExit: resolve }));
    killed.kill('SIGTERM');
    expect(await gone).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  test('re-attached (no handle): /proc is polled and the end is seen, code unknown', async () => {
    const proc = idle();
    const seen: ExitInfo[] = [];
    watchProcess(proc.pid!, procStartOf(proc.pid!), { pollMs: 10, onExit: (i) => seen.push(i) });
    proc.kill('SIGKILL');
    await waitFor(() => seen.length === 1, 'the end to be seen');
    expect(seen[0]).toMatchObject({ exitCode: null, signal: null });
  });

  test('a process already gone (or a reused pid) ends at the first look', () => {
    const seen: ExitInfo[] = [];
    watchProcess(process.pid, procStartOf(process.pid)! + 1, { onExit: (i) => seen.push(i) });
    expect(seen).toHaveLength(1);
  });

  test('after cleanup or abort nothing is reported', async () => {
    const [a, b] = [idle(), idle()];
    const seen: string[] = [];
    const stop = watchProcess(a.pid!, procStartOf(a.pid!), { pollMs: 10, onExit: () => seen.push('a') });
    // A control watcher with the same period: once it has seen the end, the stopped one would have too.
    watchProcess(a.pid!, procStartOf(a.pid!), { pollMs: 10, onExit: () => seen.push('control') });
    const ctrl = new AbortController();
    watchProcess(b.pid!, null, { child: b, signal: ctrl.signal, onExit: () => seen.push('b') });
    stop();
    ctrl.abort();
    const exits = [a, b].map((c) => new Promise((r) => c.once('exit', r)));
    a.kill('SIGKILL');
    b.kill('SIGKILL');
    await Promise.all(exits);
    await waitFor(() => seen.includes('control'), 'the control watcher');
    expect(seen).toEqual(['control']);
  });
});
