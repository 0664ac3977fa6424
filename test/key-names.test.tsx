import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { HelpOverlay } from '../components/HelpOverlay.js';
import { HelpBar } from '../components/HelpBar.js';
import { ConfirmBox } from '../components/ConfirmBox.js';
import { ChooseGroup } from '../components/ChooseGroup.js';
import { OverviewHelp, OverviewHelpBar } from '../components/OverviewHelp.js';
import { CHOOSE_KEYS, CONFIRM_KEYS, FILTER_KEYS, KEYMAP, keyLabel } from '../src/keymap.js';
import { OVERVIEW_KEYMAP } from '../src/overview/overview-keymap.js';
import { historyPosition } from '../src/state/history-lines.js';
import { initialState, type Confirm } from '../src/state/app-state.js';
import { logOf, T0 } from './support/log-text.js';
import { App } from '../components/App.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { createStore } from '../src/store.js';

// Tester Z10: `?` named keys `escape` and `pageup` (the terminal reader's names, straight from the table) while the
// key bar said `Esc` and `PgUp`. Every place that names a key writes it one way, from the one table's names.
afterEach(() => cleanup());

/** The reader's names of keys that are not one printable character (those that are no English word): never on screen. */
const RAW = /\b(escape|return|pageup|pagedown|backspace)\b|ctrl\+/;
const frame = (el: React.ReactElement) => stripVTControlCharacters(render(el).lastFrame() ?? '');

describe('one way to write each key', () => {
  test('every key of every table has its screen label', () => {
    const names = [...KEYMAP, ...CONFIRM_KEYS, ...CHOOSE_KEYS, ...OVERVIEW_KEYMAP, ...FILTER_KEYS].flatMap((b) => b.keys);
    for (const n of names) expect(() => keyLabel(n), n).not.toThrow();
    expect(['escape', 'pageup', 'pagedown', 'return', 'ctrl+c', 'up'].map(keyLabel)).toEqual(['Esc', 'PgUp', 'PgDn', 'Enter', 'Ctrl-C', '↑']);
  });

  test("the job's help, the overview's help and the key bars write Esc, PgUp, Ctrl-C, never the reader's names", () => {
    const help = frame(<HelpOverlay width={80} height={40} />);
    expect(help).toMatch(/d, Esc +back to the dashboard/);
    expect(help).toMatch(/PgUp \/ PgDn +a page at a time \(Home, End: /);
    expect(help).toMatch(/q, Ctrl-C +leave/);
    expect(help).toMatch(/n, Esc +no, cancel/);
    expect(help).toMatch(/↑, k \/ ↓, j +move/);
    const overview = frame(<OverviewHelp width={80} height={40} />);
    expect(overview).toMatch(/Enter +open the selected job/);
    for (const [what, text] of [['job help', help], ['overview help', overview], ['overview bar', frame(<OverviewHelpBar width={120} />)]]) {
      expect(text, what).not.toMatch(RAW);
    }
  });

  test('a box, its key bar and the group choice name the answers as the help does', () => {
    const confirm: Confirm = { kind: 'retry', message: 'Retry 3 failed keys? 2 persistent keys left out', keys: ['a', 'b', 'c'], withPersistent: ['a', 'b', 'c', 'd', 'e'], workers: 2, timeout: 60 };
    const state = { ...initialState({ job: 'j', log: '/x.log', now: T0, targets: [95] }) };
    state.ui = { ...state.ui, confirm, width: 120, height: 24 };
    const bar = frame(<HelpBar state={state} width={120} />);
    const box = frame(<ConfirmBox confirm={confirm} width={80} />);
    for (const text of [bar, box]) {
      expect(text).toContain('n/Esc cancel');
      expect(text).not.toMatch(RAW);
    }
    const choose = frame(<ChooseGroup groups={[{ label: 'HTTP 500', keys: ['a'] }]} index={0} width={80} />);
    expect(choose).toContain('↑/↓ then Enter · Esc cancel');
    expect(historyPosition({ lines: ['x'], top: 0, rows: 1, total: 3 })).toMatch(/↑↓ PgUp PgDn$/);
  });
});

// Tester AA10: a box's text wrapped by Ink kept the space it broke at (` help).` at 45 columns, `║  nothing done`), the
// group choice's key bar said `up`/`down`/`return`, and a box of one persistent key offered `a ask for all 1`.
describe('a box at any width', () => {
  const one: Confirm = { kind: 'retry', message: 'The failed key is persistent (failed in every run that tried it: a retry will not help). Nothing to retry by default; a asks to retry it anyway, 3 workers.', keys: [], withPersistent: ['2022-01-03'], workers: 3, timeout: 300 };
  test.each([45, 60, 80])('at %i columns no line of it starts with a space, every word is there, and one key is `it`', (width) => {
    const lines = frame(<ConfirmBox confirm={one} width={width} />).split('\n').slice(1, -1).map((l) => l.slice(2, -2));
    for (const l of lines) expect(l, l).not.toMatch(/^ /);
    const text = lines.map((l) => l.trimEnd()).join(' ');
    expect(text).toContain(one.message);
    expect(text).toContain('a ask again with it · n/Esc cancel');
    expect(text).not.toContain('all 1');
  });
  test('the group choice\'s key bar names the keys as the box over it does', () => {
    const state = { ...initialState({ job: 'j', log: '/x.log', now: T0, targets: [95] }) };
    state.ui = { ...state.ui, choosingGroup: { groups: [{ label: 'HTTP 500', keys: ['a'] }], index: 0 }, width: 120, height: 24 };
    const bar = frame(<HelpBar state={state} width={120} />);
    expect(bar).toContain('↑ previous group · ↓ next group · Enter retry this group');
    expect(bar).not.toMatch(RAW);
  });
});

// Tester AA10: a run whose log (or launch record) gave its workers and no timeout, as a Cloud Run job whose args
// carry no {timeout}, read `4 workers · timeout ? s`: the header says only the settings known.
test('the header says only the settings known: no `timeout ? s`', () => {
  const store = createStore(initialState({ job: 'crjob', log: '/x/bf.log', now: T0 + 60_000, targets: [95] }), { frameMs: 0 });
  const records = [['INFO', 'Backfill (v2) initialized'], ['INFO', '  Workers: 4'], ['INFO', 'Loaded 12 dates from /tmp/dates.txt'], ['INFO', '  ✅ Scraped 2022-01-03']];
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  expect(store.getState().log.current).toMatchObject({ workers: 4, timeoutSec: null });
  const header = frame(<App store={store} onIntent={() => undefined} color={false} />).split('\n')[0];
  expect(header).toContain('4 workers');
  expect(header).not.toContain('?');
});
