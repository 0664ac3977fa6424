import { describe, expect, test } from 'vitest';
import { provenEnd, unwatchedEnd, unwatchedEndAt } from '../src/app/unwatched-end.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { foldRuns, type RunRecord } from '../src/runner/runs-file.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';

const grammar = compileGrammar(undefined, 'UTC');
const MIN = 60_000;
const fold = (text: string) => applyLines({ current: null, history: [] }, parseText(text, grammar).lines);

// An earlier run, then the launched one (banner 2 s after the launch, 3 outcomes over 20 minutes).
const earlier = logOf(T0 - 120 * MIN, [...banner(6, 180, 1), ['INFO', '  ✅ Scraped 2021-10-01']]);
const launchedAt = T0 - 2000;
const outcomes = (complete: boolean) =>
  [
    logOf(T0, banner(3, 300, 3)),
    logOf(T0 + 10 * MIN, [['INFO', '  ✅ Scraped 2022-04-17'], ['WARNING', '  ❌ Failed 2022-04-18: HTTP 500']]),
    logOf(T0 + 20 * MIN, [['INFO', '  ✅ Scraped 2022-04-19'], ...(complete ? [['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 3'], ['INFO', '✅ Processed: 2'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 1']] : [])]),
  ].join('');

describe('a run that ended while no dashboard watched is recorded from its own log', () => {
  test('killed before its summary: `ended`, its counts, and its last line as its end (not when we looked)', () => {
    const end = unwatchedEnd({ startedAt: launchedAt }, fold(earlier + outcomes(false)));
    expect(end).toEqual({ endedAt: T0 + 20 * MIN, reason: 'ended', counts: { succeeded: 2, failed: 1, skipped: 0 } });
  });

  test('finished with its summary: `complete`, its last summary line as its end', () => {
    const end = unwatchedEnd({ startedAt: launchedAt }, fold(earlier + outcomes(true)));
    expect(end.reason).toBe('complete');
    expect(end.endedAt).toBe(T0 + 20 * MIN + 5000);
    expect(end.counts).toEqual({ succeeded: 2, failed: 1, skipped: 0 });
  });

  // Tester W21: runs stopped every few seconds before the launch (within the clock slack) and the launched run
  // complete: its end was taken from the first of them (34 s before its own launch, ✓ 7 of a 40/40 run).
  test('several stopped runs just before the launch: the launch\'s own run, never an earlier one of the slack window', () => {
    const stopped = (at: number, scraped: number) => logOf(at, [...banner(2, 60, 40), ...Array.from({ length: scraped }, (_, i) => ['INFO', `  ✅ Scraped 2021-10-${String(i + 1).padStart(2, '0')}`] as [string, string])]);
    const log = stopped(T0 - 40_000, 7) + stopped(T0 - 25_000, 4) + stopped(T0 - 10_000, 10) + outcomes(true);
    const end = unwatchedEnd({ startedAt: launchedAt }, fold(log));
    expect(end).toEqual({ endedAt: T0 + 20 * MIN + 5000, reason: 'complete', counts: { succeeded: 2, failed: 1, skipped: 0 } });
    // A writer whose clock is 30 s behind: the launch's run reads as begun before it, the latest of the window.
    const behind = stopped(T0 - 50_000, 7) + logOf(T0 - 30_000, banner(3, 300, 3));
    expect(unwatchedEnd({ startedAt: T0 }, fold(behind)).counts).toEqual({ succeeded: 0, failed: 0, skipped: 0 });
  });

  test('a log without its run (rotated away, another log): gone, nothing made up', () => {
    expect(unwatchedEnd({ startedAt: T0 + 600 * MIN }, fold(earlier + outcomes(true)))).toEqual({ endedAt: null, reason: 'gone', counts: null });
    // The next launch's run is not this one's.
    expect(unwatchedEnd({ startedAt: launchedAt - 60 * MIN }, fold(earlier + outcomes(true)), launchedAt).reason).toBe('gone');
  });

  test('the end record keeps what the log said; a later record from a watching dashboard still wins', () => {
    const launch = { type: 'launch', id: 'r1', label: 'resume', argv: ['x'], keysFile: null, keyCount: 3, pid: 1, procStart: null, log: 'x.log', startedAt: launchedAt } as const;
    const runs: RunRecord[] = foldRuns([launch as never, { type: 'end', id: 'r1', endedAt: T0 + 20 * MIN, exitCode: null, signal: null, reason: 'ended', counts: { succeeded: 2, failed: 1, skipped: 0 } } as never]);
    expect(runs[0].end).toMatchObject({ reason: 'ended', endedAt: T0 + 20 * MIN, counts: { succeeded: 2, failed: 1 } });
  });
});

// Tester Y1: `x` `y` (SIGINT), then `q` while the script finished its in-flight key; it logged `Interrupted` 4 s
// later and exited. The next dashboard found it gone: its end record said `ended` at its last outcome.
describe('tester Y1: a run asked to stop that ended unwatched', () => {
  const launch = { type: 'launch', id: 'r1', label: 'resume', argv: ['x'], keysFile: null, keyCount: 13, pid: 1, procStart: null, log: 'x.log', startedAt: launchedAt } as const;
  const stop = { type: 'stop', id: 'r1', at: T0 + 3000 } as const;
  const end = (reason: string) => ({ type: 'end', id: 'r1', endedAt: T0 + 3500, exitCode: null, signal: null, reason }) as never;

  test.each([
    ['ended (found gone, no summary)', 'ended', 'stopped'],
    ['exited (seen by a dashboard that did not stop it)', 'exited', 'stopped'],
    ['complete (it finished its keys anyway)', 'complete', 'complete'],
    ['failed to start', 'failed-to-start', 'failed-to-start'],
  ])('a stop record, then an end %s: %s', (_, reason, shown) => {
    expect(foldRuns([launch as never, stop as never, end(reason)])[0].end?.reason).toBe(shown);
  });

  test('no stop record: ended stays ended', () => {
    expect(foldRuns([launch as never, end('ended')])[0].end?.reason).toBe('ended');
  });

  test('its end is its last line, `Interrupted` after the last outcome, not the last outcome', () => {
    // The outcome is the 11th record, at T0 + 10 s.
    const text = logOf(T0, [...banner(1, 60, 13), ['INFO', '  ✅ Scraped 2021-10-26']]) + logOf(T0 + 14_000, [['WARNING', 'Interrupted']]);
    const state = reduce(initialState({ job: 'j', log: 'x.log', now: T0 + 10_000, targets: [] }), { type: 'log/batch', batch: parseText(text, grammar) });
    expect(unwatchedEnd({ startedAt: launchedAt }, state.log)).toEqual({ endedAt: T0 + 14_000, reason: 'ended', counts: { succeeded: 1, failed: 0, skipped: 0 } });
  });
});

// Tester AD15: a run that ended while its dashboard slept (Ctrl-Z) was recorded ending when the dashboard woke.
describe('an end seen late, or found with none watching: the latest proof of the run\'s life', () => {
  test('its last line, or the SIGTERM sent to it after that, whichever is later; never when it was noticed', () => {
    const seen = { at: T0 + 25_000, seenAliveAt: T0 + 5000 };
    expect(provenEnd(seen, [T0 + 16_900, T0 + 17_000, undefined, null])).toBe(T0 + 17_000);
    // Nothing since it was last seen: then.
    expect(provenEnd(seen, [T0 + 1000, null])).toBe(T0 + 5000);
    // A log clock ahead says nothing past the moment it was seen gone.
    expect(provenEnd(seen, [T0 + 60_000])).toBe(T0 + 5000);
  });

  test('ended unwatched: its log\'s end, or a stop signal recorded after it; its launch when nothing is known', () => {
    expect(unwatchedEndAt({ endedAt: T0 + 16_900 }, { startedAt: T0, stopAskedAt: T0 + 6000, stopTermAt: T0 + 17_000 })).toBe(T0 + 17_000);
    expect(unwatchedEndAt({ endedAt: T0 + 16_900 }, { startedAt: T0, stopAskedAt: T0 + 6000 })).toBe(T0 + 16_900);
    expect(unwatchedEndAt({ endedAt: null }, { startedAt: T0 })).toBe(T0);
  });
});
