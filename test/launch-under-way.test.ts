import { mkdirSync, mkdtempSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { readRuns } from '../src/runner/runs-file.js';
import { lockPath } from '../src/runner/lock.js';
import { procStartOf } from '../src/runner/proc.js';
import { runCliAsync, unwrapped } from './support/cli.js';
import { writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { removeDir } from './support/remove-dir.js';

// h70's note: a Cloud Run launch under way in another dashboard (its record written, jobs.run not answered yet) was kept
// from being settled as `never became an execution` by its 60 s window only: a look after it (a machine asleep mid-launch,
// a slow region) recorded its end as never executed while its dashboard was still waiting for the answer. The launch lock
// its dashboard holds says a launch is under way; while a live process holds it, no look settles any launch.

let dir = '';
let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  removeDir(dir);
});

test('a launch whose dashboard still holds the launch lock is not settled as never executed, however old; once the lock is gone it is', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-launch-under-way-'));
  // A region that made no execution of it.
  server = await startLoopbackServer({ project: 'nba-props-platform', region: 'us-west2', jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 1800 }], runTask: async () => 0 });
  writeCloudRunJobConfig(dir, server, { keys: ['2022-01-03'], args: ['--keys={keys}'], config: { workers: 1, timeout: 30 } });
  const stateDir = path.join(dir, '.backfill-tui');
  mkdirSync(stateDir, { recursive: true });
  const id = 'resume-20261201-221000-abc123';
  const launch = { type: 'launch', id, label: 'resume', argv: ['--keys=2022-01-03'], cwd: '', keysFile: null, keyCount: 1, workers: 1, timeout: 30, pid: null, procStart: null, log: 'cloud-run:projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill', startedAt: Date.now() - 120_000, storageBefore: 0 };
  writeFileSync(path.join(stateDir, 'runs.jsonl'), `${JSON.stringify(launch)}\n`);
  // The launching dashboard (this live process) holds the job's launch lock.
  const lock = lockPath(stateDir, 'bdl-boxscores');
  writeFileSync(lock, JSON.stringify({ pid: process.pid, procStart: procStartOf(process.pid), at: launch.startedAt }));
  const during = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(during).not.toContain('never became an execution');
  expect((await readRuns(stateDir, null)).find((r) => r.id === id)?.end).toBeNull();
  // Its dashboard gone (the lock released, or left by a dead one): the look settles it.
  unlinkSync(lock);
  const after = unwrapped((await runCliAsync(['status'], { cwd: dir })).stdout);
  expect(after).toContain(`launch ${id}`);
  expect(after).toContain('never became an execution');
  expect((await readRuns(stateDir, null)).find((r) => r.id === id)?.end?.reason).toBe('failed-to-start');
}, 60_000);
