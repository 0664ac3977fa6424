import { removeDir } from './support/remove-dir.js';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadOutcomes } from '../src/cloud-run/execution-outcomes.js';
import { jobPathOf } from '../src/cloud-run/api.js';
import { loadConfig } from '../src/config.js';
import { waitFor } from './support/wait-for.js';
import { currentFigures } from '../src/state/current-figures.js';
import { statusJson } from '../src/app/status-json.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';

let dir: string;
let server: LoopbackServer;
/** The first failure line the execution writes: held back (an hour late) until the test lets it through. */
let late: string | null;
const runtimes: Runtime[] = [];
const KEYS = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-late-'));
  late = null;
  server = await startJobRegion(dir, (line) => {
    if (late !== null || !line.includes('❌')) return 0;
    late = line;
    return 3_600_000;
  });
});
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
  await server.close();
  removeDir(dir);
});

// Tester X2: Cloud Logging delivers entries out of order, one task's too. A failure written before the summary
// that reaches the log after it must still count: the summary is not every line.
test('a failure entry that arrives after the summary is waited for, folded in, and kept with the execution (whole only then)', { timeout: 90_000 }, async () => {
  // A deadline of 10 min: its settle (a read begun 60 s after the end) cannot stand in for the late entry here.
  const file = writeCloudRunJobConfig(dir, server, {
    keys: KEYS,
    args: ['--keys={keys}', `--storage=${path.join(dir, 'st')}`, '--speed=50', '--fail-rate=0.3', '--playoff-fail-rate=0', '--timeout-rate=0', '--exception-rate=0'],
    cloudRun: { logDeadline: 600 },
  });
  const config = loadConfig({ file, cwd: dir });
  const r = startRuntime(config, { exit: () => undefined });
  runtimes.push(r);
  await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready');
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the launch box');
  r.controller.onIntent('confirm-yes');
  const exec = await waitFor(() => server.world.executions[0], 'the execution');
  await exec.done;
  const held = await waitFor(() => late, 'a failure line held back');

  // The summary is in and the execution succeeded: the summary counts one failure no line has shown yet.
  const before = await waitFor(() => {
    const s = r.store.getState();
    return s.log.current?.complete && s.place?.execution?.state === 'succeeded' && s.place.logIncomplete !== undefined ? s : null;
  }, 'the summary read, the execution ended', 30_000);
  const run = before.log.current!;
  expect(run.failed).toBeGreaterThan(0);
  expect(run.failedKeys.size).toBe(run.failed - 1);
  expect(run.summaryUnseen).toBe(1);
  expect(before.place!.logIncomplete).toBe('waiting');
  // Its log is not complete, so neither is the run, on the header and in `status` alike, and no alert says so (tester
  // AI11: `complete` for 15 s over `log incomplete`, its alert fired then).
  expect(currentFigures(before).status).toBe('incomplete');
  expect(statusJson(before).run.state).toBe('incomplete');
  expect(before.alerts.recent.map((a) => a.kind)).toEqual([]);
  expect((await loadOutcomes(config.stateDir, jobPathOf(config.cloudRun!))).filter((o) => o.whole)).toEqual([]);

  // The late entry arrives: in log order it comes before the summary, and the run's failures add up.
  for (const e of server.world.entries) if (e.textPayload === held) e.visibleAt = 0;
  const after = await waitFor(() => {
    const s = r.store.getState();
    return s.place?.logIncomplete === null && s.log.current?.summaryUnseen === 0 ? s.log.current : null;
  }, 'the late failure folded in', 30_000);
  // Complete once its log is, and told then, once.
  expect(currentFigures(r.store.getState()).status).toBe('complete');
  expect(r.store.getState().alerts.recent.map((a) => a.kind)).toEqual(['completed']);
  expect(after.failed).toBe(run.failed);
  expect(after.failedKeys.size).toBe(run.failed);
  expect(Object.values(after.failures).reduce((a, b) => a + b, 0)).toBe(run.failed);
  const heldKey = held.match(/\d{4}-\d{2}-\d{2}/g)!.at(-1)!;
  expect([...after.failedKeys.keys()]).toContain(heldKey);
  const kept = await waitFor(async () => (await loadOutcomes(config.stateDir, jobPathOf(config.cloudRun!))).find((o) => o.whole) ?? null, 'the execution kept whole');
  expect(kept.failed.map((f) => f.key)).toContain(heldKey);
  expect(kept.failed.length).toBe(run.failed);
});
