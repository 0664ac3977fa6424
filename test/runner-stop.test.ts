import { afterEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { launch } from '../src/runner/launch.js';
import { isAlive, procStartOf } from '../src/runner/proc.js';
import { killRun, stopRun, type StopPhase } from '../src/runner/stop.js';
import { cleanup, node, readText, STUBBORN_SCRIPT, tempDir, track, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

/** Launches the stubborn script ignoring `ignore` and waits until its handlers are in place. */
async function startStubborn(ignore: string, fork = false) {
  const dir = tempDir();
  const logFile = join(dir, 'job.log');
  const script = writeScript(dir, 'stubborn.mjs', STUBBORN_SCRIPT);
  const result = await launch({
    argv: [process.execPath, script, ignore, ...(fork ? ['fork'] : [])], cwd: dir, env: {}, logFile,
    stateDir: join(dir, 'state'), keysFile: null, keyCount: 0, label: 'launch', startWindowMs: 50,
  });
  if (!result.ok) throw new Error(result.reason);
  const { pid, procStart } = result.run as { pid: number; procStart: number };
  track(pid);
  const readyCount = fork ? 2 : 1;
  await waitFor(() => (readText(logFile).match(/^ready/gm) ?? []).length === readyCount, 'the child to be ready');
  const pids = [...readText(logFile).matchAll(/^ready (\d+)/gm)].map((m) => Number(m[1]));
  pids.forEach(track);
  return { pid, procStart, logFile, pids: pids.map((p) => ({ pid: p, procStart: procStartOf(p) })) };
}

describe('stopRun', () => {
  test('a run that honours SIGINT ends on it; SIGTERM is never sent', async () => {
    const run = await startStubborn('');
    const phases: StopPhase[] = [];
    expect(await stopRun(run.pid, run.procStart, { graceMs: 5000, onPhase: (p) => phases.push(p) })).toBe('exited');
    expect(phases).toEqual(['sigint']);
    expect(isAlive(run.pid, run.procStart)).toBe(false);
  });

  test('a run that ignores SIGINT ends on SIGTERM after the grace period', async () => {
    const run = await startStubborn('SIGINT');
    const phases: StopPhase[] = [];
    expect(await stopRun(run.pid, run.procStart, { graceMs: 300, onPhase: (p) => phases.push(p) })).toBe('exited');
    expect(phases).toEqual(['sigint', 'sigterm']);
    expect(readText(run.logFile)).toContain(`got SIGINT ${run.pid}`);
    expect(isAlive(run.pid, run.procStart)).toBe(false);
  });

  test('a run that ignores both needs a kill; killRun ends its whole process group', async () => {
    const run = await startStubborn('SIGINT,SIGTERM', true);
    expect(run.pids).toHaveLength(2); // the run and its own child, in one group
    const phases: StopPhase[] = [];
    expect(await stopRun(run.pid, run.procStart, { graceMs: 200, onPhase: (p) => phases.push(p) })).toBe('needs-kill');
    expect(phases).toEqual(['sigint', 'sigterm', 'waiting-kill-confirm']);
    // The group got the signals: both processes say so, and both still live.
    for (const p of run.pids) {
      await waitFor(() => readText(run.logFile).includes(`got SIGTERM ${p.pid}`), `SIGTERM reaching ${p.pid}`);
      expect(isAlive(p.pid, p.procStart)).toBe(true);
    }
    expect(await killRun(run.pid, run.procStart)).toBe(true);
    for (const p of run.pids) await waitFor(() => !isAlive(p.pid, p.procStart), `${p.pid} to be killed`);
  });

  test('a recorded pid that now names another process is never signalled', async () => {
    // A group leader that SIGINT would kill: if anything reached it, it would be gone.
    const bystander = node(writeScript(tempDir(), 'idle.mjs', 'setInterval(() => {}, 1000);'), [], { detached: true });
    const realStart = procStartOf(bystander.pid!)!;
    expect(await stopRun(bystander.pid!, realStart + 1, { graceMs: 100 })).toBe('exited');
    expect(await killRun(bystander.pid!, realStart + 1)).toBe(true);
    expect(isAlive(bystander.pid!, realStart)).toBe(true);
  });

  test('an abort ends the wait', async () => {
    const run = await startStubborn('SIGINT,SIGTERM');
    const ctrl = new AbortController();
    const stopping = stopRun(run.pid, run.procStart, {
      graceMs: 60_000, signal: ctrl.signal, onPhase: (p) => p === 'sigint' && ctrl.abort(new Error('quit')),
    });
    await expect(stopping).rejects.toThrow('quit');
  });
});
