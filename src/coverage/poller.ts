import { SourceError, type KeySource, type SourceResult } from './source.js';

/** The timer functions the poller uses; tests pass fakes, so no test waits on a real clock. */
export interface PollerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options for {@link startPoller}. */
export interface PollerOptions {
  source: KeySource;
  /** Between the end of one look and the next; read again at every look (a hub's pace may change, see reschedule). */
  intervalMs: number | (() => number);
  /** Aborting stops the poller: the pending timer is cleared and the in-flight list is cancelled. */
  signal: AbortSignal;
  timers?: PollerTimers;
  /** Jitter source in [0, 1). */
  random?: () => number;
  now?: () => number;
  /** A list starts (the view shows a spinner). */
  onStart?(): void;
  onResult(result: SourceResult, at: number): void;
  /** A list failed; the next try is in `nextInMs`. */
  onError(error: SourceError, at: number, nextInMs: number): void;
}

/** A running poller. */
export interface Poller {
  /** Poll now; when a list is in flight, poll once more right after it instead of overlapping. */
  refresh(): void;
  /**
   * The interval changed: the look waiting for its time is due `intervalMs` after the last one ended, now if that
   * has passed already (a slower pace waits its own time: the look after that is later).
   */
  reschedule(): void;
}

/**
 * Wait before the next try after `failures` failures in a row: the interval doubled per failure,
 * jittered ±25 % so retries do not beat in step with anything else, never more than interval × 8.
 */
export function backoffDelay(failures: number, intervalMs: number, random: number): number {
  const base = intervalMs * 2 ** Math.min(Math.max(failures - 1, 0), 30);
  return Math.round(Math.min(intervalMs * 8, base * (0.75 + 0.5 * random)));
}

/**
 * Polls a key source with one list in flight at most: the next poll is scheduled when the last
 * one ends (after `intervalMs`, or the backoff after an error), and `refresh()` joins the same loop.
 */
export function startPoller(opts: PollerOptions): Poller {
  const timers: PollerTimers = opts.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const { signal } = opts;
  let timer: unknown = null;
  let inFlight = false;
  let again = false;
  let failures = 0;
  /** When the last look ended, and whether it failed (a failure's wait is its backoff, not the interval). */
  let endedAt = 0;
  const interval = typeof opts.intervalMs === 'function' ? opts.intervalMs : () => opts.intervalMs as number;

  const schedule = (ms: number) => {
    timer = timers.setTimeout(() => {
      timer = null;
      poll();
    }, ms);
  };

  const settle = (next: number, report: (nextInMs: number) => void) => {
    inFlight = false;
    endedAt = now();
    if (signal.aborted) return;
    const nextInMs = again ? 0 : next;
    report(nextInMs);
    if (signal.aborted) return; // a callback may have stopped us
    if (again) {
      again = false;
      poll();
    } else schedule(nextInMs);
  };

  function poll(): void {
    if (signal.aborted) return;
    inFlight = true;
    opts.onStart?.();
    let listing: Promise<SourceResult>;
    try {
      listing = opts.source.list(signal);
    } catch (e) {
      listing = Promise.reject(e);
    }
    listing.then(
      (result) => {
        failures = 0;
        settle(interval(), () => opts.onResult(result, now()));
      },
      (e: unknown) => {
        failures += 1;
        const error = e instanceof SourceError ? e : new SourceError(e instanceof Error ? e.message : String(e), null, null);
        settle(backoffDelay(failures, interval(), random()), (nextInMs) => opts.onError(error, now(), nextInMs));
      },
    );
  }

  signal.addEventListener(
    'abort',
    () => {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    },
    { once: true },
  );
  poll();

  return {
    refresh() {
      if (signal.aborted) return;
      if (inFlight) {
        again = true;
        return;
      }
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
      poll();
    },
    reschedule() {
      // In flight, or failing (its backoff stands): the next look is scheduled when this one settles.
      if (signal.aborted || inFlight || timer === null || failures > 0) return;
      timers.clearTimeout(timer);
      timer = null;
      schedule(Math.max(0, endedAt + interval() - now()));
    },
  };
}
