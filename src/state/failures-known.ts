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
  if (executionLogUnread(state)) return 'execution log not read';
  if (executionsUnlisted(state)) return 'executions not listed';
  return null;
}

/**
 * The followed execution's log could not be read to its end (Cloud Logging refused, denied, timed out): the failures
 * are those of the part read, maybe none (tester AD10: `failing 0`, an empty `missing --from failures`, exit 0, while
 * the execution had failed 8 keys). Its kept outcomes, when they stand for it, are known.
 */
export function executionLogUnread(state: AppState): boolean {
  const p = state.place;
  return !!p?.execution && p.logCaughtUp === false && p.error !== null && state.log.current?.keptFrom === undefined;
}

/**
 * A Cloud Run job whose executions could not be listed (the region down or denied): the newest execution's failures
 * are not known, only those kept from earlier ones (tester Z3, AD10: status said `9 failing` from them while
 * `missing --from failures` said not known).
 */
export function executionsUnlisted(state: AppState): boolean {
  const p = state.place;
  return !!p && p.listedAt === null && p.error !== null;
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
