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
 * signal aborts; the caller then checks the signal).
 */
export function createCallPacer(opts: PacerOptions = {}) {
  const burst = opts.burst ?? 5;
  const interval = opts.minIntervalMs ?? 2000;
  const perMinute = opts.perMinute ?? 25;
  const now = opts.now ?? Date.now;
  const sleep =
    opts.sleep ??
    ((ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          signal.removeEventListener('abort', done);
          resolve();
        };
        const t = setTimeout(done, ms);
        signal.addEventListener('abort', done, { once: true });
      }));
  const starts: number[] = [];
  return {
    /** Start times of the calls made so far (epoch ms). */
    starts,
    async turn(signal: AbortSignal): Promise<void> {
      const t = now();
      let wait = 0;
      if (starts.length >= burst) wait = starts[starts.length - 1] + interval - t;
      const recent = starts.filter((s) => s > t - 60_000);
      if (recent.length >= perMinute) wait = Math.max(wait, recent[recent.length - perMinute] + 60_000 - t);
      if (wait > 0) await sleep(wait, signal);
      if (!signal.aborted) starts.push(now());
    },
  };
}
