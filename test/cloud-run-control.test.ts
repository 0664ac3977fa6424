import { removeDir } from './support/remove-dir.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createElement } from 'react';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../components/App.js';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { placeLines } from '../src/state/place-view.js';
import { historyLines } from '../src/state/history-lines.js';
import { readRuns } from '../src/runner/runs-file.js';
import { runFigures } from '../src/state/run-view.js';
import { writerOf } from '../src/state/writer.js';
import { waitFor } from './support/wait-for.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';

let dir: string;
let server: LoopbackServer;
const runtimes: Runtime[] = [];
const cleanups: (() => void)[] = [];
const KEYS = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-'));
  // The simulator as the container; each test sets its speed in the job's args.
  server = await startJobRegion(dir);
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  for (const r of runtimes.splice(0)) await r.close();
  await server.close();
  removeDir(dir);
});

function runtimeFor(args: string[], present: string[] = [], cloudRun?: Record<string, unknown>): Runtime {
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, args, present, config: { workers: 1, timeout: 30 }, cloudRun });
  const r = startRuntime(loadConfig({ file, cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  return r;
}

describe('a Cloud Run job from the dashboard', () => {
  test('s: confirm box with the missing keys, y runs the job with them; its log entries give the same figures as a local log; x cancels after a confirm', async () => {
    const storage = path.join(dir, 'st');
    const r = runtimeFor(['--keys={keys}', '--workers={workers}', `--storage=${storage}`, '--speed=4', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'], KEYS.slice(0, 4));
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected, 'a storage listing');
    await waitFor(() => r.store.getState().place?.listedAt, 'the job\'s executions listed');
    r.controller.onIntent('resume');
    const confirm = await waitFor(() => r.store.getState().ui.confirm, 'the confirm box').catch((e) => { throw new Error(`${e.message}; notices: ${JSON.stringify(r.store.getState().ui.notices)}`); });
    // The args carry {workers}, not {timeout}: the box names only the workers (tester X4). It names what is launched
    // where: the job, its region and project (tester Z10: it named neither).
    expect(confirm.message).toBe('Launch 8 keys on Cloud Run job bdl-boxscore-backfill in us-west2 (project nba-props-platform), 1 worker?');
    expect(server.world.executions).toHaveLength(0);
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => server.world.executions[0], 'an execution');
    expect(exec.args.slice(0, 2)).toEqual([`--keys=${KEYS.slice(4).join(',')}`, '--workers=1']);
    await waitFor(() => readFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').includes(`"execution":"${exec.name}"`), 'the execution recorded in runs.jsonl');
    // The entries go through the job's grammar: the run panel counts from them.
    await waitFor(() => (r.store.getState().log.current?.succeeded ?? 0) >= 2, 'scraped keys counted from Cloud Logging');
    const s = r.store.getState();
    expect(runFigures(s.log.current, s.now, writerOf(s)).status).toBe('running');
    expect(placeLines(s)[0].text).toMatch(/^execution running · tasks 0\/1 done, 1 running · log delay \d+:\d\d · bdl-boxscore-backfill-\w+$/);
    // Launching again is refused while it runs; nothing reaches jobs.run.
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.notices.some((n) => n.text.includes('x cancels it')), 'the refusal');
    r.controller.onIntent('stop');
    const box = await waitFor(() => r.store.getState().ui.confirm, 'the cancel box');
    expect(box.message).toContain(`Cancel execution ${exec.name.split('/').at(-1)}?`);
    expect(exec.completionTime).toBeNull();
    r.controller.onIntent('confirm-yes');
    await waitFor(() => r.store.getState().place?.execution?.state === 'cancelled', 'the execution cancelled');
    expect(server.requests.filter((q) => q.route === 'run')).toHaveLength(1);
    expect(server.requests.filter((q) => q.route === 'cancel')).toHaveLength(1);
    const after = r.store.getState();
    expect(runFigures(after.log.current, after.now, writerOf(after)).status).toBe('stopped');
  }, 60_000);

  test('h: a finished execution of ours shows its counts, duration and storage coverage before → after, recorded at its launch and end', async () => {
    const storage = path.join(dir, 'st');
    const r = runtimeFor(['--keys={keys}', '--workers={workers}', `--storage=${storage}`, '--speed=50', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'], KEYS.slice(0, 4));
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the confirm box');
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => server.world.executions[0], 'an execution');
    await exec.done;
    // The end record with the log's tallies and a fresh listing comes once the summary is read.
    // (The history moves with the listings: the row may show the log's counts a moment before the end record's storage.)
    const history = await waitFor(() => r.store.getState().process.history.find((h) => h.counts && h.storageAfter !== null), 'the run in the history with its counts', 30_000);
    expect(history).toMatchObject({ id: exec.name.split('/').at(-1), label: 'resume', keyCount: 8, reason: 'succeeded', counts: { succeeded: 8, failed: 0, skipped: 0 }, storageBefore: 4, storageAfter: 12 });
    expect(history.endedAt! - history.startedAt).toBeGreaterThanOrEqual(0);
    const records = readFileSync(path.join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.filter((x) => x.type === 'launch')[0]).toMatchObject({ storageBefore: 4 });
    // First the execution's end at once, then the full one: the last counts win.
    expect(records.filter((x) => x.type === 'end').map((x) => x.counts)).toEqual([
      { tasksSucceeded: 1, tasksFailed: 0, tasksCancelled: 0, retried: 0 },
      { tasksSucceeded: 1, tasksFailed: 0, tasksCancelled: 0, retried: 0, succeeded: 8, failed: 0, skipped: 0, storageBefore: 4, storageAfter: 12, storageAfterAt: expect.any(Number) },
    ]);
    // When its "after" was listed is kept with it (tester AJ9): here, once its log was read, after its end.
    const full = records.filter((x) => x.type === 'end').at(-1);
    expect(full.counts.storageAfterAt).toBeGreaterThanOrEqual(full.endedAt);
    expect(full.counts.storageAfterAt).toBeLessThanOrEqual(Date.now());
    // The history view says it in the operator's words.
    r.store.dispatch({ type: 'ui/view', view: 'history' });
    const app = render(createElement(App, { store: r.store, onIntent: () => undefined, color: false }));
    cleanups.push(() => app.unmount());
    const frame = await waitFor(() => {
      const f = stripVTControlCharacters(app.lastFrame() ?? '');
      return f.includes('Executions (launched here, or external)') ? f : null;
    }, 'the history view');
    expect(frame).toMatch(/resume\s+8 keys \d+:\d\d ✓ 8 ✗ 0 succeeded storage 33\.3 → 100\.0 %/);
  }, 60_000);

  test('a job whose args take no keys: s executes it as is, r says it cannot pass keys', async () => {
    const r = runtimeFor([`--storage=${path.join(dir, 'st')}`, '--limit=2', '--speed=20']);
    await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
    r.controller.onIntent('retry');
    await waitFor(() => r.store.getState().ui.notices.some((n) => n.text.includes('cannot retry only the failed keys')), 'the retry refusal');
    r.controller.onIntent('resume');
    const confirm = await waitFor(() => r.store.getState().ui.confirm, 'the confirm box');
    expect(confirm.message).toContain('Execute Cloud Run job bdl-boxscore-backfill in us-west2 (project nba-props-platform)?');
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => server.world.executions[0], 'an execution');
    expect(exec.args).toEqual([`--storage=${path.join(dir, 'st')}`, '--limit=2', '--speed=20']);
  }, 60_000);
});

// Tester Z3 leftover: a Cloud Run execution launched here left the `h` history once the region stopped listing it
// (a region keeps executions for a while only). Runs launched here are recorded in runs.jsonl: they stay in `h`,
// from their records, marked `no longer listed by the region`.
describe('h and the region\'s listing', () => {
  test('an execution launched here stays in h, from its records, once the region no longer lists it', async () => {
    const storage = path.join(dir, 'st');
    const r = runtimeFor(['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'], KEYS.slice(0, 9), { logDeadline: 5 });
    const { stateDir } = loadConfig({ cwd: dir });
    await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'a storage listing and the job\'s executions listed', 30_000);
    r.controller.onIntent('resume');
    await waitFor(() => r.store.getState().ui.confirm, 'the resume box', 30_000);
    r.controller.onIntent('confirm-yes');
    const exec = await waitFor(() => server.world.executions[0], 'the execution', 30_000);
    const id = exec.name.split('/').at(-1)!;
    // Its end recorded with the log's tallies (the second end record), as a dashboard writes it once the log is whole.
    await waitFor(async () => (await readRuns(stateDir, null)).find((x) => x.execution === exec.name && x.end?.counts?.succeeded !== undefined) ?? null, 'the end with the log\'s tallies', 30_000);
    r.controller.onIntent('view-history');
    const row = (want: RegExp) => historyLines(r.store.getState()).find((l) => l.text.includes('resume') && want.test(l.text))?.text ?? null;
    const listed = await waitFor(() => row(/succeeded/), 'the execution in h, as the region lists it', 30_000);
    expect(listed).not.toContain('listed');
    // The region forgets it (it keeps executions for a while only): h, asked again, still has it, from its records.
    server.world.executions.splice(0);
    r.controller.onIntent('view-dashboard');
    r.controller.onIntent('view-history');
    const gone = await waitFor(() => row(/no longer listed by the region/), 'the execution in h once the region no longer lists it', 30_000);
    expect(gone).toMatch(/resume +3 keys \d+:\d\d ✓ 3 ✗ 0 succeeded · no longer listed by the region/);
    expect(r.store.getState().process.history.map((x) => x.id)).toContain(id);
  }, 60_000);
});
