import type { AppState } from './app-state.js';
import { currentFigures } from './current-figures.js';

/**
 * Why a run ended before its first record, in its own words: the newest line of its log that is not a record (an
 * argparse `error: unrecognized arguments: --bogus-flag`, `can't open file …`, a traceback's last line), or null.
 * Only for a run that ended with no record at all; a traceback's error when one was read (tester X11: a Cloud Run
 * execution that died on a bad argument read `ended · 0:00`, `run.error null`, its cause only in the log pane).
 */
export function deadStartCause(state: AppState): string | null {
  const run = state.log.current;
  if (!run || run.hasActivity || run.complete) return null;
  const status = currentFigures(state).status;
  if (status !== 'ended' && status !== 'incomplete') return null;
  // A traceback's last line, read as the run's error: the job screen says it too, not only status.
  if (run.error !== null) return run.error;
  // Only lines read since the run was seeded from its launch: the tail before them is an earlier run's. A Cloud Run
  // execution's log is its own (read by execution id, begun anew when another is followed): every line is its run's,
  // also when the seed came after the read (one-shot status) or an earlier launch set the mark (tester X11: status
  // and an external execution said nothing).
  const since = state.place ? state.log.lines : state.log.lines - (state.log.linesAtSeed ?? 0);
  if (since <= 0) return null;
  const line = state.log.tail.slice(-since).reverse().find((l) => l.text.trim() !== '')?.text.trim();
  return line ?? null;
}

/**
 * The error a run that did some work died of: its traceback's last line (`RuntimeError: service URL returned HTML`),
 * once its status says it ended without its summary; null for a live, complete or dead-at-start run (deadStartCause
 * says that one). `status` prints the same `run.error` (tester AC8: the job screen showed it only when the line
 * happened to be in the log pane).
 */
export function runEndError(state: AppState): string | null {
  const run = state.log.current;
  if (!run || !run.hasActivity || run.complete || run.error === null) return null;
  const status = currentFigures(state).status;
  return status === 'ended' || status === 'incomplete' ? run.error : null;
}
