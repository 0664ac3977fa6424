import React from 'react';
import { removeDir } from './support/remove-dir.js';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { overviewCells } from '../src/overview/overview-text.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { waitFor } from './support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  cleanup();
  for (const c of cleanups.splice(0).reverse()) await c();
});

const days = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2022, 0, 3 + i)).toISOString().slice(0, 10));

// Tester AA8: with the expected-keys file missing, the warehouse row was gone from the dashboard with no word why (its
// query waits for the expected keys to tell dates from ids). It stays, saying what it waits for, and starts once the
// file is there.
test('a missing expected-keys file: the warehouse row says it waits for them, and is looked at once the file comes', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-whwaits-'));
  cleanups.push(() => removeDir(dir));
  for (const k of days(3)) {
    for (const place of ['st', 'wh']) {
      mkdirSync(path.join(dir, place, k), { recursive: true });
      writeFileSync(path.join(dir, place, k, 'a.json'), '{}');
    }
  }
  writeFileSync(path.join(dir, 'b.log'), '');
  const config = { job: 'wh', log: 'b.log', expected: 'e.csv', storage: { url: 'st', pollSeconds: 1 }, warehouse: { table: 'p.d.t', column: 'game_date', dir: 'wh', pollSeconds: 1 }, keepAwake: false, timezone: 'UTC', alerts: { bell: false, desktop: false } };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const r: Runtime = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expectedError !== null && state().coverage.storage?.checkedAt != null, 'the expected file missing, storage looked at');
  const app = render(<App store={r.store} onIntent={() => undefined} color={false} />);
  Object.defineProperty(app.stdout, 'columns', { value: 80, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: 24, configurable: true });
  app.stdout.emit('resize');
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('expected keys file not found') ? f : null;
  }, 'the frame with the expected problem');
  const row = frame.split('\n').find((l) => l.startsWith('warehouse '));
  expect(row).toMatch(/ not checked: waits for the expected keys$/);
  expect(frame.split('\n').every((l) => [...l].length <= 80)).toBe(true);
  // The overview's cells say why there are no figures.
  expect(overviewCells(overviewRows([state()])[0]).warehouse).toBe('no expected keys');
  // The file comes: the warehouse is looked at, 3 of 3.
  writeFileSync(path.join(dir, 'e.csv'), days(3).join('\n') + '\n');
  await waitFor(() => state().coverage.warehouse?.checkedAt != null && state().coverage.expected !== null, 'the warehouse looked at', 20_000);
  await waitFor(() => (stripVTControlCharacters(app.lastFrame() ?? '').split('\n').find((l) => l.startsWith('warehouse ')) ?? '').includes('3/3 100.0 %') || null, 'the warehouse row with its figures', 20_000);
}, 60_000);

// The overview's coverage cell said `unknown` for as long as a slow first look took (tester): `checking…` until the
// first answer, the failure's kind after an error, `unknown` only when nothing says more.
test('the overview coverage cell: checking… until the first answer, then the figures', () => {
  let s = initialState({ job: 'j', log: '/x/b.log', now: 1_000, targets: [95] });
  s = reduce(s, { type: 'expected/loaded', expected: { keys: days(4), format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/e.csv' } });
  s = reduce(s, { type: 'coverage/configured', source: 'storage', label: 'gs://b/p/' });
  const cell = () => overviewCells(overviewRows([s])[0]).storage;
  expect(cell()).toBe('checking…');
  s = reduce(s, { type: 'coverage/checking', source: 'storage', at: 1_000 });
  s = reduce(s, { type: 'clock/tick', now: 31_000 });
  expect(cell()).toBe('checking…');
  s = reduce(s, { type: 'coverage/result', source: 'storage', result: { keys: new Set(days(2)), bytesBilled: null, method: 'objects', requests: 1 }, at: 32_000 });
  expect(cell()).toBe('50.0 % · 95 %: 2 more');
});
