import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { readRuns } from '../src/runner/runs-file.js';
import { GATED, launchedFromDashboard, liveJobDir } from './support/live-job.js';
import { waitFor } from './support/wait-for.js';

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// Tester AI6: `rm bf.log` (or `mv bf.log bf.log.1`) under our launched run, which wrote its summary and exited: the end
// record said `exited` with ✓ 136 ✗ 13 (its last key and summary not counted) and an "ended without a summary after 149
// keys" alert went out, while the header said `complete` with ✓ 137: the end record waited for the path's size, 0.
test.each([
  ['deleted (rm)', (log: string) => unlinkSync(log)],
  ['moved aside (mv, no new file)', (log: string) => renameSync(log, `${log}.1`)],
])('our run whose log is %s mid-run ends complete, its last lines counted, alerted as complete', async (_what, move) => {
  const { dir, log, configFile } = liveJobDir('bt-moved-ours-', 'moved', KEYS, GATED, cleanups);
  const { state } = await launchedFromDashboard(configFile, dir, cleanups);
  const open = (name: string) => writeFileSync(path.join(dir, name), '');
  await waitFor(() => state().log.current?.queued === 3 || null, 'our keys queued', 30_000);
  open('ours.0');
  await waitFor(() => state().log.current?.succeeded === 1 || null, 'the first key');
  move(log);
  await waitFor(() => state().log.moved || null, 'the log followed where its writer writes', 30_000);
  open('ours.1');
  open('ours.2');
  await waitFor(() => state().log.current?.succeeded === 3 || null, 'the keys after the move');
  // Its summary and its exit at once: the end record must wait for them to be read from the file it went to.
  open('ours.end');
  const rec = await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null)).find((x) => x.end)?.end, 'our end record', 30_000);
  expect(rec).toMatchObject({ reason: 'complete', exitCode: 0, counts: { succeeded: 3, failed: 0, skipped: 0 } });
  expect(state().alerts.recent.map((a) => a.text)).toEqual(['moved: run complete: 3 scraped, 0 failed, 0 skipped']);
  expect(state().log.current).toMatchObject({ complete: true, succeeded: 3 });
}, 90_000);
