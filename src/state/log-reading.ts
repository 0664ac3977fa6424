import type { AppState } from './app-state.js';
import { formatBytes, formatCount } from '../format.js';

/**
 * A file log not yet read to its end (a log found missing or unreadable has nothing to read), or the log of a Cloud Run
 * execution that had ended when the dashboard took it up, not yet read through (read at Cloud Logging's pace).
 * While it is read the runs are half known: a finished run read up to its middle looks `ended` at 0/5,299.
 * So no screen and no command shows a state word or run figures from it (tester U8): the overview's row,
 * the job screen's header and body, and `status` say `reading…` instead. Alerts wait for the whole history.
 */
export function readingLog(state: AppState): boolean {
  // A Cloud Run execution that had ended when the dashboard took it up: read until a read reaches its log's end, unless
  // a read failed (said as such) or outcomes kept whole stand for it.
  const p = state.place;
  if (p) return p.firstRead === true && p.error === null && state.log.current?.keptFrom === undefined;
  // A log that cannot be read (a directory, a FIFO, a device, no permission) is not being read: its problem is
  // said instead, never a `reading…` that promises figures (tester V14).
  const unreadable = Boolean(state.log.problem) && state.log.bytesRead === 0;
  return !state.log.historyDone && !(state.log.looked && !state.log.exists) && !unreadable;
}

/** "reading… 30 % of 39 MB" ("reading…" before the file's size is known), or null when the log is read. */
export function readingText(state: AppState): string | null {
  if (!readingLog(state)) return null;
  const { bytesRead, size } = state.log;
  // Cloud Logging says no size: how many lines are in so far.
  if (state.place) return state.log.lines > 0 ? `reading… ${formatCount(state.log.lines)} lines` : 'reading…';
  return size > 0 ? `reading… ${Math.floor((bytesRead / size) * 100)} % of ${formatBytes(size)}` : 'reading…';
}
