import { COMPLETION_WINDOW, type RunState } from './run.js';

/** Records a completion (scraped or failed) at `at` in the run's rate window, which stays bounded. */
export function completion(run: RunState, at: number): void {
  run.completions.push(at);
  if (run.completions.length > COMPLETION_WINDOW * 2) run.completions.splice(0, run.completions.length - COMPLETION_WINDOW);
}
