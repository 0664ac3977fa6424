import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester Y2: at 20×5 (and 100×4, 40×3) the header (job and state) left the screen while a notice stayed: the frame
// was taller than the terminal. Under 40×10 the header stays first, the run's progress next, and the frame fits.
afterEach(() => cleanup());
const frameOf = (app: { lastFrame(): string | undefined }) => stripVTControlCharacters(app.lastFrame() ?? '');

test.each([
  [20, 5],
  [100, 4],
  [40, 3],
])('at %i×%i the header is the first row, the run next, never a row too many or too wide', async (cols, rows) => {
  const store = createStore(initialState({ job: 'slow', log: '/x/bf.log', now: T0 + 60_000, targets: [95] }), { frameMs: 0 });
  const records: string[][] = [...banner(6, 180, 800)];
  for (let i = 0; i < 90; i++) records.push(['INFO', `  ✅ Scraped ${new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10)}`]);
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  store.dispatch({ type: 'ui/notice', text: 'launched run resume-20261130-221500-abc123: pid 4123, 800 keys', tone: 'info' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  Object.defineProperty(app.stdout, 'columns', { value: cols, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
  app.stdout.emit('resize');
  const frame = await waitFor(() => (frameOf(app).startsWith('slow') ? frameOf(app) : null), 'the small frame');
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(cols);
  expect(lines[0]).toMatch(/^slow /);
  if (rows - 1 >= 3) expect(lines[1]).toMatch(/^Run 90\/800/);
});

// Tester AA5: under 40×10 with a question open, rows were left blank and neither the size line nor the newest notice
// was said. The question whole, its answers and the header first; then the size line and the notice as rows allow.
test.each([
  [39, 12],
  [39, 9],
])('at %i×%i with a box open: the question whole, then the size line and the newest notice in the rows left', async (cols, rows) => {
  const store = createStore(initialState({ job: 'slow', log: '/x/bf.log', now: T0 + 60_000, targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'ui/notice', text: 'storage checked 3 s ago', tone: 'info' });
  store.dispatch({ type: 'ui/confirm', confirm: { kind: 'retry', message: 'Retry 27 failed keys, 3 workers?', keys: ['a'], workers: 3, timeout: 300 } });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  Object.defineProperty(app.stdout, 'columns', { value: cols, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: rows, configurable: true });
  app.stdout.emit('resize');
  const frame = await waitFor(() => (frameOf(app).includes('Retry 27') ? frameOf(app) : null), 'the small frame with the box');
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const l of lines) expect([...l].length).toBeLessThanOrEqual(cols);
  expect(lines[0]).toMatch(/^slow /);
  expect(frame).toContain('Retry 27 failed keys, 3 workers?');
  expect(frame).toContain('y go · n/Esc cancel');
  expect(frame).toContain(`too small: ${cols}×${rows}, needs 40×10`);
  if (rows >= 12) expect(frame).toContain('storage checked 3 s ago');
});
