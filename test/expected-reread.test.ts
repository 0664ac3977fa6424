import { removeDir } from './support/remove-dir.js';
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { coverageView } from '../src/state/coverage-view.js';
import { waitFor } from './support/wait-for.js';

const days = (from: number, n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2022, 0, 3 + from + i)).toISOString().slice(0, 10));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Tester V13: an operator added 10 dates to the expected file; 8 s later the dashboard still said 3/30 and `s` offered
// 27 keys, while `status` said 3/40. The file that says what 100 % means is followed like the log and storage.
test('the expected keys are re-read when the file changes: coverage counts the new list and s launches from it', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-expected-'));
  cleanups.push(() => removeDir(dir));
  const file = path.join(dir, 'e.csv');
  writeFileSync(file, days(0, 30).join('\n') + '\n');
  for (const k of days(0, 3)) {
    mkdirSync(path.join(dir, 'st', k), { recursive: true });
    writeFileSync(path.join(dir, 'st', k, 'a.json'), '{}');
  }
  const config = { job: 'wh', log: 'b.log', expected: 'e.csv', storage: { url: 'st', pollSeconds: 1 }, command: [process.execPath, '-e', '0', '{keysFile}'], workers: 6, timeout: 180, keepAwake: false, timezone: 'UTC' };
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify(config));
  const r: Runtime = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => coverageView(state()).storage?.coverage?.expected === 30 && state().process.writersChecked, 'storage 3/30');
  expect(coverageView(state()).storage?.coverage?.present).toBe(3);
  // A month more, appended as an editor or a script would.
  appendFileSync(file, days(30, 10).join('\n') + '\n');
  await waitFor(() => coverageView(state()).storage?.coverage?.expected === 40, 'the new list read', 20_000);
  r.controller.onIntent('resume');
  const box = await waitFor(() => state().ui.confirm, 'the resume box');
  // The command takes neither {workers} nor {timeout}: the box names neither (tester X4).
  expect(box.message).toBe('Launch 37 keys?');
  expect(box.keys).toEqual(days(3, 37));
  r.controller.onIntent('confirm-no');
  // A bad line added later is said as at start (the keys read stay the file's good ones).
  appendFileSync(file, 'not-a-date\n');
  const bad = await waitFor(() => state().coverage.expected?.invalid.length, 'the bad line said', 20_000);
  expect(bad).toBe(1);
  expect(state().coverage.expected?.keys).toHaveLength(40);
}, 60_000);
