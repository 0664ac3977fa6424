import { expect, test } from 'vitest';
import { initialState, type AppState } from '../src/state/app-state.js';
import { emptyRun } from '../src/state/run.js';
import { writerOf } from '../src/state/writer.js';

const T = Date.UTC(2025, 10, 26, 23, 0, 0);

function state(patch: Partial<AppState['process']>, lastActivityAt: number | null): AppState {
  const s = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  return { ...s, log: { ...s.log, current: lastActivityAt === null ? null : { ...emptyRun(), lastActivityAt } }, process: { ...s.process, ...patch } };
}

test.each([
  ['nothing known', {}, T, null],
  ['our run, alive', { pid: 10, alive: true }, T, true],
  ['our run, gone', { pid: 10, alive: false }, T, false],
  ['stopped by us', { stopped: true }, T, false],
  ['someone else writes the log', { external: true, externalPids: [42] }, T, true],
  ['nobody had it open when we looked, and nothing was written since', { writersChecked: true, writersCheckedAt: T + 1000 }, T, false],
  ['nobody had it open when we looked, but a line came after: unknown, not ended', { writersChecked: true, writersCheckedAt: T - 1000 }, T, null],
] as const)('%s', (_name, patch, last, alive) => {
  expect(writerOf(state(patch, last)).alive).toBe(alive);
});

test('a run runs.jsonl records as stopped (by another dashboard) is stopped here too; an older stopped record is not this run', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  const run = { ...emptyRun(), startedAt: T - 600_000, lastActivityAt: T - 60_000 };
  const rec = { id: 'resume-1', label: 'resume', keyCount: 3, keysFile: null, pid: 77, startedAt: T - 601_000, endedAt: T - 30_000, exitCode: null, reason: 'stopped' };
  const s = { ...s0, log: { ...s0.log, current: run }, process: { ...s0.process, writersChecked: true, writersCheckedAt: T, history: [rec] } };
  expect(writerOf(s)).toEqual({ alive: false, stopped: true });
  // A stopped run from hours before this run started says nothing about it: this one simply ended.
  const old = { ...s, process: { ...s.process, history: [{ ...rec, startedAt: T - 5 * 3_600_000, endedAt: T - 4 * 3_600_000 }] } };
  expect(writerOf(old)).toEqual({ alive: false });
});
