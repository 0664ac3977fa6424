import { describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { applyLines, BANNER_GAP_MS, type LogRuns } from '../src/state/apply-lines.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logLine, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar();
const fold = (text: string, runs: LogRuns = { current: null, history: [] }) => applyLines(runs, parseText(text, grammar).lines);
const HOUR = 3_600_000;

describe('summary fields count only inside a summary block', () => {
  const work: string[][] = [...banner(6, 180, 244), ['INFO', '[1/244] Queued 2021-10-31'], ['INFO', '  ✅ Scraped 2021-10-31'], ['WARNING', '  ❌ Failed 2021-11-01: HTTP 500']];

  test('a stray `❌ Failed: 202` (no BACKFILL COMPLETE before it) changes no count', () => {
    const run = fold(logOf(T0, [...work, ['INFO', '❌ Failed: 202'], ['INFO', '✅ Processed: 99'], ['INFO', 'Total dates: 7'], ['INFO', '⏭️  Skipped: 40']])).current!;
    expect(run).toMatchObject({ succeeded: 1, failed: 1, skipped: 0, total: 244, complete: false });
    expect(run.summary).toEqual({});
  });

  test('the same lines after BACKFILL COMPLETE are the final word', () => {
    const run = fold(logOf(T0, [...work, ['INFO', 'BACKFILL COMPLETE'], ['INFO', '❌ Failed: 202'], ['INFO', '✅ Processed: 42']])).current!;
    expect(run).toMatchObject({ succeeded: 42, failed: 202, complete: true });
    expect(run.summary).toEqual({ failed: 202, processed: 42 });
  });
});

describe('a run that died before its first key', () => {
  const dead = (between: string[]) =>
    `${logLine(T0, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized')}\n${between.join('\n')}${between.length ? '\n' : ''}`;
  const nextAt = (at: number) => logOf(at, [...banner(6, 180, 2), ['INFO', '[1/2] Queued 2021-10-31'], ['INFO', '  ✅ Scraped 2021-10-31']]);
  const next = nextAt(T0 + 4 * HOUR);

  test('a banner after its traceback starts a new run; the dead one is history, `ended`, with its error', () => {
    const trace = ['Traceback (most recent call last):', '  File "backfill.py", line 80, in <module>', "FileNotFoundError: [Errno 2] No such file or directory: 'dates.csv'"];
    // A minute later: well inside the quiet gap, so only the traceback tells the runs apart.
    const runs = fold(dead(trace) + nextAt(T0 + 60_000));
    expect(runs.history).toHaveLength(1);
    expect(runs.history[0]).toMatchObject({ startedAt: T0, hasActivity: false, error: "FileNotFoundError: [Errno 2] No such file or directory: 'dates.csv'" });
    expect(runs.current).toMatchObject({ startedAt: T0 + 60_000, succeeded: 1, error: null });
    let state = initialState({ job: 'j', log: 'x.log', now: T0 + 4 * HOUR + 10_000, targets: [] });
    state = reduce(state, { type: 'log/batch', batch: parseText(dead(trace) + next, grammar) });
    state = reduce(state, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    const json = statusJson(state);
    expect(json.runs).toHaveLength(1);
    expect(json.runs[0]).toMatchObject({ state: 'ended', error: "FileNotFoundError: [Errno 2] No such file or directory: 'dates.csv'", startedAt: new Date(T0).toISOString() });
    expect(json.run.startedAt).toBe(new Date(T0 + 4 * HOUR).toISOString());
  });

  test('a banner long after the last line starts a new run even without a traceback', () => {
    const runs = fold(dead([]) + next);
    expect(runs.history.map((r) => r.startedAt)).toEqual([T0]);
    expect(runs.current!.startedAt).toBe(T0 + 4 * HOUR);
  });

  test('within the gap the init line and the title banner stay one run', () => {
    const runs = fold(dead([]) + logOf(T0 + BANNER_GAP_MS, [...banner(6, 180, 2), ['INFO', '  ✅ Scraped 2021-10-31']]));
    expect(runs.history).toHaveLength(0);
    expect(runs.current!.startedAt).toBe(T0);
  });

  test('a traceback in the middle of a run that goes on does not split it', () => {
    const text = logOf(T0, [...banner(6, 180, 2), ['INFO', '  ✅ Scraped 2021-10-31']]) + 'Traceback (most recent call last):\nValueError: bad\n' + logOf(T0 + 60_000, [['INFO', '  ✅ Scraped 2021-11-01']]);
    const runs = fold(text);
    expect(runs.history).toHaveLength(0);
    expect(runs.current).toMatchObject({ succeeded: 2, exitTrace: false, error: null });
    // The run went on after it: the traceback was not what ended it (tester AK12), so it is not the run's error.
  });
});
