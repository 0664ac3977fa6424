import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { App } from '../components/App.js';
import { SourceError } from '../src/coverage/source.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { displayWidth, fitRows, hangingWrap } from '../src/text-width.js';
import { gameDates } from './support/screen-states.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AA9: a failing source's line was cut at the width, so what went wrong and the fix never showed at 80 or
// 120 columns, with 8 rows free below.
const BUCKET = 'gs://nba-scraped-data/nba-com/player-boxscores/';
const FIX = 'check storage.apiEndpoint (or STORAGE_EMULATOR_HOST); a typo in the host name, or DNS';
const frame = (state: AppState) => stripVTControlCharacters(renderToString(<App store={createStore(state, { frameMs: 0 })} onIntent={() => undefined} color={false} />, { columns: state.ui.width }));

function failing(width: number, height: number): AppState {
  const events: AppEvent[] = [
    { type: 'expected/loaded', expected: { keys: gameDates(40), format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } },
    { type: 'coverage/configured', source: 'storage', label: `Cloud Storage ${BUCKET}` },
    { type: 'coverage/error', source: 'storage', error: new SourceError(`Cloud Storage ${BUCKET}: host storage.googleapis.com not found (DNS): no such name`, FIX, null), at: 0 },
  ];
  return events.reduce(reduce, initialState({ job: 'j', log: '/x.log', now: 0, targets: [95, 98, 100], width, height }));
}

test.each([[80, 24], [120, 30]])('at %i×%i a failing source says what failed, why and the fix, wrapped, every row within the width', (width, height) => {
  const rows = frame(failing(width, height)).split('\n');
  expect(rows.length).toBeLessThanOrEqual(height);
  for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(width);
  const joined = rows.map((r) => r.trim()).join(' ');
  expect(joined).toContain('host storage.googleapis.com not found (DNS): no such name');
  expect(joined).toContain(`→ ${FIX}`);
});

test('on a screen with no rows to spare the line is cut to one row, as before', () => {
  const rows = frame(failing(80, 10)).split('\n');
  expect(rows.length).toBeLessThanOrEqual(10);
  const line = rows.find((r) => r.startsWith('storage: '))!;
  expect(line.endsWith('…')).toBe(true);
  expect(rows.join('\n')).not.toContain(FIX);
});

test('a Cloud Run log that cannot be read: the 403, since when and the fix, wrapped at 80×24 (tester AA4 residue)', () => {
  const hint = 'grant roles/logging.viewer on project proj-1 to the account the dashboard runs as';
  const events: AppEvent[] = [
    { type: 'place/update', patch: { execution: { id: 'bf-job-b0908', name: 'projects/proj-1/locations/us-west2/jobs/bf-job/executions/bf-job-b0908', state: 'running', taskCount: 1, succeededCount: 0, runningCount: 1, failedCount: 0, retriedCount: 0, cancelledCount: 0, createTime: 0, startTime: 0, completionTime: null, args: [], ours: true } as never, error: 'Cloud Logging: permission logging.logEntries.list missing on projects/proj-1 (403); next read in 8 s', hint, errorAt: 0 } },
  ];
  const state = events.reduce(reduce, initialState({ job: 'crjob', log: 'cloud-run', now: 60_000, targets: [95], width: 80, height: 24, place: { kind: 'cloud-run', label: 'Cloud Run job bf-job (us-west2)', execution: null, ours: false, logNewestAt: null, logReadAt: null, logIncomplete: null, error: null, hint: null, errorAt: null, cancelling: false, listedAt: null, recent: [], stuckAfterMs: 3_600_000 } }));
  const rows = frame(state).split('\n');
  for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(80);
  const joined = rows.map((r) => r.trim()).join(' ');
  expect(joined).toContain('(403); next read in 8 s · since');
  expect(joined).toContain(`→ ${hint}`);
});

// Tester AA9's residue: a notice was cut at the width at 80 columns, so the why after what happened never showed
// (`storage listing failed, so s launched nothing: Cloud Storage gs://nba-scraped-d…`).
const LISTING = `storage listing failed, so s launched nothing: Cloud Storage ${BUCKET}: connection refused at 127.0.0.1:9: nothing listens there`;
const LAUNCHED = 'launched run retry-20261128-160014-8aa9e0: pid 8617, 66 keys, machine kept awake (systemd-inhibit)';
function noticed(width: number, height: number, texts: string[]): AppState {
  const events: AppEvent[] = [
    { type: 'expected/loaded', expected: { keys: gameDates(40), format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } },
    ...texts.map((text): AppEvent => ({ type: 'ui/notice', text, tone: 'fail' })),
  ];
  return events.reduce(reduce, initialState({ job: 'j', log: '/x.log', now: 0, targets: [95, 98, 100], width, height }));
}

test('at 80×24 a long notice is wrapped whole under the header; two take at most 4 rows; every row within 80', () => {
  const rows = frame(noticed(80, 24, [LISTING])).split('\n');
  expect(rows.length).toBeLessThanOrEqual(23);
  for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(80);
  const at = rows.findIndex((r) => r.startsWith('storage listing failed'));
  expect(at).toBe(1);
  expect(rows.slice(at, at + 3).map((r) => r.trim()).join(' ')).toBe(LISTING);
  expect(rows[at + 1].startsWith('  ')).toBe(true);
  // Two long ones: the newest whole in its 3 rows, the older in what is left of 4 (one row, cut), then the screen.
  const two = frame(noticed(80, 24, [`${LISTING} (first)`, LISTING])).split('\n');
  expect(two.length).toBeLessThanOrEqual(23);
  expect(two[1]).toMatch(/^storage listing failed.*…$/);
  expect(two.slice(2, 5).map((r) => r.trim()).join(' ')).toBe(LISTING);
  expect(two[5]).not.toMatch(/^ {2}\S/);
  // A short one stays one row.
  expect(frame(noticed(80, 24, ['launched run retry-20261128-160014-8aa9e0: pid 8617, 66 keys'])).split('\n')[2]).not.toMatch(/^ {2}\S/);
});

test('below 20 rows only the newest notice shows, on one row cut with …', () => {
  const rows = frame(noticed(80, 12, [LAUNCHED, LISTING])).split('\n');
  expect(rows.length).toBeLessThanOrEqual(12);
  expect(rows[1]).toMatch(/^storage listing failed.*…$/);
  expect(rows.join('\n')).not.toContain('launched run');
});

test('a frame wraps a problem once: counting its rows and drawing them use the one wrap (kept by width and text)', () => {
  const text = `storage: Cloud Storage ${BUCKET}: host storage.googleapis.com not found (DNS): no such name → ${FIX}`;
  const first = hangingWrap(text, 80);
  expect(hangingWrap(text, 80)).toBe(first);
  expect(hangingWrap(text, 120)).not.toBe(first);
});

// Tester AA9's recheck: the scale row's lag note was cut at 80 columns (`95 98 100  lag 218 (in storage, not l…`).
test('the lag note under the bars shortens its words, never cut, at 80 columns', () => {
  const keys = gameDates(856);
  const events: AppEvent[] = [
    { type: 'expected/loaded', expected: { keys, format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } },
    { type: 'coverage/configured', source: 'storage', label: 'st' },
    { type: 'coverage/result', source: 'storage', result: { keys: new Set(keys.slice(0, 816)), bytesBilled: null, method: 'directory', requests: 1 }, at: 0 },
    { type: 'coverage/configured', source: 'warehouse', label: 'wh' },
    { type: 'coverage/result', source: 'warehouse', result: { keys: new Set(keys.slice(0, 598)), bytesBilled: null, method: 'directory', requests: 1 }, at: 0 },
  ];
  const state = events.reduce(reduce, initialState({ job: 'j', log: '/x.log', now: 0, targets: [95, 98, 100], width: 80, height: 24 }));
  const row = frame(state).split('\n').find((r) => r.includes(' lag '))!;
  expect(row).toMatch(/ lag 218( \((in storage, )?not loaded yet\))?$/);
  expect(displayWidth(row)).toBeLessThanOrEqual(80);
});

// Tester AC16: no screen showed a failed key's whole error: `f` cut it in its column (`requests.exceptions.
// ConnectionError: HT…`) and the cause (which host refused) was only in the log.
test('f: the key under the cursor has its whole error under the table, wrapped, when its cell cuts it', () => {
  const long = "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='nba-scrapers-abc123-wl.a.run.app', port=443): Max retries exceeded with url: /scrape (Caused by NewConnectionError('[Errno 111] Connection refused'))";
  const grammar = compileGrammar();
  const text = logOf(T0, [...banner(1, 60, 2), ['WARNING', `  ❌ Failed 2022-05-02: ${long}`], ['WARNING', '  ❌ Failed 2022-05-03: HTTP 500']]);
  const events: AppEvent[] = [
    { type: 'expected/loaded', expected: { keys: gameDates(40), format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } },
    { type: 'log/batch', batch: parseText(text, grammar) },
    { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true },
    { type: 'ui/view', view: 'failures' },
  ];
  const state = events.reduce(reduce, initialState({ job: 'j', log: '/x.log', now: T0 + 60_000, targets: [95, 98, 100], width: 80, height: 24 }));
  const withCursor = (key: string) => reduce(state, { type: 'ui/cursor', key });
  const rows = frame(withCursor('2022-05-02')).split('\n');
  expect(rows.length).toBeLessThanOrEqual(23);
  for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(80);
  const at = rows.findIndex((r) => r.startsWith('error: '));
  expect(rows.slice(at, at + 4).map((r) => r.trim()).join(" ")).toBe(`error: ${long}`);
  // A short error, whole in its cell: no line for it.
  expect(frame(withCursor('2022-05-03')).split('\n').some((r) => r.startsWith('error: '))).toBe(false);
});

// Tester AG6 a: a notice cut to its rows read `…/player-boxscores/ failed_dates…`: its last row rejoined the wrapped
// pieces with a space, where the path broken across rows had none.
test('a notice cut to its rows goes on as written: a path broken across rows gets no space put in', () => {
  // Longer than a row: wrap breaks it inside.
  const path = '/srv/backfills/2026-12/backfill-tui-demo-sHLKml/player-boxscores/failed_dates_20261201_215119.json';
  const text = `player-boxscores: run resume-20261201-215119-2a373d (pid 9274) ended while no dashboard watched; last line: 2026-12-01 21:52:32,067 - INFO - 💾 Failed dates saved to: ${path}`;
  const rows = fitRows(text, 80, 3);
  expect(hangingWrap(text, 80).length).toBeGreaterThan(3);
  expect(rows).toHaveLength(3);
  for (const r of rows) expect(displayWidth(r)).toBeLessThanOrEqual(80);
  // Rows after the first hang under the text; read together, the cut text is the notice's start as written.
  const joined = rows.map((r, i) => (i === 0 ? r : r.trimStart())).join('').replace(/…$/, '');
  expect(text.replace(/ /g, '').startsWith(joined.replace(/ /g, ''))).toBe(true);
  expect(rows[2]).toMatch(/^ +\S/);
  expect(rows[2]).not.toContain('/ ');
  expect(rows[2].endsWith('…')).toBe(true);
});
