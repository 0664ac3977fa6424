import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

/** The demo's Cloud Run region: the team's project and region, one job per Cloud Run demo job. */
export const DEMO_PROJECT = 'nba-props-platform';
export const DEMO_REGION = 'us-west2';
/** Seconds between a simulated line and its log entry: Cloud Logging's delay, shortened for a demo. */
const DEMO_LOG_DELAY_S = 4;

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
  const child = spawn(process.execPath, [opts.cli, 'loopback-cloud-run', '--project', DEMO_PROJECT, '--region', DEMO_REGION, '--jobs', opts.jobs.join(','), '--scratch', path.join(dir, 'cloud-run-containers'), '--port', String(opts.port), '--log-delay', String(DEMO_LOG_DELAY_S), '--state', stateFile], {
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
