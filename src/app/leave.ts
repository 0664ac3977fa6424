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
    if (code !== 0) return;
    code = signal === 'SIGHUP' ? 129 : 143;
    unmount();
  };
  // Held until the process exits, not once: a closed terminal sends SIGHUP more than once (the kernel to the foreground
  // group, the shell to its jobs), and a second one, unheld, would kill the dashboard in the middle of an answered `y`.
  process.on('SIGHUP', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal also fails what is still written to it (the screen's last frame, the leaving words) or read from
  // it with EIO, and that error, unheld, ended the process before an answered `y` had done its work (tester AE13: the
  // terminal closed 50 ms after `y` on a Cloud Run launch; runs.jsonl kept the launch without its execution while the
  // region made one). An error of the terminal's streams is the terminal gone: leave as on SIGHUP, the work goes on.
  const gone = () => onSignal('SIGHUP');
  for (const stream of [process.stdout, process.stderr, process.stdin]) stream.on('error', gone);
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
  // The terminal gone, the process ends as a hung-up one does, by SIGHUP itself: an exit would have Node put back the
  // terminal's modes, which a closed terminal refuses with EIO, and Node aborts on that (an assertion and a core, exit
  // 134) once all was done. Every listener goes first (Ink's exit hook holds one too, and would take the signal in a later
  // turn, after an exit), so its default action ends the process at once. Nothing is left to say to a terminal not there.
  if (code === 129) {
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
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
