import type { AppState } from '../state/app-state.js';
import { leaveSummary } from './leave-summary.js';

/** How long the sources get to stop after the screen is gone (ms): leaving never waits on the network. */
export const CLOSE_WAIT_MS = 1000;
/** How long an answered `y`'s work (lock, keys file, record, spawn and its start window) may hold the leaving. */
export const SETTLE_WAIT_MS = 20_000;

/**
 * Waits until the dashboard ends (q, Ctrl-C, SIGHUP or SIGTERM), then gives `close` at most CLOSE_WAIT_MS.
 * Returns the exit code: 0, 129 after SIGHUP, 143 after SIGTERM. The caller exits the process, open
 * sockets or not. The backfill is another process group and never sees these signals.
 */
export async function untilLeft(app: { waitUntilExit(): Promise<unknown> }, unmount: () => void, close: () => Promise<unknown>, settle?: () => Promise<unknown>): Promise<number> {
  let code = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    code = signal === 'SIGHUP' ? 129 : 143;
    unmount();
  };
  process.once('SIGHUP', onSignal);
  process.once('SIGTERM', onSignal);
  await app.waitUntilExit();
  // A `y` answered before leaving finishes first (a launch spawns or is refused), bounded: SETTLE_WAIT_MS.
  if (settle) {
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([settle(), new Promise((r) => (wait = setTimeout(r, SETTLE_WAIT_MS)))]);
    clearTimeout(wait);
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([close(), new Promise((r) => (timer = setTimeout(r, CLOSE_WAIT_MS)))]);
  clearTimeout(timer);
  return code;
}

/**
 * The `settle` step for untilLeft with the words said on leaving (leave-summary.ts): waits for the jobs' answered
 * boxes, then writes what goes on (and what was left unanswered) under the last frame.
 */
export function settleAndSay(jobs: { store: { getState(): AppState }; controller: { settled(): Promise<void>; handOff?(): void } }[], write: (text: string) => void, width: number): () => Promise<void> {
  return async () => {
    await Promise.all(jobs.map((j) => j.controller.settled()));
    // A stop under way goes on without the dashboard (its SIGTERM handed to a carrier), and the words say so.
    for (const j of jobs) j.controller.handOff?.();
    const lines = leaveSummary(jobs.map((j) => j.store.getState()), width);
    if (lines.length) write(`${lines.join('\n')}\n`);
  };
}
