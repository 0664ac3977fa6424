import { describe, expect, test } from 'vitest';
import { emptyRun, type RunState } from '../src/state/run.js';
import { rateOver, runFigures, runStatus, stallAfterMs } from '../src/state/run-view.js';

const T0 = Date.UTC(2025, 10, 26, 23, 0, 0);
const MIN = 60_000;

function run(patch: Partial<RunState>): RunState {
  return { ...emptyRun(), startedAt: T0, lastActivityAt: T0, hasActivity: true, ...patch };
}

describe('run status with an injected clock', () => {
  test.each([
    ['waiting: no run in the log yet', null, T0, { alive: null }, 'waiting'],
    ['running: a line within the stall limit', run({ timeoutSec: 180 }), T0 + 5 * MIN, { alive: null }, 'running'],
    ['stalled: no line for longer than 2 × timeout (180 s → 6 min)', run({ timeoutSec: 180 }), T0 + 6 * MIN + 1, { alive: null }, 'stalled'],
    ['stalled needs at least 5 min even with a short timeout', run({ timeoutSec: 30 }), T0 + 4 * MIN, { alive: null }, 'running'],
    ['stalled after 5 min with a short timeout', run({ timeoutSec: 30 }), T0 + 5 * MIN + 1, { alive: null }, 'stalled'],
    ['complete: the summary was seen', run({ complete: true, finishedAt: T0 }), T0 + 60 * MIN, { alive: false }, 'complete'],
    ['ended: writer known gone without a summary', run({}), T0 + MIN, { alive: false }, 'ended'],
    ['stopped: we stopped it', run({}), T0 + MIN, { alive: false, stopped: true }, 'stopped'],
    ['a live writer does not prevent stalled', run({ timeoutSec: 60 }), T0 + 10 * MIN, { alive: true }, 'stalled'],
  ] as const)('%s', (_name, r, now, writer, expected) => {
    expect(runStatus(r, now, writer)).toBe(expected);
  });

  test('an earlier run in the file without a summary has ended', () => {
    expect(runStatus(run({}), T0, { alive: null }, false)).toBe('ended');
  });

  test('stall limit is max(2 × timeout, 5 min)', () => {
    expect(stallAfterMs(run({ timeoutSec: 300 }))).toBe(10 * MIN);
    expect(stallAfterMs(run({ timeoutSec: 60 }))).toBe(5 * MIN);
  });
});

describe('rate from recent completions', () => {
  test('needs 10 completions before it says anything', () => {
    const nine = Array.from({ length: 9 }, (_, i) => T0 + i * 1000);
    expect(rateOver(nine, T0 + 9000, Infinity)).toBeNull();
    expect(rateOver([...nine, T0 + 9000], T0 + 10_000, Infinity)).toBeCloseTo(60, 5);
  });

  test('uses the last 10 minutes, not the run since its start', () => {
    // A slow first hour (1/min), then a fast last 10 minutes (12/min): since-start would say ~2.6/min.
    const slow = Array.from({ length: 60 }, (_, i) => T0 + i * MIN);
    const fast = Array.from({ length: 120 }, (_, i) => T0 + 60 * MIN + i * 5000);
    const end = T0 + 70 * MIN;
    const rate = rateOver([...slow, ...fast], end, Infinity)!;
    expect(rate).toBeGreaterThan(11);
    expect(rate).toBeLessThan(13);
  });

  test('a stalled run’s rate decays because the window ends now', () => {
    const c = Array.from({ length: 20 }, (_, i) => T0 + i * 1000);
    const soon = rateOver(c, T0 + 20_000, Infinity)!;
    const later = rateOver(c, T0 + 5 * MIN, Infinity)!;
    expect(later).toBeLessThan(soon / 5);
  });
});

describe('figures', () => {
  test('ETA is a range, and "calculating" (null) until enough completions exist', () => {
    const few = run({ total: 100, succeeded: 5, completions: [T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4], workers: 6 });
    expect(runFigures(few, T0 + 5000, { alive: true }).etaSeconds).toBeNull();
    const completions = Array.from({ length: 40 }, (_, i) => T0 + i * 6000); // 10/min
    const r = run({ total: 140, succeeded: 40, completions, lastActivityAt: T0 + 39 * 6000, workers: 6 });
    const f = runFigures(r, T0 + 40 * 6000, { alive: true });
    expect(f.ratePerMin).toBeCloseTo(10, 0);
    const [lo, hi] = f.etaSeconds!;
    // 100 remaining at ~10/min: about 600 s, as a range around it.
    expect(lo).toBeLessThan(600);
    expect(hi).toBeGreaterThan(600);
    expect(hi - lo).toBeGreaterThanOrEqual(0.15 * hi);
  });

  test('a Cloud Run log read up to its newest entry: the log delay is not idle time, and every running task has its workers (tester W5)', () => {
    // 20 completions 0.5 s apart (120/min), the newest entry read 9.5 s ago: the log delay, not a pause.
    const completions = Array.from({ length: 20 }, (_, i) => T0 + i * 500);
    const last = completions.at(-1)!;
    const r = run({ total: 150, succeeded: 20, completions, lastActivityAt: last, workers: 3 });
    const cloudRun = { alive: true, tasksRunning: true, readUntil: last, tasks: 2 };
    const f = runFigures(r, last + 9_500, cloudRun);
    expect(f.ratePerMin).toBeCloseTo(120, 5);
    expect(f.inFlight).toBe(6);
    // Read as if the log were current, the 9.5 s delay counted as idle: 20 / 19 s = 63/min.
    expect(runFigures(r, last + 9_500, { alive: true }).ratePerMin).toBeCloseTo((20 / 19) * 60, 5);
    // Nothing read after the horizon moves on: the open interval runs to it.
    expect(runFigures(r, last + 9_500, { ...cloudRun, readUntil: last + 4_500 }).ratePerMin).toBeCloseTo((20 / 14) * 60, 5);
  });

  test('skips count as done but never as rate', () => {
    const completions = Array.from({ length: 10 }, (_, i) => T0 + i * MIN);
    const r = run({ total: 1000, succeeded: 10, skipped: 500, completions, lastActivityAt: T0 + 9 * MIN });
    const f = runFigures(r, T0 + 9 * MIN, { alive: true });
    expect(f.done).toBe(510);
    // 10 completions a minute apart are 9 intervals in 9 minutes: 1/min (not 10/9).
    expect(f.ratePerMin).toBeCloseTo(1, 6);
  });

  // Tester V5: `run 3/2 150.0 %` for two runs the log did not tell apart.
  test('a total the run outgrew is not known: no percentage, no remaining, no ETA', () => {
    const completions = Array.from({ length: 12 }, (_, i) => T0 + i * 1000);
    const f = runFigures(run({ total: 2, succeeded: 2, failed: 1, completions, lastActivityAt: T0 + 11_000 }), T0 + 12_000, { alive: true });
    expect(f).toMatchObject({ done: 3, total: null, percent: null, remaining: null, etaSeconds: null });
    expect(runFigures(run({ total: 3, succeeded: 2, failed: 1 }), T0, { alive: false })).toMatchObject({ total: 3, percent: 100, remaining: 0 });
  });

  test('in flight: min(workers, not done) for a queued-all run; 0 or 1 for a single worker', () => {
    expect(runFigures(run({ total: 10, succeeded: 7, workers: 6 }), T0, { alive: true }).inFlight).toBe(3);
    expect(runFigures(run({ total: 100, succeeded: 7, workers: 6 }), T0, { alive: true }).inFlight).toBe(6);
    expect(runFigures(run({ total: 100, workers: 1, currentKey: 'k', currentKeyDone: false }), T0, { alive: true }).inFlight).toBe(1);
    expect(runFigures(run({ total: 100, workers: 1, currentKey: 'k', currentKeyDone: true }), T0, { alive: true }).inFlight).toBe(0);
    expect(runFigures(run({ total: 10, workers: 6, complete: true }), T0, { alive: false }).inFlight).toBe(0);
  });

  test('elapsed of a finished run stops at its end', () => {
    const f = runFigures(run({ complete: true, finishedAt: T0 + 32 * MIN }), T0 + 600 * MIN, { alive: false });
    expect(f.elapsedMs).toBe(32 * MIN);
    expect(f.etaSeconds).toBeNull();
  });

  test('ETA: the fast end from the short window (newest 20), the slow end from the whole window', () => {
    // 20 completions 20 s apart, then 20 more 5 s apart: all 40 span 475 s (39 intervals, 4.926/min);
    // the newest 20 span 95 s (19 intervals, 12/min). 100 keys left: 100/12 min = 500 s to 100/4.926 min.
    const completions = [...Array.from({ length: 20 }, (_, i) => T0 + i * 20_000), ...Array.from({ length: 20 }, (_, i) => T0 + 380_000 + (i + 1) * 5000)];
    const last = completions[39];
    expect(last - completions[0]).toBe(480_000);
    const r = run({ total: 140, succeeded: 40, completions, lastActivityAt: last, workers: 6 });
    const f = runFigures(r, last, { alive: true });
    expect(f.ratePerMin).toBeCloseTo((39 / 480) * 60, 6);
    expect(f.etaSeconds).toEqual([500, Math.round(100 / ((39 / 480) * 60) * 60)]);
  });

  test('the rate right after a completion is not biased high, and decays once the wait is longer than an interval', () => {
    // 10 completions 30 s apart: 9 intervals in 4.5 min, 2/min, whether asked at the last or 20 s later.
    const c = Array.from({ length: 10 }, (_, i) => T0 + i * 30_000);
    expect(rateOver(c, c[9], Infinity)).toBeCloseTo(2, 6);
    expect(rateOver(c, c[9] + 20_000, Infinity)).toBeCloseTo(2, 6);
    // 2 min without one: the open interval counts, 10 in 6.5 min.
    expect(rateOver(c, c[9] + 2 * MIN, Infinity)).toBeCloseTo(10 / 6.5, 6);
  });

  test('elapsed and idle never go negative when the clock or the log steps back', () => {
    const f = runFigures(run({ startedAt: T0 + 10 * MIN, lastActivityAt: T0 + 20 * MIN }), T0, { alive: true });
    expect(f.elapsedMs).toBe(0);
    expect(f.idleMs).toBe(0);
  });
});

describe('elapsed never snaps back when the writer goes (tester V7)', () => {
  const T = Date.UTC(2026, 10, 30, 13, 35);
  // Five lines in the first 4 s, then nothing (a hung request); stopped 5:32 after its start.
  const run = { ...emptyRun(), startedAt: T, lastActivityAt: T + 4_000, hasActivity: true, total: 20, succeeded: 5, timeoutSec: 60 };
  test('live: 5:28 by the clock; stopped: 5:32, when its process went, not 0:04 (its last line)', () => {
    expect(runFigures(run, T + 328_000, { alive: true }).elapsedMs).toBe(328_000);
    const stopped = runFigures(run, T + 400_000, { alive: false, stopped: true, endedAt: T + 332_000 });
    expect(stopped.status).toBe('stopped');
    expect(stopped.elapsedMs).toBe(332_000);
    // Ended (exited by itself): the same.
    expect(runFigures(run, T + 400_000, { alive: false, endedAt: T + 332_000 }).elapsedMs).toBe(332_000);
    // No end known (a log read later, nothing recorded): the span of its lines.
    expect(runFigures(run, T + 400_000, { alive: false }).elapsedMs).toBe(4_000);
    // A writer end before the last line, or a day past it, is not this run's.
    expect(runFigures(run, T + 400_000, { alive: false, endedAt: T + 1_000 }).elapsedMs).toBe(4_000);
    expect(runFigures(run, T + 400_000, { alive: false, endedAt: T + 2 * 86_400_000 }).elapsedMs).toBe(4_000);
    // A complete run: its summary's time.
    expect(runFigures({ ...run, complete: true, finishedAt: T + 10_000 }, T + 400_000, { alive: false, endedAt: T + 332_000 }).elapsedMs).toBe(10_000);
  });
});
