import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import type { DemoObject } from './demo-layout.js';
import type { DemoProgress } from './demo-progress.js';

/** The demo's Cloud Run region: the team's project and region, one job per Cloud Run demo job. */
export const DEMO_PROJECT = 'nba-props-platform';
export const DEMO_REGION = 'us-west2';
/** Seconds between a simulated line and its log entry: Cloud Logging's delay, shortened for a demo. */
const DEMO_LOG_DELAY_S = 4;
/** How long after an execution ends its last entries may still arrive: three times the delay (the late ones), and a margin. */
const ENTRIES_DUE_MS = (3 * DEMO_LOG_DELAY_S + 5) * 1000;

/** A free loopback port, picked once when the demo directory is laid out and kept in its config. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The `cloudRun` block of a demo job served by the loopback region at `url`. */
export function demoCloudRun(job: string, url: string, extraArgs: string[] = []) {
  return {
    project: DEMO_PROJECT,
    region: DEMO_REGION,
    job,
    // The container takes the keys in its args ({keys}); settings as the local command takes them.
    args: ['--keys={keys}', '--workers={workers}', '--timeout={timeout}', '--storage={storage}', '--speed={speed}', ...extraArgs],
    apiEndpoint: url,
    loggingEndpoint: url,
    pollSeconds: 2,
    logDeadline: 60,
  };
}

/**
 * Makes sure the demo's loopback Cloud Run region runs on `port`: reuses the one a previous demo started
 * (its executions may still be going), else starts `backfill-tui loopback-cloud-run` detached, so quitting the
 * dashboard leaves a simulated execution running as it would leave a real one. Returns its URL.
 */
export async function ensureDemoRegion(dir: string, opts: { cli: string; port: number; jobs: string[] }): Promise<string> {
  const stateFile = path.join(dir, 'cloud-run-region.json');
  const running = await readFile(stateFile, 'utf8').then((t) => JSON.parse(t) as { pid: number; url: string }, () => null);
  if (running && running.url.endsWith(`:${opts.port}`) && (await answers(running.url))) return running.url;
  const child = spawn(process.execPath, [opts.cli, 'loopback-cloud-run', '--project', DEMO_PROJECT, '--region', DEMO_REGION, '--jobs', opts.jobs.join(','), '--scratch', path.join(dir, 'cloud-run-containers'), '--port', String(opts.port), '--log-delay', String(DEMO_LOG_DELAY_S), '--state', stateFile, '--keep', path.join(dir, 'cloud-run-region')], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-500)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('the demo Cloud Run region did not start within 15 s')), 15_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /listening (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo Cloud Run region exited at once (code ${code}): ${stderr.trim()}`));
    });
  });
  child.stdout!.destroy();
  child.stderr!.destroy();
  child.unref();
  return url;
}

/** True when a loopback region answers at `url` (a pid alone could be anyone's by now). */
async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/projects/${DEMO_PROJECT}/locations/${DEMO_REGION}/jobs/-/executions`, { signal: AbortSignal.timeout(2000) });
    return res.headers.get('content-type')?.startsWith('application/json') ?? false;
  } catch {
    return false;
  }
}

/** The demo's Cloud Run job: Ball Don't Lie box scores, as the team runs its bdl backfills. */
export const DEMO_JOB = { name: 'bdl-boxscores', cloudRunJob: 'bdl-boxscore-backfill' };

/** Ends the demo region a demo directory started (its state file names it), for a demo that never opened. */
export async function stopDemoRegion(dir: string): Promise<void> {
  const running = await readFile(path.join(dir, 'cloud-run-region.json'), 'utf8').then((t) => JSON.parse(t) as { pid: number }, () => null);
  if (running) {
    try {
      process.kill(running.pid);
    } catch {
      // gone already
    }
  }
}

/**
 * The demo's Cloud Run job: its expected game dates written to its keys file, its config entry with `cloudRun`
 * pointing at a loopback region on `port` (default: a free one picked now, kept in the config), and its stand-in
 * storage objects, about 60 % of the keys (laid out by the caller).
 */
export async function demoCloudRunJob(dir: string, opts: { keys: string[]; speed: number; port?: number }): Promise<{ entry: Record<string, unknown>; objects: DemoObject[] }> {
  const { mkdir } = await import('node:fs/promises');
  const { writeFileAtomic } = await import('../runner/atomic-write.js');
  const { mulberry32 } = await import('../sim/random.js');
  const home = path.join(dir, DEMO_JOB.name);
  const storage = path.join(home, 'storage');
  await mkdir(home, { recursive: true });
  await writeFileAtomic(path.join(home, 'keys.csv'), `${opts.keys.join('\n')}\n`);
  const rng = mulberry32(23);
  const objects = opts.keys.filter(() => rng() < 0.6).map((key) => ({ folder: storage, key, name: '20251126_120000.json' }));
  const url = `http://127.0.0.1:${opts.port ?? (await freePort())}`;
  const entry = {
    name: DEMO_JOB.name,
    expected: `${DEMO_JOB.name}/keys.csv`,
    failed: `${DEMO_JOB.name}/failed_dates_*.json`,
    storage: { url: `${DEMO_JOB.name}/storage` },
    cloudRun: demoCloudRun(DEMO_JOB.cloudRunJob, url, ['--playoff-fail-rate=0.4']),
    vars: { storage, speed: opts.speed },
  };
  return { entry, objects };
}

/** Adds the demo's Cloud Run job (see {@link demoCloudRunJob}) to a platform demo config (`jobs` list), its objects laid out. */
export async function addDemoCloudRunJob(dir: string, configFile: string, opts: { keys: string[]; speed: number; progress?: DemoProgress; port?: number }): Promise<void> {
  const { writeFileAtomic } = await import('../runner/atomic-write.js');
  const { layOutObjects } = await import('./demo-layout.js');
  const config = JSON.parse(await readFile(configFile, 'utf8')) as { jobs?: Record<string, unknown>[] };
  if (!Array.isArray(config.jobs) || config.jobs.some((j) => j.cloudRun)) return;
  const { entry, objects } = await demoCloudRunJob(dir, opts);
  await layOutObjects(dir, objects, (done, total) => opts.progress?.count(`key folders of ${DEMO_JOB.name}`, done, total));
  config.jobs.push(entry);
  await writeFileAtomic(configFile, `${JSON.stringify(config, null, 2)}\n`);
}

type DemoCloudJob = { job: string; apiEndpoint?: string };

/** The Cloud Run jobs of a demo config that a loopback region serves. */
async function demoCloudJobs(configFile: string): Promise<DemoCloudJob[]> {
  const config = JSON.parse(await readFile(configFile, 'utf8')) as { jobs?: { cloudRun?: DemoCloudJob }[]; cloudRun?: DemoCloudJob };
  return [...(config.jobs ?? []), config].map((j) => j.cloudRun).filter((c): c is DemoCloudJob => Boolean(c?.apiEndpoint));
}

/** Starts (or finds) the loopback region a demo config's Cloud Run jobs point at; nothing when it has none. */
export async function startDemoRegionFor(dir: string, configFile: string, cli: string): Promise<string | null> {
  const cloud = await demoCloudJobs(configFile);
  if (cloud.length === 0) return null;
  const port = Number(new URL(cloud[0].apiEndpoint!).port);
  return ensureDemoRegion(dir, { cli, port, jobs: cloud.map((c) => c.job) });
}

/** True when `pid` is a `backfill-tui loopback-cloud-run` process (Linux /proc; elsewhere: alive at all). */
async function isRegionProcess(pid: number): Promise<boolean> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
  if (cmdline !== null) return cmdline.split('\0').includes('loopback-cloud-run');
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * On leaving a demo (tester T29: every demo left its region running 30 min, unsaid): the demo directory's loopback
 * region is stopped when no execution runs in it, since nothing of the operator's runs there then (what its
 * executions did is in storage and runs.jsonl; the next demo here starts it again). While one runs it stays, as a
 * real region would: the backfill outlives the dashboard. Either way the line returned says which, and how to stop
 * it. Null when this directory has no region running.
 */
export async function leaveDemoRegion(dir: string, configFile: string, now: () => number = Date.now): Promise<string | null> {
  const running = await readFile(path.join(dir, 'cloud-run-region.json'), 'utf8').then((t) => JSON.parse(t) as { pid: number; url: string }, () => null);
  if (!running || !(await answers(running.url)) || !(await isRegionProcess(running.pid))) return null;
  const { createCloudRunApi } = await import('../cloud-run/api.js');
  const { isActive } = await import('../cloud-run/execution.js');
  const api = createCloudRunApi({ apiEndpoint: running.url, loggingEndpoint: running.url, timeoutMs: 3000 });
  let active: string[];
  let due: string[];
  try {
    const lists = await Promise.all((await demoCloudJobs(configFile)).map((c) => api.listExecutions({ project: DEMO_PROJECT, region: DEMO_REGION, job: c.job })));
    active = lists.flat().filter(isActive).map((e) => e.id);
    // Ended, but its last log entries are still on their way (the region delays some 3× the log delay): stopping the
    // region now would drop them, and the execution with them (tester X10: reopened, the job had no execution).
    const t = now();
    due = lists.flat().filter((e) => !isActive(e) && e.completionTime !== null && t - e.completionTime < ENTRIES_DUE_MS).map((e) => e.id);
  } catch (err) {
    return `demo Cloud Run region (pid ${running.pid}) left running: could not ask it what runs (${(err as Error).message}); it exits 30 min after its last request, or now with: kill ${running.pid}`;
  }
  if (active.length > 0) {
    const what = active.length === 1 ? `execution ${active[0]} runs` : `${active.length} executions run`;
    return `demo Cloud Run region (pid ${running.pid}) stays up: ${what} in it. It exits 30 min after the last one ends, or now (cancelling them) with: kill ${running.pid}`;
  }
  if (due.length > 0) {
    const what = due.length === 1 ? `execution ${due[0]}'s last log entries are` : `the last log entries of ${due.length} executions are`;
    return `demo Cloud Run region (pid ${running.pid}) stays up: ${what} still on their way (up to ${ENTRIES_DUE_MS / 1000} s); open the demo again to keep their record. It exits 30 min after its last request, or now with: kill ${running.pid}`;
  }
  process.kill(running.pid, 'SIGTERM');
  return `demo Cloud Run region (pid ${running.pid}) stopped: no execution was running in it`;
}
