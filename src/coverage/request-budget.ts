import { sleepUnlessAborted } from '../abort.js';
/** The clock a budget waits on; tests pass one where no real time passes. */
export interface BudgetClock {
  now(): number;
  /** Resolves after `ms` (rejects with the signal's reason when it aborts first). */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

/** Requests one cloud source may send in any 60 s, whatever its server answers (retries included, see below). */
export const REQUESTS_PER_MINUTE = 120;
const WINDOW_MS = 60_000;

/**
 * A hard cap on the requests one cloud source sends: at most `perMinute` in any 60 s window (a sliding window,
 * so a listing of up to `perMinute` pages runs at full speed and a longer one goes on at the rate the window
 * frees). `take` waits for room before a request is sent; `tryTake` is for a retry the client library is about to
 * make on its own (a 429 or 5xx answer): no room, no retry, and the error goes back to the source.
 */
export interface RequestBudget {
  readonly perMinute: number;
  /** Waits until a request may be sent and counts it; rejects when the signal aborts first. */
  take(signal: AbortSignal): Promise<void>;
  /** Counts a request now when there is room; false (and nothing counted) when there is none. */
  tryTake(): boolean;
  /** Requests counted in the last 60 s. */
  readonly used: number;
  /** Milliseconds spent waiting for room so far (the source was paced). */
  readonly waitedMs: number;
}

/**
 * A client library's retry rule held to `budget`: a retry it would make on its own (429, 5xx) is a request too,
 * so it goes out only while the budget has room; with none, the error goes back to the source.
 */
export function retryWithin<E>(budget: RequestBudget, retryable: (err: E) => boolean): (err: E) => boolean {
  return (err) => retryable(err) && budget.tryTake();
}

/**
 * The real clock: Date.now and the one abortable pause (abort.ts), which here rejects with the abort's reason:
 * a request waiting for the budget must not go out after its source was stopped.
 */
export const realClock: BudgetClock = {
  now: Date.now,
  sleep: async (ms, signal) => {
    signal.throwIfAborted();
    await sleepUnlessAborted(ms, signal);
    signal.throwIfAborted();
  },
};

/** A budget of `perMinute` requests in any 60 s on `clock`. */
export function createRequestBudget(opts: { perMinute?: number; clock?: BudgetClock } = {}): RequestBudget {
  const perMinute = opts.perMinute ?? REQUESTS_PER_MINUTE;
  const clock = opts.clock ?? realClock;
  // Send times of the requests in the window, oldest first: never more than perMinute of them.
  const sent: number[] = [];
  let waitedMs = 0;
  const forget = (t: number) => {
    while (sent.length > 0 && sent[0] <= t - WINDOW_MS) sent.shift();
  };
  const tryTake = () => {
    const t = clock.now();
    forget(t);
    if (sent.length >= perMinute) return false;
    sent.push(t);
    return true;
  };
  return {
    perMinute,
    tryTake,
    async take(signal) {
      for (;;) {
        signal.throwIfAborted();
        if (tryTake()) return;
        const ms = sent[0] + WINDOW_MS - clock.now();
        waitedMs += ms;
        await clock.sleep(ms, signal);
      }
    },
    get used() {
      forget(clock.now());
      return sent.length;
    },
    get waitedMs() {
      return waitedMs;
    },
  };
}
