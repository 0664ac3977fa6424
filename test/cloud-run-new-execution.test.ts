import { removeDir } from './support/remove-dir.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { overviewRow } from '../src/overview/overview-rows.js';
import { placeLines } from '../src/state/place-view.js';
import { currentFigures } from '../src/state/current-figures.js';
import { waitFor } from './support/wait-for.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { runCliAsync } from './support/cli.js';
import { entriesToBatches } from '../src/run-place/cloud-run-setup.js';
import { compileGrammar } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { logOf, T0 } from './support/log-text.js';

let dir: string;
let server: LoopbackServer;
/** Lines written while this is set reach Cloud Logging an hour late: a new execution whose entries have not come. */
let holdLogs = false;
const runtimes: Runtime[] = [];
const KEYS = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-new-'));
  holdLogs = false;
  server = await startJobRegion(dir, () => (holdLogs ? 3_600_000 : 0));
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  await server.close();
  removeDir(dir);
});

function runtimeFor(args: string[]): Runtime {
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, args, cloudRun: { logDeadline: 20 }, config: { workers: 6, timeout: 180, retry: { workers: 3, timeout: 300 } } });
  const r = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

describe('a new execution is a new run from its launch, before its first log entries arrive (tester U3)', () => {
  test('r after a finished execution: 0/N, the retry\'s workers and timeout, elapsed from its start, no rate or ETA; never the last execution\'s figures', async () => {
    const storage = path.join(dir, 'st');
    const r = runtimeFor(['--keys={keys}', '--workers={workers}', '--timeout={timeout}', `--storage=${storage}`, '--speed=50', '--fail-rate=0.3', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0']);
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
    r.controller.onIntent('confirm-yes');
    const first = await waitFor(() => server.world.executions[0], 'the first execution');
    await first.done;
    // Its log read through: the run of 40 keys, 6 workers, timeout 180 s, complete, with failures to retry.
    const old = await waitFor(() => {
      const run = r.store.getState().log.current;
      const place = r.store.getState().place;
      return run?.complete && place?.execution?.state === 'succeeded' && place.logIncomplete === null ? run : null;
    }, 'the first execution\'s log read to its summary', 30_000);
    expect(old).toMatchObject({ total: 40, workers: 6, timeoutSec: 180 });
    expect(old.failed).toBeGreaterThan(0);
    await waitFor(() => r.store.getState().coverage.storage?.keys?.size === old.succeeded, 'storage listed after the run');

    holdLogs = true;
    r.controller.onIntent('retry');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the retry box').catch((e: Error) => {
      throw new Error(`${e.message}; notices: ${JSON.stringify(r.store.getState().ui.notices.map((n) => n.text))}`);
    });
    expect(box.message).toContain(`Retry ${old.failed} failed keys on Cloud Run job bdl-boxscore-backfill in us-west2 (project nba-props-platform), 3 workers, timeout 300 s?`);
    r.controller.onIntent('confirm-yes');
    const second = await waitFor(() => server.world.executions[1], 'the retry execution');
    await waitFor(() => r.store.getState().place?.execution?.id === second.name.split('/').at(-1), 'the retry followed');

    const s = r.store.getState();
    // The run is the retry's, from what its launch said; nothing of the 40-key run stands for it.
    expect(s.log.current).toMatchObject({ total: old.failed, workers: 3, timeoutSec: 300, succeeded: 0, failed: 0, skipped: 0, complete: false, startedAt: second.startTime ?? second.createTime });
    expect(s.log.current!.failedKeys.size).toBe(0);
    const f = currentFigures(s);
    expect(f).toMatchObject({ status: 'running', done: 0, remaining: old.failed, percent: 0, inFlight: 0, ratePerMin: null, etaSeconds: null });
    expect(f.elapsedMs).toBe(Math.max(0, s.now - (second.startTime ?? second.createTime)));
    expect(placeLines(s)[0].text).toMatch(/^execution (pending|running) · tasks 0\/1 done(, 1 running)? · no log entries yet · /);
    // The overview row says the same: no rate, no ETA, none of the run before's failures in its bar.
    const row = overviewRow(s);
    expect(row).toMatchObject({ status: 'running', done: 0, total: old.failed, ratePerMin: null, etaSeconds: null, runFailed: 0 });
  }, 90_000);
});

describe('the run a launch starts, as the log fills it in', () => {
  const grammar = compileGrammar(undefined, 'UTC');
  const lines = (start: number, records: string[][]) => logOf(start, records).trimEnd().split('\n');
  const seed = { startedAt: T0, total: 3, workers: 3, timeoutSec: 300 };
  /** The lines as an execution of one task delivers them, folded as the dashboard's place folds them. */
  const fed = (state: AppState, texts: string[], replace = false) =>
    entriesToBatches(texts.map((text, i) => ({ at: 0, id: String(i), text, task: null })), grammar, 1, replace).reduce((st, e) => reduce(st, e), state);

  test('its banner and lines are its own (one run, started at the execution\'s start); read again from the start (a late entry), it keeps what the launch said', () => {
    let s = initialState({ job: 'j', log: 'cloud-run:x', now: T0, targets: [95] });
    // A run of another execution first: its figures must be gone at once.
    s = fed(s, lines(T0 - 3_600_000, [['INFO', 'Backfill (v2)'], ['INFO', 'Loaded 9 dates'], ['INFO', '  ✅ Scraped 2022-01-01']]));
    expect(s.log.current?.succeeded).toBe(1);
    s = reduce(s, { type: 'log/begin', seed });
    expect(s.log.current).toMatchObject({ startedAt: T0, total: 3, workers: 3, timeoutSec: 300, succeeded: 0 });
    expect(s.log.history).toEqual([]);
    // The script's lines (no settings of its own in this log): merged into the launch's run, not a second run.
    const own = lines(T0 + 5000, [['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'], ['INFO', '  ✅ Scraped 2022-04-01']]);
    s = fed(s, own);
    expect(s.log.history).toEqual([]);
    expect(s.log.current).toMatchObject({ startedAt: T0, total: 3, workers: 3, timeoutSec: 300, succeeded: 1, title: 'NBA.com Player Boxscore Scraper Backfill (v2)' });
    // A late entry: the whole log again, in order. The launch's facts stay; nothing is counted twice.
    s = fed(s, [...own, ...lines(T0 + 9000, [['WARNING', '  ❌ Failed 2022-04-02: HTTP 500']])], true);
    expect(s.log.history).toEqual([]);
    expect(s.log.current).toMatchObject({ startedAt: T0, total: 3, workers: 3, timeoutSec: 300, succeeded: 1, failed: 1 });
  });
});

describe('an execution that fails before its first run line (tester U20)', () => {
  test('ended, not waiting: on its screen, its overview row, status --json, and the "ended without a summary" alert', async () => {
    const r = runtimeFor(['--keys={keys}', '--workers={workers}', '--bogus-flag']);
    await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt && r.store.getState().coverage.storage?.checkedAt, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => server.world.executions[0], 'the execution');
    await exec.done;
    const s = await waitFor(() => {
      const st = r.store.getState();
      return st.place?.execution?.state === 'failed' && st.place.logIncomplete === null ? st : null;
    }, 'the failed execution, its log read', 30_000);
    expect(s.log.current?.hasActivity).toBe(false);
    expect(currentFigures(s).status).toBe('ended');
    expect(overviewRow(s).status).toBe('ended');
    await waitFor(() => r.store.getState().alerts.recent.some((a) => a.kind === 'ended-without-summary'), 'the alert');
    const status = JSON.parse((await runCliAsync(['status', '--json'], { cwd: dir })).stdout);
    expect(status.execution).toMatchObject({ state: 'failed' });
    expect(status.run).toMatchObject({ state: 'ended' });
  }, 90_000);
});
