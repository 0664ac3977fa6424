import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { App } from '../components/App.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { formatElapsed } from '../src/format.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AA17: the same run at the same moment read `0:02` on the dashboard and `0:03` in `status` and `h`: each floored
// its own millisecond span, and the screen's clock ticked at whatever phase it started on, up to a second behind.
const START = T0 + 700;
const records = [...banner(1, 60, 10), ['INFO', '  ✅ Scraped 2024-01-01'], ['INFO', '  ✅ Scraped 2024-01-02']];
const LAST = START + (records.length - 1) * 1000;

function at(now: number): AppState {
  const s = initialState({ job: 'j', log: '/x/b.log', now, targets: [95], width: 80, height: 24 });
  const batch = parseText(logOf(START, records), compileGrammar());
  return [
    { type: 'log/batch', batch } as const,
    { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true } as const,
  ].reduce(reduce, s);
}
const header = (s: AppState) => stripVTControlCharacters(renderToString(<App store={createStore(s, { frameMs: 0 })} onIntent={() => undefined} color={false} />, { columns: 80 })).split('\n')[0];
const elapsedIn = (text: string) => / · (\d+:\d\d) · /.exec(text)?.[1];

test('one figure for elapsed: the header on its tick, status and h a moment later in the same second say the same', () => {
  // The dashboard's tick on the whole second after the last line (shared-clock.ts), status 0.9 s later.
  const tick = Math.floor(LAST / 1000) * 1000 + 2000;
  const screen = at(tick);
  const later = at(tick + 900);
  const want = formatElapsed(START, tick - START);
  expect(want).toBe(`0:${String(Math.floor(tick / 1000) - Math.floor(START / 1000)).padStart(2, '0')}`);
  expect(header(screen)).toContain(`running · ${want}`);
  expect(statusText(later)).toMatch(new RegExp(`elapsed ${want}\\b`));
  // h: the run's row says the header's figure too (tester AC3: it said the span of the run's lines, 0:26 beside the
  // header's 0:36 for a stopped run, 2:40 beside 12:17 for one whose writer went long after its last line).
  const row = historyLines(later).find((l) => / keys · /.test(l.text))!;
  expect(elapsedIn(row.text)).toBe(want);
  expect(want).not.toBe(`0:${String(records.length - 1).padStart(2, '0')}`);
});

test.each([
  [700, 2_600, '0:03'],
  [0, 2_999, '0:02'],
  [999, 1, '0:01'],
  [500, 59_400, '0:59'],
  [500, 59_500, '1:00'],
])('formatElapsed from .%i ms over %i ms: %s', (ms, span, text) => {
  expect(formatElapsed(T0 + ms, span)).toBe(text);
});

// Tester AC3: the launch's row in h counted from its record to the script's exit (start-up and exit in it) and the
// log's row the span of its lines, beside the header's figure: one run, three times.
test('a run launched here: its launch row, its log row, the header and status say one figure', () => {
  const done: string[][] = [...records, ['INFO', 'BACKFILL COMPLETE']];
  const end = START + (done.length - 1) * 1000;
  let s = initialState({ job: 'j', log: '/x/b.log', now: end + 5_000, targets: [95], width: 80, height: 24 });
  s = reduce(s, { type: 'log/batch', batch: parseText(logOf(START, done), compileGrammar()) });
  s = reduce(s, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  const launch = { id: 'resume-1', label: 'resume', keyCount: 10, keysFile: '/x/k.csv', pid: 4242, startedAt: START - 600, endedAt: end + 500, exitCode: 0, reason: 'complete' };
  s = reduce(s, { type: 'process/update', patch: { history: [launch], runId: 'resume-1', pid: 4242, alive: false, exitCode: 0 } });
  const want = formatElapsed(START, end - START);
  expect(formatElapsed(launch.startedAt, launch.endedAt - launch.startedAt)).not.toBe(want);
  expect(header(s)).toContain(`complete · ${want}`);
  expect(statusText(s)).toMatch(new RegExp(`elapsed ${want}\\b`));
  const lines = historyLines(s).map((l) => l.text);
  expect(lines.find((l) => / resume +10 keys /.test(l))).toMatch(new RegExp(` 10 keys ${want} `));
  expect(elapsedIn(lines.find((l) => / keys · /.test(l))!)).toBe(want);
});

// Tester AC3 residue (round 12): every older run in h had two figures, its launch row's (launch to exit: 0:20) and its
// log row's (the span of its lines: 0:04), a stopped run's silent wind-down left out of the second. One run, one figure.
test('an older run launched here: its log row says its launch row\'s figure; one started elsewhere, the span of its lines', () => {
  const first = START;
  const stopped: string[][] = [...banner(1, 60, 10), ['INFO', '  ✅ Scraped 2024-01-01'], ['INFO', '  ✅ Scraped 2024-01-02']];
  const lastOfFirst = first + (stopped.length - 1) * 1000;
  const byHand = first + 60_000;
  const second = first + 120_000;
  const done: string[][] = [...records, ['INFO', 'BACKFILL COMPLETE']];
  const log = logOf(first, stopped) + logOf(byHand, [...banner(1, 60, 3), ['INFO', '  ✅ Scraped 2024-02-01']]) + logOf(second, done);
  let s = initialState({ job: 'j', log: '/x/b.log', now: second + 60_000, targets: [95], width: 80, height: 40 });
  s = reduce(s, { type: 'log/batch', batch: parseText(log, compileGrammar()) });
  s = reduce(s, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  // The first run was stopped: its pool went on without a line until SIGTERM ended it 16 s after its last line.
  const older = { id: 'resume-1', label: 'resume', keyCount: 10, keysFile: '/x/k1.csv', pid: 4241, startedAt: first - 600, endedAt: lastOfFirst + 16_000, exitCode: null, reason: 'stopped' };
  const newer = { id: 'resume-2', label: 'resume', keyCount: 10, keysFile: '/x/k2.csv', pid: 4242, startedAt: second - 600, endedAt: second + (done.length - 1) * 1000 + 500, exitCode: 0, reason: 'complete' };
  s = reduce(s, { type: 'process/update', patch: { history: [older, newer], runId: 'resume-2', pid: 4242, alive: false, exitCode: 0 } });
  const want = formatElapsed(older.startedAt, older.endedAt - older.startedAt);
  expect(want).not.toBe(formatElapsed(first, lastOfFirst - first));
  const lines = historyLines(s).map((l) => l.text);
  const launchRow = lines.find((l) => l.startsWith(new Date(older.startedAt).toISOString().slice(5, 16).replace('T', ' ')) && / resume +10 keys /.test(l))!;
  expect(launchRow).toMatch(new RegExp(` 10 keys ${want} `));
  const logRows = lines.filter((l) => / keys · /.test(l));
  expect(logRows).toHaveLength(3);
  // Newest first: the current run, the one started by hand, the stopped one.
  expect(elapsedIn(logRows[2])).toBe(want);
  // Stopped with `x` (its end record says so): `stopped` in h's log rows and in runs[], as while it was the newest
  // (tester AG6 f: `no summary` and `ended`); the one by hand has no record: `no summary`.
  expect(logRows[2]).toMatch(/ · stopped$/);
  expect(logRows[1]).toMatch(/ · no summary$/);
  expect(elapsedIn(logRows[1])).toBe(formatElapsed(byHand, 10_000));
  // status --json's runs[] dates them the same way (its startedAt/finishedAt were the span of the stopped run's lines):
  // the stopped one from its launch record to the SIGTERM's end, the one by hand its lines.
  const iso = (ms: number) => new Date(ms).toISOString();
  expect(statusJson(s).runs.map((r) => [r.state, r.startedAt, r.finishedAt])).toEqual([
    ['stopped', iso(first - 600), iso(lastOfFirst + 16_000)],
    ['ended', iso(byHand), iso(byHand + 10_000)],
  ]);
});

// One rounding for every time on the screen (the class of tester AI7's nit): a stalled run's `no line for` is whole
// seconds of the clock too. Its first line at :00.700 and its last at 10 min :00.800 (log times 10:00 and 10:10), read
// at 16 min :07.500: `16:07` since the first, so `6:07` since the last, never the 6:06 of a floored millisecond span.
test('a stalled run\'s `no line for` and its elapsed time are read to the second the same way', () => {
  const first = T0 + 700;
  const last = T0 + 600_800;
  const text = [`${logOf(first, banner(1, 60, 10)).trimEnd()}`, logOf(last, [['INFO', '  ✅ Scraped 2024-01-01']]).trimEnd()].join('\n');
  let s = initialState({ job: 'j', log: '/x/b.log', now: T0, targets: [95], width: 80, height: 24 });
  s = [{ type: 'log/batch', batch: parseText(text, compileGrammar()) } as const, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true } as const, { type: 'clock/tick', now: T0 + 967_500 } as const].reduce(reduce, s);
  expect(header(s)).toMatch(/stalled · no line for 6:07 · 16:07/);
});

// An absent time is words or nothing, never a dash beside the state (the class of tester AI10 k): a job with no run yet
// says its state alone, where it said `waiting · –`.
test('a job with no run yet: its header says its state and no time', () => {
  const s = reduce(initialState({ job: 'j', log: '/x/b.log', now: T0, targets: [95], width: 80, height: 24 }), { type: 'log/progress', bytesRead: 0, size: 0, historyDone: true });
  expect(header(s)).toMatch(/^j waiting\s*$/);
});
