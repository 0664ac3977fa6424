import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { renderToString } from 'ink';
import { expect, test } from 'vitest';
import { App } from '../components/App.js';
import { statusText } from '../src/app/status-text.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { overviewText } from '../src/overview/overview-text.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { createStore } from '../src/store.js';
import { T0 } from './support/log-text.js';

/** A job whose expected keys file holds no key (a header alone), its storage holding 3 keys of other lists. */
function emptyList(): AppState {
  let s = initialState({ job: 'hdr', log: '/x/bf.log', now: T0, targets: [95] });
  s = reduce(s, { type: 'expected/loaded', expected: { keys: [], format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/todo.csv' } });
  s = reduce(s, { type: 'coverage/configured', source: 'storage', label: 'st' });
  s = reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set(['2021-10-19', '2021-10-20', '2021-10-21']), bytesBilled: null, method: 'prefixes', requests: 1 }, at: T0 });
  return reduce(s, { type: 'log/progress', bytesRead: 0, size: 0, historyDone: true });
}

// Tester AI13's nit: an empty expected list read `storage 0/0 – % 95 %: 0 more` (as if a target wanted 0 more keys)
// while `--require 95` said `no keys are expected, so no target can be met`. Every surface says it in those words.
test('an empty expected list reads `no keys are expected` in status, on the job screen and in the overview; never `– %` or `0 more`', () => {
  const s = emptyList();
  const text = statusText(s);
  expect(text).toContain('storage   no keys are expected  (+3 not expected)\n');
  const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(s, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
  expect(screen).toMatch(/^storage .* no keys are expected$/m);
  const overview = overviewText(overviewRows([s]), 120).join('\n');
  expect(overview).toContain('0 keys expected');
  for (const said of [text, screen, overview]) {
    expect(said).not.toContain('– %');
    expect(said).not.toContain('0 more');
  }
});
