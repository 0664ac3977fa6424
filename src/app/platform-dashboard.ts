import React from 'react';
import { render } from 'ink';
import { PlatformApp } from '../../components/PlatformApp.js';
import type { JobRegistry } from '../jobs/registry.js';
import { FRAME_MS } from '../store.js';
import { wireAlerts } from './alerts-wiring.js';
import { runDashboard } from './dashboard.js';
import { reloadOf } from './platform-runtime.js';
import { settleAndSay, untilLeft } from './leave.js';
import { startPlatform } from './platform-runtime.js';
import { flushStartup, markStartup } from '../startup-timing.js';
import { suspendOnCtrlZ } from './suspend.js';

/**
 * Work the dashboard waits for before its sources start (a new demo laying out its directory), started right after
 * the first frame: `say` shows a line of progress on the overview (null: none).
 */
export type SetUp = (say: (line: string | null) => void) => Promise<void>;

/**
 * The dashboard for the registry: one job's screen as before, or for several jobs the overview first.
 * Leaving never signals a backfill: each runs in its own session.
 */
export async function runPlatformDashboard(registry: JobRegistry, opts: { color: boolean; alerts?: boolean; setUp?: SetUp }): Promise<number> {
  if (!registry.multi) return runDashboard(registry.jobs[0], { ...opts, chain: registry.chain, reload: reloadOf(registry, registry.jobs[0]) });
  let unmount = () => {};
  const exit = () => unmount();
  let setUpDone = () => {};
  let setUpFailed = (_err: unknown) => {};
  const ready = opts.setUp ? new Promise<void>((resolve, reject) => ((setUpDone = resolve), (setUpFailed = reject))) : undefined;
  const platform = startPlatform(registry, { exit, width: process.stdout.columns, height: process.stdout.rows, ready });
  markStartup('jobs started');
  const app = render(React.createElement(PlatformApp, { platform, color: opts.color, exit }), { exitOnCtrlC: true, maxFps: Math.round(1000 / FRAME_MS) });
  const stopSuspend = suspendOnCtrlZ(process.stdin, process.stdout);
  // Ctrl-C leaves through Ink itself: the listener goes with the screen either way.
  void app.waitUntilExit().then(stopSuspend, stopSuspend);
  unmount = () => {
    // The last frame is the state after the last key (tester AA2: a box answered with `y` and left with `q` stayed
    // drawn open): each job's store tells of its change now, and once the keys' batch is over and the overview has
    // looked at its jobs' changes (a setImmediate too), the screen goes.
    for (const job of platform.jobs) job.store.flush();
    setImmediate(() => {
      stopSuspend();
      app.unmount();
    });
  };
  markStartup('first frame');
  // The set-up goes on under the first frame, its progress on the overview's title line; the sources start once it is done.
  let failure: unknown = null;
  if (opts.setUp) {
    ready!.catch(() => undefined);
    opts.setUp((line) => platform.ui.set({ preparing: line })).then(
      () => {
        platform.ui.set({ preparing: null });
        markStartup('set-up done');
        setUpDone();
      },
      (err: unknown) => {
        failure = err;
        setUpFailed(err);
        unmount();
      },
    );
  }
  // Start-up timing (bench only): every job's log read, and every job's first storage figures.
  const stops = platform.jobs.map((job) => job.store.subscribe(() => check()));
  const check = () => {
    const states = platform.jobs.map((j) => j.store.getState());
    if (!states.every((s) => s.log.historyDone || (s.log.looked && !s.log.exists))) return;
    markStartup('logs read');
    flushStartup();
    stops.forEach((stop) => stop());
  };
  const stopAlerts = platform.jobs.map((job, i) => wireAlerts(job.store, registry.jobs[i], opts.alerts !== false));
  const say = settleAndSay(platform.jobs, (t) => process.stdout.write(t), process.stdout.columns || 80);
  const code = await untilLeft(app, unmount, () => {
    const recorded = stopAlerts.map((stop) => stop());
    return Promise.all([...recorded, platform.close()]);
  }, say);
  if (failure) throw failure;
  return code;
}
