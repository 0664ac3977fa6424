import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { formatElapsed } from '../src/format.js';
import { currentFigures } from '../src/state/current-figures.js';
import { expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { failuresView } from '../src/state/failures-view.js';
import { placeLines } from '../src/state/place-view.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { regionEachTest, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { waitFor } from './support/wait-for.js';

let dir: string;
let server: LoopbackServer;
const runtimes = regionEachTest('bt-cr-unlisted-', (d, s) => {
  dir = d;
  server = s;
});
const KEYS = Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

function runtime(): Runtime {
  const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

/**
 * An execution launched from a dashboard that quit before it ended (so no dashboard kept its outcomes), its three
 * keys all failing; then the region forgets it (a region keeps executions for a while only; a restarted one none)
 * while Cloud Logging keeps its entries. Returns its id.
 */
async function launchedThenForgotten(): Promise<string> {
  const storage = path.join(dir, 'st');
  writeCloudRunJobConfig(dir, server, { keys: KEYS, present: KEYS.slice(0, 3), args: ['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=1', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 1 } });
  const first = runtime();
  await waitFor(() => first.store.getState().coverage.storage?.checkedAt && first.store.getState().coverage.expected && first.store.getState().place?.listedAt, 'ready to launch', 30_000);
  first.controller.onIntent('resume');
  await waitFor(() => first.store.getState().ui.confirm, 'the resume box', 30_000);
  first.controller.onIntent('confirm-yes');
  const exec = await waitFor(() => server.world.executions[0], 'the execution', 30_000);
  const { stateDir } = loadConfig({ cwd: dir });
  await waitFor(async () => (await readRuns(stateDir, null)).some((x) => x.execution === exec.name) || null, 'the execution recorded', 30_000);
  // Quit while it runs: no end record, nothing kept of its log.
  await runtimes.splice(0)[0].close();
  await exec.done;
  server.world.executions.splice(0);
  return exec.name.split('/').at(-1)!;
}

// Tester Z3 residue: a job whose executions the region no longer lists, one of them recorded as launched here: the
// header and status said `waiting · no executions yet`, and f, status and missing missed its failures. Its record
// names it: it is shown as such, and its log is read from Cloud Logging by that name.
test('an execution launched here that the region no longer lists: shown from its record, its failures read from its log by name', async () => {
  const id = await launchedThenForgotten();
  const failing = KEYS.slice(3);

  const status = await runCliAsync(['status', '--json'], { cwd: dir });
  const out = JSON.parse(status.stdout);
  expect(out.execution).toMatchObject({ id, state: 'unknown', ours: true, unlisted: 'no longer listed by the region' });
  expect(out.run).toMatchObject({ state: 'complete', failed: 3 });
  expect(out.failures).toMatchObject({ failing: 3 });
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).not.toContain('no executions yet');
  expect(text).toContain(`execution end not known · no longer listed by the region · ${id}`);
  const missing = await runCliAsync(['missing', '--from', 'failures'], { cwd: dir });
  expect(missing.code).toBe(0);
  expect(missing.stdout).toBe(failing.join('\n') + '\n');

  // A dashboard opened now: the same execution on its line, its failures in f.
  const r = runtime();
  await waitFor(() => r.store.getState().place?.execution?.id === id && r.store.getState().log.current?.complete || null, 'the unlisted execution followed and its log read', 30_000);
  expect(placeLines(r.store.getState())[0].text).toBe(`execution end not known · no longer listed by the region · ${id}`);
  await waitFor(() => failuresView(r.store.getState()).summary.failing === 3 || null, 'its failures in f', 30_000);
  expect([...failuresView(r.store.getState()).failing].sort()).toEqual(failing);
}, 90_000);

test('one whose log Cloud Logging no longer has either: said plainly, its run and failures not known', async () => {
  const id = await launchedThenForgotten();
  server.world.entries.splice(0);
  const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(text).not.toContain('no executions yet');
  expect(text).toContain(`no longer listed by the region · ${id}`);
  expect(text).toContain('its log has no entries in Cloud Logging (kept 30 days): run and failures not known');
  expect(text).toContain('failures  not known: the newest execution\'s log is not in Cloud Logging');
  // Never `failing 0`, nor an empty list with exit 0 for a retry's --csv.
  expect(JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout).failures).toMatchObject({ failing: null, persistentUnknown: 'execution log not found' });
  const missing = await runCliAsync(['missing', '--from', 'failures'], { cwd: dir });
  expect([missing.code, missing.stdout]).toEqual([1, '']);
  expect(missing.stderr).toContain(`execution ${id} is no longer listed by the region and its log is not in Cloud Logging`);

}, 90_000);

// Tester AD12: the followed execution vanished from the region while it ran (a 404 for it, the job still there): the
// dashboard kept it `running`, then `stuck`, its clock and ETA going on, under the 404. It is shown as status shows it.
test('the followed execution gone from the region while it runs: no longer listed, its end not known, never running or stuck', async () => {
  writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}', `--storage=${path.join(dir, 'st')}`, '--speed=0.5'], config: { workers: 1, timeout: 30 }, cloudRun: { stuckAfter: 1, logDeadline: 1 } });
  const r = runtime();
  await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready to launch', 30_000);
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box', 30_000);
  r.controller.onIntent('confirm-yes');
  const exec = await waitFor(() => server.world.executions[0], 'the execution', 30_000);
  const id = exec.name.split('/').at(-1)!;
  await waitFor(() => r.store.getState().place?.execution?.id === id && r.store.getState().place?.execution?.state === 'running', 'it followed, running', 30_000);
  // Seen running with a key done (2 s a key), so that its lines and the region's word outlast its start.
  await waitFor(() => (currentFigures(r.store.getState()).done >= 1 && r.store.getState().place?.execution?.state === 'running') || null, 'a key done while running', 30_000);
  server.world.executions.splice(0);
  try {
    await waitFor(() => r.store.getState().place?.execution?.unlisted, 'the execution said gone', 30_000);
    const place = r.store.getState().place!;
    expect(place.execution).toMatchObject({ id, state: 'unknown', unlisted: 'no longer listed by the region' });
    expect(place.error).toBeNull();
    const line = placeLines(r.store.getState())[0].text;
    expect(line).toMatch(/^execution end not known · /);
    expect(line).toContain(`no longer listed by the region · ${id}`);
    expect(r.store.getState().process.alive).toBe(false);
    // Its end not known, it ran until the region last said it was running, on every surface (AD12's residue: `running ·
    // 0:08`, then `ended · 0:05` by its lines read, and `elapsed 0:00` in status from kept outcomes dated at its start).
    const e = place.execution!;
    expect(e.completionTime!).toBeGreaterThan(e.startTime!);
    const file = path.join(dir, '.backfill-tui', 'executions', `${id}.json`);
    const kept = await waitFor(() => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')), 'its outcomes kept', 30_000);
    expect(kept.endedAt).toBe(e.completionTime);
    const shown = formatElapsed(e.startTime, currentFigures(r.store.getState()).elapsedMs);
    expect(shown).toBe(formatElapsed(e.startTime, e.completionTime! - e.startTime!));
    // Its log gone too (a region restarted keeps none): status takes it from the kept outcomes, with the same elapsed.
    server.world.entries.splice(0);
    const text = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
    expect(text).toContain('figures from .backfill-tui/executions/');
    expect(text).toMatch(new RegExp(`elapsed ${shown}\\n`));
  } finally {
    server.world.cancel(exec);
    await exec.done;
  }
}, 90_000);
