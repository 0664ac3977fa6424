import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { failuresView } from '../src/state/failures-view.js';
import { historyLines } from '../src/state/history-lines.js';
import { runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';
import { regionEachTest, writeCloudRunJobConfig } from './support/cloud-run-job.js';

let dir: string;
let server: LoopbackServer;
const runtimes = regionEachTest('bt-cr-across-', (d, s) => {
  dir = d;
  server = s;
});
const SIM = ['--workers=2', '--speed=50', '--fail-rate=0.5', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'];
// Regular-season days fail half the time, May (a playoff month for the simulator) always: some keys of the first
// execution recover in the retry, the May ones fail in both.
const KEYS = [
  ...Array.from({ length: 16 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10)),
  ...Array.from({ length: 4 }, (_, i) => new Date(Date.UTC(2022, 4, 3) + i * 86_400_000).toISOString().slice(0, 10)),
];

function start(logDeadline = 20): Runtime {
  writeConfig(logDeadline);
  const r = startRuntime(loadConfig({ file: path.join(dir, 'backfill-tui.config.json'), cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

function writeConfig(logDeadline: number): void {
  const storage = path.join(dir, 'st');
  const args = ['--keys={keys}', '--workers={workers}', `--storage=${storage}`, '--speed=50', '--fail-rate=0.5', '--playoff-fail-rate=1', '--timeout-rate=0', '--exception-rate=0'];
  writeCloudRunJobConfig(dir, server, { keys: KEYS, args, cloudRun: { logDeadline }, config: { workers: 2 } });
}

/** Answers the box the intent opens with y, and waits for the execution it starts to end and its log to be read. */
async function launchAndFinish(r: Runtime, intent: 'resume' | 'retry', index: number): Promise<Set<string>> {
  r.controller.onIntent(intent);
  const box = await waitFor(() => r.store.getState().ui.confirm, `the ${intent} box`);
  r.controller.onIntent(box.keys.length ? 'confirm-yes' : 'confirm-all');
  // A launch loads the Cloud Run clients first (about a second of CPU alone): on a machine running other suites, more.
  const exec = await waitFor(() => server.world.executions[index], `execution ${index + 1}`, 30_000);
  await exec.done;
  const id = exec.name.split('/').at(-1);
  await waitFor(() => {
    const s = r.store.getState();
    return s.place?.execution?.id === id && s.place.execution.state === 'succeeded' && s.place.logIncomplete === null && s.log.current?.complete;
  }, `execution ${index + 1} read to its summary`, 30_000);
  const failed = new Set(r.store.getState().log.current!.failedKeys.keys());
  // Storage listed after the run: what it scraped is there.
  const done = r.store.getState().log.current!.succeeded;
  await waitFor(() => (r.store.getState().coverage.storage?.keys?.size ?? 0) >= done, 'storage listed after the run', 20_000);
  return failed;
}

/**
 * Two executions started elsewhere (as gcloud would), one after the other, both ended: the older over every
 * key, the newer over the May keys only (they fail in both). `readsOfOlder` counts the Cloud Logging reads
 * that asked for the older one's entries.
 */
async function twoExecutionsStartedElsewhere() {
  const job = server.world.findJob('nba-props-platform', 'us-west2', 'bdl-boxscore-backfill')!;
  const storage = ['--storage', path.join(dir, 'st')];
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  const may = KEYS.slice(16);
  const older = server.world.run(job, { containerOverrides: [{ args: [`--keys=${KEYS.join(',')}`, ...SIM, ...storage] }] });
  await older.done;
  const newer = server.world.run(job, { containerOverrides: [{ args: [`--keys=${may.join(',')}`, ...SIM, ...storage] }] });
  await newer.done;
  const olderId = older.name.split('/').at(-1)!;
  const readsOfOlder = () => server.requests.filter((q) => q.route === 'entries' && JSON.stringify(q.body).includes(olderId)).length;
  return { may, newer, olderId, readsOfOlder };
}

describe('a Cloud Run job\'s failures span its executions (tester U2)', () => {
  test('keys failed in both executions are 2 of 2 persistent, those the retry scraped recovered; r, status --json and missing --persistent agree', async () => {
    const r = start();
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
    const first = await launchAndFinish(r, 'resume', 0);
    expect(first.size).toBeGreaterThan(4);
    const second = await launchAndFinish(r, 'retry', 1);
    const recovered = [...first].filter((k) => !second.has(k));
    // The retry tried exactly the first execution's failures; May failed in both, some January days recovered.
    expect(server.world.executions[1].args[0].replace('--keys=', '').split(',').sort()).toEqual([...first].sort());
    for (const k of KEYS.slice(16)) expect(second.has(k)).toBe(true);
    expect(recovered.length).toBeGreaterThan(0);

    // The first execution's outcomes are kept (read once), so the rule sees two runs.
    const firstId = server.world.executions[0].name.split('/').at(-1);
    await waitFor(() => existsSync(path.join(dir, '.backfill-tui', 'executions', `${firstId}.json`)), 'the first execution\'s outcomes kept');
    const view = await waitFor(() => {
      const v = failuresView(r.store.getState());
      return v.summary.persistent === second.size ? v : null;
    }, 'every key of the retry persistent').catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify(failuresView(r.store.getState()).summary)}`);
    });
    expect(view.summary).toMatchObject({ failing: second.size, recovered: recovered.length, persistent: second.size });
    for (const row of view.rows) {
      if (second.has(row.key)) expect(row).toMatchObject({ failedIn: 2, triedIn: 2, persistent: true });
      else expect(row).toMatchObject({ failedIn: 1, triedIn: 2, recovered: true });
    }
    expect(view.rows.map((x) => x.key).sort()).toEqual([...first].sort());

    // r: every failing key is persistent, so the box says so and only `a` would launch them.
    r.controller.onIntent('retry');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the retry box');
    expect(box.keys).toEqual([]);
    expect(box.message).toMatch(new RegExp(`^All ${second.size} failed keys are persistent`));
    r.controller.onIntent('confirm-no');

    // A script gets the same answer from status --json and missing --from failures --persistent.
    const status = await runCliAsync(['status', '--json'], { cwd: dir });
    expect(JSON.parse(status.stdout).failures).toMatchObject({ failing: second.size, recovered: recovered.length, persistent: second.size });
    const missing = await runCliAsync(['missing', '--from', 'failures', '--persistent'], { cwd: dir });
    expect(missing.stdout.trim().split('\n').sort()).toEqual([...second].sort());
  }, 120_000);
});

describe('earlier executions are read once and kept', () => {
  test('started elsewhere, before the dashboard: each earlier log is read once, its failures count as a run, and a restarted dashboard reads it from the state directory, not Cloud Logging', async () => {
    const { may, newer, olderId, readsOfOlder } = await twoExecutionsStartedElsewhere();

    const r = start(1);
    // The newer execution is the log's run; the older one comes in as a run before it: May failed in both.
    const view = await waitFor(() => {
      const v = failuresView(r.store.getState());
      return v.summary.persistent === may.length ? v : null;
    }, 'the May keys persistent across the two executions', 30_000).catch((e: Error) => {
      const s = r.store.getState();
      throw new Error(`${e.message}: ${JSON.stringify({ summary: failuresView(s).summary, executions: s.failed.executions?.files.map((f) => [f.name, f.entries.length, f.mtimeMs]), run: s.log.current && [s.log.current.startedAt, s.log.current.failed, s.log.current.complete], kept: existsSync(path.join(dir, '.backfill-tui', 'executions')) ? readdirSync(path.join(dir, '.backfill-tui', 'executions')) : null, reads: readsOfOlder(), notices: s.ui.notices.map((n) => n.text) })}`);
    });
    for (const k of may) expect(view.rows.find((x) => x.key === k)).toMatchObject({ failedIn: 2, triedIn: 2, persistent: true });
    const januaryFailed = view.rows.filter((x) => !may.includes(x.key));
    expect(januaryFailed.length).toBeGreaterThan(0);
    for (const row of januaryFailed) expect(row).toMatchObject({ failedIn: 1, triedIn: 1, persistent: false, recovered: false });
    // Both kept: the older from its one read, the newer (the log's run) once its log was whole.
    const newerId = newer.name.split('/').at(-1)!;
    const both = [`${olderId}.json`, `${newerId}.json`].sort();
    await waitFor(() => JSON.stringify(readdirSync(path.join(dir, '.backfill-tui', 'executions')).sort()) === JSON.stringify(both), 'both executions kept');
    const reads = readsOfOlder();
    expect(reads).toBeGreaterThanOrEqual(1);
    // h (tester T28): both are executions started elsewhere, under a heading that says so, with the keys their
    // args gave and the counts of their logs (read once), never "0 keys" with none.
    r.controller.onIntent('view-history');
    const rows = await waitFor(() => {
      const h = r.store.getState().process.history;
      return h.length === 2 && h.every((x) => x.counts) ? h : null;
    }, 'the executions in the history with their counts');
    expect(rows.map((x) => [x.label, x.external, x.keyCount, x.counts!.succeeded + x.counts!.failed])).toEqual([
      ['external', true, KEYS.length, KEYS.length],
      ['external', true, may.length, may.length],
    ]);
    expect(rows[0].counts!.failed).toBe(januaryFailed.length + may.length);
    const lines = historyLines(r.store.getState()).map((x) => x.text);
    expect(lines).toContain('Executions (launched here, or external): 2, newest first');
    expect(lines.find((x) => x.includes(' external ') && x.includes(`${KEYS.length} keys`))).toMatch(new RegExp(`✓ ${KEYS.length - januaryFailed.length - may.length} ✗ ${januaryFailed.length + may.length} succeeded`));
    await r.close();
    runtimes.splice(runtimes.indexOf(r), 1);

    // Another dashboard: the same answer at once from what was kept; the older log is not asked for again.
    const again = start(1);
    await waitFor(() => failuresView(again.store.getState()).summary.persistent === may.length, 'the same answer after a restart', 30_000);
    await waitFor(() => again.store.getState().place?.logIncomplete === null && again.store.getState().log.current?.complete, 'the newer log read');
    expect(readsOfOlder()).toBe(reads);
  }, 120_000);
});

describe('status reads earlier executions no dashboard kept', () => {
  test('status --json with no dashboard ever: the older execution\'s log is read once within the pace and kept; the next status reads it from the state directory', async () => {
    const { may, newer, olderId, readsOfOlder } = await twoExecutionsStartedElsewhere();
    writeConfig(1);
    await waitFor(() => Date.now() > (newer.completionTime ?? Infinity) + 1000, 'both past their logDeadline of 1 s', 5000);
    const first = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
    expect(first.failures).toMatchObject({ persistent: may.length });
    expect(first.problems).toEqual([]);
    const reads = readsOfOlder();
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(existsSync(path.join(dir, '.backfill-tui', 'executions', `${olderId}.json`))).toBe(true);
    const again = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
    expect(again.failures).toEqual(first.failures);
    expect(readsOfOlder()).toBe(reads);
  }, 60_000);
});
