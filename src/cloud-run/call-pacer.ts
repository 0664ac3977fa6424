import { sleepUnlessAborted } from '../abort.js';
/** How a one-shot command paces its `entries:list` calls (see README, "Cloud Logging quota"). */
export interface PacerOptions {
  /** Calls allowed back to back before the interval applies. Default 5. */
  burst?: number;
  /** After the burst, at least this long between calls' starts, ms. Default 2000 (the dashboard's own pace). */
  minIntervalMs?: number;
  /** Never more calls than this in any 60 s. Default 25: with a dashboard on the project (30 a minute) it stays under 60. */
  perMinute?: number;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/**
 * Pacing for a one-shot read of Cloud Logging (`status`, `missing`): the read quota is about 60 calls a minute
 * per project for every reader together, so a one-shot takes a few pages back to back (a short log costs no
 * waiting) and then keeps the dashboard's pace. `turn()` resolves when the next call may start (early if the
 * signal aborts; the caller then checks the signal); concurrent callers get successive slots.
 */
export function createCallPacer(opts: PacerOptions = {}) {
  const burst = opts.burst ?? 5;
  const interval = opts.minIntervalMs ?? 2000;
  const perMinute = opts.perMinute ?? 25;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? sleepUnlessAborted;
  const starts: number[] = [];
  return {
    /** Start times of the newest calls, taken or reserved (epoch ms). */
    starts,
    async turn(signal: AbortSignal): Promise<void> {
      // The slot is taken before the wait, so callers sharing the pacer (several jobs) queue up, never collide.
      const t = now();
      let at = t;
      if (starts.length >= burst) at = Math.max(at, starts[starts.length - 1] + interval);
      if (starts.length >= perMinute) at = Math.max(at, starts[starts.length - perMinute] + 60_000);
      starts.push(at);
      if (starts.length > perMinute) starts.splice(0, starts.length - perMinute);
      if (at > t) await sleep(at - t, signal);
    },
  };
}
