import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { readRuns } from '../src/runner/runs-file.js';
import { CLI } from './support/cli.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { removeDir } from './support/remove-dir.js';
import { HAS_TMUX, startTerminal, type Terminal } from './support/tmux.js';
import { waitFor } from './support/wait-for.js';

// Tester AE13: the terminal closed ~50 ms after `y` on a Cloud Run launch. The SIGHUP was heard, but the screen's last
// frame, written to a terminal no longer there, failed with EIO, and that error ended the dashboard before `jobs.run`
// answered: runs.jsonl kept the launch without its execution, which the region made all the same, and the next
// dashboard called our own execution `external`. The dashboard now finishes the call it started, then ends.

let dir = '';
let server: LoopbackServer | null = null;
let term: Terminal | null = null;
afterEach(async () => {
  term?.close();
  term = null;
  await server?.close();
  server = null;
  removeDir(dir);
});

test.skipIf(!HAS_TMUX)('the terminal closed while jobs.run is under way: the dashboard waits for its answer and records the execution, then ends', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-hangup-cr-'));
  server = await startJobRegion(dir);
  writeCloudRunJobConfig(dir, server, { keys: ['2024-01-02', '2024-01-03'], args: ['--keys={keys}', '--workers={workers}', '--mean-seconds=30', `--storage=${path.join(dir, 'st')}`] });
  term = startTerminal([process.execPath, CLI, '--no-color'], { cols: 80, rows: 24, cwd: dir });
  await term.waitScreen((_, text) => text.includes('no executions yet'), 'the region listed', 30_000);
  term.keys('s');
  await term.waitScreen((_, text) => text.includes('Launch 2 keys on Cloud Run job'), 'the launch box');
  // The region makes the execution as the call arrives and answers only once the terminal is gone.
  let answer = () => {};
  server.setFault({ route: 'run', until: new Promise<void>((r) => (answer = r)), times: 1 });
  term.keys('y');
  await waitFor(() => server!.requests.some((r) => r.route === 'run'), 'jobs.run called', 20_000);
  const ended = term.hangUp();
  term = null;
  answer();
  await ended;
  const runs = await readRuns(path.join(dir, '.backfill-tui'), null);
  expect(server.world.executions).toHaveLength(1);
  expect(runs).toHaveLength(1);
  expect(runs[0]).toMatchObject({ label: 'resume', keyCount: 2, execution: server.world.executions[0].name });
  expect(server.requests.filter((r) => r.route === 'run')).toHaveLength(1);
}, 60_000);
