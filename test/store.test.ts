import { expect, test } from 'vitest';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';

/** Timers that run only when the test says so. */
function manualTimers() {
  const queue: { fn: () => void; ms: number }[] = [];
  return {
    timers: { setTimeout: (fn: () => void, ms: number) => queue.push({ fn, ms }) as unknown, clearTimeout: () => undefined },
    runAll: () => queue.splice(0).forEach((t) => t.fn()),
    pending: () => queue.length,
  };
}

test('a burst of 10,000 events reaches listeners as one frame', () => {
  const t = manualTimers();
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: 0, targets: [95] }), { timers: t.timers });
  let frames = 0;
  store.subscribe(() => frames++);
  for (let i = 1; i <= 10_000; i++) store.dispatch({ type: 'clock/tick', now: i });
  expect(frames).toBe(0);
  expect(t.pending()).toBe(1);
  t.runAll();
  expect(frames).toBe(1);
  expect(store.getState().now).toBe(10_000);
});

test('an event that changes nothing schedules no frame', () => {
  const t = manualTimers();
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: 5, targets: [95] }), { timers: t.timers });
  store.dispatch({ type: 'clock/tick', now: 5 });
  expect(t.pending()).toBe(0);
});
