import React from 'react';
import { render } from 'ink';
import { PlatformApp } from '../../components/PlatformApp.js';
import type { JobRegistry } from '../jobs/registry.js';
import { FRAME_MS } from '../store.js';
import { wireAlerts } from './alerts-wiring.js';
import { runDashboard } from './dashboard.js';
import { startPlatform } from './platform-runtime.js';

/**
 * The dashboard for the registry: one job's screen as before, or for several jobs the overview first.
 * Leaving never signals a backfill: each runs in its own session.
 */
export async function runPlatformDashboard(registry: JobRegistry, opts: { color: boolean; alerts?: boolean }): Promise<number> {
  if (!registry.multi) return runDashboard(registry.jobs[0], opts);
  let unmount = () => {};
  const exit = () => unmount();
  const platform = startPlatform(registry, { exit, width: process.stdout.columns, height: process.stdout.rows });
  const app = render(React.createElement(PlatformApp, { platform, color: opts.color, exit }), { exitOnCtrlC: true, maxFps: Math.round(1000 / FRAME_MS) });
  unmount = () => app.unmount();
  const stopAlerts = platform.jobs.map((job, i) => wireAlerts(job.store, registry.jobs[i], opts.alerts !== false));
  let code = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    code = signal === 'SIGHUP' ? 129 : 143;
    unmount();
  };
  process.once('SIGHUP', onSignal);
  process.once('SIGTERM', onSignal);
  await app.waitUntilExit();
  stopAlerts.forEach((stop) => stop());
  // Leaving never waits on the network: sources get a moment to stop, then the caller exits the process.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([platform.close(), new Promise((r) => (timer = setTimeout(r, 1000)))]);
  clearTimeout(timer);
  return code;
}
