import { describe, expect, test } from 'vitest';
import { unwatchedEnd } from '../src/app/unwatched-end.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { foldRuns, type RunRecord } from '../src/runner/runs-file.js';
import { banner, logOf, T0 } from './support/log-text.js';

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
