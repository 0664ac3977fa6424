import { expect, test } from 'vitest';
import { CompletionRing, completion } from '../src/state/completions.js';
import { COMPLETION_WINDOW, emptyRun } from '../src/state/run.js';

test('the rate window keeps the newest completions in order, never more than twice its size, however many come', () => {
  const run = emptyRun();
  const n = COMPLETION_WINDOW * 7 + 13;
  for (let i = 0; i < n; i++) {
    completion(run, 1_000 + i);
    expect(run.completions.length).toBeLessThanOrEqual(COMPLETION_WINDOW * 2);
  }
  const kept = run.completions.length;
  expect(kept).toBeGreaterThanOrEqual(COMPLETION_WINDOW);
  // The last `kept` times, oldest first.
  expect(run.completions).toEqual(Array.from({ length: kept }, (_, i) => 1_000 + n - kept + i));
});

test('a fold loop\'s completions held in a ring leave the window as the same completions one by one would', () => {
  const ring = new CompletionRing();
  // Window lengths and counts around each edge: empty, just under and at each bound, and many windows' worth.
  const lengths = [0, 1, COMPLETION_WINDOW - 1, COMPLETION_WINDOW, COMPLETION_WINDOW + 1, 2 * COMPLETION_WINDOW - 1, 2 * COMPLETION_WINDOW];
  const counts = [0, 1, 2, COMPLETION_WINDOW, COMPLETION_WINDOW + 1, 2 * COMPLETION_WINDOW, 2 * COMPLETION_WINDOW + 1, 2 * COMPLETION_WINDOW + 2, 5 * COMPLETION_WINDOW + 7];
  for (const before of lengths) {
    for (const added of counts) {
      const oneByOne = emptyRun();
      const ringed = emptyRun();
      for (let i = 0; i < before; i++) {
        completion(oneByOne, i);
        completion(ringed, i);
      }
      for (let i = 0; i < added; i++) {
        completion(oneByOne, 10_000 + i);
        ring.add(10_000 + i);
      }
      ring.flush(ringed.completions);
      expect(ringed.completions, `${before} in the window, ${added} added`).toEqual(oneByOne.completions);
    }
  }
});

test('a full window and one more completion: cut back to its newest COMPLETION_WINDOW times, the new one last', () => {
  const run = emptyRun();
  for (let i = 0; i < 2 * COMPLETION_WINDOW; i++) completion(run, i);
  const ring = new CompletionRing();
  ring.add(99_999);
  ring.flush(run.completions);
  expect(run.completions).toHaveLength(COMPLETION_WINDOW);
  expect(run.completions[0]).toBe(COMPLETION_WINDOW + 1);
  expect(run.completions[COMPLETION_WINDOW - 2]).toBe(2 * COMPLETION_WINDOW - 1);
  expect(run.completions[COMPLETION_WINDOW - 1]).toBe(99_999);
  // What a fold that threw left behind is not put into the next run's window.
  ring.add(1);
  ring.clear();
  ring.flush(run.completions);
  expect(run.completions).toHaveLength(COMPLETION_WINDOW);
});
