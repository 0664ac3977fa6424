import { expect, test } from 'vitest';
import { initialState, type RecordedRun } from '../src/state/app-state.js';
import { historyLines, storageMovedWords } from '../src/state/history-lines.js';

// Tester AJ9: a Cloud Run execution that ended while no dashboard watched got its storage "after" from the next
// dashboard's listing, taken hours later (maybe after other runs wrote), and `h` showed it as the run's end figure.
// The listing's time is kept with it (storageAfterAt), and `h` says it when it is not the end's. TZ is UTC (vitest).
const END = Date.UTC(2026, 11, 2, 7, 42, 0);
const run = (over: Partial<RecordedRun> = {}): RecordedRun => ({ id: 'resume-1', label: 'resume', keyCount: 8, keysFile: null, pid: 0, startedAt: END - 60_000, endedAt: END, exitCode: null, reason: 'succeeded', counts: { succeeded: 8, failed: 0, skipped: 0 }, storageBefore: 4, storageAfter: 12, ...over });
const year = 2026;

test.each([
  ['listed as it ended (the dashboard that watched it)', END + 40_000, null],
  ['listed within 10 min of its end (its log read late)', END + 9 * 60_000, null],
  ['listed 3 h after its end: said when, under its row', END + 3 * 3_600_000, 'after: listed 12-02 10:42, 3 h 00 min after its end'],
  ['a record from before the time was kept: as it was', null, null],
])('%s', (_name, at, note) => {
  expect(storageMovedWords(run({ storageAfterAt: at }), 12, null, year)).toEqual({ inline: ' storage 33.3 → 100.0 %', note });
});

test('listed once the next launch had begun: its keys are in it, so the run\'s "after" is not known', () => {
  expect(storageMovedWords(run({ storageAfterAt: END + 3 * 3_600_000 }), 12, END + 3_600_000, year)).toEqual({ inline: ' storage 33.3 % → not known', note: 'after: not known, listed 12-02 10:42, once the next run had begun' });
  // The next launch after the listing changes nothing.
  expect(storageMovedWords(run({ storageAfterAt: END + 60_000 }), 12, END + 3_600_000, year)).toEqual({ inline: ' storage 33.3 → 100.0 %', note: null });
});

test('h says it on the run\'s row, the next launch from the history', () => {
  const s0 = initialState({ job: 'j', log: '/x.log', now: END + 4 * 3_600_000, targets: [95] });
  const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
  const later: RecordedRun = { ...run({ id: 'retry-2', label: 'retry', startedAt: END + 3_600_000, endedAt: END + 3_700_000, storageBefore: 12, storageAfter: 12, storageAfterAt: END + 3_700_000 }) };
  const s = { ...s0, coverage: { ...s0.coverage, expected: { keys, format: 'id' as const, blank: 0, duplicates: 0, invalid: [], file: '/e' } }, process: { ...s0.process, history: [run({ storageAfterAt: END + 3 * 3_600_000 }), later] } };
  const rows = historyLines(s).map((l) => l.text);
  const i = rows.findIndex((t) => t.includes(' resume '));
  expect(rows[i]).toMatch(/storage 33\.3 % → not known$/);
  expect(rows[i + 1]).toBe('            after: not known, listed 12-02 10:42, once the next run had begun');
  expect(rows.find((t) => t.includes(' retry '))).toMatch(/storage 100\.0 → 100\.0 %$/);
});
