import { formatCount } from '../format.js';
import type { AppState } from './app-state.js';

/** A log read whole whose lines are all in another format: how many, and the newest one as a sample. */
export interface ForeignLog {
  lines: number;
  sample: string;
  /**
   * A writer of the log is alive (ours launching or running, or a process not started here): its first lines may
   * come before its banner (`nohup: ignoring input`, a library's warning on import), so this is no error yet
   * (tester X16: `error`, exit 1, for the seconds before the banner of a run going well).
   */
  writerAlive: boolean;
}

/**
 * The log has lines but not one carried the backfill's `TIME - LEVEL - ` prefix, so no run can be read from it
 * (tester W19: `[2025-11-26 23:00:00] INFO: …` or ISO times read `waiting`, the word for "no log yet", and the
 * operator took the path for wrong). Only once the whole file is read, with no run in it and none launched from
 * here (a launch's run is known from its launch until its first line). Null otherwise. Local logs only: a Cloud
 * Run job's entries say their own state through the execution.
 */
export function foreignLog(state: AppState): ForeignLog | null {
  const log = state.log;
  if (state.place || !log.exists || !log.historyDone || log.lastRecordAt != null || log.lines === 0 || log.current || log.history.length > 0) return null;
  const sample = [...log.tail].reverse().find((l) => l.text.trim() !== '')?.text.trim();
  const p = state.process;
  const writerAlive = p.external || p.alive === true || p.launching === true;
  return sample ? { lines: log.lines, sample, writerAlive } : null;
}

/** A log in another format whose writer is gone (or none known): its run can never be read. See {@link ForeignLog}. */
export function foreignLogProblem(state: AppState): ForeignLog | null {
  const f = foreignLog(state);
  return f && !f.writerAlive ? f : null;
}

/**
 * `3 lines read, none in the backfill's format (TIME - LEVEL - message)`: what the run panel, status and the overview
 * say; while a writer is alive, `no run lines yet: 2 other lines` (its banner may still come).
 */
export function foreignLogText(f: ForeignLog): string {
  const n = `${formatCount(f.lines)} ${f.lines === 1 ? 'line' : 'lines'}`;
  return f.writerAlive ? `no run lines yet: ${n}, none in the backfill's format so far` : `${n} read, none in the backfill's format (TIME - LEVEL - message)`;
}

/** What to do about a log in another format: the grammar's reach (README "Another team's log format"). */
export const FOREIGN_LOG_HINT = 'the built-in grammar and `grammar` read messages after a `2025-11-26 23:00:00,000 - INFO - ` prefix';
