import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startRuntime, type Runtime } from '../src/app/runtime.js';
import type { LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { startJobRegion, writeCloudRunJobConfig } from './support/cloud-run-job.js';
import { waitFor } from './support/wait-for.js';
import { launchBackfill } from '../src/app/launcher.js';
import { loadConfig } from '../src/config.js';
import { acquireTargetLock, logTarget } from '../src/runner/target-lock.js';
import { cleanup, tempDir, track } from './runner-support.js';

// Tester AK8: two dashboards on one job with different state directories (`--state-dir`), `s` `y` in both within a
// second: two backfills launched into one log (two banners, the sims raced on storage, one died). Each held its own
// state directory's launch lock; none belonged to the log.
afterAll(cleanup);

function twoConfigs() {
  const dir = tempDir();
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'ak8', log: 'logs/bf.log', command: ['sleep', '2'], keepAwake: false }));
  mkdirSync(join(dir, 'logs'));
  const a = loadConfig({ cwd: dir });
  const b = loadConfig({ cwd: dir, flags: { stateDir: join(dir, 'other-state') } });
  return { dir, a, b };
}

test('two state directories, one log, y at the same moment: one backfill starts, the other is refused', async () => {
  const { a, b } = twoConfigs();
  expect(a.stateDir).not.toBe(b.stateDir);
  const req = { keys: ['2022-01-03'], workers: 1, timeout: 60, label: 'resume' as const };
  const outs = await Promise.all([launchBackfill(a, req, (pid) => track(pid)), launchBackfill(b, req, (pid) => track(pid))]);
  expect(outs.filter((o) => o.ok)).toHaveLength(1);
  const refused = outs.find((o) => !o.ok);
  expect(refused && !refused.ok && refused.message).toBe(`not launched: another dashboard (pid ${process.pid}) is launching into ${a.log}`);
});

test('the log is one lock by whatever path names it (a folder reached through a symlink)', async () => {
  const { dir, a } = twoConfigs();
  const { symlinkSync } = await import('node:fs');
  symlinkSync(join(dir, 'logs'), join(dir, 'via'));
  expect(logTarget(join(dir, 'via', 'bf.log'))).toBe(logTarget(a.log));
  const held = await acquireTargetLock(logTarget(join(dir, 'via', 'bf.log')));
  expect(held.ok).toBe(true);
  try {
    const out = await launchBackfill(a, { keys: ['2022-01-03'], workers: 1, timeout: 60, label: 'resume' }, (pid) => track(pid));
    expect(out).toMatchObject({ ok: false, message: expect.stringMatching(/^not launched: another dashboard \(pid \d+\) is launching into /) });
    // Nothing written into the log.
    expect(() => readFileSync(a.log)).toThrow();
  } finally {
    if (held.ok) await held.release();
  }
});

describe('a Cloud Run job, from another state directory (AK8\'s class)', () => {
  let server: LoopbackServer;
  let dir: string;
  const runtimes: Runtime[] = [];
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    await server?.close();
  });

  test('while another dashboard of this user launches into the job, y executes nothing and says so', async () => {
    dir = tempDir();
    server = await startJobRegion(dir);
    const keys = ['2022-01-03', '2022-01-04'];
    const file = writeCloudRunJobConfig(dir, server, { keys, args: ['--keys={keys}', '--speed=50'], present: [], config: { workers: 1, timeout: 30 } });
    const config = loadConfig({ file, cwd: dir, flags: { stateDir: join(dir, 'other-state') } });
    const r = startRuntime(config, { exit: () => undefined });
    runtimes.push(r);
    await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'the job\'s executions listed');
    const held = await acquireTargetLock(`cloud-run:projects/${config.cloudRun!.project}/locations/${config.cloudRun!.region}/jobs/${config.cloudRun!.job}`);
    expect(held.ok).toBe(true);
    try {
      r.controller.onIntent('resume');
      await waitFor(() => r.store.getState().ui.confirm, 'the resume box');
      r.controller.onIntent('confirm-yes');
      const said = await waitFor(() => r.store.getState().ui.notices.find((n) => n.text.startsWith('not launched')), 'the refusal');
      expect(said.text).toBe(`not launched: another dashboard (pid ${process.pid}) is launching Cloud Run job ${config.cloudRun!.job}`);
      expect(server.world.executions).toHaveLength(0);
    } finally {
      if (held.ok) await held.release();
    }
  }, 30_000);
});
