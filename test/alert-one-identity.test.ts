import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect, test } from 'vitest';
import { startAlertSink } from '../src/alerts/alert-sink.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { cleanup, tempDir, track } from './runner-support.js';
import { waitFor } from './support/wait-for.js';

afterAll(cleanup);
const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

/** tester Z6's hang.py: its banner, three keys, the fourth started, then silence (a hung request). */
const HANG = `
const { writeSync } = require('node:fs');
const stamp = () => { const d = new Date(); const p = (n, w = 2) => String(n).padStart(w, '0'); return d.getUTCFullYear() + '-' + p(d.getUTCMonth() + 1) + '-' + p(d.getUTCDate()) + ' ' + p(d.getUTCHours()) + ':' + p(d.getUTCMinutes()) + ':' + p(d.getUTCSeconds()) + ',' + p(d.getUTCMilliseconds(), 3); };
for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', 'Loaded 20 dates from k.csv', '  ✅ Scraped 2022-01-03', '  ✅ Scraped 2022-01-04', '  ✅ Scraped 2022-01-05', '[4/20] Processing 2022-01-06']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
setInterval(() => {}, 1000);
`;

// Tester Z6: dashboard A launched the run (its run dated by the spawn), B re-attached to it (dated by its first line):
// each alert of the run went to alerts.jsonl (and the webhook) twice, under two occurrences.
test('two dashboards on one launched run: its stall and its end are recorded once, under the launch\'s id', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'hang.cjs'), HANG);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'stall', log: 'bf.log', keepAwake: false, timezone: 'UTC', timeout: 60, command: [process.execPath, 'hang.cjs'], alerts: { bell: false, desktop: false } }));
  const config = loadConfig({ cwd: dir });
  // One clock for both dashboards, moved on by the test: 6 min of silence without waiting for them.
  let ahead = 0;
  const now = () => Date.now() + ahead;
  const dashboard = (): Runtime => {
    const r = startRuntime(config, { exit: () => undefined, now });
    const stop = startAlertSink(r.store, { channels: config.alerts, stateDir: config.stateDir, write: () => undefined, now });
    open.push(async () => {
      await stop();
      await r.close();
    });
    return r;
  };
  const a = dashboard();
  await waitFor(() => a.store.getState().process.writersChecked && a.store.getState().log.looked, 'A ready');
  a.controller.onIntent('resume');
  await waitFor(() => a.store.getState().ui.confirm, 'the box');
  a.controller.onIntent('confirm-yes');
  const pid = await waitFor(() => a.store.getState().process.alive && a.store.getState().process.pid, 'the run');
  track(pid);
  await waitFor(() => a.store.getState().log.current?.succeeded === 3, 'A read its keys');
  const b = dashboard();
  await waitFor(() => b.store.getState().process.attached && b.store.getState().process.runId === a.store.getState().process.runId && b.store.getState().log.current?.succeeded === 3, 'B re-attached');
  ahead = 6 * 60_000;
  for (const r of [a, b]) await waitFor(() => currentFigures(r.store.getState()).status === 'stalled', 'both stalled');
  process.kill(-pid, 'SIGKILL');
  for (const r of [a, b]) await waitFor(() => r.store.getState().alerts.recent.some((x) => x.kind === 'ended-without-summary'), 'both saw it end', 20_000);
  const runId = a.store.getState().process.runId;
  for (const r of [a, b]) expect(r.store.getState().alerts.recent.map((x) => x.occurrence)).toEqual([expect.stringMatching(new RegExp(`^stall\\|stalled\\|${runId}@`)), `stall|ended-without-summary|${runId}`]);
  // Each sink writes what it raised; the file has each occurrence once.
  await Promise.all(open.splice(0).map((close) => close()));
  const file = join(config.stateDir, 'alerts.jsonl');
  const kinds = (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []).map((l) => JSON.parse(l).kind);
  expect(kinds).toEqual(['stalled', 'ended-without-summary']);
}, 90_000);
