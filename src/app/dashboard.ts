import React from 'react';
import { render } from 'ink';
import { App } from '../../components/App.js';
import type { Config } from '../config.js';
import { FRAME_MS } from '../store.js';
import { startRuntime } from './runtime.js';

/**
 * Draws the dashboard until `q`/Ctrl-C. Leaving never signals the backfill: it runs in its own session,
 * and SIGHUP of this terminal ends only this process.
 */
export async function runDashboard(config: Config, opts: { color: boolean }): Promise<number> {
  let unmount = () => {};
  const runtime = startRuntime(config, {
    exit: () => unmount(),
    width: process.stdout.columns,
    height: process.stdout.rows,
  });
  const app = render(React.createElement(App, { store: runtime.store, onIntent: runtime.controller.onIntent, color: opts.color }), {
    exitOnCtrlC: true,
    maxFps: Math.round(1000 / FRAME_MS),
  });
  unmount = () => app.unmount();
  await app.waitUntilExit();
  await runtime.close();
  return 0;
}
