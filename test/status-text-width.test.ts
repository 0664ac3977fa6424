import { expect, test } from 'vitest';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester Y8: text `status` printed the by-month line whole (~250 columns) where the failures view wraps it: in an
// 80-column terminal it wrapped mid-word. Every failures line is packed between its groups within 80 columns.
test('the failures lines of text status fit 80 columns, broken only between groups', () => {
  const store = createStore(initialState({ job: 'long', log: '/x/bf.log', now: T0 + 3_600_000, targets: [95] }), { frameMs: 0 });
  const records: string[][] = [...banner(6, 180, 60)];
  // A failure in each of 48 months, four seasons and more.
  for (let m = 0; m < 48; m++) records.push(['ERROR', `  ❌ Failed ${new Date(Date.UTC(2021, 9 + m, 12)).toISOString().slice(0, 10)}: HTTP 500`]);
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  const text = statusText(store.getState());
  const lines = text.split('\n');
  for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(80);
  // Each year starts its own row, after the indent (a row never starts with `May 1`, which reads as a date); a year
  // wider than a row goes on under its months, indented past `2022: `.
  for (const year of [2021, 2022, 2023, 2024, 2025]) expect(lines.some((l) => new RegExp(`^ {10,}${year}: `).test(l)), String(year)).toBe(true);
  for (const l of lines.filter((x) => /^ {10,}[A-Z][a-z]{2} \d/.test(x))) expect(l).toMatch(/^ {18,}/);
});

// Tester AA3: game-id keys with no date printed `no date 19,891` twice under `failures` (the phase line and the month
// line, neither labelled). The month line is left out when no key has a date; one with dates still names them.
test('text status of failed game ids with no date says `no date` once', () => {
  const store = createStore(initialState({ job: 'ids', log: '/x/bf.log', now: T0 + 3_600_000, targets: [95] }), { frameMs: 0 });
  const records: string[][] = [...banner(6, 180, 60)];
  for (let i = 0; i < 12; i++) records.push(['ERROR', `  ❌ Failed 00221000${String(i + 10)}: HTTP 500`]);
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  const text = statusText(store.getState());
  expect(text).toContain('failures  12 failing');
  expect(text.match(/no date 12/g)).toHaveLength(1);
});

// Tester AF8 (a): with dated keys and one without a date (`2021: Oct 1 Nov 6 · no date 1` under `Regular season 7 · no
// date 1`), the month line said `no date` again: months only there.
test('text status of dated failures and one without a date says `no date` once, on the phase line', () => {
  const store = createStore(initialState({ job: 'mixed', log: '/x/bf.log', now: T0 + 3_600_000, targets: [95] }), { frameMs: 0 });
  const records: string[][] = [...banner(6, 180, 60), ['ERROR', '  ❌ Failed 2021-10-20: HTTP 500'], ['ERROR', '  ❌ Failed 2021-11-03: HTTP 500'], ['ERROR', '  ❌ Failed 0022100010: HTTP 500']];
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  const text = statusText(store.getState());
  expect(text).toContain('          2021: Oct 1 Nov 1\n');
  expect(text.match(/no date 1/g)).toHaveLength(1);
});
