import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterEach, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import { isAlive, procStartOf } from '../src/runner/proc.js';
import { parseRunLines } from '../src/runner/runs-file.js';
import { waitFor } from './support/wait-for.js';
import { killGroup, liveJobDir } from './support/live-job.js';

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The backfill: a banner and a scraped line, then it lives with no handler of its own (SIGINT stays as given). */
const BACKFILL = `#!/bin/sh
stamp() { date -u '+%Y-%m-%d %H:%M:%S,000'; }
echo "$(stamp) - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized"
echo "$(stamp) - INFO -   ✅ Scraped 2022-01-03"
echo "backfill $$"
exec sleep 600
`;

/** A job whose command is a run_backfill.sh that starts the backfill with `nohup … &` and returns (tester W24). */
function wrapperJob() {
  const { dir, configFile } = liveJobDir('bt-wrapper-', 'wrap', KEYS, '', cleanups);
  writeFileSync(path.join(dir, 'backfill.sh'), BACKFILL);
  const wrapper = path.join(dir, 'run_backfill.sh');
  writeFileSync(wrapper, `#!/bin/sh\nnohup /bin/sh "${path.join(dir, 'backfill.sh')}" "$1" &\necho started\n`);
  chmodSync(wrapper, 0o755);
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  writeFileSync(configFile, JSON.stringify({ ...config, command: [wrapper, '{keysFile}'] }));
  return { dir, configFile, runsFile: path.join(dir, '.backfill-tui', 'runs.jsonl'), log: path.join(dir, 'b.log') };
}

function start(configFile: string, dir: string): Runtime {
  const r = startRuntime(loadConfig({ file: configFile, cwd: dir }), { exit: () => undefined });
  cleanups.push(() => r.close());
  return r;
}

const records = (file: string) => parseRunLines(readFileSync(file, 'utf8'));
const screenOf = (r: Runtime) => stripVTControlCharacters(renderToString(React.createElement(App, { store: r.store, onIntent: () => undefined, color: false }), { columns: 80 }));

// Tester W24: `nohup python … &` in the job's command — our launched run read `running (external)`, x refused it
// ("was not started here") and its end was recorded a second after the launch, with the wrapper's exit.
test('a run whose command backgrounds the backfill and returns stays ours: running, x stops its session, its end comes when the session is empty, and a restarted dashboard knows it', async () => {
  const job = wrapperJob();
  const r = start(job.configFile, job.dir);
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked && state().log.historyDone, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => state().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const wrapperPid = await waitFor(() => state().process.pid, 'our launched pid', 30_000);
  cleanups.push(killGroup(wrapperPid));
  const backfill = Number((await waitFor(() => /^backfill (\d+)/m.exec(readFileSync(job.log, 'utf8')), 'the backfill to start'))[1]);
  const backfillStart = procStartOf(backfill)!;
  await waitFor(() => state().process.left, 'the wrapper exit to be seen');
  // A look at who writes the log after the wrapper exited: the backfill is ours, not another writer.
  const lookedAfter = state().process.writersCheckedAt ?? 0;
  await waitFor(() => (state().process.writersCheckedAt ?? 0) > lookedAfter || null, 'a look at the log writers', 30_000);
  expect(state().process).toMatchObject({ pid: wrapperPid, attached: true, alive: true, external: false, externalPids: [] });
  await waitFor(() => (state().process.left?.pids.length === 1 ? true : null), 'only the backfill left in the session');
  expect(state().process.left?.pids).toEqual([{ pid: backfill, procStart: backfillStart }]);
  expect(statusText(state()).split('\n')[0]).not.toContain('(external)');
  expect(screenOf(r).split('\n')[0]).toMatch(/^wrap .*running/);
  // runs.jsonl: what was left, and no end (the wrapper's exit is not the run's).
  // (The backfill may still have had a `date` of its own going when the wrapper exited: in its session too.)
  expect(records(job.runsFile).filter((x) => x.type === 'left')).toMatchObject([{ exitCode: 0, pids: expect.arrayContaining([{ pid: backfill, procStart: backfillStart }]) }]);
  expect(records(job.runsFile).some((x) => x.type === 'end')).toBe(false);

  // A dashboard started now (the first one closed) re-attaches to it from the record.
  await r.close();
  const r2 = start(job.configFile, job.dir);
  const state2 = () => r2.store.getState();
  await waitFor(() => (state2().process.attached && state2().process.left ? state2().process : null), 'the restarted dashboard to re-attach', 30_000);
  expect(state2().process).toMatchObject({ pid: wrapperPid, alive: true, external: false });
  await waitFor(() => state2().process.writersChecked || null, 'its first look at the writers');
  expect(state2().process.external).toBe(false);

  // x: a stop box naming what goes on, and y stops the backfill (SIGINT is ignored under nohup &: SIGTERM at once).
  r2.controller.onIntent('stop');
  const box = await waitFor(() => state2().ui.confirm, 'the stop box');
  expect(box.kind).toBe('stop');
  expect(box.message).toContain(`left pid ${backfill} running in its session`);
  // It promises what y sends (tester AH5 a): the backfill ignores SIGINT (`&` in a script), so SIGTERM at once.
  expect(box.message).toMatch(new RegExp(`SIGTERM to its session's process groups at once: pids? [\\d, ]*\\b${backfill}\\b[\\d, ]*(all )?ignores? SIGINT\\.$`));
  expect(box.message).not.toContain('SIGINT to');
  r2.controller.onIntent('confirm-yes');
  await waitFor(() => !isAlive(backfill, backfillStart), 'the backfill to be stopped', 30_000);
  expect(state2().process.stopSignals.map((s) => s.signal)).toEqual(['SIGTERM']);
  await waitFor(() => records(job.runsFile).find((x) => x.type === 'end'), 'the end record', 30_000);
  expect(records(job.runsFile).filter((x) => x.type === 'end')).toMatchObject([{ reason: 'stopped' }]);
}, 120_000);

// Tester W25: a confirmed stop was recorded in runs.jsonl and the run went on to its summary. The record was awaited
// (an fsync, queued behind the dashboard's other file work) before the first signal, so a dashboard that quit, or
// died, in between left a stop recorded and never sent.
test('a confirmed stop is recorded and signalled in the same tick as its y: nothing can come between them', async () => {
  const LIVES = `
import { writeSync } from 'node:fs';
const stamp = () => new Date().toISOString().replace('T', ' ').replace('.', ',').slice(0, 23);
writeSync(1, stamp() + ' - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized\\n');
setInterval(() => {}, 1000);
process.on('SIGINT', () => process.exit(130));
`;
  const { dir, configFile } = liveJobDir('bt-stop-tick-', 'tick', KEYS, LIVES, cleanups);
  const runsFile = path.join(dir, '.backfill-tui', 'runs.jsonl');
  const r = start(configFile, dir);
  const state = () => r.store.getState();
  await waitFor(() => state().coverage.expected && state().coverage.storage?.checkedAt && state().process.writersChecked && state().log.historyDone, 'ready to launch');
  r.controller.onIntent('resume');
  await waitFor(() => state().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const pid = await waitFor(() => state().process.pid, 'our launched pid', 30_000);
  cleanups.push(killGroup(pid));
  const procStart = procStartOf(pid);
  r.controller.onIntent('stop');
  await waitFor(() => state().ui.confirm?.kind === 'stop' || null, 'the stop box');
  // A run that handles SIGINT is promised one, with the grace before SIGTERM.
  expect(state().ui.confirm?.message).toMatch(/\? SIGINT to its process group, SIGTERM after 10 s\.$/);
  r.controller.onIntent('confirm-yes');
  // Synchronously after the y: the stop is in runs.jsonl and SIGINT has gone to the run's group.
  expect(records(runsFile).filter((x) => x.type === 'stop').map((x) => x.id)).toEqual([state().process.runId]);
  expect(state().process.stopSignals.map((s) => s.signal)).toEqual(['SIGINT']);
  // And the dashboard closing at once (q right after y) takes nothing back.
  await r.close();
  await waitFor(() => !isAlive(pid, procStart), 'the run to end on the SIGINT', 30_000);
}, 90_000);
