import { COMPLETION_WINDOW, type RunState } from './run.js';

/** Records a completion (scraped or failed) at `at` in the run's rate window, which stays bounded. */
export function completion(run: RunState, at: number): void {
  const c = run.completions;
  c.push(at);
  // Trimmed in place by a plain loop: splice makes an array of what it removes, and copyWithin on an
  // array (not a typed array) takes V8's generic path, about 100 ns an element.
  if (c.length > COMPLETION_WINDOW * 2) {
    const from = c.length - COMPLETION_WINDOW;
    for (let i = 0; i < COMPLETION_WINDOW; i++) c[i] = c[from + i];
    c.length = COMPLETION_WINDOW;
  }
}
