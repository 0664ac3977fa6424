import React from 'react';
import { Box, render } from 'ink';
import { App } from '../../components/App.js';
import type { Config } from '../config.js';
import { FRAME_MS } from '../store.js';
import { wireAlerts } from './alerts-wiring.js';
import { settleAndSay, untilLeft } from './leave.js';
import { startRuntime } from './runtime.js';
import { startChain } from '../chain/chain-live.js';
import { createSourceHub } from '../coverage/source-hub.js';
import type { ChainConfig } from '../jobs/chain-config.js';
import { flushStartup, markStartup } from '../startup-timing.js';
import { suspendOnCtrlZ } from './suspend.js';

/**
 * Draws the dashboard until `q`/Ctrl-C, SIGHUP or SIGTERM. Leaving never signals the backfill: it runs in its own
 * session, and SIGHUP of this terminal ends only this process. Leaving never waits on the network either: the
 * sources get CLOSE_WAIT_MS (leave.ts) to stop, then the caller exits the process, open sockets or not.
 */
export async function runDashboard(config: Config, opts: { color: boolean; alerts?: boolean; chain?: ChainConfig | null; reload?: () => Config }): Promise<number> {
  let unmount = () => {};
  // A lone job with a `chain`: its funnel on the dashboard, the stages polled through the job's own hub (a stage
  // naming the job's prefix or table shares its poll), as `status` shows it.
  const hub = opts.chain ? createSourceHub({ mode: 'live' }) : undefined;
  const ac = new AbortController();
  const runtime = startRuntime(config, {
    exit: () => unmount(),
    width: process.stdout.columns,
    height: process.stdout.rows,
    hub,
    reload: opts.reload,
  });
  const chain = opts.chain ? { config: opts.chain, live: startChain(opts.chain, hub!, ac.signal) } : null;
  // Clipped to the terminal's width as Ink lays it out: the frame Ink redraws by itself on a resize, before the
  // screen re-renders at the new size, never wraps.
  const screen = React.createElement(App, { store: runtime.store, onIntent: runtime.controller.onIntent, color: opts.color, chain });
  const app = render(React.createElement(Box, { width: '100%', flexDirection: 'column', overflowX: 'hidden' }, screen), {
    exitOnCtrlC: true,
    maxFps: Math.round(1000 / FRAME_MS),
  });
  const stopSuspend = suspendOnCtrlZ(process.stdin, process.stdout);
  // Ctrl-C leaves through Ink itself: the listener goes with the screen either way.
  void app.waitUntilExit().then(stopSuspend, stopSuspend);
  unmount = () => {
    // The last frame is the state after the last key: the store tells the screen of a change once a frame, and keys
    // read together are handled in one batch of the screen's updates, so a box answered with `y` and left with `q` in
    // the same moment stayed drawn open above the leaving words (tester AA2). The change is told now and drawn once
    // the keys' batch is over, then the screen goes.
    runtime.store.flush();
    setImmediate(() => {
      stopSuspend();
      app.unmount();
    });
  };
  markStartup('first frame');
  // Start-up timing (bench only): when the log's history is in, the stages are complete.
  const stopTiming = runtime.store.subscribe(() => {
    if (!runtime.store.getState().log.historyDone) return;
    markStartup('log read');
    flushStartup();
    stopTiming();
  });
  const stopAlerts = wireAlerts(runtime.store, config, opts.alerts !== false);
  const say = settleAndSay([runtime], (t) => process.stdout.write(t), process.stdout.columns || 80);
  return untilLeft(app, unmount, async () => {
    const recorded = stopAlerts();
    ac.abort();
    await Promise.all([recorded, runtime.close()]);
    hub?.close();
  }, say);
}
