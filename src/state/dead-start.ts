import type { AppState } from './app-state.js';
import { currentFigures } from './current-figures.js';
import { clockTime } from './confirm-situation.js';

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

/**
 * A local job whose newest launch failed to start (its command not found, its working directory missing) and no run
 * began after it: said on every surface as a run that died at start is (tester AH6: `status` said `waiting`, exit 0,
 * `problems: []`, and the overview's title left the job out of `whose run died`; only `h` and the launching screen's
 * notice said it). `launch resume-… at 01:16 failed to start: Command not found: python4`, or null.
 */
export function failedStartWords(state: AppState): string | null {
  // A Cloud Run launch that never became an execution is said by its place (launch-answer.ts).
  if (state.place) return null;
  const newest = state.process.history.reduce<AppState['process']['history'][number] | null>((a, r) => (a === null || r.startedAt >= a.startedAt ? r : a), null);
  if (!newest || newest.reason !== 'failed-to-start') return null;
  // A run the log holds from after it (started from a shell since) is the job's news, not this launch.
  const run = state.log.current;
  if (run?.startedAt != null && run.startedAt >= newest.startedAt) return null;
  return `launch ${newest.id} at ${clockTime(newest.startedAt)} failed to start${newest.message ? `: ${newest.message}` : ''}`;
}
