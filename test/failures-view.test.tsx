import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import type { FailedFile } from '../src/failures/failed-file.js';
import { initialState } from '../src/state/app-state.js';
import { cursorIndex, moveCursor } from '../src/state/cursor.js';
import { failureSummaryLine, failuresView, retryGroups } from '../src/state/failures-view.js';
import { createStore } from '../src/store.js';
import { waitFor } from './support/wait-for.js';
import { banner, logOf } from './support/log-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { resolvePhases } from '../src/phases/calendar.js';
import { statusText } from '../src/app/status-text.js';

afterEach(() => cleanup());

function file(name: string, entries: [string, string, string][], runStartedAt: number): FailedFile {
  return { path: `/x/${name}`, name, runStartedAt, writtenAt: null, mtimeMs: runStartedAt + 1000, totalFailed: entries.length, entries: entries.map(([key, status, error]) => ({ key, status, error })), problems: [] };
}

// Two runs: the first failed 4 keys; the retry failed 3 of them again (two with the same HTTP 500).
const first = file('failed_dates_20251126_162719.json', [['2022-04-17', 'failed', 'HTTP 500'], ['2022-05-02', 'failed', 'HTTP 500'], ['2022-02-01', 'timeout', 'Timeout after 180s'], ['2021-11-03', 'failed', 'HTTP 500']], Date.UTC(2025, 10, 26, 16, 27, 19));
const retry = file('failed_dates_20251126_231710.json', [['2022-04-17', 'failed', 'HTTP 500'], ['2022-05-02', 'failed', 'HTTP 500'], ['2022-02-01', 'failed', 'HTTP 500']], Date.UTC(2025, 10, 26, 23, 17, 10));

function storeWith(storage: string[]) {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [retry, first], current: retry, notes: [] });
  store.dispatch({ type: 'coverage/configured', source: 'storage', label: 'st' });
  store.dispatch({ type: 'coverage/result', source: 'storage', result: { keys: new Set(storage), bytesBilled: null, method: 'directory', requests: 1 }, at: Date.UTC(2025, 10, 27) });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  return store;
}

test('rows: every key a run failed, failing while the latest run that tried it failed it, recovered when in storage, persistent when every run failed it', () => {
  const view = failuresView(storeWith(['2022-02-01']).getState());
  // 2021-11-03 is not in the retry's file and not in storage: the retry did not try it, it still fails.
  expect(view.rows.map((r) => [r.key, r.recovered, r.persistent])).toEqual([
    ['2021-11-03', false, false],
    ['2022-02-01', true, false],
    ['2022-04-17', false, true],
    ['2022-05-02', false, true],
  ]);
  expect(view.shown.map((r) => r.key)).toEqual(['2021-11-03', '2022-04-17', '2022-05-02', '2022-02-01']);
  expect(view.summary).toMatchObject({ failing: 3, recovered: 1, persistent: 2, byError: [{ label: 'HTTP 500', count: 3 }], byPhase: [{ label: 'Regular season', count: 1 }, { label: 'Playoffs', count: 2 }] });
  expect(view.rows.map((r) => `${r.key} ${r.phase} ${r.failedIn}/${r.triedIn}`)).toEqual(['2021-11-03 Regular season 1/1', '2022-02-01 Regular season 2/2', '2022-04-17 Playoffs 2/2', '2022-05-02 Playoffs 2/2']);
  expect(view.history.get('2022-04-17')?.runs).toBe(2);
});

test('the failures screen shows the groups, the table and what a person needs to act on', async () => {
  const store = storeWith([]);
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('2022-05-02') ? f : null;
  }, 'the table');
  expect(frame).toContain('by error: HTTP 500 4');
  expect(frame).toContain('by phase: Regular season 2 · Playoffs 2');
  expect(frame).toContain('by month: 2021: Nov 1 · 2022: Feb 1 Apr 1 May 1');
  // The sentence wraps at 80 columns rather than losing its end.
  expect(frame.replace(/\s*\n\s*/g, ' ')).toContain('3 keys failed in every run that tried them (Regular season 1 · Playoffs 2): a gentler retry will not help');
  expect(frame).toMatch(/2022-04-17 .*HTTP 500.*Playoffs.*2 of 2 .*persistent/);
  // Counted from the key's first failure on, and said so (tester AD8: `22 of 149` in a log of 150 runs read as all).
  expect(frame).toContain('2021-11-03: failed in 1 of 1 run from its first failure on\n4 keys · ↑↓');
  expect(frame).toContain('latest file failed_dates_20251126_231710.json · 2 files');
});

test('at 80 columns the cursor key\'s words and the keys count each stay whole: two rows when one cannot hold both (AD8)', async () => {
  const store = storeWith([]);
  store.dispatch({ type: 'ui/filter-input', text: '2022-0' });
  store.dispatch({ type: 'ui/filter-end', keep: true });
  store.dispatch({ type: 'ui/cursor', key: '2022-02-01' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('2022-05-02') ? f : null;
  }, 'the table');
  const rows = frame.split('\n');
  expect(rows).toContain('2022-02-01: failed in 2 of 2 runs from its first failure on');
  expect(rows.filter((r) => r.includes(': failed in'))).toHaveLength(1);
  expect(rows.some((r) => r.startsWith('3 of 4 keys match "2022-0" · ↑↓'))).toBe(true);
  for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
  expect(rows.length).toBeLessThanOrEqual(24);
});

test('the filter narrows the rows and the cursor stays on its key while the list changes', () => {
  const store = storeWith([]);
  store.dispatch({ type: 'ui/cursor', key: '2022-05-02' });
  store.dispatch({ type: 'ui/filter-input', text: '2022-0' });
  expect(failuresView(store.getState()).shown.map((r) => r.key)).toEqual(['2022-02-01', '2022-04-17', '2022-05-02']);
  // A key before the cursor recovers: the list changes, the cursor key does not.
  store.dispatch({ type: 'coverage/result', source: 'storage', result: { keys: new Set(['2022-04-17']), bytesBilled: null, method: 'directory', requests: 1 }, at: 1 });
  const shown = failuresView(store.getState()).shown;
  expect(shown.map((r) => r.key)).toEqual(['2022-02-01', '2022-05-02', '2022-04-17']);
  expect(shown[cursorIndex(shown, store.getState().ui.cursorKey)].key).toBe('2022-05-02');
  expect(moveCursor(shown, store.getState().ui.cursorKey, -1)).toBe('2022-02-01');
});

test('R offers error kinds, phases and every month; a long list is windowed to fit 80x24', async () => {
  // 30 keys over 15 months, two error kinds.
  const keys = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2021, 9 + Math.floor(i / 2), 3 + (i % 2) * 10)).toISOString().slice(0, 10));
  const many = file('failed_dates_20251127_085942.json', keys.map((k, i) => [k, i % 3 ? 'failed' : 'timeout', i % 3 ? 'HTTP 500' : 'Timeout after 180s'] as [string, string, string]), Date.UTC(2025, 10, 27, 8, 59, 42));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 28), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [many], current: many, notes: [] });
  const groups = retryGroups(store.getState());
  expect(groups.map((g) => g.label)).toEqual([
    'error HTTP 500', 'error timeout', 'phase Regular season', 'phase Play-In', 'phase Playoffs',
    ...[...new Set(keys.map((k) => k.slice(0, 7)))].map((m) => `month ${m}`),
  ]);
  expect(groups.find((g) => g.label === 'month 2022-02')?.keys).toEqual(['2022-02-03', '2022-02-13']);
  expect(groups.find((g) => g.label === 'phase Play-In')?.keys).toEqual(['2022-04-13']);
  expect(groups.find((g) => g.label === 'phase Playoffs')?.keys).toEqual(['2022-05-03', '2022-05-13', '2022-06-03', '2022-06-13']);
  store.dispatch({ type: 'ui/choose-group', choice: { groups, index: groups.length - 1 } });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('Retry which group') ? f : null;
  }, 'the group box');
  expect(frame.split('\n').length).toBeLessThanOrEqual(23);
  expect(frame).toContain(`› month 2022-12: 2 keys`);
  expect(frame).toContain(`${groups.length} of ${groups.length}`);
  // What is not shown is said (tester X9): above here; from the top, below, before any move.
  const rows = (f: string) => f.split('\n').filter((l) => /(month|phase|error) .*: \d+ keys?/.test(l)).length;
  expect(Number(/↑ (\d+) more above/.exec(frame)?.[1]) + rows(frame)).toBe(groups.length);
  store.dispatch({ type: 'ui/choose-group', choice: { groups, index: 0 } });
  const top = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('› error HTTP 500') ? f : null;
  }, 'the group box at its top');
  expect(top.split('\n').length).toBeLessThanOrEqual(23);
  expect(Number(/↓ (\d+) more below/.exec(top)?.[1]) + rows(top)).toBe(groups.length);
  expect(top).not.toContain('above');
});

test('the dashboard failures line: count, kinds, phases, persistent', () => {
  expect(failureSummaryLine(storeWith(['2022-02-01']).getState())).toBe('failing 3 · 2 persistent (Playoffs 2) · 1 recovered · HTTP 500 3 · Regular season 1 · Playoffs 2');
});

test('the live run counts as a run before its file is written: a key failing again is failed in 3 of 3', () => {
  const store = storeWith([]);
  // Started after the retry's file was written; the log says 2022-04-17 failed again, 2022-05-02 is only queued.
  const start = retry.mtimeMs + 3_600_000;
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(start, [...banner(1, 300, 2), ['INFO', '[1/2] Processing 2022-04-17'], ['WARNING', '  ❌ Failed 2022-04-17: HTTP 500']]), compileGrammar()) });
  const rows = failuresView(store.getState()).rows;
  expect(rows.map((r) => `${r.key} ${r.failedIn}/${r.triedIn}`)).toEqual(['2021-11-03 1/1', '2022-02-01 2/2', '2022-04-17 3/3', '2022-05-02 2/2']);
});

test('a key of the older file the live run has since scraped recovers at once, before storage is listed again', () => {
  const store = storeWith([]);
  const start = retry.mtimeMs + 3_600_000;
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(start, [...banner(1, 300, 2), ['INFO', '[1/2] Processing 2022-04-17'], ['WARNING', '  ❌ Failed 2022-04-17: HTTP 500']]), compileGrammar()) });
  const failing = () => failuresView(store.getState()).rows.filter((r) => !r.recovered).map((r) => r.key);
  expect(failing()).toEqual(['2021-11-03', '2022-02-01', '2022-04-17', '2022-05-02']);
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(start + 60_000, [['INFO', '[2/2] Processing 2022-05-02'], ['INFO', '  ✅ Scraped 2022-05-02']]), compileGrammar()) });
  expect(failing()).toEqual(['2021-11-03', '2022-02-01', '2022-04-17']);
  expect(failuresView(store.getState()).rows.find((r) => r.key === '2022-05-02')).toMatchObject({ recovered: true, failedIn: 2, triedIn: 3 });
});

// Tester F26: a Python exception text in a failed-keys file has newlines (and may hold escape sequences).
test('an error of several lines, with escapes, stays on its row: one line, ⏎ for the breaks, nothing sent to the terminal', async () => {
  const multi = file('failed_dates_20251127_090000.json', [['2021-10-22', 'failed', 'HTTP 500\nsecond line\u001b[2J\r\nthird\tline']], Date.UTC(2025, 10, 27, 9));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27, 10), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [multi], current: multi, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const raw = await waitFor(() => ((app.lastFrame() ?? '').includes('2021-10-22') ? app.lastFrame()! : null), 'the table');
  expect(raw).not.toContain('\u001b[2J');
  const rows = stripVTControlCharacters(raw).split('\n').filter((l) => l.includes('second line') && !l.startsWith('error: '));
  expect(rows).toHaveLength(1);
  // Its whole error under the table (cut in its cell: tester AC16), one line too.
  expect(stripVTControlCharacters(raw).split('\n').filter((l) => l.startsWith('error: '))).toEqual(['error: HTTP 500 ⏎ second line ⏎ third line']);
  // No storage in this state: 'failing', not 'missing' (not in storage is not known).
  expect(rows[0]).toMatch(/^› 2021-10-22 HTTP 500 ⏎ second line ⏎ th… +Regular season 1 of 1 failing/);
  expect(stripVTControlCharacters(raw)).not.toMatch(/^\s*second line/m);
});

test('tester U10: at 80 columns the month line breaks between years, never inside one (a row starting "May 1" reads as a date)', async () => {
  // Failures in many months of five seasons: the month line needs more than one row at 80 columns.
  const keys = ['2021-10-20', '2021-11-03', '2021-12-01', '2022-01-05', '2022-02-01', '2022-03-02', '2022-04-17', '2022-05-02', '2023-02-01', '2023-04-05', '2023-05-03', '2024-02-07', '2024-04-03', '2024-05-01', '2025-02-05', '2025-04-09'];
  const many = file('failed_dates_20251126_231710.json', keys.map((k) => [k, 'failed', 'HTTP 500']), Date.UTC(2025, 10, 26, 23, 17, 10));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [many], current: many, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('2021-10-20') ? f : null;
  }, 'the table');
  const lines = frame.split('\n');
  const first = lines.findIndex((l) => l.startsWith('by month: '));
  const monthRows = [lines[first], ...lines.slice(first + 1).filter((_, i, rest) => rest.slice(0, i + 1).every((l) => l.startsWith('  ')))];
  expect(monthRows.length).toBeGreaterThan(1);
  for (const row of monthRows) {
    expect(row.length).toBeLessThanOrEqual(80);
    // Each row after the first starts with a year, and every row but the last ends saying the list goes on.
    if (row !== monthRows[0]) expect(row).toMatch(/^ {2}20\d\d: /);
    if (row !== monthRows.at(-1)) expect(row).toMatch(/ ·$/);
  }
  expect(monthRows.join(' ').replace(/ · +/g, ' · ').replace(/\s+/g, ' ')).toBe('by month: 2021: Oct 1 Nov 1 Dec 1 · 2022: Jan 1 Feb 1 Mar 1 Apr 1 May 1 · 2023: Feb 1 Apr 1 May 1 · 2024: Feb 1 Apr 1 May 1 · 2025: Feb 1 Apr 1');
});

test('tester U16: with "phases": null no failure is grouped by phase (they read `Other 3`): no phase line, column, group or count', async () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27), targets: [95], phases: resolvePhases(null) }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [retry, first], current: retry, notes: [] });
  const s = store.getState();
  expect(failuresView(s).summary).toMatchObject({ byPhase: [], persistentByPhase: [], failing: 4 });
  expect(failureSummaryLine(s)).toBe('failing 4 · persistent: not known (no storage configured) · HTTP 500 4');
  expect(retryGroups(s).map((g) => g.label)).toEqual(['error HTTP 500', 'month 2021-11', 'month 2022-02', 'month 2022-04', 'month 2022-05']);
  expect(statusText(s)).not.toMatch(/Other|Regular season/);
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('2022-05-02') ? f : null;
  }, 'the table');
  expect(frame).not.toContain('by phase');
  expect(frame).not.toMatch(/\bphase\b|Other/);
  expect(frame).toContain('by month: 2021: Nov 1 · 2022: Feb 1 Apr 1 May 1');
});

test('game ids with no date are in no phase: `no date` in the phase and month lines, `–` in the phase column (tester W8)', async () => {
  const ids = file('failed_games_20251127_085942.json', [['0022100001', 'failed', 'HTTP 500'], ['0022100002', 'timeout', 'Timeout after 300s']], Date.UTC(2025, 10, 27, 8, 59, 42));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 28), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [ids], current: ids, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('0022100002') ? f : null;
  }, 'the table');
  expect(frame).toContain('by phase: no date 2');
  expect(frame).toContain('by month: no date 2');
  expect(frame).not.toContain('Regular season');
  const row = frame.split('\n').find((l) => l.includes('0022100001'))!;
  expect(row).toMatch(/ – /);
});

// Tester AH5 f: `2022-04-17: failed in 1 of 1 run known to have tried it, from its first failure…` cut at 80 columns
// with 7 rows of the screen empty below it.
test('the cursor key\'s words wider than the screen wrap into rows the table leaves empty; with none spare, one row cut', async () => {
  const one = file('failed_dates_20251127_090000.json', [['2022-04-17', 'failed', 'HTTP 500']], Date.UTC(2025, 10, 27, 9));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27, 10), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [one], current: one, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('1 key · ↑↓') ? f : null;
  }, 'the table');
  const rows = frame.split('\n');
  const at = rows.findIndex((r) => r.startsWith('2022-04-17: failed in'));
  expect(rows.slice(at, at + 3)).toEqual(['2022-04-17: failed in 1 of 1 run known to have tried it, from its first failure', '  on', expect.stringMatching(/^1 key · ↑↓/)]);
  for (const r of rows) expect(r.length).toBeLessThanOrEqual(80);
  cleanup();
  // A table that needs every row: the words take one, cut, and the table keeps its rows.
  const many = file('failed_dates_20251127_090000.json', Array.from({ length: 40 }, (_, i) => [`2022-01-${String(i + 1).padStart(2, '0')}x`, 'failed', 'HTTP 500'] as [string, string, string]), Date.UTC(2025, 10, 27, 9));
  const full = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27, 10), targets: [95] }), { frameMs: 0 });
  full.dispatch({ type: 'failed/update', files: [many], current: many, notes: [] });
  full.dispatch({ type: 'ui/view', view: 'failures' });
  const app2 = render(<App store={full} onIntent={() => undefined} color={false} />);
  const frame2 = await waitFor(() => {
    const f = stripVTControlCharacters(app2.lastFrame() ?? '');
    return f.includes('40 keys · ↑↓') ? f : null;
  }, 'the full table');
  const rows2 = frame2.split('\n');
  const words = rows2.filter((r) => r.startsWith('2022-01-01x: failed in'));
  expect(words).toEqual([expect.stringMatching(/…$/)]);
  expect(rows2[rows2.indexOf(words[0]) + 1]).toMatch(/^40 keys · ↑↓/);
});

// Tester AI10 f: a right-to-left override (U+202E) in an error reached the terminal in `f`'s table cell; a terminal that
// lays out bidirectional text reverses the rest of the row.
test('bidirectional overrides and isolates in an error never reach the screen', async () => {
  const odd = file('failed_dates_20251127_090000.json', [['2021-10-24', 'failed', 'HTTP 500 \u202e evil \u2066x\u2069 \u202a\u202b\u202c\u202d']], Date.UTC(2025, 10, 27, 9));
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: Date.UTC(2025, 10, 27, 10), targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'failed/update', files: [odd], current: odd, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'failures' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => ((app.lastFrame() ?? '').includes('2021-10-24') ? app.lastFrame()! : null), 'the table');
  expect(frame).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  expect(stripVTControlCharacters(frame)).toMatch(/2021-10-24 +HTTP 500 +evil x/);
});
