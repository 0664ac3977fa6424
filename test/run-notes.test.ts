import { describe, expect, test } from 'vitest';
import type { RecordedRun } from '../src/state/app-state.js';
import { launchOfCurrentRun, launchOfRun, runNotes } from '../src/state/run-notes.js';
import { initialState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { emptyRun } from '../src/state/run.js';

const T0 = Date.UTC(2026, 10, 30, 10, 58, 23);
const launch = (id: string, startedAt: number, keyCount: number): RecordedRun => ({
  id, label: 'resume', keyCount, keysFile: null, pid: 516, startedAt, endedAt: null, exitCode: null, reason: null,
});

describe('the script read another number of keys than were launched (tester U9)', () => {
  test('a run whose Loaded line says 5,298 after a launch of 5,299 keys says so', () => {
    const run = { ...emptyRun(), startedAt: T0 + 1_500, total: 5298 };
    const launched = launchOfRun(run, [launch('older', T0 - 3_600_000, 40), launch('resume-x', T0, 5299)]);
    expect(launched?.id).toBe('resume-x');
    expect(runNotes(run, launched)).toEqual(['the script read 5,298 of the 5,299 keys launched']);
  });

  test('no note when the counts agree, the total is not read yet, or the run was not launched from here', () => {
    const history = [launch('resume-x', T0, 5299)];
    expect(runNotes({ ...emptyRun(), startedAt: T0 + 1_500, total: 5299 }, launchOfRun({ ...emptyRun(), startedAt: T0 + 1_500 }, history))).toEqual([]);
    expect(runNotes({ ...emptyRun(), startedAt: T0 + 1_500, total: null }, history[0])).toEqual([]);
    // A run started by hand an hour later matches no launch.
    expect(launchOfRun({ ...emptyRun(), startedAt: T0 + 3_600_000, total: 10 }, history)).toBeNull();
    expect(launchOfRun({ ...emptyRun(), startedAt: null, total: 10 }, history)).toBeNull();
  });
});

describe('one launch matcher: a launch record matches only a run whose first line came after it (tester U19)', () => {
  test('a run started by hand 60 s before a launch from here is not that launch\'s run (no false keys-read note)', () => {
    // The previous run (4 keys, started by hand) is still the log's current run when the new launch is recorded.
    const old = { ...emptyRun(), startedAt: T0 - 60_000, total: 4 };
    expect(launchOfRun(old, [launch('resume-new', T0, 235)])).toBeNull();
    expect(runNotes(old, launchOfRun(old, [launch('resume-new', T0, 235)]))).toEqual([]);
  });

  test('of two records, the one made before the run\'s first line wins over a nearer one made after it', () => {
    const run = { ...emptyRun(), startedAt: T0 + 40_000, total: 4 };
    expect(launchOfRun(run, [launch('mine', T0, 4), launch('next', T0 + 60_000, 235)])?.id).toBe('mine');
  });

  test('a first line in the same second as its launch record (log times and file names have whole seconds) still matches', () => {
    expect(launchOfRun({ ...emptyRun(), startedAt: T0 }, [launch('mine', T0 + 700, 4)])?.id).toBe('mine');
  });
});

describe('tester V1: a launch matches one run at most, never after its end, never an external one', () => {
  const stopped = { ...launch('resume-x', T0, 5299), endedAt: T0 + 57_000, reason: 'stopped' };
  const hand = { ...emptyRun(), startedAt: T0 + 70_000, total: 199 };
  test('a run started by hand after the launch\'s run was stopped gets no keys-read note', () => {
    expect(launchOfRun(hand, [stopped])).toBeNull();
    // Its own run, begun before the stop, is still that launch's.
    expect(launchOfRun({ ...emptyRun(), startedAt: T0 + 2_000 }, [stopped])?.id).toBe('resume-x');
  });

  test('with no end recorded (the dashboard was killed), the first run after the launch is its run, not a second one', () => {
    const open = launch('resume-x', T0, 5299);
    expect(launchOfRun(hand, [open], [T0 + 2_000])).toBeNull();
    expect(launchOfRun(hand, [open], [])?.id).toBe('resume-x');
  });

  test('the job screen and status: no note while a process not started here writes the log, or for a Cloud Run execution started elsewhere', () => {
    const s0 = initialState({ job: 'j', log: '/x.log', now: T0, targets: [] });
    const open = launch('resume-x', T0, 5299);
    const s = { ...s0, log: { ...s0.log, current: hand }, process: { ...s0.process, history: [open] } };
    expect(launchOfCurrentRun(s)?.id).toBe('resume-x');
    expect(launchOfCurrentRun({ ...s, process: { ...s.process, external: true, externalPids: [5] } })).toBeNull();
    const place = initialPlaceState('Cloud Run job j (r)', 60_000);
    expect(launchOfCurrentRun({ ...s, place: { ...place, ours: false } })).toBeNull();
    expect(launchOfCurrentRun({ ...s, place: { ...place, ours: true } })?.id).toBe('resume-x');
  });
});
