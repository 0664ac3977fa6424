import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { startRuntime, type Runtime } from '../../src/app/runtime.js';
import { startLoopbackServer, type LoopbackServer } from '../../src/cloud-run/loopback/server.js';
import { simTaskRunner } from '../../src/cloud-run/loopback/sim-task.js';
import { loadConfig } from '../../src/config.js';
import { logLine } from './log-text.js';
import { removeDir } from './remove-dir.js';
import { waitFor } from './wait-for.js';

/**
 * A loopback Cloud Run region holding the demo's `bdl-boxscore-backfill` job, with the simulator as its
 * container (scratch under `dir/containers`); `logDelayMs` as the server's own option.
 */
export function startJobRegion(dir: string, logDelayMs?: (line: string, index: number) => number): Promise<LoopbackServer> {
  return startLoopbackServer({
    project: 'nba-props-platform',
    region: 'us-west2',
    jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 1800 }],
    runTask: simTaskRunner({ scratchDir: path.join(dir, 'containers') }),
    ...(logDelayMs ? { logDelayMs } : {}),
  });
}

/**
 * A loopback region holding `bdl-boxscore-backfill` whose task writes `lines` ([level, text], stamped as written), then
 * holds until `release()` or a cancel, then `after` writes what it says next. For tests that act while an execution runs.
 */
export async function startHeldRegion(lines: string[][], after?: (say: (level: string, text: string) => void) => void): Promise<{ server: LoopbackServer; release: () => void }> {
  let release = () => {};
  const server = await startLoopbackServer({
    project: 'nba-props-platform',
    region: 'us-west2',
    jobs: [{ name: 'bdl-boxscore-backfill', timeoutSeconds: 1800 }],
    runTask: async (ctx) => {
      const say = (level: string, text: string) => ctx.log(logLine(Date.now(), level as 'INFO', text));
      for (const [level, text] of lines) say(level, text);
      await new Promise<void>((resolve) => {
        release = resolve;
        ctx.signal.addEventListener('abort', () => resolve());
      });
      after?.(say);
      return 0;
    },
  });
  return { server, release: () => release() };
}

/** `s` then `y` on a dashboard runtime of that region's job, once it is ready to launch (expected keys read, executions listed). */
export async function launchResume(r: Runtime): Promise<void> {
  await waitFor(() => r.store.getState().coverage.expected && r.store.getState().place?.listedAt, 'ready to launch', 30_000);
  r.controller.onIntent('resume');
  await waitFor(() => r.store.getState().ui.confirm, 'the resume box', 30_000);
  r.controller.onIntent('confirm-yes');
}

/**
 * Writes `dir/backfill-tui.config.json` for the Cloud Run job `bdl-boxscores` of that region: `keys` as
 * `expected.txt`, a local storage folder `st` holding the `present` keys, `args` as the job's args, and
 * `cloudRun` / `config` merged over the shared settings. Returns the config file's path.
 */
export function writeCloudRunJobConfig(
  dir: string,
  server: LoopbackServer,
  opts: { keys: string[]; args: string[]; present?: string[]; cloudRun?: Record<string, unknown>; config?: Record<string, unknown> },
): string {
  writeFileSync(path.join(dir, 'expected.txt'), opts.keys.join('\n') + '\n');
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  for (const k of opts.present ?? []) {
    mkdirSync(path.join(dir, 'st', k), { recursive: true });
    writeFileSync(path.join(dir, 'st', k, 'a.json'), '{}');
  }
  const config = {
    job: 'bdl-boxscores',
    expected: 'expected.txt',
    storage: { url: 'st', pollSeconds: 1 },
    cloudRun: { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill', args: opts.args, apiEndpoint: server.url, loggingEndpoint: server.url, pollSeconds: 1, ...opts.cloudRun },
    keepAwake: false,
    ...opts.config,
  };
  const file = path.join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/**
 * A test file's Cloud Run set-up: before each test a fresh folder (named from `prefix`) with its own loopback region
 * (startJobRegion), handed to `set`; after it, the dashboards pushed on the returned list closed, the region closed and
 * the folder removed. Call at the file's top level.
 */
export function regionEachTest(prefix: string, set: (dir: string, server: LoopbackServer) => void): Runtime[] {
  const runtimes: Runtime[] = [];
  let dir = '';
  let server: LoopbackServer | null = null;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    server = await startJobRegion(dir);
    set(dir, server);
  });
  afterEach(async () => {
    for (const r of runtimes.splice(0)) await r.close();
    await server?.close();
    removeDir(dir);
  });
  return runtimes;
}

/**
 * A test file's set-up for tests that act while an execution runs (a held region, made in the test as its lines
 * differ): call at the file's top level. It registers its own afterEach: the held task released, the dashboards it
 * opened (and any pushed on `runtimes`) closed, the region closed, the folder removed.
 */
export function heldRegionEachTest() {
  const runtimes: Runtime[] = [];
  let dir = '';
  let server: LoopbackServer | null = null;
  let release = () => {};
  afterEach(async () => {
    release();
    release = () => {};
    for (const r of runtimes.splice(0)) await r.close();
    await server?.close();
    server = null;
    removeDir(dir);
  });
  function dashboard(): Runtime {
    const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
    runtimes.push(r);
    return r;
  }
  /** A fresh folder for the test, named from `prefix`. */
  const folder = (prefix: string) => (dir = mkdtempSync(path.join(os.tmpdir(), prefix)));
  return {
    runtimes,
    folder,
    /** A fresh folder and a held region in it (startHeldRegion); `release` lets its task go on. */
    async hold(prefix: string, lines: string[][], after?: (say: (level: string, text: string) => void) => void): Promise<{ dir: string; server: LoopbackServer; release: () => void }> {
      const d = folder(prefix);
      const held = await startHeldRegion(lines, after);
      server = held.server;
      release = held.release;
      return { dir: d, server: held.server, release: held.release };
    },
    /** A region the test made itself, closed after it. */
    serve(s: LoopbackServer): LoopbackServer {
      return (server = s);
    },
    /** A dashboard runtime on the folder's config, closed after the test. */
    dashboard,
    /**
     * The held region's job configured (writeCloudRunJobConfig), a dashboard opened on it, `s` `y` (launchResume), and
     * the execution it made once the region has it; `id` its last name part.
     */
    async launch(opts: Parameters<typeof writeCloudRunJobConfig>[2]) {
      if (!server) throw new Error('launch: hold a region first');
      const s = server;
      writeCloudRunJobConfig(dir, s, opts);
      const r = dashboard();
      await launchResume(r);
      const exec = await waitFor(() => s.world.executions[0], 'the execution', 30_000);
      return { r, exec, id: exec.name.split('/').at(-1)! };
    },
  };
}
