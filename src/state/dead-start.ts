import type { AppState } from './app-state.js';
import { currentFigures } from './current-figures.js';

/**
 * Why a run ended before its first record, in its own words: the newest line of its log that is not a record (an
 * argparse `error: unrecognized arguments: --bogus-flag`, `can't open file …`, a traceback's last line), or null.
 * Only for a run that ended with no record at all; a traceback's error when one was read (tester X11: a Cloud Run
 * execution that died on a bad argument read `ended · 0:00`, `run.error null`, its cause only in the log pane).
 */
export function deadStartCause(state: AppState): string | null {
  return deadStartOutput(state)?.line ?? null;
}

/**
 * What a run that ended before its first record is said to have done, on every surface (screen, `status`, the overview's
 * line, the alert): its output quoted, so that `1` (a `print(1)`) never reads as a count of something (tester AD3:
 * `ended before its first record: 1`); `only` when it wrote that one line.
 */
export function deadStartWords(state: AppState): string | null {
  const out = deadStartOutput(state);
  return out ? `ended before its first record; its ${out.only ? 'only' : 'last'} output: "${out.line}"` : null;
}

function deadStartOutput(state: AppState): { line: string; only: boolean } | null {
  const run = state.log.current;
  if (!run || run.hasActivity || run.complete) return null;
  const status = currentFigures(state).status;
  if (status !== 'ended' && status !== 'incomplete') return null;
  // A traceback's last line, read as the run's error: the job screen says it too, not only status.
  if (run.error !== null) return { line: run.error, only: false };
  // Only lines read since the run was seeded from its launch: the tail before them is an earlier run's. A Cloud Run
  // execution's log is its own (read by execution id, begun anew when another is followed): every line is its run's,
  // also when the seed came after the read (one-shot status) or an earlier launch set the mark (tester X11: status
  // and an external execution said nothing).
  const since = state.place ? state.log.lines : state.log.lines - (state.log.linesAtSeed ?? 0);
  if (since <= 0) return null;
  const said = state.log.tail.slice(-since).map((l) => l.text.trim()).filter((t) => t !== '');
  const line = said.at(-1);
  return line === undefined ? null : { line, only: said.length === 1 && since <= state.log.tail.length };
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
