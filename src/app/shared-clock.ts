/** Clock ticks while a run is live, and while nothing moves. */
export const LIVE_TICK_MS = 1000;
export const IDLE_TICK_MS = 15_000;

/** One job on the clock: its tick, and whether its run is live at a time (ms since epoch). */
export interface ClockMember {
  tick(now: number): void;
  live(now: number): boolean;
}

/** Timers the clock uses; injected so tests step time by hand. */
export interface ClockTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * One clock for every job of a dashboard. A live job (elapsed seconds, stall detection) ticks every
 * {@link LIVE_TICK_MS}; an idle one every {@link IDLE_TICK_MS} (ages, notices). Jobs due together tick in one
 * go, so five idle jobs cost one wake-up and one frame every 15 s, not five.
 */
export interface SharedClock {
  /** Adds a job; returns its leave. */
  join(member: ClockMember): () => void;
  /** A job may have become live (new lines, a launch): switch to the fast cadence now rather than at the next slow tick. */
  poke(): void;
  close(): void;
}

const realTimers: ClockTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function createSharedClock(opts: { now?: () => number; timers?: ClockTimers } = {}): SharedClock {
  const now = opts.now ?? Date.now;
  const timers = opts.timers ?? realTimers;
  const members = new Map<ClockMember, { lastTick: number }>();
  let handle: unknown = null;
  let fast = false;
  let closed = false;

  const anyLive = (t: number) => [...members.keys()].some((m) => m.live(t));
  const schedule = () => {
    if (handle !== null) timers.clearTimeout(handle);
    handle = null;
    if (closed || members.size === 0) return;
    const t = now();
    fast = anyLive(t);
    // Idle, the next tick is the first job's 15 s after its last one (a fast spell in between moves no one's cadence).
    const due = Math.min(...[...members.values()].map((m) => m.lastTick)) + IDLE_TICK_MS;
    // Live, on the second: an elapsed time (whole seconds of the clock, format.ts formatElapsed) is then the one
    // `status` gives at the same moment, not up to a second behind it (tester AA17).
    handle = timers.setTimeout(fire, fast ? LIVE_TICK_MS - (((t % LIVE_TICK_MS) + LIVE_TICK_MS) % LIVE_TICK_MS) : Math.max(0, due - t));
  };
  const fire = () => {
    handle = null;
    const t = now();
    for (const [member, seen] of members) {
      // An idle job between its slow ticks sleeps through a fast tick meant for a live one. The slack keeps
      // a tick that comes a little early from waiting a whole further second.
      if (!member.live(t) && t - seen.lastTick < IDLE_TICK_MS - LIVE_TICK_MS / 2) continue;
      seen.lastTick = t;
      member.tick(t);
    }
    schedule();
  };

  return {
    join(member) {
      // In step with the jobs already on the clock: jobs that join one after another still tick together.
      const phase = members.size ? Math.min(...[...members.values()].map((m) => m.lastTick)) : now();
      members.set(member, { lastTick: phase });
      if (handle === null || (!fast && member.live(now()))) schedule();
      return () => {
        members.delete(member);
        if (members.size === 0) schedule();
      };
    },
    poke() {
      if (!fast && !closed && anyLive(now())) schedule();
    },
    close() {
      closed = true;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
      members.clear();
    },
  };
}
