import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import type { FailedFile } from '../src/failures/failed-file.js';
import { initialState } from '../src/state/app-state.js';
import { cursorIndex, moveCursor } from '../src/state/cursor.js';
import { failuresView } from '../src/state/failures-view.js';
import { createStore } from '../src/store.js';
import { waitFor } from './support/wait-for.js';

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

test('rows: latest file, recovered when in storage, persistent when every run failed it the same way, runs per key', () => {
  const view = failuresView(storeWith(['2022-02-01']).getState());
  expect(view.rows.map((r) => [r.key, r.recovered, r.persistent])).toEqual([
    ['2022-02-01', true, false],
    ['2022-04-17', false, true],
    ['2022-05-02', false, true],
  ]);
  expect(view.shown.map((r) => r.key)).toEqual(['2022-04-17', '2022-05-02', '2022-02-01']);
  expect(view.summary).toMatchObject({ failing: 2, recovered: 1, persistent: 2, byError: 'HTTP 500: 2', byMonth: 'Apr–Jun: 2 of 2' });
  expect(view.history.get('2022-04-17')?.runs).toBe(2);
});

test('the failures screen shows the groups, the table and what a person needs to act on', async () => {
  const store = storeWith([]);
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('2022-05-02') ? f : null;
  }, 'the table');
  expect(frame).toContain('by error: HTTP 500: 3');
  expect(frame).toContain('persistent 2');
  expect(frame).toMatch(/2022-04-17 .*HTTP 500.*2 .*persistent/);
  expect(frame).toContain('latest file failed_dates_20251126_231710.json');
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
