import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import { statusText } from '../src/app/status-text.js';
import { statusJson } from '../src/app/status-json.js';
import { logNotAFile } from '../src/overview/row-problem.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore, type Store } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester U8: while a big log's history was read the job screen said `waiting for <the file>` (it was there),
// then `ended · 0:00` with `0/5,299` for seconds (tens of seconds on 1 GB).
afterEach(() => cleanup());
const MB = 1_000_000;
const frameOf = (app: { lastFrame(): string | undefined }) => stripVTControlCharacters(app.lastFrame() ?? '');

function mount(store: Store) {
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  Object.defineProperty(app.stdout, 'columns', { value: 80, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: 24, configurable: true });
  app.stdout.emit('resize');
  return app;
}

const fits = (frame: string) => {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(24);
  for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
};

test('a log being read: reading… and how far, no state word, no run figures, never waiting for a file that is there; 80×24', async () => {
  const now = T0 + 7_200_000;
  const store = createStore(initialState({ job: 'backfill', log: '/runs/big.log', now, targets: [95] }), { frameMs: 0 });
  const app = mount(store);
  // Before the follower's first look: nothing is known, so nothing is waited for either.
  let frame = await waitFor(() => (frameOf(app).includes('backfill') ? frameOf(app) : null), 'the first frame');
  expect(frame.split('\n')[0]).toMatch(/^backfill reading…\s*$/);
  expect(frame).not.toContain('waiting');
  fits(frame);
  // Part of a finished run read (120 of 244 outcomes, its summary not yet): on its own it would look ended.
  const records: string[][] = [...banner(6, 180, 244)];
  for (let i = 0; i < 120; i++) records.push(['INFO', `  ✅ Scraped ${new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10)}`]);
  store.dispatch({ type: 'log/progress', bytesRead: 11.7 * MB, size: 39 * MB, historyDone: false });
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  frame = await waitFor(() => (frameOf(app).includes('30 %') ? frameOf(app) : null), 'the read at 30 %');
  expect(frame.split('\n')[0]).toMatch(/^backfill reading… 30 % of 39(\.0)? MB\s*$/);
  expect(frame).toMatch(/reading history █+░+ 30 % of 39(\.0)? MB/);
  for (const word of ['ended', 'waiting', 'running', 'stopped', 'complete', '120/244', 'Run ', 'scraped', 'rate']) expect(frame).not.toContain(word);
  fits(frame);
  // `status` cut by --timeout at the same point says the same.
  const text = statusText(store.getState());
  expect(text.split('\n')[0]).toMatch(/^backfill: reading… 30 % of 39(\.0)? MB {2}\/runs\/big\.log$/);
  expect(text).not.toMatch(/ended|^run /m);
  // The rest read: the run's own state and figures, at once.
  store.dispatch({ type: 'log/progress', bytesRead: 39 * MB, size: 39 * MB, historyDone: true });
  frame = await waitFor(() => (frameOf(app).includes('120/244') ? frameOf(app) : null), 'the run once read');
  expect(frame.split('\n')[0]).toMatch(/^backfill (ended|stalled) · /);
  expect(frame).not.toContain('reading');
  fits(frame);
});

test('a log found missing is waited for, once looked at', async () => {
  const store = createStore(initialState({ job: 'backfill', log: '/runs/none.log', now: T0, targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'log/waiting' });
  const app = mount(store);
  const frame = await waitFor(() => (frameOf(app).includes('waiting for') ? frameOf(app) : null), 'waiting');
  expect(frame).toContain('waiting for /runs/none.log …');
  expect(frame).not.toContain('reading');
});

// Tester V14: a log path that is a directory (or a FIFO, a device) read `reading…` forever: figures promised that
// never come; then `waiting` here and in a lone `status`, `error` on the overview. Its problem is said, and the
// run's state is `error` on the job screen, in `status` and in `status --json`, as on the overview.
test('a log that cannot be read is not "reading…" nor "waiting": error, with the problem, on the screen and in status', async () => {
  const store = createStore(initialState({ job: 'backfill', log: '/runs/dirlog', now: T0, targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'log/problem', message: logNotAFile('/runs/dirlog', 'is a directory, not a regular file') });
  const app = mount(store);
  const frame = await waitFor(() => (frameOf(app).includes('is a directory') ? frameOf(app) : null), 'the problem');
  expect(frame.split('\n')[0]).toBe('backfill error');
  expect(frame).toContain('log is not a file: /runs/dirlog is a directory');
  expect(frame).not.toContain('reading');
  expect(statusText(store.getState()).split('\n')[0]).toMatch(/^backfill: error {2}\/runs\/dirlog$/);
  expect(statusJson(store.getState()).run.state).toBe('error');
  expect(overviewCells(overviewRow(store.getState())).state).toBe('error');
  fits(frame);
});

// W23 leftover (tester h41): while an 18 MB history was read the job screen said `failing 193 · … HTTP 500 152` at
// `reading… 1 %`, and `f` said `keys: failing 709` at 5 % (truth 11,806): the figures of the part read, as facts.
test('failure figures while the history is read say they are of the part read, on the dashboard and in f; whole once read', async () => {
  const store = createStore(initialState({ job: 'backfill', log: '/runs/big.log', now: T0 + 7_200_000, targets: [95] }), { frameMs: 0 });
  const app = mount(store);
  const records: string[][] = [...banner(6, 180, 244)];
  for (let i = 0; i < 12; i++) records.push(['ERROR', `  ❌ Failed ${new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10)}: HTTP 500`]);
  store.dispatch({ type: 'log/progress', bytesRead: 2 * MB, size: 40 * MB, historyDone: false });
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  let frame = await waitFor(() => (frameOf(app).includes('5 %') ? frameOf(app) : null), 'the read at 5 %');
  expect(frame).toContain('so far (log 5 % read): failing 12');
  fits(frame);
  store.dispatch({ type: 'ui/view', view: 'failures' });
  frame = await waitFor(() => (frameOf(app).includes('keys: failing 12') ? frameOf(app) : null), 'the failures view');
  expect(frame).toContain('so far (log 5 % read): the figures below grow as it is read');
  fits(frame);
  // Read to its end: the figures are the facts, said plainly.
  store.dispatch({ type: 'log/progress', bytesRead: 40 * MB, size: 40 * MB, historyDone: true });
  frame = await waitFor(() => (!frameOf(app).includes('so far') ? frameOf(app) : null), 'the whole history read');
  expect(frame).toContain('keys: failing 12');
});
