import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { App } from '../components/App.js';
import { parseExpectedKeys } from '../src/coverage/expected-keys.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import type { AppEvent } from '../src/state/events.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { gameDates } from './support/screen-states.js';

const text = (state: AppState) => stripVTControlCharacters(renderToString(<App store={createStore(state, { frameMs: 0 })} onIntent={() => undefined} color={false} />, { columns: state.ui.width }));
const calendarOf = (frame: string) => frame.split('\n').filter((r) => /^20\d\d-\d\d /.test(r));
const DATES = gameDates(120);
const IDS = DATES.map((_, i) => `00221${String(i + 1).padStart(5, '0')}`);

/** A job screen at 80x24 whose expected keys are `text` (parsed as the file would be), storage holding `present`. */
function screen(fileText: string, format: 'date' | 'id', present: string[]): string {
  const expected = parseExpectedKeys(fileText, { file: '/k.csv', column: format === 'id' ? 'game_id' : undefined, format });
  const events: AppEvent[] = [
    { type: 'expected/loaded', expected },
    { type: 'coverage/configured', source: 'storage', label: 'st' },
    { type: 'coverage/result', source: 'storage', result: { keys: new Set(present), bytesBilled: null, method: 'prefixes', requests: 1 }, at: 0 },
    { type: 'log/waiting' },
  ];
  return text(events.reduce(reduce, initialState({ job: 'team', log: '/bf.log', now: 0, targets: [95, 98, 100], width: 80, height: 24 })));
}

// Tester V9: the real team CSV (`game_id,game_date`) gave the job screen no calendar, though every key has a date.
test('game ids with a date column get the season calendar, the same as the same games keyed by date', () => {
  const every3rd = (keys: string[]) => keys.filter((_, i) => i % 3 !== 0);
  const byDate = screen(`game_date\n${DATES.join('\n')}\n`, 'date', every3rd(DATES));
  const byId = screen(`game_id,game_date\n${IDS.map((id, i) => `${id},${DATES[i]}`).join('\n')}\n`, 'id', every3rd(IDS));
  expect(calendarOf(byDate).length).toBeGreaterThan(0);
  expect(calendarOf(byId)).toEqual(calendarOf(byDate));
  // Ids with no date column: nothing to place them by, no calendar.
  expect(calendarOf(screen(`game_id\n${IDS.join('\n')}\n`, 'id', every3rd(IDS)))).toEqual([]);
});
