import { expect, test } from 'vitest';
import { completion } from '../src/state/completions.js';
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
