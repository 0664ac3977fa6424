import React from 'react';
import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { waitFor } from './support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  cleanup();
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Tester AA16: a failed-keys file that cannot be read was said by `status` (a problem line) and in `f` beside failures,
// but with no run in the log the dashboard said nothing of it: the failures it may hold were silently not counted.
test('a failed-keys file cut off (not being written any more), no run in the log: the dashboard and f say it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-failedunread-'));
  cleanups.push(() => removeDir(dir));
  writeFileSync(path.join(dir, 'b.log'), '');
  writeFileSync(path.join(dir, 'e.csv'), '2024-01-01\n2024-01-02\n');
  // JSON that ends early, left like that for 5 minutes: the writer was killed, it is not being written.
  const file = path.join(dir, 'failed_dates_20261201_090000.json');
  writeFileSync(file, '{"failed": [ {"date": "2024-01-0');
  const past = (Date.now() - 5 * 60_000) / 1000;
  utimesSync(file, past, past);
  const config = { job: 'fu', log: 'b.log', expected: 'e.csv', keepAwake: false, timezone: 'UTC', alerts: { bell: false, desktop: false } };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const r: Runtime = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const app = render(<App store={r.store} onIntent={r.controller.onIntent} color={false} />);
  Object.defineProperty(app.stdout, 'columns', { value: 80, configurable: true });
  Object.defineProperty(app.stdout, 'rows', { value: 24, configurable: true });
  app.stdout.emit('resize');
  const said = 'failed-keys file failed_dates_20261201_090000.json cannot be read (incomplete JSON, unchanged for over a minute (cut off?): its keys are not counted); not shown until it reads';
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('failed-keys file') ? f : null;
  }, 'the dashboard saying the file');
  const rows = frame.split('\n');
  expect(r.store.getState().log.current).toBeNull();
  expect(rows.length).toBeLessThanOrEqual(23);
  for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
  const at = rows.findIndex((l) => l.startsWith('failed-keys file'));
  expect(rows.slice(at, at + 3).map((l) => l.trim()).join(' ')).toBe(said);
  // `f`: none failed in what was read, and the file not read said under it.
  r.controller.onIntent('view-failures');
  const f = await waitFor(() => {
    const t = stripVTControlCharacters(app.lastFrame() ?? '');
    return t.includes('No key failed in any run read') ? t : null;
  }, 'the failures view');
  const fr = f.split('\n');
  const fat = fr.findIndex((l) => l.startsWith('failed-keys file'));
  expect(fat).toBe(fr.findIndex((l) => l.startsWith('No key failed')) + 1);
  expect(fr.slice(fat, fat + 3).map((l) => l.trim()).join(' ')).toBe(said);
}, 60_000);
