import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { killGroup, liveJobDir } from './support/live-job.js';
import { waitFor } from './support/wait-for.js';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Writes nothing until GATE (beside it) exists, as a script importing its clients for half a second. */
const LATE = `
import { existsSync, writeSync } from 'node:fs';
import path from 'node:path';
const gate = path.join(path.dirname(process.argv[1]), 'gate');
const stamp = () => new Date().toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
const wait = () => {
  if (!existsSync(gate)) return setTimeout(wait, 10);
  for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 1 dates from k.csv', '  ✅ Scraped 2022-01-03', 'BACKFILL COMPLETE']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
};
wait();
`;

// h59's note (10:39): a launch whose script takes half a second to write its first line alerted `run ended without a
// summary after 0 keys` about 50 ms after y, then `run complete`. Between the run's seed (its launch's facts) and the
// pid of its start window, one state had the new run and no writer: `ended`. The seed now carries its pid.
test('a launch silent for its first moments never alerts that it ended; its end is alerted once, as complete', async () => {
  const { dir, configFile } = liveJobDir('bt-late-first-line-', 'late', ['2022-01-03'], LATE, cleanups);
  const r = startRuntime(loadConfig({ file: configFile, cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const s = () => r.store.getState();
  await waitFor(() => s().coverage.expected && s().coverage.storage?.checkedAt && s().process.writersChecked && s().log.historyDone, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => s().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const pid = await waitFor(() => s().process.pid, 'the launch settled', 30_000);
  cleanups.push(killGroup(pid));
  writeFileSync(path.join(dir, 'gate'), '');
  await waitFor(() => s().alerts.recent.some((a) => a.kind === 'completed') || null, 'the run complete', 30_000);
  expect(s().alerts.recent.map((a) => a.kind)).toEqual(['completed']);
  expect(existsSync(path.join(dir, 'gate'))).toBe(true);
}, 60_000);

test('the seed and its pid are one step: no state between them has the new run and no writer', () => {
  let st = initialState({ job: 'j', log: '/x/b.log', now: 1_000_000, targets: [95] });
  st = reduce(st, { type: 'log/progress', bytesRead: 0, size: 0, historyDone: true });
  st = reduce(st, { type: 'process/update', patch: { writersChecked: true, writersCheckedAt: 999_000 } });
  st = reduce(st, { type: 'process/update', patch: { launching: true } });
  st = reduce(st, { type: 'log/launched', seed: { startedAt: 1_000_000, total: 1, workers: 1, timeoutSec: 30 }, bytesBefore: 0, startingPid: 4242 });
  expect(st.process.startingPid).toBe(4242);
  expect(st.alerts.recent).toEqual([]);
});
