import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { historyLines } from '../src/state/history-lines.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { waitFor } from './support/wait-for.js';

// Tester Z3 leftover: a Cloud Run execution launched here left the `h` history once the region stopped listing it
// (a region keeps executions for a while only). Runs launched here are recorded in runs.jsonl: they stay in `h`,
// from their records, marked `no longer listed by the region`.
let dir: string;
let server: LoopbackServer;
let runtime: Runtime | null = null;
const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-unlisted-'));
  server = await startJobRegion(dir);
});
afterEach(async () => {
  await runtime?.close();
  runtime = null;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('an execution launched here stays in h, from its records, once the region no longer lists it', async () => {
  const storage = path.join(dir, 'st');
  const file = writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}', `--storage=${storage}`, '--speed=40', '--fail-rate=0', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'], cloudRun: { logDeadline: 5 } });
  const config = loadConfig({ file, cwd: dir });
  const r = (runtime = startRuntime(config, { exit: () => undefined }));
  await waitFor(() => r.store.getState().coverage.storage?.checkedAt && r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'a storage listing and the job\'s executions listed', 30_000);
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box', 30_000);
  r.controller.onIntent('confirm-yes');
  const exec = await waitFor(() => server.world.executions[0], 'the execution', 30_000);
  const id = exec.name.split('/').at(-1)!;
  // Its end recorded with the log's tallies (the second end record), as a dashboard writes it once the log is whole.
  await waitFor(async () => (await readRuns(config.stateDir)).find((x) => x.execution === exec.name && x.end?.counts?.succeeded !== undefined) ?? null, 'the end with the log\'s tallies', 30_000);
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
