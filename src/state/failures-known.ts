import type { AppState } from './app-state.js';
import { readingLog, readingText } from './log-reading.js';

/** Why which keys fail is not known: `status --json`'s `failures.persistentUnknown` gives these words as they are. */
export type FailuresUnknownReason =
  | 'log not read to its end'
  | 'failed-keys files not read'
  | 'execution log not found'
  | 'execution log not read'
  | 'executions not listed';

/**
 * Why which keys fail is not known, or null when it is. A key fails when the latest run that tried it failed it: with
 * the log read in part (its later runs unread) or the failed-keys files unread, a list or a count from what was read
 * would be given as a fact that the rest may contradict (tester Z12: `714 failing` from a third of a log whose whole
 * said 785). `status` then gives no failure figure and `missing --from failures` no key.
 */
export function failuresUnknown(state: AppState): FailuresUnknownReason | null {
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

/**
 * Each reason in an operator's words, one table for every command that says it: `status` (`failures  not known: …`)
 * and `missing --from failures` (`backfill-tui: …; nothing is printed`, exit 1). The overview's failing cell says `not known` for all.
 */
export const FAILURES_UNKNOWN_WORDS: Record<FailuresUnknownReason, { status: string; missing: (state: AppState) => string }> = {
  'log not read to its end': {
    status: 'the log was not read to its end (give --timeout more)',
    // Half a history gives whatever keys were read in time (tester W12: 100, 144, 144 on three tries, rc 0, for a log
    // whose 44 failing keys were at its end): no list beats a wrong one for a backfill's --csv.
    missing: (s) => `the log ${s.log.path} was not read to its end (${readingText(s)}): the failing keys are not known; nothing is printed (give --timeout more seconds)`,
  },
  'failed-keys files not read': {
    status: 'the failed-keys files were not read (see problem below)',
    // Not within --timeout, or an error: the log's failures alone are not the list.
    missing: (s) => `the failing keys are not known, the failed-keys files not read (${s.failed.unread}); nothing is printed`,
  },
  'execution log not found': {
    status: "the newest execution's log is not in Cloud Logging",
    // No longer listed by the region, no log left in Cloud Logging (tester Z3).
    missing: (s) => `execution ${s.place!.execution!.id} is no longer listed by the region and its log is not in Cloud Logging: its failing keys are not known; nothing is printed`,
  },
  'execution log not read': {
    status: "the execution's log could not be read (see problem below)",
    // Cloud Logging refused (tester AD10: an empty list and exit 0).
    missing: (s) => `the log of execution ${s.place!.execution!.id} could not be read to its end: its failing keys are not known; nothing is printed`,
  },
  'executions not listed': {
    status: 'the executions could not be listed (see problem below)',
    // Only the kept earlier executions' failures are known (tester Z3: an empty list and exit 0 went to a script's
    // retry as "nothing failed").
    missing: (s) => `${s.place!.label} not listed: the newest execution's failing keys are not known; nothing is printed`,
  },
};
