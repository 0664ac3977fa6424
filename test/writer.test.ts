import { expect, test } from 'vitest';
import { initialState, type AppState } from '../src/state/app-state.js';
import { emptyRun } from '../src/state/run.js';
import { writerOf } from '../src/state/writer.js';
import { runStatus } from '../src/state/run-view.js';

const T = Date.UTC(2025, 10, 26, 23, 0, 0);

function state(patch: Partial<AppState['process']>, lastActivityAt: number | null, modifiedAt: number | null = null): AppState {
  const s = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  return { ...s, log: { ...s.log, modifiedAt, current: lastActivityAt === null ? null : { ...emptyRun(), lastActivityAt } }, process: { ...s.process, ...patch } };
}

test.each([
  ['nothing known', {}, T, null],
  ['our run, alive', { pid: 10, alive: true }, T, true],
  ['our run, gone', { pid: 10, alive: false }, T, false],
  ['stopped by us', { stopped: true }, T, false],
  ['someone else writes the log', { external: true, externalPids: [42] }, T, true],
  ['nobody had it open when we looked, and nothing was written since', { writersChecked: true, writersCheckedAt: T + 1000 }, T, false],
  ['nobody had it open when we looked, and the file was last written before', { writersChecked: true, writersCheckedAt: T + 1000 }, T, false, T],
  ['nobody had it open when we looked, but the file was written after: unknown, not ended', { writersChecked: true, writersCheckedAt: T - 1000 }, T, null, T],
  // Tester Z11: a line's own time says nothing of when it was written (a zone guessed to fit now, a clock ahead).
  ['nobody had it open when we looked, its newest line is timed after the look, the file was written before: ended', { writersChecked: true, writersCheckedAt: T - 1000 }, T, false, T - 5000],
  ['the same with the file\'s time not known: ended', { writersChecked: true, writersCheckedAt: T - 1000 }, T, false, null],
] as const)('%s', (_name, patch, last, alive, modifiedAt = null) => {
  expect(writerOf(state(patch, last, modifiedAt)).alive).toBe(alive);
});

test('a run runs.jsonl records as stopped (by another dashboard) is stopped here too; an older stopped record is not this run', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  const run = { ...emptyRun(), startedAt: T - 600_000, lastActivityAt: T - 60_000 };
  const rec = { id: 'resume-1', label: 'resume', keyCount: 3, keysFile: null, pid: 77, startedAt: T - 601_000, endedAt: T - 30_000, exitCode: null, reason: 'stopped' };
  const s = { ...s0, log: { ...s0.log, current: run }, process: { ...s0.process, writersChecked: true, writersCheckedAt: T, history: [rec] } };
  // Its elapsed time ends when it was stopped (the end record), not at its last line (tester V7).
  // And it counts from its launch, as its launcher does (tester AE11).
  expect(writerOf(s)).toEqual({ alive: false, stopped: true, endedAt: T - 30_000, launchedAt: T - 601_000 });
  // A stopped run from hours before this run started says nothing about it: this one simply ended.
  const old = { ...s, process: { ...s.process, history: [{ ...rec, startedAt: T - 5 * 3_600_000, endedAt: T - 4 * 3_600_000 }] } };
  expect(writerOf(old)).toEqual({ alive: false });
});

test('tester U5: a run begun in the log after the run this dashboard stopped is not `stopped`, nor ended by our gone pid', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  // Our run: launched at T - 10 min, stopped at T - 5 min (its record says so); a run started by hand at T - 60 s.
  const rec = { id: 'resume-1', label: 'resume', keyCount: 5299, keysFile: null, pid: 77, startedAt: T - 600_000, endedAt: T - 300_000, exitCode: 130, reason: 'stopped' };
  const stoppedRun = { ...emptyRun(), startedAt: T - 599_000, lastActivityAt: T - 300_000, total: 5299 };
  const hand = { ...emptyRun(), startedAt: T - 60_000, lastActivityAt: T - 1000, hasActivity: true, total: 199 };
  const process = { ...s0.process, runId: 'resume-1', pid: 77, alive: false, stopped: true, writersChecked: true, writersCheckedAt: T - 5000, history: [rec] };
  const s = { ...s0, log: { ...s0.log, current: hand, history: [stoppedRun], lastArrivalAt: T - 1000 }, process };
  // Lines came after the last look at who writes the log: not known yet, and a look is due at once.
  expect(writerOf(s)).toEqual({ alive: null, arrivedAt: T - 1000, unproven: true });
  expect(runStatus(hand, T, writerOf(s))).toBe('running');
  // The look found the hand-started process: running (external).
  expect(writerOf({ ...s, process: { ...process, external: true, externalPids: [4242] } })).toEqual({ alive: true, arrivedAt: T - 1000 });
  // Another dashboard's view of the same log (it did not press x): the stopped record is not this run either.
  expect(writerOf({ ...s, process: { ...process, runId: null, pid: null, alive: null, stopped: false } }).stopped).toBeUndefined();
  // The stopped run itself still reads `stopped` in both.
  const own = { ...s, log: { ...s.log, current: stoppedRun, history: [] } };
  expect(writerOf(own)).toEqual({ alive: false, stopped: true, endedAt: T - 300_000, launchedAt: T - 600_000 });
  expect(writerOf({ ...own, process: { ...process, runId: null, pid: null, alive: null, stopped: false } })).toEqual({ alive: false, stopped: true, endedAt: T - 300_000, launchedAt: T - 600_000 });
});

// Tester W22: relaunching 1 s after a stop, `run ended without a summary after 0 keys` alerted for the run starting:
// in the launch's start window a look at /proc finds no writer but ours, and the new run's lines read as ended.
test('a launch in its start window (child spawned, pid not yet in the state) is alive: no `ended`, no alert', async () => {
  const { reduce } = await import('../src/state/reducer.js');
  const s0 = initialState({ job: 'j', log: '/x.log', now: T, targets: [95] });
  // The previous run of ours, stopped a second ago; the new run's first lines have come.
  const stopped = { ...s0, log: { ...s0.log, historyDone: true }, process: { ...s0.process, runId: 'resume-1', pid: 77, attached: true, alive: false, stopped: true, exitedAt: T - 1000, writersChecked: true, writersCheckedAt: T - 500, history: [{ id: 'resume-1', label: 'resume', keyCount: 3, keysFile: null, pid: 77, startedAt: T - 60_000, endedAt: T - 1000, exitCode: null, reason: 'stopped', counts: null }] } };
  const launching = reduce(reduce(stopped, { type: 'process/update', patch: { launching: true } }), { type: 'process/update', patch: { startingPid: 88 } });
  const run = { ...emptyRun(), startedAt: T + 100, lastActivityAt: T + 100, hasActivity: true };
  const lines = { ...launching, now: T + 200, log: { ...launching.log, current: run, history: [{ ...emptyRun(), startedAt: T - 60_000, lastActivityAt: T - 2000 }], lastArrivalAt: T + 150 } };
  expect(writerOf(lines).alive).toBe(true);
  // The look in the window finds nobody else (ours is filtered): still alive, and no alert fires.
  const looked = reduce(lines, { type: 'process/update', patch: { external: false, externalPids: [], writersChecked: true, writersCheckedAt: T + 300 } });
  expect(runStatus(looked.log.current, looked.now, writerOf(looked))).toBe('running');
  expect(looked.alerts.recent.map((a) => a.kind)).not.toContain('ended-without-summary');
});

// Tester AD11: the dashboard that stopped the run saw its exit a second after the other one recorded its end, and said
// `stopped · 0:09` beside the other's and status's `0:08`: the recorded end is every dashboard's end.
test.each([
  ['stopped here', { stopped: true }],
  ['gone', { stopped: false }],
] as const)('our run %s: it ended at its recorded end, not where this dashboard saw it go', (_name, patch) => {
  const record = { id: 'resume-1', label: 'resume', keyCount: 3, keysFile: null, pid: 77, startedAt: T - 8_900, endedAt: T - 1_100, exitCode: null, reason: 'stopped', counts: null };
  const s = state({ runId: 'resume-1', pid: 77, attached: true, alive: false, exitedAt: T - 200, ...patch, history: [record] as never }, T - 1_500);
  expect(writerOf(s).endedAt).toBe(T - 1_100);
  // No end recorded yet: where it was seen to go.
  expect(writerOf(state({ runId: 'resume-1', pid: 77, attached: true, alive: false, exitedAt: T - 200, ...patch, history: [{ ...record, endedAt: null }] as never }, T - 1_500)).endedAt).toBe(T - 200);
});
