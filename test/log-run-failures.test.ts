import { expect, test } from 'vitest';
import type { FailedFile } from '../src/failures/failed-file.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { failuresView } from '../src/state/failures-view.js';
import { reduce } from '../src/state/reducer.js';
import { statusJson } from '../src/app/status-json.js';
import { banner, logOf } from './support/log-text.js';

// Tester U12: a run killed before it wrote its failed-keys file failed 83 keys; once another run started in
// the log they were failing nowhere (f, r, missing, status --json), though no run had tried them again.
const H = 3_600_000;
const T0 = Date.UTC(2025, 10, 30, 11, 0);
type Outcome = [string, 'ok' | 'fail'];
const run = (at: number, keys: Outcome[], complete: boolean) =>
  logOf(at, [
    ...banner(2, 180, keys.length),
    ...keys.map(([k, o]): [string, string] => (o === 'ok' ? ['INFO', `  ✅ Scraped ${k}`] : ['WARNING', `  ❌ Failed ${k}: HTTP 500`])),
    ...(complete ? [['INFO', 'BACKFILL COMPLETE']] : []),
  ]);

function stateOf(text: string, files: FailedFile[] = []): AppState {
  let s = initialState({ job: 'j', log: '/x/bf.log', now: T0 + 5 * H, targets: [95] });
  s = reduce(s, { type: 'log/batch', batch: parseText(text, compileGrammar()) });
  // Read to its end (status gives no failures of a log read in part: tester Z12).
  s = reduce(s, { type: 'log/progress', bytesRead: text.length, size: text.length, historyDone: true });
  return files.length ? reduce(s, { type: 'failed/update', files, current: files[0], notes: [] }) : s;
}
const failing = (s: AppState) => failuresView(s).rows.filter((r) => !r.recovered).map((r) => r.key);

// Run 1 is killed (no summary, no file): it failed 2021-10-19 and 2021-10-20, scraped 2021-10-21.
const killed: Outcome[] = [['2021-10-19', 'fail'], ['2021-10-20', 'fail'], ['2021-10-21', 'ok']];

test('a killed run\'s failures stay failing after another run of other keys starts in the log', () => {
  const s = stateOf(run(T0, killed, false) + run(T0 + H, [['2021-11-01', 'fail'], ['2021-11-02', 'ok']], true));
  expect(s.log.history).toHaveLength(1);
  expect(failing(s)).toEqual(['2021-10-19', '2021-10-20', '2021-11-01']);
  expect(statusJson(s).failures).toMatchObject({ failing: 3, recovered: 0 });
  expect(failuresView(s).rows.find((r) => r.key === '2021-10-19')).toMatchObject({ source: 'log', failedIn: 1, triedIn: 1 });
});

test('a later run that scrapes one of them recovers it; one that fails it again counts a second run', () => {
  const s = stateOf(run(T0, killed, false) + run(T0 + H, [['2021-10-19', 'ok'], ['2021-10-20', 'fail']], true));
  expect(failing(s)).toEqual(['2021-10-20']);
  expect(failuresView(s).rows.find((r) => r.key === '2021-10-20')).toMatchObject({ failedIn: 2, triedIn: 2 });
});

test('an earlier run that wrote its failed-keys file is read from the file, not counted twice', () => {
  const name = 'failed_dates_20251130_110000.json';
  const own: FailedFile = { path: `/x/${name}`, name, runStartedAt: T0, writtenAt: null, mtimeMs: T0 + 60_000, totalFailed: 2, problems: [],
    entries: [{ key: '2021-10-19', status: 'failed', error: 'HTTP 500' }, { key: '2021-10-20', status: 'failed', error: 'HTTP 500' }] };
  const s = stateOf(run(T0, killed, true) + run(T0 + H, [['2021-10-20', 'fail']], true), [own]);
  expect(failing(s)).toEqual(['2021-10-19', '2021-10-20']);
  expect(failuresView(s).rows.map((r) => [r.key, r.source, r.failedIn])).toEqual([['2021-10-19', 'file', 1], ['2021-10-20', 'log', 2]]);
});

// Tester AA12: `failed in N of N runs` counted only the runs kept per key: the log's earlier runs kept only the latest
// failure of each key, so three or five identical runs all failing a key read `2 of 2`. The trail now counts, per key,
// the log's runs that failed it and tried it (two numbers a key): N is the true count.
test('five runs of the log failing the same key: failed in 5 of 5 runs; a run between that scraped it counts as tried', () => {
  const five = [0, 1, 2, 3, 4].map((i) => run(T0 + i * H, [['2021-10-19', 'fail'], ['2021-10-20', 'fail']], true)).join('');
  const s = stateOf(five);
  expect(s.log.history).toHaveLength(4);
  expect(failuresView(s).rows.map((r) => [r.key, r.failedIn, r.triedIn])).toEqual([['2021-10-19', 5, 5], ['2021-10-20', 5, 5]]);
  // 2021-10-20 scraped by the third run, failed by the others.
  const between = [0, 1, 2, 3].map((i) => run(T0 + i * H, [['2021-10-20', i === 2 ? 'ok' : 'fail']], true)).join('');
  expect(failuresView(stateOf(between)).rows.map((r) => [r.key, r.failedIn, r.triedIn, r.recovered])).toEqual([['2021-10-20', 3, 4, false]]);
});

test('the same five runs, each with its failed-keys file: still 5 of 5, each run counted once', () => {
  const five = [0, 1, 2, 3, 4].map((i) => run(T0 + i * H, [['2021-10-19', 'fail']], true)).join('');
  const files: FailedFile[] = [0, 1, 2, 3, 4].map((i) => {
    const at = new Date(T0 + i * H);
    const name = `failed_dates_${at.getFullYear()}${String(at.getMonth() + 1).padStart(2, '0')}${String(at.getDate()).padStart(2, '0')}_${String(at.getHours()).padStart(2, '0')}0000.json`;
    return { path: `/x/${name}`, name, runStartedAt: T0 + i * H, writtenAt: null, mtimeMs: T0 + i * H + 60_000, totalFailed: 1, problems: [], entries: [{ key: '2021-10-19', status: 'failed', error: 'HTTP 500' }] };
  }).reverse();
  const s = stateOf(five, files);
  expect(failuresView(s).rows.map((r) => [r.key, r.failedIn, r.triedIn])).toEqual([['2021-10-19', 5, 5]]);
});

// Tester AC1 (AA12's class): run 1 failed 2022-01-01 and 2022-01-02, run 2 failed 2022-01-01 again, run 3 only scraped
// 2022-01-03. The third run never tried 2022-01-01 (no outcome, not in storage), yet once it started the key read
// `1 of 1`, not persistent, and `missing --from failures --persistent` left it out. A run that did not try a key never
// shortens its streak.
test('a later run that never tried a key leaves its streak: 2 of 2, persistent, as before it started', () => {
  const two = run(T0, [['2022-01-01', 'fail'], ['2022-01-02', 'fail']], true) + run(T0 + H, [['2022-01-01', 'fail']], true);
  const three = two + run(T0 + 2 * H, [['2022-01-03', 'ok']], true);
  const listed = (s: AppState) => {
    s = reduce(s, { type: 'expected/loaded', expected: { file: '/x/exp.csv', keys: ['2022-01-01', '2022-01-02', '2022-01-03'], dates: null, problems: { blank: [], duplicates: [], invalid: [] } } as never });
    s = reduce(s, { type: 'coverage/configured', source: 'storage', label: 'storage' });
    return reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set(['2022-01-03']), bytesBilled: null, method: 'directory', requests: 1 }, at: T0 + 3 * H });
  };
  for (const text of [two, three]) {
    const s = listed(stateOf(text));
    const row = failuresView(s).rows.find((r) => r.key === '2022-01-01');
    expect(row, text === two ? 'two runs' : 'three runs').toMatchObject({ failedIn: 2, triedIn: 2, persistent: true });
    expect(statusJson(s).failures).toMatchObject({ persistent: 1 });
  }
});

// Tester AG7: with failed-keys files beside the log, a run that scraped a key between two failing runs was forgotten:
// its file does not list the key, so the files alone read `failed in 2 of 2 runs`, persistent, and `r` left it out.
// The log's earlier runs know the scrape: the key reads 2 of 3, failing, not persistent.
const fileOf = (i: number, keys: string[]): FailedFile => {
  const at = new Date(T0 + i * 2 * H);
  const name = `failed_dates_${at.getFullYear()}${String(at.getMonth() + 1).padStart(2, '0')}${String(at.getDate()).padStart(2, '0')}_${String(at.getHours()).padStart(2, '0')}0000.json`;
  return { path: `/x/${name}`, name, runStartedAt: T0 + i * 2 * H, writtenAt: null, mtimeMs: T0 + i * 2 * H + 60_000, totalFailed: keys.length, problems: [], entries: keys.map((key) => ({ key, status: 'failed', error: 'HTTP 500' })) };
};
const withStorage = (s: AppState, keys: string[], present: string[] = []) => {
  s = reduce(s, { type: 'expected/loaded', expected: { file: '/x/exp.csv', keys, dates: null, problems: { blank: [], duplicates: [], invalid: [] } } as never });
  s = reduce(s, { type: 'coverage/configured', source: 'storage', label: 'storage' });
  return reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set(present), bytesBilled: null, method: 'directory', requests: 1 }, at: T0 + 7 * H });
};
const A = '2021-10-19';
const B = '2021-10-20';

test('runs with files: a run between that scraped the key makes it 2 of 3, not persistent; the key every run failed stays 3 of 3', () => {
  // 10:00 fails A and B, 12:00 scrapes A and fails B, 14:00 fails both: each writes its file (12:00's lists B only).
  const text = run(T0, [[A, 'fail'], [B, 'fail']], true) + run(T0 + 2 * H, [[A, 'ok'], [B, 'fail']], true) + run(T0 + 4 * H, [[A, 'fail'], [B, 'fail']], true);
  const files = [fileOf(2, [A, B]), fileOf(1, [B]), fileOf(0, [A, B])];
  const s = withStorage(stateOf(text, files), [A, B]);
  expect(failuresView(s).rows.map((r) => [r.key, r.failedIn, r.triedIn, r.recovered, r.persistent])).toEqual([
    [A, 2, 3, false, false],
    [B, 3, 3, false, true],
  ]);
  expect(statusJson(s).failures).toMatchObject({ failing: 2, persistent: 1 });
});

test('runs with files: the key scraped between, then not tried by the newest run, is still 2 of 3, not persistent', () => {
  // As above, then a 16:00 run of another key: A's streak is 10:00 and 14:00 failing, 12:00 scraping.
  const text = run(T0, [[A, 'fail']], true) + run(T0 + 2 * H, [[A, 'ok']], true) + run(T0 + 4 * H, [[A, 'fail']], true) + run(T0 + 6 * H, [[B, 'ok']], true);
  const files = [fileOf(2, [A]), fileOf(0, [A])];
  const s = withStorage(stateOf(text, files), [A, B], [B]);
  expect(failuresView(s).rows.map((r) => [r.key, r.failedIn, r.triedIn, r.recovered, r.persistent])).toEqual([[A, 2, 3, false, false]]);
});

test('runs with files and a newer file from a run elsewhere: the scrape between still counts, 3 of 4, not persistent', () => {
  // 10:00 fails A (file), 12:00 scrapes it (a file of other keys), 14:00 fails it (file); then 16:00, a run not in this
  // log (another machine), fails it too: its file is newer than the log's newest run.
  const text = run(T0, [[A, 'fail']], true) + run(T0 + 2 * H, [[A, 'ok'], [B, 'fail']], true) + run(T0 + 4 * H, [[A, 'fail']], true);
  const files = [fileOf(3, [A]), fileOf(2, [A]), fileOf(1, [B]), fileOf(0, [A])];
  const s = withStorage(stateOf(text, files), [A, B]);
  expect(failuresView(s).rows.find((r) => r.key === A)).toMatchObject({ failedIn: 3, triedIn: 4, recovered: false, persistent: false });
});

// Tester AG7 addendum (min5, the common shape with a realistic generator): a run killed before its file failed the key,
// the next run failed it again and wrote its file, the newest run (its own file) did not try it: 2 of 2, persistent,
// where the files alone read 1 of 1.
test('a killed run with no file, then a run with its file, both failing the key; the newest not trying it: 2 of 2, persistent', () => {
  const text = run(T0, [[A, 'fail']], false) + run(T0 + 2 * H, [[A, 'fail']], true) + run(T0 + 4 * H, [[B, 'fail']], true);
  const files = [fileOf(2, [B]), fileOf(1, [A])];
  const s = withStorage(stateOf(text, files), [A, B]);
  expect(failuresView(s).rows.find((r) => r.key === A)).toMatchObject({ failedIn: 2, triedIn: 2, recovered: false, persistent: true });
});
