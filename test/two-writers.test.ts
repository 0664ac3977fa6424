import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines, type LogRuns } from '../src/state/apply-lines.js';
import { allRuns } from '../src/state/log-runs.js';
import { runFacts, type RunState } from '../src/state/run.js';
import { banner, T0 } from './support/log-text.js';
import { logLine } from './support/log-text.js';

// Tester AA18: two writers appending to one log at once. Each line goes to the run it names (the key a run works on
// or queued, the total of its `[i/N]` and Progress lines, the run whose keys are all done for a summary), so each
// run is read once, with its own end, whether the log is read in one piece or line by line, live or afterwards.
const grammar = compileGrammar();
const EMPTY: LogRuns = { current: null, history: [] };

type Line = [number, string, string];
const at = (s: number) => T0 + s * 1000;
const keys = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);
const summary = (s: number, total: number, ok: number, failed: number): Line[] => [
  [s, 'INFO', '='.repeat(70)], [s, 'INFO', 'BACKFILL COMPLETE'], [s, 'INFO', `Total dates: ${total}`], [s, 'INFO', `✅ Processed: ${ok}`],
  [s, 'INFO', '⏭️  Skipped: 0'], [s, 'INFO', `❌ Failed: ${failed}`], [s, 'INFO', '='.repeat(70)],
];
const opening = (s: number, workers: number, list: string[], queue: boolean): Line[] => [
  ...banner(workers, 30, list.length).map(([level, m]): Line => [s, level, m]),
  ...(queue ? list.map((k, i): Line => [s, 'INFO', `[${i + 1}/${list.length}] Queued ${k}`]) : []),
];
const text = (lines: Line[]) => lines.map(([s, level, m]) => logLine(at(s), level as 'INFO', m)).join('\n') + '\n';

/** Ours (10 keys, queued, 4 workers) from 0 s; theirs (8 keys) from 5 s; ours ends at 16 s, theirs at 23 s. */
function concurrentQueued(): Line[] {
  const ours = keys('2022-01', 10);
  const theirs = keys('2023-02', 8);
  const lines: Line[] = [...opening(0, 4, ours, true)];
  for (let i = 0; i < 4; i++) lines.push([1 + i, 'INFO', `  ✅ Scraped ${ours[i]}`]);
  lines.push(...opening(5, 4, theirs, true));
  const rest: Line[] = [];
  for (let i = 4; i < 10; i++) rest.push([6 + i, 'INFO', `  ✅ Scraped ${ours[i]}`]);
  rest.push(...summary(16, 10, 10, 0));
  for (let i = 0; i < 8; i++) rest.push([7 + i * 2, i === 3 ? 'WARNING' : 'INFO', i === 3 ? `  ❌ Failed ${theirs[i]}: HTTP 500` : `  ✅ Scraped ${theirs[i]}`]);
  rest.push(...summary(23, 8, 7, 1));
  return [...lines, ...rest.sort((a, b) => a[0] - b[0])];
}

/** One worker each (`[i/N] Processing KEY` before each outcome): ours of 6 keys, theirs of 4 from 5 s. */
function concurrentProcessing(): Line[] {
  const ours = keys('2022-01', 6);
  const theirs = keys('2023-02', 4);
  const lines: Line[] = [...opening(0, 1, ours, false)];
  const step = (s: number, list: string[], i: number, fail = false): Line[] => [[s, 'INFO', `[${i + 1}/${list.length}] Processing ${list[i]}`], [s + 1, fail ? 'WARNING' : 'INFO', fail ? `  ❌ Failed ${list[i]}: HTTP 500` : `  ✅ Scraped ${list[i]}`]];
  lines.push(...step(1, ours, 0), ...step(3, ours, 1), ...opening(5, 1, theirs, false));
  const rest: Line[] = [];
  for (let i = 2; i < 6; i++) rest.push(...step(2 + i * 2, ours, i, i === 4));
  rest.push(...summary(13, 6, 5, 1));
  for (let i = 0; i < 4; i++) rest.push(...step(8 + i * 2, theirs, i));
  rest.push(...summary(31, 4, 4, 0));
  return [...lines, ...rest.sort((a, b) => a[0] - b[0])];
}

/** Every run of the fold, in the order they began, as facts (no bookkeeping; a run in history keeps counts only). */
function runsOf(r: LogRuns) {
  return allRuns(r).map((run: RunState) => {
    const f = runFacts(run)!;
    return { startedAt: f.startedAt, total: f.total, succeeded: f.succeeded, failed: f.failed, complete: f.complete, finishedAt: f.finishedAt, failures: f.failures };
  });
}

/** The log folded in one batch, and line by line (a followed log), live or not. */
function folds(lines: Line[], oursLive = false) {
  // Ours: the run launched at the log's start (0 s).
  const since = oursLive ? at(0) - 1000 : null;
  const batch = parseText(text(lines), grammar);
  const whole = applyLines(EMPTY, batch.lines, batch.keyed, null, since);
  let each = EMPTY;
  for (const l of lines) {
    const one = parseText(text([l]), grammar);
    each = applyLines(each, one.lines, one.keyed, null, since);
  }
  return { whole, each };
}

describe('two writers in one log (tester AA18)', () => {
  test('several workers (keys queued up front): each run once, with its own counts and end, however the log is cut', () => {
    for (const live of [false, true]) {
      const { whole, each } = folds(concurrentQueued(), live);
      const expected = [
        { startedAt: at(0), total: 10, succeeded: 10, failed: 0, complete: true, finishedAt: at(16), failures: {} },
        { startedAt: at(5), total: 8, succeeded: 7, failed: 1, complete: true, finishedAt: at(23), failures: { 'HTTP 500': 1 } },
      ];
      expect(runsOf(whole)).toEqual(expected);
      expect(runsOf(each)).toEqual(expected);
      // Both over: the newer is the log's current run, the other in its history.
      expect(whole.current?.startedAt).toBe(at(5));
      expect(whole.history).toHaveLength(1);
    }
  });

  test('one worker each (`[i/N] Processing KEY`): the same', () => {
    const { whole, each } = folds(concurrentProcessing());
    const expected = [
      { startedAt: at(0), total: 6, succeeded: 5, failed: 1, complete: true, finishedAt: at(13), failures: { 'HTTP 500': 1 } },
      { startedAt: at(5), total: 4, succeeded: 4, failed: 0, complete: true, finishedAt: at(31), failures: {} },
    ];
    expect(runsOf(whole)).toEqual(expected);
    expect(runsOf(each)).toEqual(expected);
  });

  test('while both go on, our live run is the one followed, the other beside it; afterwards the newer', () => {
    const lines = concurrentQueued().filter(([s]) => s <= 12);
    const live = folds(lines, true).whole;
    expect(live.current).toMatchObject({ startedAt: at(0), succeeded: 7, foreignStart: true });
    expect(live.beside).toMatchObject({ startedAt: at(5), succeeded: 3 });
    const later = folds(lines, false).whole;
    expect(later.current).toMatchObject({ startedAt: at(5), succeeded: 3 });
    expect(later.beside).toMatchObject({ startedAt: at(0), succeeded: 7 });
  });

  test('a restart on the same keys (the run before died) is not another writer: the run before ends where it ended', () => {
    const ours = keys('2022-01', 10);
    const lines: Line[] = [...opening(0, 4, ours, true)];
    for (let i = 0; i < 4; i++) lines.push([1 + i, 'INFO', `  ✅ Scraped ${ours[i]}`]);
    lines.push(...opening(30, 4, ours.slice(4), true));
    for (let i = 4; i < 10; i++) lines.push([27 + i, 'INFO', `  ✅ Scraped ${ours[i]}`]);
    lines.push(...summary(40, 6, 6, 0));
    const { whole, each } = folds(lines);
    const expected = [
      { startedAt: at(0), total: 10, succeeded: 4, failed: 0, complete: false, finishedAt: null, failures: {} },
      { startedAt: at(30), total: 6, succeeded: 6, failed: 0, complete: true, finishedAt: at(40), failures: {} },
    ];
    expect(runsOf(whole)).toEqual(expected);
    expect(runsOf(each)).toEqual(expected);
    expect(whole.beside ?? null).toBeNull();
  });
});

// Tester AI10 a: text `status` said `earlier   1 run(s) in this log` of the second writer's run, begun 5 s after ours.
test('text status says a run begun after the current one as such, never `earlier`, and counts in words', async () => {
  const [{ initialState }, { statusText }] = await Promise.all([import('../src/state/app-state.js'), import('../src/app/status-text.js')]);
  const lines: Line[] = [...opening(0, 2, keys('2022-01', 3), true), [2, 'INFO', '  ✅ Scraped 2022-01-01'], ...opening(5, 2, keys('2023-02', 2), true), [7, 'INFO', '  ✅ Scraped 2023-02-01']];
  const batch = parseText(text(lines), grammar);
  const log = applyLines(EMPTY, batch.lines, batch.keyed, null, at(0) - 1000);
  expect(log.beside?.startedAt).toBe(at(5));
  const s = initialState({ job: 'j', log: '/x.log', now: at(10), targets: [] });
  const out = statusText({ ...s, log: { ...s.log, ...log, historyDone: true, exists: true, looked: true } });
  expect(out).toContain('\nother     1 run in this log begun after this one\n');
  expect(out).not.toContain('earlier');
  // With an earlier run in its history too: each said as what it is.
  const old = parseText(text([...opening(0, 1, ['2021-01-01'], true), ...summary(1, 1, 1, 0)]), grammar);
  const before = applyLines(EMPTY, old.lines, old.keyed, null, null);
  const both = statusText({ ...s, log: { ...s.log, ...log, history: [before.current!, ...log.history], historyDone: true, exists: true, looked: true } });
  expect(both).toContain('\nearlier   1 run in this log\nalso      1 run in this log begun after this one\n');
});
