/** An injected clock for the loopback world and the pollers: sleeping moves it, no real time passes. */
export function fakeClock(start = Date.parse('2026-03-01T12:00:00Z')) {
  const clock = {
    t: start,
    now: () => clock.t,
    /** Moves the clock by `ms` and yields to the event loop, so HTTP round trips still happen. */
    sleep: async (ms: number, signal?: AbortSignal) => {
      if (signal?.aborted) return;
      clock.t += Math.max(0, ms);
      await new Promise((r) => setImmediate(r));
    },
  };
  return clock;
}
