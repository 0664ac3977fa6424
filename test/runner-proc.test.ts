import { afterEach, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { isAlive, parseProcStat, procStartOf, readProcStat } from '../src/runner/proc.js';
import { cleanup, deadPid, track, waitFor } from './runner-support.js';

afterEach(cleanup);

describe('parseProcStat', () => {
  test('a command name with spaces and parentheses does not shift the fields', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field numbers from 3 on
    fields[0] = 'S';
    const stat = parseProcStat(`4242 (we (i) rd) ${fields.join(' ')}`);
    expect(stat).toEqual({ state: 'S', ppid: 4, pgrp: 5, session: 6, startTime: 22 });
  });

  test.each(['', 'garbage', '12 (x) S 1 2'])('%j is not a stat line', (text) => {
    expect(parseProcStat(text)).toBeNull();
  });
});

describe('isAlive', () => {
  test('our own process, with its start time, is alive', () => {
    expect(isAlive(process.pid, procStartOf(process.pid))).toBe(true);
    expect(readProcStat(process.pid)?.ppid).toBe(process.ppid);
  });

  test('a recorded pid now used by another process (start time differs) is not ours', () => {
    const start = procStartOf(process.pid)!;
    expect(isAlive(process.pid, start + 1)).toBe(false);
    expect(isAlive(process.pid, start - 1)).toBe(false);
  });

  test('a process that has exited is not alive', async () => {
    expect(isAlive(await deadPid(), 0)).toBe(false);
  });

  test('a child that exits is alive until it exits, then not (a zombie counts as gone)', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    track(child.pid);
    const start = procStartOf(child.pid!);
    expect(isAlive(child.pid!, start)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !isAlive(child.pid!, start), 'the child to be gone');
  });

  test('no pid or a nonsense pid is never alive', () => {
    expect(isAlive(null, 1)).toBe(false);
    expect(isAlive(0, null)).toBe(false);
    expect(isAlive(-1, null)).toBe(false);
  });
});
