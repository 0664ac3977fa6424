import { describe, expect, test } from 'vitest';
import type { RecordedRun } from '../src/state/app-state.js';
import { launchOfRun, runNotes } from '../src/state/run-notes.js';
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
