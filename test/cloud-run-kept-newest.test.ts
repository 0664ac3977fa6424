import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import React from 'react';
import { renderToString } from 'ink';
import { App } from '../components/App.js';
import path from 'node:path';
import { expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { failuresView } from '../src/state/failures-view.js';
import { placeLines } from '../src/state/place-view.js';
import { currentFigures } from '../src/state/current-figures.js';
import { freePort } from '../src/app/demo-cloud-run.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { regionEachTest, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { waitFor } from './support/wait-for.js';

let dir: string;
let server: LoopbackServer;
const runtimes = regionEachTest('bt-cr-kept-', (d, s) => {
  dir = d;
  server = s;
});
const KEYS = Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));
const FAILING = KEYS.slice(3);

function runtime(): Runtime {
  const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

const keptFile = (id: string) => path.join(dir, '.backfill-tui', 'executions', `${id}.json`);

/** Launches with `intent`, answers y, and waits until the execution ended and its outcomes are kept whole. */
async function launchAndKeep(r: Runtime, intent: 'resume' | 'retry', index: number): Promise<string> {
  r.controller.onIntent(intent);
  await waitFor(() => r.store.getState().ui.confirm, `the ${intent} box`, 30_000);
  r.controller.onIntent('confirm-yes');
  const exec = await waitFor(() => server.world.executions[index], `execution ${index + 1}`, 30_000);
  await exec.done;
  const id = exec.name.split('/').at(-1)!;
  await waitFor(() => existsSync(keptFile(id)) && JSON.parse(readFileSync(keptFile(id), 'utf8')).whole, `execution ${index + 1}'s outcomes kept whole`, 30_000);
  const { stateDir } = loadConfig({ cwd: dir });
  await waitFor(async () => (await readRuns(stateDir, null)).find((x) => x.execution === exec.name)?.end?.counts?.succeeded !== undefined || null, `execution ${index + 1}'s end recorded with its tallies`, 30_000);
  await waitFor(() => failuresView(r.store.getState()).summary.failing === FAILING.length || null, 'its failures in f', 30_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(failuresView(r.store.getState()).summary)} ${JSON.stringify({ ...r.store.getState().log.current, keys: 0, failedKeys: 0 })} ${JSON.stringify(r.store.getState().place)}`);
  });
  return id;
}

// Tester Z3 residue (round 12): the region restarted with a fresh state (it lists none of the job's executions, and its
// Cloud Logging has no entry of them), while STATEDIR/executions/ kept every one's outcomes whole, as the dashboard that
// watched them read them. The newest one read `run 0/29 ✓ 0 ✗ 0` and `failures not known`, `missing --from failures`
// printed nothing, and `f` counted only the earlier executions (its keys `1 of 1`, not persistent).
test('the newest execution, unlisted and gone from Cloud Logging, is read from its kept outcomes: dashboard, status, missing and f alike', async () => {
  const storage = path.join(dir, 'st');
  writeCloudRunJobConfig(dir, server, { keys: KEYS, present: KEYS.slice(0, 3), args: ['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=1', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 20 } });
  const first = runtime();
  await waitFor(() => first.store.getState().coverage.storage?.checkedAt && first.store.getState().coverage.expected && first.store.getState().place?.listedAt, 'ready to launch', 30_000);
  await launchAndKeep(first, 'resume', 0);
  const id = await launchAndKeep(first, 'retry', 1);
  await runtimes.splice(0)[0].close();
  // The region restarted with a fresh state: no execution listed, no log entry left.
  server.world.executions.splice(0);
  server.world.entries.splice(0);

  const json = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
  expect(json.execution).toMatchObject({ id, unlisted: 'no longer listed by the region', keptFrom: `.backfill-tui/executions/${id}.json` });
  expect(json.run).toMatchObject({ total: 3, done: 3, succeeded: 0, failed: 3 });
  expect(json.failures).toMatchObject({ failing: 3, persistent: 3, persistentUnknown: null });
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).toContain(`figures from .backfill-tui/executions/ (its log is gone from Cloud Logging)`);
  expect(text).not.toContain('not known');
  const missing = await runCliAsync(['missing', '--from', 'failures', '--persistent'], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([0, FAILING.join('\n') + '\n']);

  // As a file kept by round 11's dashboard (before `complete` was saved): its run is complete all the same.
  const file = keptFile(id);
  const { complete: _complete, ...older } = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify(older));
  const r = runtime();
  await waitFor(() => (r.store.getState().place?.execution?.id === id && failuresView(r.store.getState()).summary.persistent === 3) || null, 'the kept outcomes on the dashboard', 30_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify(failuresView(r.store.getState()).summary)}`);
  });
  const s = r.store.getState();
  expect(currentFigures(s)).toMatchObject({ status: 'complete', done: 3, total: 3 });
  // Old news, not an alert: the run was over before this dashboard opened.
  expect(s.alerts.recent).toEqual([]);
  expect(s.log.current).toMatchObject({ succeeded: 0, failed: 3, failures: { 'HTTP 500': 3 } });
  expect(placeLines(s).map((l) => l.text)).toContain(`figures from .backfill-tui/executions/ (its log is gone from Cloud Logging)`);
  for (const row of failuresView(s).rows) expect(row).toMatchObject({ failedIn: 2, triedIn: 2, persistent: true });
  // Said as it is (tester Z3's nits): the notice does not say its log is read by name over the line saying it is gone,
  // and `f` counts the one earlier execution, not the newest standing in from what was kept.
  await waitFor(() => r.store.getState().ui.notices.some((n) => n.text === `execution ${id} is no longer listed by the region: shown from runs.jsonl, its figures from what was kept of it (its log is gone from Cloud Logging)`) || null, 'the notice in its words');
  expect(r.store.getState().ui.notices.some((n) => n.text.includes('its log read from Cloud Logging by name'))).toBe(false);
  r.store.dispatch({ type: 'ui/view', view: 'failures' });
  const f = stripVTControlCharacters(renderToString(React.createElement(App, { store: r.store, onIntent: () => undefined, color: false }), { columns: 80 }));
  expect(f).toContain('Failures from its kept outcomes (its log is gone) · 1 earlier execution\n');
}, 120_000);

// Tester AD5: the newest execution's kept outcomes cut short (a full disk, a hand edit), its log gone: `status` said
// `its log has no entries in Cloud Logging … not known`, header `incomplete`, `0/11 ✓ 0 ✗ 0`, and nothing named the file.
test('a kept execution file that cannot be read is said, naming it and why, in status and on the dashboard; the run is not `incomplete`', async () => {
  const storage = path.join(dir, 'st');
  writeCloudRunJobConfig(dir, server, { keys: KEYS, present: KEYS.slice(0, 3), args: ['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=1', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 20 } });
  const first = runtime();
  await waitFor(() => first.store.getState().coverage.storage?.checkedAt && first.store.getState().coverage.expected && first.store.getState().place?.listedAt, 'ready to launch', 30_000);
  const id = await launchAndKeep(first, 'resume', 0);
  await runtimes.splice(0)[0].close();
  server.world.executions.splice(0);
  server.world.entries.splice(0);
  const file = keptFile(id);
  writeFileSync(file, readFileSync(file, 'utf8').slice(0, 200));

  const said = `kept outcomes .backfill-tui/executions/${id}.json cannot be read (incomplete JSON): left out, and left as it is`;
  const plain = await runCliAsync(['status'], { cwd: dir });
  const text = unwrapped(plain.stdout);
  expect(text).toContain(`problem   ${said}`);
  // A problem line exits 1, whatever its kind (README, exit codes).
  expect(plain.code).toBe(1);
  // The execution succeeded and its log is gone (a dashboard read it once, or it would not have been kept): ended, its
  // figures not known, never `incomplete` (last entries still to come).
  expect(text).toMatch(/^bdl-boxscores: ended /);
  expect(text).toContain('run and failures not known');
  const asJson = await runCliAsync(['status', '--json'], { cwd: dir });
  expect(asJson.code).toBe(1);
  const json = JSON.parse(asJson.stdout);
  expect(json.problems).toContain(said);
  expect(json.run.state).toBe('ended');
  expect(json.execution.logIncomplete).toBeNull();

  const r = runtime();
  await waitFor(() => (r.store.getState().place?.execution?.id === id && r.store.getState().place?.logIncomplete === null && currentFigures(r.store.getState()).status === 'ended') || null, 'the dashboard: ended', 30_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${currentFigures(r.store.getState()).status} ${JSON.stringify(r.store.getState().place)}`);
  });
  expect(r.store.getState().ui.notices.map((n) => n.text)).toContain(said);
}, 120_000);

// Tester AF6: an ended execution kept whole, then Cloud Logging unreachable (the region still answers): `status` read
// `ended 0/853 ✓ 0`, `failures not known`, exit 1; the dashboard `incomplete · 0/853`; `missing --from failures`
// printed nothing. What was kept whole is its run and its failures whatever Cloud Logging does; the line says it fails.
test('an ended execution kept whole, Cloud Logging not answering: status, missing and the dashboard read its kept outcomes, and say Cloud Logging fails', async () => {
  const storage = path.join(dir, 'st');
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, present: KEYS.slice(0, 3), args: ['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=1', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 20 } });
  const first = runtime();
  await waitFor(() => first.store.getState().coverage.storage?.checkedAt && first.store.getState().coverage.expected && first.store.getState().place?.listedAt, 'ready to launch', 30_000);
  const id = await launchAndKeep(first, 'resume', 0);
  await runtimes.splice(0)[0].close();
  // Cloud Logging's endpoint refuses connections; the region lists the execution, succeeded, as before.
  const config = JSON.parse(readFileSync(file, 'utf8'));
  config.cloudRun.loggingEndpoint = `http://127.0.0.1:${await freePort()}`;
  writeFileSync(file, JSON.stringify(config));

  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const json = JSON.parse(status.stdout);
  expect(json.run).toMatchObject({ state: 'complete', total: 3, done: 3, succeeded: 0, failed: 3 });
  // One run failed them: failing, not persistent (that takes a second run failing them too).
  expect(json.failures).toMatchObject({ failing: 3, persistent: 0, persistentUnknown: null });
  expect(json.problems).toHaveLength(1);
  expect(json.problems[0]).toMatch(new RegExp(`^log of execution ${id}: Cloud Logging: .*; figures are from its outcomes kept whole in \\.backfill-tui/executions/${id}\\.json$`));
  // Every figure is known, but a problem line was said: exit 1, as for every problem (README's exit codes).
  expect(status.code).toBe(1);
  const missing = await runCliAsync(['missing', '--from', 'failures'], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([0, FAILING.join('\n') + '\n']);

  const r = runtime();
  await waitFor(() => (r.store.getState().place?.execution?.id === id && r.store.getState().place?.error && currentFigures(r.store.getState()).status === 'complete') || null, 'the dashboard: complete from what was kept', 30_000).catch((e: Error) => {
    throw new Error(`${e.message}: ${currentFigures(r.store.getState()).status} ${JSON.stringify(r.store.getState().place)}`);
  });
  const s = r.store.getState();
  expect(currentFigures(s)).toMatchObject({ done: 3, total: 3 });
  expect(failuresView(s).summary).toMatchObject({ failing: 3, persistent: 0 });
  expect(placeLines(s).map((l) => l.text)).toContainEqual(expect.stringMatching(/^Cloud Logging: .* · figures from \.backfill-tui\/executions\/ \(kept whole\)/));
}, 120_000);
