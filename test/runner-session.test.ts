import { afterEach, describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { findAttachable } from '../src/runner/attach.js';
import { launch } from '../src/runner/launch.js';
import { isAlive, procStartOf } from '../src/runner/proc.js';
import { appendRunRecord, readRuns } from '../src/runner/runs-file.js';
import { ignoresSignal, runProcesses, type Survivor } from '../src/runner/session.js';
import { stopRun, type StopPhase } from '../src/runner/stop.js';
import { watchProcess, type ExitInfo } from '../src/runner/watch.js';
import { cleanup, readText, tempDir, track, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

/**
 * The backfill: says its pid, then lives with no signal handler of its own, keeping the dispositions it was given (as
 * Python does for an ignored SIGINT: Node would reset them). SIGTERM's default action ends it.
 */
const BACKFILL = '#!/bin/sh\necho "backfill $$"\nexec sleep 600\n';

/**
 * Tester W24: a \`command\` that starts the backfill in the background and returns, as a run_backfill.sh does with
 * \`nohup python … &\`. Its shell runs the backfill with SIGINT ignored (POSIX: job control is off in a script).
 */
async function launchWrapper(exitCode = 0) {
  const dir = tempDir();
  const logFile = join(dir, 'job.log');
  const backfill = writeScript(dir, 'backfill.sh', BACKFILL);
  const wrapper = writeScript(dir, 'run_backfill.sh', `#!/bin/sh\nnohup /bin/sh "${backfill}" &\necho started\nexit ${exitCode}\n`);
  const stateDir = join(dir, 'state');
  const result = await launch({ argv: ['/bin/sh', wrapper], cwd: dir, env: {}, logFile, stateDir, keysFile: null, keyCount: 0, label: 'launch', startWindowMs: 2000 });
  if (!result.ok) throw new Error(result.reason);
  const { pid, procStart } = result.run as { pid: number; procStart: number };
  track(pid);
  const backfillPid = Number((await waitFor(() => /^backfill (\d+)/m.exec(readText(logFile)), 'the backfill to start'))[1]);
  track(backfillPid);
  return { dir, logFile, stateDir, pid, procStart, child: result.child, backfill: { pid: backfillPid, procStart: procStartOf(backfillPid)! }, id: result.run.id };
}

describe('a command that leaves the backfill running in its session (tester W24)', () => {
  test('the launch is a run going, the watch reports what was left and ends only when the session is empty', async () => {
    const run = await launchWrapper();
    const left: Array<{ info: ExitInfo; pids: Survivor[]; record: boolean }> = [];
    const ended: ExitInfo[] = [];
    watchProcess(run.pid, run.procStart, { child: run.child, pollMs: 20, onLeft: (info, pids, record) => left.push({ info, pids, record }), onExit: (i) => ended.push(i) });
    await waitFor(() => left.length > 0, 'the wrapper exit to be reported');
    expect(left[0]).toMatchObject({ info: { exitCode: 0, signal: null }, pids: [run.backfill], record: true });
    expect(isAlive(run.pid, run.procStart)).toBe(false);
    // Still the run's: every process of its session, the backfill's group among them.
    expect(runProcesses({ pid: run.pid, procStart: run.procStart, left: left[0].pids }).map((m) => m.pid)).toEqual([run.backfill.pid]);
    expect(ended).toEqual([]);
    process.kill(run.backfill.pid, 'SIGKILL');
    await waitFor(() => ended.length === 1, 'the end once the session is empty');
    expect(ended[0]).toMatchObject({ exitCode: null, signal: null });
  });

  test('a wrapper that exits non-zero after starting the backfill is a run going, not a failed start', async () => {
    const run = await launchWrapper(3);
    expect(isAlive(run.backfill.pid, run.backfill.procStart)).toBe(true);
  });

  test('x stops it: SIGINT is ignored by a backfill started with & by a script, so SIGTERM goes at once to its group', async () => {
    const run = await launchWrapper();
    await waitFor(() => !isAlive(run.pid, run.procStart), 'the wrapper to exit');
    expect(ignoresSignal(run.backfill.pid, 'SIGINT')).toBe(true);
    expect(ignoresSignal(process.pid, 'SIGINT')).toBe(false);
    const phases: StopPhase[] = [];
    const skipped: number[][] = [];
    // A grace far beyond the test's deadline: only a SIGTERM sent without waiting it out can end this in time.
    const result = await stopRun(run.pid, run.procStart, { graceMs: 600_000, left: [run.backfill], onPhase: (p) => phases.push(p), onSkip: (_s, pids) => skipped.push(pids) });
    expect(result).toBe('exited');
    expect(phases).toEqual(['sigterm']);
    expect(skipped).toEqual([[run.backfill.pid]]);
    expect(isAlive(run.backfill.pid, run.backfill.procStart)).toBe(false);
  });

  test('after a restart the `left` record makes the run attachable; when its survivors are gone, or another process holds their pid, it is not', async () => {
    const run = await launchWrapper();
    await waitFor(() => !isAlive(run.pid, run.procStart), 'the wrapper to exit');
    // Without the record nothing proves the session is the run's: found ended, never attached or signalled.
    expect(findAttachable(await readRuns(run.stateDir, null)).attachable).toBeNull();
    await appendRunRecord(run.stateDir, { type: 'left', id: run.id, at: 1, exitCode: 0, signal: null, pids: [run.backfill] });
    const runs = await readRuns(run.stateDir, null);
    expect(runs[0].left).toMatchObject({ exitCode: 0, pids: [run.backfill] });
    expect(findAttachable(runs).attachable?.id).toBe(run.id);
    // A survivor recorded with another start time is another process under a reused pid: proves nothing.
    const reused = runs.map((r) => ({ ...r, left: { ...r.left!, pids: [{ pid: run.backfill.pid, procStart: run.backfill.procStart + 1 }] } }));
    expect(findAttachable(reused).attachable).toBeNull();
    expect(await stopRun(run.pid, run.procStart, { graceMs: 100, left: reused[0].left!.pids })).toBe('exited');
    expect(isAlive(run.backfill.pid, run.backfill.procStart)).toBe(true);
    process.kill(run.backfill.pid, 'SIGKILL');
    await waitFor(() => !isAlive(run.backfill.pid, run.backfill.procStart), 'the backfill to die');
    expect(findAttachable(await readRuns(run.stateDir, null)).ended.map((r) => r.id)).toEqual([run.id]);
  });
});
