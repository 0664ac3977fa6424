import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { addDemoCloudRunJob, demoCloudRun, ensureDemoRegion, freePort, leaveDemoRegion, startDemoRegionFor } from '../src/app/demo-cloud-run.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { createCloudRunApi } from '../src/cloud-run/api.js';
import { executionLogFilter } from '../src/cloud-run/log-filter.js';
import { CLI } from './support/cli.js';
import { waitFor } from './support/wait-for.js';
import { pidExists as alive } from '../src/runner/proc.js';

let dir = '';
afterEach(async () => {
  let pid = 0;
  try {
    ({ pid } = JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')) as { pid: number });
    process.kill(pid, 'SIGTERM');
  } catch {
    // never started
  }
  // The region is a detached process that writes into the dir (its executions' storage): gone before the dir is.
  if (pid) await waitFor(() => !alive(pid), 'the region process to exit', 20_000, 50).catch(() => process.kill(pid, 'SIGKILL'));
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

describe("the demo's Cloud Run region (backfill-tui loopback-cloud-run)", () => {
  test('starts detached from the built CLI, runs the simulator as an execution, serves its log; a second demo reuses it', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-region-'));
    const port = await freePort();
    const url = await ensureDemoRegion(dir, { cli: CLI, port, jobs: ['bdl-standings-backfill'] });
    expect(url).toBe(`http://127.0.0.1:${port}`);
    const { pid } = JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')) as { pid: number };
    expect(await ensureDemoRegion(dir, { cli: CLI, port, jobs: ['bdl-standings-backfill'] })).toBe(url);
    expect(JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')).pid).toBe(pid);

    const job = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-standings-backfill' };
    const api = createCloudRunApi({ apiEndpoint: url, loggingEndpoint: url });
    const storage = path.join(dir, 'storage');
    const args = demoCloudRun(job.job, url).args.map((a) => a.replace('{keys}', '2024-01-02,2024-01-03').replace('{workers}', '2').replace('{timeout}', '60').replace('{storage}', storage).replace('{speed}', '50'));
    const e = await api.runJob(job, { args: [...args, '--fail-rate=0'] });
    await waitFor(async () => (await api.getExecution(job, e.id)).state === 'succeeded', 'the execution to succeed', 20_000, 100);
    expect(readdirSync(storage).sort()).toEqual(['2024-01-02', '2024-01-03']);
    // Its lines arrive after the region's log delay (4 s, some 12 s): wait for the summary, no fixed sleep.
    const text = await waitFor(async () => {
      const { entries } = await api.listEntries({ resourceNames: ['projects/nba-props-platform'], filter: executionLogFilter(job.job, e.id, e.createTime - 1000), orderBy: 'timestamp asc', pageSize: 1000 });
      const t = entries.map((x) => x.textPayload).join('\n');
      return t.includes('BACKFILL COMPLETE') ? t : null;
    }, 'the log entries', 30_000, 500);
    expect(text).toContain('✅ Scraped 2024-01-02');
    // Still there for the next demo: it outlives the dashboard as a real region would.
    expect((await api.listExecutions(job)).map((x) => x.id)).toEqual([e.id]);
  }, 60_000);

  test('the region keeps its executions across a restart (tester X10): killed right after an execution ended, the next one lists it and serves its whole log', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-region-'));
    const port = await freePort();
    const url = await ensureDemoRegion(dir, { cli: CLI, port, jobs: ['bdl-standings-backfill'] });
    const first = (JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')) as { pid: number }).pid;
    const job = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-standings-backfill' };
    const api = createCloudRunApi({ apiEndpoint: url, loggingEndpoint: url });
    const args = demoCloudRun(job.job, url).args.map((a) => a.replace('{keys}', '2024-01-02,2024-01-03').replace('{workers}', '2').replace('{timeout}', '60').replace('{storage}', path.join(dir, 'storage')).replace('{speed}', '50'));
    const e = await api.runJob(job, { args: [...args, '--fail-rate=0'] });
    await waitFor(async () => (await api.getExecution(job, e.id)).state === 'succeeded', 'the execution to succeed', 20_000, 100);
    // Kept at its end, not only when the region exits: killed outright (a reboot), while the execution's last
    // entries are still in the log delay, the region loses nothing that had ended.
    const keptFile = path.join(dir, 'cloud-run-region', 'executions.json');
    const kept = await waitFor(() => {
      try {
        return JSON.parse(readFileSync(keptFile, 'utf8')) as { executions: { name: string }[] };
      } catch {
        return null;
      }
    }, 'the ended execution kept', 20_000, 50);
    expect(kept.executions.map((x) => x.name.split('/').at(-1))).toEqual([e.id]);
    process.kill(first, 'SIGKILL');
    await waitFor(() => !alive(first), 'the region to be gone', 20_000, 50);
    // A new region on the same directory: the execution is listed as it ended, and its log comes whole.
    expect(await ensureDemoRegion(dir, { cli: CLI, port, jobs: ['bdl-standings-backfill'] })).toBe(url);
    expect((JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')) as { pid: number }).pid).not.toBe(first);
    const listed = await api.listExecutions(job);
    expect(listed.map((x) => [x.id, x.state])).toEqual([[e.id, 'succeeded']]);
    const text = await waitFor(async () => {
      const { entries } = await api.listEntries({ resourceNames: ['projects/nba-props-platform'], filter: executionLogFilter(job.job, e.id, e.createTime - 1000), orderBy: 'timestamp asc', pageSize: 1000 });
      const t = entries.map((x) => x.textPayload).join('\n');
      return t.includes('BACKFILL COMPLETE') ? t : null;
    }, 'the kept log entries', 30_000, 500);
    expect(text).toContain('✅ Scraped 2024-01-02');
    expect(text).toContain('✅ Scraped 2024-01-03');
  }, 90_000);

  test('a platform demo config gains a Cloud Run job: its config loads, its region starts, and its dashboard lists executions', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-region-'));
    // The platform demo's shape (defaults with a command, local jobs), small: the real one lists thousands of keys.
    const file = path.join(dir, 'backfill-tui.config.json');
    // As the real demo: the shared command has a placeholder only the local jobs' vars fill (tester U1).
    writeFileSync(file, JSON.stringify({
      defaults: { command: ['python', 'x.py', '--failed-dir={failedDir}'], keepAwake: false },
      jobs: [{ name: 'player-boxscores', log: 'p.log', vars: { failedDir: dir } }],
    }));
    await addDemoCloudRunJob(dir, file, { keys: ['2024-01-02', '2024-01-03', '2024-01-04'], speed: 8 });
    const registry = loadRegistry({ file, cwd: dir });
    const cloud = registry.jobs.filter((j) => j.cloudRun);
    expect(cloud.map((j) => [j.job, j.cloudRun!.job])).toEqual([['bdl-boxscores', 'bdl-boxscore-backfill']]);
    expect(registry.jobs).toHaveLength(2);
    const url = await startDemoRegionFor(dir, file, CLI);
    expect(url).toBe(cloud[0].cloudRun!.apiEndpoint);
    const r = startRuntime(cloud[0], { exit: () => undefined });
    try {
      await waitFor(() => r.store.getState().place?.listedAt, 'the Cloud Run job listed', 30_000);
      expect(r.store.getState().place?.error).toBeNull();
    } finally {
      await r.close();
    }
  }, 90_000);

  test('leaving the demo: the region stays while an execution runs in it (said, with how to stop it), and stops once none does (tester T29)', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bt-region-'));
    const file = path.join(dir, 'backfill-tui.config.json');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    writeFileSync(file, JSON.stringify({ jobs: [{ name: 'standings', cloudRun: demoCloudRun('bdl-standings-backfill', url) }] }));
    expect(await startDemoRegionFor(dir, file, CLI)).toBe(url);
    const { pid } = JSON.parse(readFileSync(path.join(dir, 'cloud-run-region.json'), 'utf8')) as { pid: number };
    const job = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-standings-backfill' };
    const api = createCloudRunApi({ apiEndpoint: url, loggingEndpoint: url });
    // A slow execution of 30 keys: it runs while the demo is left.
    const keys = Array.from({ length: 30 }, (_, i) => `2024-01-${String(i + 1).padStart(2, '0')}`).join(',');
    const args = demoCloudRun(job.job, url).args.map((a) => a.replace('{keys}', keys).replace('{workers}', '1').replace('{timeout}', '60').replace('{storage}', path.join(dir, 'st')).replace('{speed}', '1'));
    const e = await api.runJob(job, { args });
    expect(await leaveDemoRegion(dir, file)).toBe(`demo Cloud Run region (pid ${pid}) stays up: execution ${e.id} runs in it. It exits 30 min after the last one ends, or now (cancelling them) with: kill ${pid}`);
    expect(alive(pid)).toBe(true);
    expect(['pending', 'running']).toContain((await api.getExecution(job, e.id)).state);
    // Once nothing runs in it, leaving stops it.
    await api.cancelExecution(job, e.id);
    await waitFor(async () => (await api.getExecution(job, e.id)).state === 'cancelled', 'the cancel to end it', 20_000, 100);
    // Ended, its last entries still due (tester X10): the region stays for them, and says so.
    const ended = (await api.getExecution(job, e.id)).completionTime!;
    expect(await leaveDemoRegion(dir, file, () => ended + 1000)).toBe(`demo Cloud Run region (pid ${pid}) stays up: execution ${e.id}'s last log entries are still on their way (up to 17 s); open the demo again to keep their record. It exits 30 min after its last request, or now with: kill ${pid}`);
    expect(alive(pid)).toBe(true);
    expect(await leaveDemoRegion(dir, file, () => ended + 17_001)).toBe(`demo Cloud Run region (pid ${pid}) stopped: no execution was running in it`);
    await waitFor(() => !alive(pid), 'the region to exit', 20_000, 50);
    // A directory whose region is gone: nothing to say.
    expect(await leaveDemoRegion(dir, file)).toBeNull();
  }, 90_000);
});
