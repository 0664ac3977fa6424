import { describe, expect, test } from 'vitest';
import { createSharedClock, IDLE_TICK_MS, LIVE_TICK_MS } from '../src/app/shared-clock.js';

/** Timers stepped by hand: `advance` runs what falls due, in order, on a virtual clock. */
function manualTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        due.set(++seq, { at: now + ms, fn });
        return seq;
      },
      clearTimeout: (h: unknown) => void due.delete(h as number),
    },
    pending: () => due.size,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].fn();
      }
      now = end;
    },
  };
}

function member(name: string, log: string[], live = () => false) {
  return { tick: (t: number) => log.push(`${name}@${t}`), live: () => live() };
}

describe('one clock for every job of a dashboard', () => {
  test('idle jobs tick together every 15 s, on one timer', () => {
    const m = manualTimers();
    const clock = createSharedClock({ now: m.now, timers: m.timers });
    const log: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e']) clock.join(member(name, log));
    expect(m.pending()).toBe(1);
    m.advance(IDLE_TICK_MS - 1);
    expect(log).toEqual([]);
    m.advance(1);
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e'].map((n) => `${n}@${IDLE_TICK_MS}`));
    m.advance(IDLE_TICK_MS);
    expect(log).toHaveLength(10);
    expect(m.pending()).toBe(1);
    clock.close();
    expect(m.pending()).toBe(0);
  });

  test('a live job ticks every second while the idle ones keep their 15 s; poke switches at once', () => {
    const m = manualTimers();
    const clock = createSharedClock({ now: m.now, timers: m.timers });
    const log: string[] = [];
    let running = false;
    clock.join(member('idle', log));
    clock.join(member('run', log, () => running));
    m.advance(5_000);
    expect(log).toEqual([]);
    // New lines made the run live: the fast cadence starts now, not at the next slow tick 10 s away.
    running = true;
    clock.poke();
    m.advance(LIVE_TICK_MS);
    expect(log).toEqual([`run@${5_000 + LIVE_TICK_MS}`]);
    m.advance(IDLE_TICK_MS - 5_000 - LIVE_TICK_MS);
    expect(log.filter((l) => l.startsWith('run@'))).toHaveLength(10);
    expect(log.filter((l) => l.startsWith('idle@'))).toEqual([`idle@${IDLE_TICK_MS}`]);
    // The run ends: back to one slow timer for both.
    running = false;
    log.length = 0;
    m.advance(IDLE_TICK_MS * 2);
    expect(log.filter((l) => l.startsWith('run@')).length).toBeLessThanOrEqual(3);
    expect(log.filter((l) => l.startsWith('idle@'))).toHaveLength(2);
    clock.close();
  });

  // Tester AA17: ticking at whatever phase it started on, the screen's elapsed was up to a second behind `status`'s.
  test('a live job ticks on the whole second of the clock, whenever it started', () => {
    const m = manualTimers();
    m.advance(1_300);
    const clock = createSharedClock({ now: m.now, timers: m.timers });
    const log: string[] = [];
    clock.join(member('run', log, () => true));
    clock.poke();
    m.advance(3_000);
    expect(log).toEqual(['run@2000', 'run@3000', 'run@4000']);
    clock.close();
  });
});
