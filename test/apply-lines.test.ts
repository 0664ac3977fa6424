import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines, type LogRuns } from '../src/state/apply-lines.js';
import { banner, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar();
const fold = (text: string, runs: LogRuns = { current: null, history: [] }) => applyLines(runs, parseText(text, grammar).lines);

describe('one run', () => {
  test('counts queued, succeeded, failed by kind, and reads workers/timeout/total from the banner', () => {
    const text = logOf(T0, [
      ...banner(6, 180, 4),
      ['INFO', '[1/4] Queued 2021-10-31'],
      ['INFO', '[2/4] Queued 2022-04-17'],
      ['INFO', '[3/4] Queued 2022-02-01'],
      ['INFO', '[4/4] Queued 2022-05-02'],
      ['INFO', '  ✅ Scraped 2021-10-31'],
      ['WARNING', '  ❌ Failed 2022-04-17: HTTP 500'],
      ['WARNING', '  ❌ Timeout 2022-02-01'],
      ['ERROR', 'Exception processing 2022-05-02: boom'],
    ]);
    const { current, history } = fold(text);
    expect(history).toHaveLength(0);
    expect(current).toMatchObject({ workers: 6, timeoutSec: 180, total: 4, queued: 4, succeeded: 1, failed: 3, skipped: 0 });
    expect(current!.failures).toEqual({ 'HTTP 500': 1, timeout: 1, exception: 1 });
    expect([...current!.failedKeys.keys()].sort()).toEqual(['2022-02-01', '2022-04-17', '2022-05-02']);
    expect(current!.title).toBe('NBA.com Player Boxscore Scraper Backfill (v2)');
    expect(current!.startedAt).toBe(T0);
  });

  test('skips are invisible at INFO: known from Progress lines, never counted as completions', () => {
    const records: string[][] = [...banner(6, 180, 100)];
    for (let i = 0; i < 30; i++) records.push(['INFO', `  ✅ Scraped 2021-11-${String(i + 1).padStart(2, '0')}`]);
    records.push(['INFO', '📊 Progress: 50/100 (50.0%) | ✅ 30 | ⏭️ 20 | ❌ 0 | ETA: 1min']);
    const run = fold(logOf(T0, records)).current!;
    expect(run.skipped).toBe(20);
    expect(run.succeeded).toBe(30);
    expect(run.completions).toHaveLength(30);
  });

  test('progress without counts: skips are what the done count has beyond our own outcomes', () => {
    const records: string[][] = [['INFO', 'Loaded 800 games from ids.csv']];
    for (let i = 0; i < 90; i++) records.push(['INFO', `  ✅ Scraped 00221000${String(i).padStart(2, '0')} (2021-10-19)`]);
    records.push(['INFO', 'Progress: 20.0% (160/800 completed, ~12.3 min remaining)']);
    const run = fold(logOf(T0, records)).current!;
    expect(run.skipped).toBe(70);
    expect(run.total).toBe(800);
  });

  test('the summary is the final word on the counts', () => {
    const records: string[][] = [...banner(6, 180, 244), ['INFO', '  ✅ Scraped 2021-10-31']];
    records.push(['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 244'], ['INFO', '✅ Processed: 42'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 202'], ['INFO', 'Time: 32.6 minutes'], ['INFO', 'Rate: 7.5 dates/min']);
    records.push(['INFO', '💾 Failed dates saved to: /path/failed_dates_20251126_231710.json']);
    const run = fold(logOf(T0, records)).current!;
    expect(run).toMatchObject({ complete: true, total: 244, succeeded: 42, skipped: 0, failed: 202, failedSavedPath: '/path/failed_dates_20251126_231710.json' });
    expect(run.summary.durationSec).toBeCloseTo(1956, 0);
    expect(run.finishedAt).not.toBeNull();
  });

  test("the retry script's key-less outcomes belong to the preceding Processing line", () => {
    const text = logOf(T0, [
      ['INFO', '[1/3] Processing 2022-04-17'],
      ['WARNING', '  ❌ Failed after 5 attempts: HTTP 500'],
      ['INFO', '[2/3] Processing 2022-04-18'],
      ['INFO', '  ✅ Scraped successfully (attempt 2)'],
      ['INFO', '[3/3] Processing 2022-04-19'],
      ['INFO', '  ⏭️  Skipped (already in GCS)'],
    ]);
    const run = fold(text).current!;
    expect([...run.failedKeys.keys()]).toEqual(['2022-04-17']);
    expect(run.failures).toEqual({ 'HTTP 500': 1 });
    expect(run).toMatchObject({ succeeded: 1, skipped: 1, failed: 1, total: 3, currentKeyDone: true });
  });

  test('a key that fails and later succeeds in the same run is no longer failing', () => {
    const text = logOf(T0, [
      ['INFO', '[1/1] Processing 2022-04-17'],
      ['WARNING', '  ❌ Failed 2022-04-17: HTTP 500'],
      ['INFO', '  ✅ Scraped 2022-04-17'],
    ]);
    expect(fold(text).current!.failedKeys.size).toBe(0);
  });
});

describe('several runs in one file', () => {
  test('each banner after activity starts a new run; earlier ones become history', () => {
    const first = logOf(T0, [...banner(6, 180, 2), ['INFO', '[1/2] Queued 2021-10-31'], ['INFO', '  ✅ Scraped 2021-10-31']]);
    const second = logOf(T0 + 3_600_000, [...banner(3, 300, 1), ['INFO', '[1/1] Processing 2022-04-17'], ['WARNING', '  ❌ Timeout 2022-04-17']]);
    const runs = fold(first + second);
    expect(runs.history).toHaveLength(1);
    expect(runs.history[0]).toMatchObject({ succeeded: 1, workers: 6 });
    expect(runs.current).toMatchObject({ failed: 1, workers: 3, timeoutSec: 300, startedAt: T0 + 3_600_000 });
  });

  // Tester V5: a script without a banner ran twice into one log; its second run read as `3/2 150 %`, an hour
  // long, and its outcomes vanished as repeated key lines.
  test('without a banner, a `Loaded N` after outcomes starts a new run', () => {
    const first = logOf(T0, [['INFO', 'Loaded 3 dates from a.csv'], ['INFO', '  ✅ Scraped 2021-10-19'], ['WARNING', '  ❌ Failed 2021-10-20: HTTP 500'], ['INFO', '  ✅ Scraped 2021-10-21']]);
    const second = logOf(T0 + 3_600_000, [['INFO', 'Loaded 2 dates from b.csv'], ['WARNING', '  ❌ Failed 2021-10-19: HTTP 500'], ['INFO', '  ✅ Scraped 2021-10-20']]);
    const runs = fold(first + second);
    expect(runs.history).toHaveLength(1);
    expect(runs.history[0]).toMatchObject({ total: 3, succeeded: 2, failed: 1, startedAt: T0 });
    expect(runs.current).toMatchObject({ total: 2, succeeded: 1, failed: 1, startedAt: T0 + 3_600_000 });
    expect([...runs.current!.failedKeys.keys()]).toEqual(['2021-10-19']);
  });

  test('without a banner or a Loaded line, a first key after outcomes starts a new run', () => {
    const first = logOf(T0, [['INFO', '[1/2] Processing 2022-04-17'], ['INFO', '  ✅ Scraped 2022-04-17'], ['INFO', '[2/2] Processing 2022-04-18'], ['WARNING', '  ❌ Timeout 2022-04-18']]);
    const second = logOf(T0 + 60_000, [['INFO', '[1/1] Processing 2022-04-18'], ['INFO', '  ✅ Scraped 2022-04-18']]);
    const runs = fold(first + second);
    expect(runs.history.map((r) => [r.total, r.succeeded, r.failed])).toEqual([[2, 1, 1]]);
    expect(runs.current).toMatchObject({ total: 1, succeeded: 1, failed: 0 });
  });

  test("after a summary, a `Loaded N` is a new run, not the finished run's total", () => {
    const text = logOf(T0, [['INFO', 'Loaded 1 dates from a.csv'], ['INFO', '  ✅ Scraped 2021-10-19'], ['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 1'], ['INFO', 'Loaded 5 dates from b.csv']]);
    const runs = fold(text);
    expect(runs.history).toMatchObject([{ total: 1, complete: true }]);
    expect(runs.current).toMatchObject({ total: 5, complete: false, succeeded: 0 });
  });

  test('a doubled logger (every line twice) is still one run: repeated Loaded and [1/N] lines before any outcome', () => {
    const once: string[][] = [...banner(2, 180, 2), ['INFO', 'Loaded 2 dates from a.csv'], ['INFO', '[1/2] Queued 2021-10-19'], ['INFO', '[2/2] Queued 2021-10-20'], ['INFO', '  ✅ Scraped 2021-10-19'], ['INFO', '  ✅ Scraped 2021-10-20']];
    const workersOne: string[][] = [['INFO', 'Loaded 2 dates from a.csv'], ['INFO', '[1/2] Processing 2021-10-19'], ['INFO', '  ✅ Scraped 2021-10-19'], ['INFO', '[2/2] Processing 2021-10-20'], ['INFO', '  ✅ Scraped 2021-10-20']];
    for (const records of [once, workersOne]) {
      const runs = fold(logOf(T0, records.flatMap((r) => [r, r])));
      expect(runs.history).toHaveLength(0);
      expect(runs.current).toMatchObject({ total: 2, succeeded: 2, failed: 0 });
    }
  });

  test('folding a file in two batches gives the same runs as in one (no state lost between chunks)', () => {
    const text = logOf(T0, [...banner(6, 180, 3), ['INFO', '[1/3] Queued a'], ['INFO', '  ✅ Scraped 2021-10-31'], ...banner(2, 60, 1), ['WARNING', '  ❌ Failed 2022-04-17: HTTP 503']]);
    const lines = text.split('\n');
    const half = Math.floor(lines.length / 2);
    const whole = fold(text);
    const parts = fold(lines.slice(half).join('\n'), fold(lines.slice(0, half).join('\n') + '\n'));
    expect(parts.history.map((r) => r.succeeded)).toEqual(whole.history.map((r) => r.succeeded));
    expect(parts.current).toMatchObject({ failed: 1, failures: { 'HTTP 503': 1 } });
  });

  test('applying a batch never changes the runs it was given', () => {
    const before = fold(logOf(T0, [...banner(6, 180, 2), ['WARNING', '  ❌ Failed 2022-04-17: HTTP 500']]));
    // `keys` is the per-key store the run's snapshots share (changed in place, read through versioned views).
    const seen = () => JSON.stringify({ ...before.current, keys: undefined, failedKeys: [...before.current!.failedKeys] });
    const snapshot = seen();
    const after = fold(logOf(T0 + 5000, [['WARNING', '  ❌ Failed 2022-04-18: HTTP 500'], ['INFO', '  ✅ Scraped 2022-04-17']]), before);
    expect(seen()).toBe(snapshot);
    expect(before.current!.failedKeys.get('2022-04-17')).toMatchObject({ failure: 'HTTP 500' });
    expect(before.current!.failedKeys.has('2022-04-18')).toBe(false);
    expect([...after.current!.failedKeys.keys()]).toEqual(['2022-04-18']);
  });
});
