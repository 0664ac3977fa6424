import type { PollerTimers } from '../../src/coverage/poller.js';

/**
 * Timers a test fires by hand: a poll happens exactly when the test says the interval has passed.
 * `pending`: the waits scheduled now; `delays()`: their lengths (ms); `fireAll()` runs every one due.
 */
export function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: PollerTimers = {
    setTimeout(fn, ms) {
      pending.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    pending,
    delays: () => [...pending.values()].map((t) => t.ms),
    fireAll() {
      const due = [...pending.values()];
      pending.clear();
      for (const t of due) t.fn();
    },
  };
}
