import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { FailuresView } from '../components/FailuresView.js';
import type { FailedFile } from '../src/failures/failed-file.js';
import { parseExpectedKeys } from '../src/coverage/expected-keys.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { failuresView } from '../src/state/failures-view.js';
import { reduce } from '../src/state/reducer.js';

// Tester AK6: a game-id job's failures view showed no key's date, and `/2023-0` or `/Apr` matched none of the keys its
// own `by month` line counted for April 2023.
const GAMES: [string, string][] = [['0042200161', '2023-04-15'], ['0042200213', '2023-04-20'], ['0022200801', '2023-01-12']];
const failed: FailedFile = { path: '/x/failed_dates_20230501_000000.json', name: 'failed_dates_20230501_000000.json', runStartedAt: Date.UTC(2023, 4, 1), writtenAt: null, mtimeMs: Date.UTC(2023, 4, 1, 1), totalFailed: 3, entries: GAMES.map(([key]) => ({ key, status: 'timeout', error: 'timeout' })), problems: [] };

function job(filter = ''): AppState {
  const expected = parseExpectedKeys(`game_id,game_date\n${GAMES.map(([k, d]) => `${k},${d}`).join('\n')}\n`, { file: '/k.csv', column: 'game_id', format: 'id' });
  let s = initialState({ job: 'team', log: '/x.log', now: Date.UTC(2023, 4, 2), targets: [95], width: 80, height: 24 });
  s = reduce(s, { type: 'expected/loaded', expected });
  s = reduce(s, { type: 'failed/update', files: [failed], current: failed, notes: [] });
  s = reduce(s, { type: 'ui/view', view: 'failures' });
  if (filter) s = reduce(reduce(s, { type: 'ui/filter-start' }), { type: 'ui/filter-input', text: filter });
  return s;
}

test('an id key\'s date is in its row, and `/` finds keys by their date and month', () => {
  const frame = stripVTControlCharacters(renderToString(<FailuresView state={job()} height={20} />, { columns: 80 }));
  expect(frame).toMatch(/0042200213\s+2023-04-20\s+timeout/);
  expect(frame).toMatch(/key\s+date\s+error/);
  expect(failuresView(job('2023-04')).shown.map((r) => r.key).sort()).toEqual(['0042200161', '0042200213']);
  expect(failuresView(job('apr')).shown.map((r) => r.key).sort()).toEqual(['0042200161', '0042200213']);
  expect(failuresView(job('Jan')).shown.map((r) => r.key)).toEqual(['0022200801']);
});
