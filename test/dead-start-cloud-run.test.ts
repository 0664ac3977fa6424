import { removeDir } from './support/remove-dir.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { createStore } from '../src/store.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

// Tester X11 (rest): an execution that died on a bad argument said why only on the dashboard that launched it;
// `status` text and --json kept run.error null, and one started elsewhere (curl, gcloud) said nothing anywhere.
let dir: string;
let server: LoopbackServer;
let runtime: Runtime | null = null;
const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
const CAUSE = 'backfill-tui sim: error: unrecognized arguments: --bogus-flag';

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-dead-cr-'));
  server = await startJobRegion(dir);
});
afterEach(async () => {
  await runtime?.close();
  runtime = null;
  await server.close();
  removeDir(dir);
});

function screen(r: Runtime): string {
  const s = r.store.getState();
  return stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore({ ...s, ui: { ...s.ui, width: 80, height: 24 } }, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
}

/** The screen's rows joined as one text: a problem wrapped over free rows (tester AA9) reads whole. */
const joined = (r: Runtime) => screen(r).split('\n').map((row) => row.trim()).join(' ');

test('an execution that died on a bad argument says why on the dashboard, in status text and --json: launched here, then one started elsewhere after it', async () => {
  const storage = path.join(dir, 'st');
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}', `--storage=${storage}`, '--speed=50', '--bogus-flag'], cloudRun: { logDeadline: 20 } });
  const r = (runtime = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined }));
  await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
  r.controller.onIntent('confirm-yes');
  const ours = await waitFor(() => server.world.executions[0], 'the execution launched here');
  await ours.done;
  const endedWithCause = () => {
    const s = r.store.getState();
    return s.place?.execution?.state === 'failed' && currentFigures(s).status === 'ended' && joined(r).includes(`ended before its first record; its last output: "${CAUSE}"`);
  };
  await waitFor(endedWithCause, 'the launched execution ended, its cause on the job screen', 30_000);
  for (const args of [['status', '--json'], ['status']]) {
    const out = await runCliAsync(args, { cwd: dir });
    if (args.length === 2) expect(JSON.parse(out.stdout).run).toMatchObject({ state: 'ended', error: CAUSE });
    else expect(unwrapped(out.stdout)).toContain(`\n          ended before its first record; its last output: "${CAUSE}"\n`);
  }

  // The same fault in an execution started elsewhere, after ours: the dashboard follows it and says why.
  const job = server.world.opts.jobs[0];
  const theirs = server.world.run(job, { containerOverrides: [{ args: [`--keys=${KEYS.join(',')}`, `--storage=${storage}`, '--bogus-flag'] }] });
  await theirs.done;
  await waitFor(() => r.store.getState().place?.execution?.id === theirs.name.split('/').at(-1) && endedWithCause(), 'the external execution ended, its cause on the job screen', 30_000);
  expect(r.store.getState().place?.ours).toBe(false);
  const json = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
  expect(json.execution).toMatchObject({ name: theirs.name, ours: false });
  expect(json.run).toMatchObject({ state: 'ended', error: CAUSE });
  expect(unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout)).toContain(`\n          ended before its first record; its last output: "${CAUSE}"\n`);
}, 90_000);

// Tester Y6: a dashboard opened after an execution had died at start fired `ended without a summary` at its first
// look: the execution read `incomplete` until the next listing, and that end was taken for news.
test('an execution that died before the dashboard opened: ended once its log is read, and no alert for it', async () => {
  const job = server.world.opts.jobs[0];
  const dead = server.world.run(job, { containerOverrides: [{ args: [`--keys=${KEYS.join(',')}`, '--bogus-flag'] }] });
  await dead.done;
  // Its log settled (logDeadline 2 s: a read begun a second after its end has everything it wrote).
  const ended = await waitFor(() => server.world.executions[0]?.completionTime ?? null, 'its completion');
  await waitFor(() => Date.now() >= ended + 1_500, 'a second past its end', 10_000);
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}'], cloudRun: { logDeadline: 2 } });
  const r = (runtime = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined }));
  await waitFor(() => r.store.getState().log.historyDone, 'its log read', 30_000);
  // Already ended when the history was done: no state change after it that an alert could take for news.
  const s = r.store.getState();
  expect(s.place?.execution?.id).toBe(dead.name.split('/').at(-1));
  expect(currentFigures(s).status).toBe('ended');
  expect(joined(r)).toContain(`ended before its first record; its last output: "${CAUSE}"`);
  expect(s.alerts.recent).toEqual([]);
}, 60_000);
