import { spawn } from 'node:child_process';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { App } from '../components/App.js';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { isAlive, procStartOf } from '../src/runner/proc.js';
import { existsSync, writeFileSync } from 'node:fs';
import { historyLines } from '../src/state/history-lines.js';
import { readRuns } from '../src/runner/runs-file.js';
import { runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';
import { GATED, killGroup, launchedFromDashboard, liveJobDir } from './support/live-job.js';

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A backfill that writes a line and runs until signalled (SIGINT ends it, as Python's KeyboardInterrupt would). */
const LIVES = `
import { writeSync } from 'node:fs';
const stamp = () => new Date().toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
for (const m of ['NBA.com Player Boxscore Scraper Backfill (v2) initialized', '  ✅ Scraped 2022-01-03']) writeSync(1, stamp() + ' - INFO - ' + m + '\\n');
setInterval(() => {}, 1000);
process.on('SIGINT', () => process.exit(130));
`;

// Tester V18: while our run was live, the same backfill started by hand into the same log (pid 31881) made the
// dashboard read `running (external)`, and x said ours "was not started here" — no way to stop the run it launched.
test('a second process writing the log beside our live run is said (notice, alert, run note); ours stays ours and x stops it', async () => {
  const { dir, log } = liveJobDir('bt-second-writer-', 'two', KEYS, LIVES, cleanups);
  const { r, state, ours } = await launchedFromDashboard(path.join(dir, 'backfill-tui.config.json'), dir, cleanups);
  // The same backfill started by hand, into the same log, in its own session.
  const fd = openSync(log, 'a');
  const stranger = spawn(process.execPath, [path.join(dir, 'lives.mjs')], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  stranger.unref();
  const other = stranger.pid!;
  const otherStart = procStartOf(other);
  cleanups.push(killGroup(other));
  await waitFor(() => state().process.externalPids.includes(other), 'a look at /proc to find the second writer', 30_000);
  const s = state();
  expect(s.process).toMatchObject({ pid: ours, attached: true, alive: true, external: true, externalPids: [other] });
  // Said: a notice while it lasts, an alert (bell, webhook), and the run's note in status (its run counted apart).
  expect(s.ui.notices.find((n) => n.key === 'other-writers')?.text).toBe(`pid ${other}, not started here, also writes this log; x stops only ours`);
  expect(s.alerts.recent.filter((a) => a.kind === 'other-writer').map((a) => a.text)).toEqual([expect.stringContaining(`pid ${other}, not started here, also writes the log of run ${s.process.runId} (pid ${ours})`)]);
  // The job screen at 80x24: the header says ours is running (not `(external)`), the run panel the mixing.
  const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: r.store, onIntent: () => undefined, color: false }), { columns: 80 }));
  expect(screen.split('\n')[0]).toMatch(/^two .*running/);
  expect(screen.split('\n')[0]).not.toContain('(external)');
  expect(screen).toContain(`pid ${other}, not started here, also writes this log: its run is counted apart`);
  const text = statusText(s);
  expect(text.split('\n')[0]).not.toContain('(external)');
  expect(text).toContain(`pid ${other}, not started here, also writes this log: its run is counted apart`);
  // x: the box for our run, and y stops ours only.
  r.controller.onIntent('stop');
  const box = await waitFor(() => state().ui.confirm, 'the stop box');
  expect(box.kind).toBe('stop');
  expect(box.message).toContain(`(pid ${ours})`);
  r.controller.onIntent('confirm-yes');
  await waitFor(() => state().process.alive === false || null, 'our run to end', 30_000);
  expect(isAlive(other, otherStart)).toBe(true);
  // Ours gone, the stranger's run is the log's: now it reads `(external)` and the notice goes.
  expect(statusText(state()).split('\n')[0]).toContain('(external)');
  expect(state().ui.notices.some((n) => n.key === 'other-writers')).toBe(false);
}, 90_000);


// Tester AA18: a second writer appending to the log beside our launched run. Its lines were mixed into ours, what it
// wrote after our summary made a phantom `complete · 0:00` run, its own run never showed, and `status --json` cut the
// stretch into 4 runs. Each line is now read as the run it names (the keys each run queued): two runs, once each, each
// with its own end, on the dashboard, in h and in status --json alike.
test('our launched run and a second writer\'s run in one log: two runs, once each, with their own ends, everywhere', async () => {
  const theirKeys = ['2023-02-01', '2023-02-02'];
  const { dir, log, configFile } = liveJobDir('bt-two-runs-', 'two', KEYS, GATED, cleanups);
  writeFileSync(path.join(dir, 'theirs.csv'), theirKeys.join('\n') + '\n');
  const open = (name: string) => writeFileSync(path.join(dir, name), '');
  const { r, state, ours } = await launchedFromDashboard(configFile, dir, cleanups);
  await waitFor(() => state().log.current?.queued === 3 || null, 'our keys queued', 30_000);
  open('ours.0');
  await waitFor(() => state().log.current?.succeeded === 1 || null, 'our first key');
  // The same backfill started by hand on other keys, into the same log, in its own session.
  const fd = openSync(log, 'a');
  const stranger = spawn(process.execPath, [path.join(dir, 'lives.mjs'), `--csv=${path.join(dir, 'theirs.csv')}`], { detached: true, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  cleanups.push(killGroup(stranger.pid!));
  await waitFor(() => state().log.beside?.queued === 2 || null, 'their keys queued, beside ours');
  for (const g of ['ours.1', 'theirs.0', 'ours.2']) open(g);
  await waitFor(() => state().log.current?.succeeded === 3 && state().log.beside?.succeeded === 1 || null, 'the keys so far, each run its own');
  open('ours.end');
  await waitFor(() => state().process.alive === false || null, 'our run to end', 30_000);
  for (const g of ['theirs.1', 'theirs.end']) open(g);
  await new Promise((done) => (stranger.exitCode !== null ? done(null) : stranger.once('exit', done)));
  await waitFor(() => allComplete(state().log) || null, 'both summaries read', 30_000);

  // runs.jsonl: ours ended complete with its own counts (not the other's).
  const rec = await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null)).find((x) => x.end)?.end, 'our end record', 30_000);
  expect(rec).toMatchObject({ reason: 'complete', counts: { succeeded: 3, failed: 0, skipped: 0 } });
  // The dashboard: the two runs, each once, each complete with its own keys.
  const runs = [...state().log.history, ...(state().log.beside ? [state().log.beside!] : []), state().log.current!];
  expect(runs.map((x) => [x.total, x.succeeded, x.complete])).toEqual(expect.arrayContaining([[3, 3, true], [2, 2, true]]));
  expect(runs).toHaveLength(2);
  // h: `Runs in the log: 2`, no phantom row.
  const h = historyLines(state()).map((l) => l.text);
  expect(h).toContain('Runs in the log: 2, newest first');
  expect(h.filter((t) => / keys · /.test(t))).toHaveLength(2);
  // status --json: the same two runs (the newer its `run`).
  const out = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
  expect([out.run, ...out.runs].map((x: { state: string; total: number; succeeded: number }) => [x.state, x.total, x.succeeded])).toEqual([['complete', 2, 2], ['complete', 3, 3]]);
  expect(existsSync(log)).toBe(true);
}, 120_000);

function allComplete(log: { current: { complete: boolean } | null; beside?: { complete: boolean } | null; history: unknown[] }): boolean {
  return log.current?.complete === true && (log.beside?.complete === true || log.history.length === 1);
}
