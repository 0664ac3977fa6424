import type { AppState } from './app-state.js';
import { readingLog } from './log-reading.js';

/**
 * Why which keys fail is not known, or null when it is. A key fails when the latest run that tried it failed it: with
 * the log read in part (its later runs unread) or the failed-keys files unread, a list or a count from what was read
 * would be given as a fact that the rest may contradict (tester Z12: `714 failing` from a third of a log whose whole
 * said 785). `status` then gives no failure figure and `missing --from failures` no key.
 */
export function failuresUnknown(state: AppState): string | null {
  if (readingLog(state)) return 'log not read to its end';
  if (state.failed.unread) return 'failed-keys files not read';
  if (executionLogGone(state)) return 'execution log not found';
  return null;
}

/**
 * The newest execution is one of ours the region no longer lists, and Cloud Logging, asked by its name, has no entry of
 * it (entries are kept 30 days by default): what it tried and failed is not known (tester Z3), never `failing 0`.
 */
export function executionLogGone(state: AppState): boolean {
  const p = state.place;
  // Its outcomes kept whole stand for it (kept-run.ts): known.
  return !!p?.execution?.unlisted && p.logReadAt !== null && p.logNewestAt === null && state.log.current?.keptFrom === undefined;
}
