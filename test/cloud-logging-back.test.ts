import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import { outcomesFile } from '../src/cloud-run/execution-outcomes.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadConfig } from '../src/config.js';
import { readRuns } from '../src/runner/runs-file.js';
import { placeLines } from '../src/state/place-view.js';
import { launchResume, startHeldRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { banner } from './support/log-text.js';
import { removeDir } from './support/remove-dir.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait-for.js';

// Tester AG13: Cloud Logging went away part way through an execution, which ended; at logDeadline the dashboard kept the
// part it had read and stopped reading the log. Cloud Logging back, it said `Cloud Logging: connection refused …; reading
// again…` with figures minutes stale and never read it, while `status` read it whole (`complete 300/300`).

const KEYS = ['2022-01-03', '2022-01-04', '2022-01-05'];
let dir = '';
let server: LoopbackServer | null = null;
let proxy: TcpProxy | null = null;
const runtimes: Runtime[] = [];
let finish = () => {};
afterEach(async () => {
  finish();
  for (const r of runtimes.splice(0)) await r.close();
  await proxy?.close();
  await server?.close();
  server = proxy = null;
  removeDir(dir);
});

test('Cloud Logging gone past logDeadline, then back: the log not read whole is read on to its end, kept whole and its tallies recorded', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-logging-back-'));
  // Its task scrapes one key and fails one, waits, then fails the third and says its summary: a succeeded execution.
  const held = await startHeldRegion([...banner(1, 30, KEYS.length), ['INFO', `  ✅ Scraped ${KEYS[0]}`], ['WARNING', `  ❌ Failed ${KEYS[1]}: HTTP 500`]], (say) => {
    say('WARNING', `  ❌ Failed ${KEYS[2]}: HTTP 500`);
    for (const text of ['BACKFILL COMPLETE', '  ✅ Processed: 1', '  ❌ Failed: 2']) say('INFO', text);
  });
  server = held.server;
  finish = held.release;
  // Cloud Logging through a proxy that can go away and come back; the region itself answers throughout.
  proxy = await startTcpProxy(server.url);
  writeCloudRunJobConfig(dir, server, { keys: KEYS, args: ['--keys={keys}'], config: { workers: 1, timeout: 30 }, cloudRun: { logDeadline: 2, loggingEndpoint: proxy.url } });
  const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  runtimes.push(r);
  await launchResume(r);
  const exec = await waitFor(() => server!.world.executions[0], 'the execution', 30_000);
  const id = exec.name.split('/').at(-1)!;
  await waitFor(() => r.store.getState().log.current?.failed === 1 || null, 'its first two keys read', 30_000);
  await proxy.down();
  await waitFor(() => r.store.getState().place?.error?.startsWith('Cloud Logging') || null, 'a failed read said', 30_000);
  finish();
  await waitFor(() => r.store.getState().place?.execution?.state === 'succeeded' || null, 'the execution succeeded', 30_000);
  // Past its deadline with Cloud Logging still gone: the part read is kept, not whole.
  const file = outcomesFile(path.join(dir, '.backfill-tui'), id);
  await waitFor(() => existsSync(file) || null, 'the part read kept at the deadline', 30_000);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ whole: false, counts: { succeeded: 1, failed: 1 } });
  expect(r.store.getState().log.current?.complete).toBe(false);
  await proxy.up();
  // Cloud Logging back: the rest of its log is read, no error left standing, and what is kept is the whole read.
  await waitFor(() => r.store.getState().log.current?.complete || null, 'the rest of its log read', 60_000);
  const s = r.store.getState();
  expect(s.log.current).toMatchObject({ succeeded: 1, failed: 2 });
  expect(s.place?.error).toBeNull();
  expect(placeLines(s).map((l) => l.text).join('\n')).not.toMatch(/reading again|incomplete/);
  await waitFor(() => JSON.parse(readFileSync(file, 'utf8')).whole || null, 'its outcomes kept whole', 30_000);
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ whole: true, counts: { succeeded: 1, failed: 2 }, complete: true });
  // The log's tallies recorded with its end, once read whole.
  await waitFor(async () => (await readRuns(path.join(dir, '.backfill-tui'), null)).find((x) => x.execution === exec.name)?.end?.counts?.succeeded !== undefined || null, 'the end record with the log tallies', 30_000);
  const rec = (await readRuns(path.join(dir, '.backfill-tui'), null)).find((x) => x.execution === exec.name);
  expect(rec?.end?.counts).toMatchObject({ succeeded: 1, failed: 2 });
}, 120_000);
