import { describe, expect, test } from 'vitest';
import { backoffDelay, startPoller, type PollerTimers } from '../src/coverage/poller.js';
import { SourceError, type KeySource, type SourceResult } from '../src/coverage/source.js';

/** Timers that only fire when the test says how much time passed. */
function fakeTimers() {
  let clock = 0;
  let nextId = 1;
  const pending = new Map<number, { at: number; fn: () => void; ms: number }>();
  const timers: PollerTimers = {
    setTimeout(fn, ms) {
      const id = nextId++;
      pending.set(id, { at: clock + ms, fn, ms });
      return id;
    },
    clearTimeout(id) {
      pending.delete(id as number);
    },
  };
  return {
    timers,
    now: () => clock,
    /** Delays of the timers waiting now. */
    waiting: () => [...pending.values()].map((t) => t.ms),
    advance(ms: number) {
      clock += ms;
      for (const [id, t] of [...pending].sort((a, b) => a[1].at - b[1].at)) {
        if (t.at > clock) break;
        pending.delete(id);
        t.fn();
      }
    },
  };
}

/** A source whose lists the test settles by hand. */
function manualSource() {
  const calls: { signal: AbortSignal; resolve: (r: SourceResult) => void; reject: (e: unknown) => void }[] = [];
  const source: KeySource = {
    name: 'storage',
    label: 'manual',
    list: (signal) => new Promise((resolve, reject) => calls.push({ signal, resolve, reject })),
  };
  return { source, calls };
}

const result = (keys: string[]): SourceResult => ({ keys: new Set(keys), requests: 1, bytesBilled: null, method: 'prefixes' });
const flush = () => new Promise<void>((r) => setImmediate(r)); // lets settled promises run their callbacks

function setup(intervalMs = 1000) {
  const t = fakeTimers();
  const { source, calls } = manualSource();
  const ac = new AbortController();
  const events: string[] = [];
  const poller = startPoller({
    source,
    intervalMs,
    signal: ac.signal,
    timers: t.timers,
    now: t.now,
    random: () => 0.5,
    onStart: () => events.push('start'),
    onResult: (r, at) => events.push(`result ${[...r.keys].join(',')} @${at}`),
    onError: (e, at, next) => events.push(`error ${e.message} @${at} next ${next}`),
  });
  return { t, calls, ac, events, poller };
}

describe('backoffDelay', () => {
  test.each([
    [1, 1000, 0.5, 1000],
    [1, 1000, 0, 750],
    [1, 1000, 0.999, 1250],
    [2, 1000, 0.5, 2000],
    [3, 1000, 0.5, 4000],
    [4, 1000, 0, 6000],
    [4, 1000, 0.5, 8000],
    [4, 1000, 0.999, 8000], // capped at interval × 8
    [50, 1000, 0, 8000],
    [10_000, 60_000, 0.5, 480_000],
  ])('failure %d, interval %d, random %d → %d ms', (failures, interval, r, ms) => {
    expect(backoffDelay(failures, interval, r)).toBe(ms);
  });
});

describe('startPoller', () => {
  test('polls at once, then schedules the next poll only after the last one ended', async () => {
    const { t, calls, events } = setup();
    expect(calls).toHaveLength(1);
    expect(t.waiting()).toEqual([]); // nothing scheduled while a list is in flight
    t.advance(5000);
    expect(calls).toHaveLength(1);
    calls[0].resolve(result(['a']));
    await flush();
    expect(events).toEqual(['start', 'result a @5000']);
    expect(t.waiting()).toEqual([1000]);
    t.advance(999);
    expect(calls).toHaveLength(1);
    t.advance(1);
    expect(calls).toHaveLength(2);
  });

  test('refresh while a list is in flight polls once more right after it, never overlapping', async () => {
    const { t, calls, poller } = setup();
    poller.refresh();
    poller.refresh();
    expect(calls).toHaveLength(1);
    calls[0].resolve(result(['a']));
    await flush();
    expect(calls).toHaveLength(2); // the follow-up, at once
    expect(t.waiting()).toEqual([]);
    calls[1].resolve(result(['a', 'b']));
    await flush();
    expect(calls).toHaveLength(2); // two refreshes made one follow-up
    expect(t.waiting()).toEqual([1000]);
  });

  test('refresh while idle polls now and replaces the scheduled poll', async () => {
    const { t, calls, poller } = setup();
    calls[0].resolve(result([]));
    await flush();
    poller.refresh();
    expect(calls).toHaveLength(2);
    expect(t.waiting()).toEqual([]);
    calls[1].resolve(result([]));
    await flush();
    t.advance(1000);
    expect(calls).toHaveLength(3); // one poll per interval, not the old timer as well
  });

  test('errors back off exponentially up to interval × 8; a success resets it', async () => {
    const { t, calls, events } = setup();
    const fail = async (i: number) => {
      calls[i].reject(new SourceError('boom', null, 500));
      await flush();
      const next = t.waiting()[0];
      t.advance(next);
      return next;
    };
    expect([await fail(0), await fail(1), await fail(2), await fail(3), await fail(4)]).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(events[1]).toBe('error boom @0 next 1000');
    calls[5].resolve(result(['a']));
    await flush();
    t.advance(1000);
    expect(await fail(6)).toBe(1000);
  });

  test('an error that is not a SourceError is reported as one', async () => {
    const { calls, events } = setup();
    calls[0].reject(new TypeError('bug'));
    await flush();
    expect(events).toEqual(['start', 'error bug @0 next 1000']);
  });

  test('a list that throws instead of rejecting is reported, and polling goes on', async () => {
    const t = fakeTimers();
    const errors: string[] = [];
    let n = 0;
    const source: KeySource = {
      name: 'warehouse',
      label: 'x',
      list: () => {
        n += 1;
        throw new Error('sync');
      },
    };
    startPoller({ source, intervalMs: 100, signal: new AbortController().signal, timers: t.timers, random: () => 0.5, onResult: () => {}, onError: (e) => errors.push(e.message) });
    await flush();
    t.advance(100);
    await flush();
    expect([n, errors]).toEqual([2, ['sync', 'sync']]);
  });

  test('abort cancels the pending timer', async () => {
    const { t, calls, ac } = setup();
    calls[0].resolve(result([]));
    await flush();
    ac.abort();
    expect(t.waiting()).toEqual([]);
    t.advance(10_000);
    expect(calls).toHaveLength(1);
  });

  test('abort reaches the in-flight list, and its late answer is not reported', async () => {
    const { t, calls, ac, events, poller } = setup();
    poller.refresh();
    ac.abort();
    expect(calls[0].signal.aborted).toBe(true);
    calls[0].resolve(result(['late']));
    await flush();
    poller.refresh();
    expect(events).toEqual(['start']);
    expect(calls).toHaveLength(1);
    expect(t.waiting()).toEqual([]);
  });
});
