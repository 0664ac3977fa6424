import { formatCount } from '../format.js';
import type { AppState } from './app-state.js';

/** A log read whole whose lines are all in another format: how many, and the newest one as a sample. */
export interface ForeignLog {
  lines: number;
  sample: string;
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
  if (state.place || !log.exists || !log.historyDone || log.dated || log.lines === 0 || log.current || log.history.length > 0) return null;
  const sample = [...log.tail].reverse().find((l) => l.text.trim() !== '')?.text.trim();
  return sample ? { lines: log.lines, sample } : null;
}

/** `3 lines read, none in the backfill's format (TIME - LEVEL - message)`: what the run panel, status and the overview say. */
export function foreignLogText(f: ForeignLog): string {
  return `${formatCount(f.lines)} line${f.lines === 1 ? '' : 's'} read, none in the backfill's format (TIME - LEVEL - message)`;
}
