import type { ExecutionInfo } from './execution.js';

/**
 * After an execution ends, how long a read must start after its completion before the log counts as read up
 * to that moment when no summary line is coming (a cancelled or failed script writes none): Cloud Logging's
 * ingestion delay is tens of seconds, so a read a minute later has seen what the tasks wrote before they ended.
 */
export const LOG_SETTLE_MS = 60_000;

/** What the dashboard knows of an ended execution's log. */
export interface LogReadFacts {
  /** The run's summary line is in (the script finished normally and said so). */
  logComplete: boolean;
  /**
   * Every outcome the summary counts (processed, failed) has its line in the run read so far. Cloud Logging
   * delivers entries out of order, one task's too (tester X2: a failure written 15 s before the summary reached
   * the log 20 s after it): a summary in is not every line in.
   */
  outcomesMatched: boolean;
  /** When the newest read that reached the end of the log (no further page) started, epoch ms; null if none. */
  caughtUpFrom: number | null;
  now: number;
  /** How long after the completion the last entries are waited for at most (cloudRun.logDeadline). */
  deadlineMs: number;
  settleMs?: number;
}

/**
 * Whether an execution's log is still missing its last entries: `waiting` until they can be taken as in,
 * `gave-up` once the deadline passed without them, null when the log is whole (or the execution still runs).
 * Only a succeeded execution's script writes its summary, so only then is the summary waited for, and with it
 * every outcome line it counts (else a settled read, as below); after a
 * cancel or a failure the log is whole once a read that began `settleMs` (at most half the deadline) after the
 * completion has reached its end. Source of the rule: Cloud Logging delivers entries tens of seconds late, and a container can exit
 * before its last lines are flushed.
 */
export function lastEntriesState(e: ExecutionInfo, f: LogReadFacts): 'waiting' | 'gave-up' | null {
  if (e.completionTime === null) return null;
  // Half the deadline at most: a read must have time to begin after the settle and before the deadline.
  const settle = Math.min(f.settleMs ?? LOG_SETTLE_MS, f.deadlineMs / 2);
  const settled = f.caughtUpFrom !== null && f.caughtUpFrom >= e.completionTime + settle;
  // A summary whose counts some outcome line has not matched yet: whole once a read begun `settle` after the end
  // reached the end of the log (what was coming has come; a script's summary that counts what it never logged
  // must not hold the log open until the deadline).
  const whole = e.state === 'succeeded' ? f.logComplete && (f.outcomesMatched || settled) : f.logComplete || settled;
  if (whole) return null;
  return f.now >= e.completionTime + f.deadlineMs ? 'gave-up' : 'waiting';
}
