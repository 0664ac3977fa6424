import { afterEach, describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findAttachable } from '../src/runner/attach.js';
import { isAlive, procStartOf, readPsStart } from '../src/runner/proc.js';
import { appendRunRecord, readRuns } from '../src/runner/runs-file.js';
import { killRun, stopRun } from '../src/runner/stop.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { cleanup, deadPid, tempDir, track, waitFor } from './runner-support.js';

const runtimes: Runtime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  cleanup();
});

/** An unrelated process in its own process group (as a backfill of ours would be), alive until killed. */
function unrelatedSleeper(): number {
  const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  child.unref();
  track(child.pid);
  return child.pid!;
}

/** Alive by signal 0: the only check that needs no recorded identity. */
function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('process identity without /proc: ps -o lstart=', () => {
  test('our own process is proven alive by its ps start time; another start time or a dead pid is not', async () => {
    const start = procStartOf(process.pid, 'ps');
    expect(start).toMatch(/^ps:[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ \d\d:\d\d:\d\d \d{4}$/);
    expect(isAlive(process.pid, start)).toBe(true);
    expect(isAlive(process.pid, 'ps:Mon Jan 1 00:00:00 2001')).toBe(false);
    expect(isAlive(await deadPid(), start)).toBe(false);
  });

  test('the ps start time is read in UTC, so a dashboard in another zone reads the same text', () => {
    const here = readPsStart(process.pid)!.start;
    const tz = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(readPsStart(process.pid)!.start).toBe(here);
    } finally {
      process.env.TZ = tz;
    }
  });

  test('a child that exits is alive by ps until it exits, then not', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    track(child.pid);
    const start = procStartOf(child.pid!, 'ps');
    expect(isAlive(child.pid!, start)).toBe(true);
    child.kill('SIGKILL');
    await waitFor(() => !isAlive(child.pid!, start), 'the child to be gone by ps');
  });
});

describe('a run record without a start time', () => {
  test('is never taken as alive, so stop and kill never signal the process under its pid', async () => {
    const pid = unrelatedSleeper();
    expect(isAlive(pid, null)).toBe(false);
    expect(await stopRun(pid, null, { graceMs: 50 })).toBe('exited');
    expect(await killRun(pid, null, 50)).toBe(true);
    expect(exists(pid)).toBe(true);
  });

  test('is neither attached nor called ended while its pid exists; ended once that pid is gone', async () => {
    const pid = unrelatedSleeper();
    const gone = await deadPid();
    const rec = (id: string, p: number, startedAt: number) => ({
      type: 'launch' as const, id, label: 'resume' as const, argv: ['x'], cwd: '/', keysFile: null, keyCount: 1, pid: p, procStart: null, log: '/l', startedAt,
    });
    const state = tempDir();
    await appendRunRecord(state, rec('r1', pid, 2));
    await appendRunRecord(state, rec('r0', gone, 1));
    const found = findAttachable(await readRuns(state, null));
    expect(found.attachable).toBeNull();
    expect(found.unproven.map((r) => r.id)).toEqual(['r1']);
    expect(found.ended.map((r) => r.id)).toEqual(['r0']);
  });

  test('the dashboard does not re-attach to it, says why, and x then y leaves the unrelated process running', async () => {
    const pid = unrelatedSleeper();
    const dir = tempDir();
    const state = join(dir, '.backfill-tui');
    mkdirSync(state);
    writeFileSync(join(dir, 'backfill.log'), '');
    await appendRunRecord(state, {
      type: 'launch', id: 'r1', label: 'resume', argv: ['python', 'job.py'], cwd: dir, keysFile: null, keyCount: 3, pid, procStart: null, log: join(dir, 'backfill.log'), startedAt: Date.now(),
    });
    writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'id', log: 'backfill.log', keepAwake: false, command: ['true'] }));
    const r = startRuntime(loadConfig({ file: join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    const said = await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.includes('cannot be proven')), 'the unproven notice');
    expect(said.text).toBe(`run r1 (pid ${pid}) has no recorded start time, so pid ${pid} cannot be proven to be it: not attached and never signalled from here`);
    expect(r.store.getState().process).toMatchObject({ attached: false, runId: null });
    r.controller.onIntent('stop');
    expect(r.store.getState().ui.confirm).toBeNull();
    r.controller.onIntent('confirm-yes');
    expect(exists(pid)).toBe(true);
    const runs = await readRuns(state, null);
    expect(runs[0].end).toBeNull(); // not recorded as ended either: it cannot be said
  });
});
