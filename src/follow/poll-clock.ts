/** The timer functions the poll clock uses; tests pass fakes. */
export interface PollTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options for {@link startPollClock}. */
export interface PollClockOptions {
  /** Interval while lines are arriving. */
  pollMs: number;
  /** Interval once nothing arrived for `idleAfterMs`. */
  idlePollMs: number;
  idleAfterMs: number;
  /** Called on every tick. */
  tick(): void;
  timers?: PollTimers;
  now?: () => number;
}

/** A running poll clock. */
export interface PollClock {
  /** New data came: poll fast from now on, at once cutting short a slow wait already scheduled. */
  dataArrived(): void;
  stop(): void;
}

/**
 * The follower's fallback poll: fast while a log is written, slow once it is quiet. A burst after a quiet spell
 * wakes the follower through a file event, but the event of a later line of the burst can be dropped (chokidar
 * throttles them), so the first data must also bring the next poll forward: otherwise that line waits out
 * the slow interval (seconds) instead of `pollMs`.
 */
export function startPollClock(opts: PollClockOptions): PollClock {
  const timers: PollTimers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const now = opts.now ?? Date.now;
  let lastDataAt = -Infinity;
  let timer: unknown = null;
  let slow = false;
  let stopped = false;

  const schedule = (): void => {
    slow = now() - lastDataAt >= opts.idleAfterMs;
    timer = timers.setTimeout(run, slow ? opts.idlePollMs : opts.pollMs);
  };
  const run = (): void => {
    timer = null;
    if (stopped) return;
    opts.tick();
    if (!stopped) schedule();
  };
  run();

  return {
    dataArrived() {
      lastDataAt = now();
      if (stopped || !slow || timer === null) return;
      timers.clearTimeout(timer);
      timer = null;
      schedule();
    },
    stop() {
      stopped = true;
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
  };
}
