import { describe, expect, test } from 'vitest';
import { startPollClock } from '../src/follow/poll-clock.js';

/** Fake timers with a hand-moved clock: no test waits on real time. */
function fakeTime() {
  let t = 0;
  let next = 1;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => t,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        pending.set(next, { at: t + ms, fn });
        return next++;
      },
      clearTimeout: (h: unknown) => void pending.delete(h as number),
    },
    /** Moves the clock to `to`, firing due timers in order. */
    advance(to: number) {
      for (;;) {
        const due = [...pending.entries()].filter(([, p]) => p.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        t = due[1].at;
        due[1].fn();
      }
      t = to;
    },
  };
}

describe('the follower poll clock', () => {
  test('slow while quiet; the first data of a burst brings the next poll to pollMs, not the end of the slow wait', () => {
    const time = fakeTime();
    const ticks: number[] = [];
    const clock = startPollClock({ pollMs: 250, idlePollMs: 5000, idleAfterMs: 10_000, tick: () => ticks.push(time.now()), timers: time.timers, now: time.now });
    time.advance(12_000); // 12 s of quiet: polls every 5 s
    expect(ticks).toEqual([0, 5000, 10_000]);
    // A line arrives at 12 s (through a file event); the next line's event may be dropped: the poll must come soon.
    clock.dataArrived();
    time.advance(12_250);
    expect(ticks).toEqual([0, 5000, 10_000, 12_250]);
    time.advance(13_000);
    expect(ticks.slice(4)).toEqual([12_500, 12_750, 13_000]);
    // Quiet again for 10 s after the last data: back to the slow rate.
    time.advance(30_000);
    expect(ticks.filter((t) => t >= 21_750)).toEqual([21_750, 22_000, 27_000]);
    clock.stop();
    time.advance(60_000);
    expect(ticks.at(-1)).toBe(27_000);
  });
});
