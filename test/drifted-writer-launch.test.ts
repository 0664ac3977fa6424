import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { unwatchedEnd } from '../src/app/unwatched-end.js';
import { initialState } from '../src/state/app-state.js';
import { currentFigures } from '../src/state/current-figures.js';
import { launchOfRun } from '../src/state/run-notes.js';
import { emptyRun } from '../src/state/run.js';
import { stoppedByRecord } from '../src/state/writer.js';
import { assertFreshDist } from './support/dist.js';
import { CLI } from './support/cli.js';
import { waitFor } from './support/wait-for.js';
import { killRunGroups } from './support/run-groups.js';

// Tester AA1: a run launched here whose writer's clock is 10 min off ours (a VM, a container, another host: no zone).
// Its launch record is on our clock, its lines on the writer's: compared as they were, its run began 10 min before its
// own launch, so `status` seeded a phantom `0/60` run from the launch and filed the real one as `ended`, and the
// dashboard's elapsed read `0:00` for the whole run. The real simulator, launched by the real runtime.
assertFreshDist();
let dir: string;
const runtimes: Runtime[] = [];
const runPids: number[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-drift-'));
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  killRunGroups(runPids);
  removeDir(dir);
});

const KEYS = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));
const MIN = 60_000;

describe('a launched run whose writer\'s clock is 10 min off ours', () => {
  test.each([
    ['behind', -10 * MIN, null],
    ['ahead', 10 * MIN, null],
    // The same class with a right clock and a wrong `timezone` (the script writes UTC, read as Tokyo): 9 h behind.
    ['9 h behind by a wrong "timezone"', 0, 'Asia/Tokyo'],
  ])('%s: the dashboard and status both read the real run, with its true elapsed time', async (_, offset, timezone) => {
    writeFileSync(path.join(dir, 'expected.txt'), KEYS.join('\n') + '\n');
    mkdirSync(path.join(dir, 'st'));
    // The writer's clock: our clock now, put `offset` away (--clock-start), then running at our pace (--speed=1).
    const clockStart = offset === 0 ? [] : [`--clock-start=${new Date(Date.now() + offset).toISOString().replace(/\.\d+Z$/, 'Z')}`];
    const config = {
      job: 'drift', log: 'bf.log', expected: 'expected.txt', storage: { url: 'st', pollSeconds: 1 }, keepAwake: false, workers: 2, timeout: 30, ...(timezone ? { timezone } : {}),
      command: [process.execPath, CLI, 'sim', '--csv={keysFile}', '--workers={workers}', '--timeout={timeout}', '--storage=st', '--failed-dir=.', '--speed=1', '--mean-seconds=1', ...clockStart, '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'],
    };
    const file = path.join(dir, 'backfill-tui.config.json');
    writeFileSync(file, JSON.stringify(config));
    const r = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    const state = () => r.store.getState();
    await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked, 'ready', 30_000);
    r.controller.onIntent('resume');
    await waitFor(() => state().ui.confirm, 'the resume box', 30_000);
    r.controller.onIntent('confirm-yes');
    runPids.push(await waitFor(() => state().process.pid, 'the run\'s pid', 30_000));
    await waitFor(() => (state().log.current?.succeeded ?? 0) >= 3 || null, 'three keys scraped', 60_000);

    // The dashboard: one run, its own, elapsed since its launch (minutes, not 0:00, not 10 min).
    const launchedAt = state().process.history.at(-1)!.startedAt;
    let f = currentFigures(state());
    expect(f.status).toBe('running');
    expect(state().log.history).toHaveLength(0);
    expect(f.elapsedMs!).toBeGreaterThan(0);
    expect(f.elapsedMs!).toBeLessThanOrEqual(Date.now() - launchedAt + 2_000);

    // status beside it: the same run, running, its keys counted; no earlier run.
    const snap = await collectSnapshot(loadConfig({ file, cwd: dir }), { sources: false });
    f = currentFigures(snap);
    expect(f.status).toBe('running');
    expect(f.done).toBeGreaterThanOrEqual(3);
    expect(snap.log.history).toHaveLength(0);
    expect(f.elapsedMs!).toBeGreaterThan(0);
    expect(f.elapsedMs!).toBeLessThanOrEqual(Date.now() - launchedAt + 2_000);
    const json = statusJson(snap);
    expect(json.runs).toEqual([]);
    expect(json.run.done).toBeGreaterThanOrEqual(3);
  }, 120_000);
});

describe('the other places a launch record meets the log\'s times, with the writer 10 min behind', () => {
  const launch = Date.UTC(2026, 11, 1, 7, 0, 0);
  const behind = 10 * MIN;
  // The launch's run on the log's clock: its banner 2 s after the launch, its last line 5 min later.
  const run = { ...emptyRun(), startedAt: launch - behind + 2_000, lastActivityAt: launch - behind + 5 * MIN, hasActivity: true, succeeded: 7 };
  const rec = { id: 'resume-1', label: 'resume', keyCount: 40, keysFile: '/k.txt', keysGiven: true, pid: 9, startedAt: launch, endedAt: null, exitCode: null, reason: null, counts: null };

  test('the keys-read note finds its launch; the end of a run that ended unwatched is on our clock', () => {
    expect(launchOfRun(run, [rec], [], behind)).toBe(rec);
    expect(launchOfRun(run, [rec], [], null)).toBeNull();
    expect(unwatchedEnd(rec, { current: run, history: [], clockBehindMs: behind })).toMatchObject({ endedAt: launch + 5 * MIN, reason: 'ended' });
    expect(unwatchedEnd(rec, { current: run, history: [] }).reason).toBe('gone');
  });

  test('a stop record of that launch makes its run stopped, not a run begun after it', () => {
    const s0 = initialState({ job: 'j', log: '/x.log', now: launch + 6 * MIN, targets: [] });
    const stopped = { ...rec, endedAt: launch + 5 * MIN, reason: 'stopped' };
    const s = { ...s0, log: { ...s0.log, current: run, clockBehindMs: behind }, process: { ...s0.process, runId: 'resume-1', writersChecked: true, writersCheckedAt: launch + 6 * MIN, history: [stopped] } };
    expect(stoppedByRecord(s)).toBe(true);
    expect(stoppedByRecord({ ...s, log: { ...s.log, clockBehindMs: null } })).toBe(false);
  });
});
