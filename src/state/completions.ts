import { COMPLETION_WINDOW, type RunState } from './run.js';

/** Records a completion (scraped or failed) at `at` in the run's rate window, which stays bounded. */
export function completion(run: RunState, at: number): void {
  const c = run.completions;
  c.push(at);
  // Trimmed in place (splice would make an array of what it removes, every COMPLETION_WINDOW completions).
  if (c.length > COMPLETION_WINDOW * 2) {
    c.copyWithin(0, c.length - COMPLETION_WINDOW);
    c.length = COMPLETION_WINDOW;
  }
}
