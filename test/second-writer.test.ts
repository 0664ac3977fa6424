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
import { waitFor } from './support/wait-for.js';
import { killGroup, liveJobDir } from './support/live-job.js';

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
  const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked && state().log.historyDone, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => state().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const ours = await waitFor(() => state().process.pid, 'our launched pid', 30_000);
  cleanups.push(killGroup(ours));
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
  // Said: a notice while it lasts, an alert (bell, webhook), and the run's note in status (the figures mix both).
  expect(s.ui.notices.find((n) => n.key === 'other-writers')?.text).toBe(`pid ${other}, not started here, also writes this log; x stops only ours`);
  expect(s.alerts.recent.filter((a) => a.kind === 'other-writer').map((a) => a.text)).toEqual([expect.stringContaining(`pid ${other}, not started here, also writes the log of run ${s.process.runId} (pid ${ours})`)]);
  // The job screen at 80x24: the header says ours is running (not `(external)`), the run panel the mixing.
  const screen = stripVTControlCharacters(renderToString(React.createElement(App, { store: r.store, onIntent: () => undefined, color: false }), { columns: 80 }));
  expect(screen.split('\n')[0]).toMatch(/^two .*running/);
  expect(screen.split('\n')[0]).not.toContain('(external)');
  expect(screen).toContain(`pid ${other}, not started here, also writes this log: its lines are mixed in`);
  const text = statusText(s);
  expect(text.split('\n')[0]).not.toContain('(external)');
  expect(text).toContain(`pid ${other}, not started here, also writes this log: its lines are mixed in`);
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
