import { formatCount } from '../format.js';
import type { ExecutionInfo } from '../cloud-run/execution.js';
import { clockTime } from '../state/confirm-situation.js';
import type { RunState } from '../state/run.js';

/** How a run's process ended, as the watch saw it. */
export interface ProcessEnd {
  /** Stopped on an operator's word: from this dashboard, or another's stop record. */
  stopped: boolean;
  exitCode: number | null;
  signal: string | null;
}

/**
 * The notice for a run's end, in the words of its state (tester W23: a complete run read `ended (exit 0)`):
 * `run 17… complete: 197 scraped, 3 failed, 0 skipped`, `… stopped: 45 scraped, 2 failed`, `… ended without a
 * summary after 47 keys (exit 1)`. `run` is the run as its log was read to the process's end (null: its lines are
 * not known). The exit code is said only where it tells something: not 0, or a signal.
 */
export function runEndWords(runId: string, run: RunState | null, end: ProcessEnd): { text: string; tone: 'info' | 'warn' } {
  const exit = end.signal ? ` (ended by ${end.signal})` : end.exitCode !== null && end.exitCode !== 0 ? ` (exit ${end.exitCode})` : '';
  const counts = run ? `${formatCount(run.succeeded)} scraped, ${formatCount(run.failed)} failed, ${formatCount(run.skipped)} skipped` : null;
  // A summary read wins: a run stopped just after it wrote one is done all the same.
  if (run?.complete) {
    const what = run.dryRun ? 'dry run complete' : 'complete';
    return { text: `run ${runId} ${what}${run.dryRun ? '' : `: ${counts}`}${exit}`, tone: run.failed > 0 || exit ? 'warn' : 'info' };
  }
  if (end.stopped) return { text: `run ${runId} stopped${counts ? `: ${counts}` : ''}${exit}`, tone: 'warn' };
  const after = run ? ` after ${formatCount(run.succeeded + run.failed + run.skipped)} key${run.succeeded + run.failed + run.skipped === 1 ? '' : 's'}` : '';
  return { text: `run ${runId} ended without a summary${after}${exit}`, tone: 'warn' };
}

/**
 * The notice when a stop skips a signal every process of the run ignores (read from /proc/PID/status's SigIgn):
 * `SIGINT not sent: pid 8386 ignores it, so SIGTERM goes now`. It says what /proc shows and no guess at why:
 * a run started with `&` by a script ignores SIGINT, but so does one that asked for it itself (tester AC4: the notice
 * said `started with & by a script` of a python3 the dashboard had spawned directly).
 */
export function skippedSignalWords(sig: string, pids: number[]): string {
  const who = pids.length === 1 ? `pid ${pids[0]} ignores it` : `pids ${pids.join(', ')} all ignore it`;
  return `${sig} not sent: ${who}, so SIGTERM goes now`;
}

/**
 * The notice when a launch took over a stale launch lock: who left it, when the lock names a holder; one that names none
 * (an empty or garbled file) is said so, never `left by pid ?`.
 */
export function staleLockWords(pid: number | null): string {
  return pid !== null ? `took over a stale launch lock left by pid ${pid}` : 'took over a stale launch lock that named no holder';
}

/**
 * The notice for a Cloud Run execution's end: `execution ID cancelled: 0/1 tasks succeeded (…)`. One that ended before
 * this dashboard opened (`openedAt`, this machine's clock) says when, and is no warning: it is history, not news (AJ5 g:
 * an execution cancelled an hour before read at start as if cancelled that moment). The time as the screen's other clock
 * times (local), with its date when another day's.
 */
export function executionEndWords(e: Pick<ExecutionInfo, 'id' | 'state' | 'succeededCount' | 'taskCount' | 'failedCount' | 'message' | 'completionTime'>, openedAt: number): { text: string; tone: 'info' | 'warn' } {
  const what = `${e.succeededCount}/${e.taskCount} tasks succeeded${e.failedCount ? `, ${e.failedCount} failed` : ''}${e.message ? ` (${e.message})` : ''}`;
  const tone = e.state === 'succeeded' ? 'info' : 'warn';
  if (e.completionTime === null || e.completionTime >= openedAt) return { text: `execution ${e.id} ${e.state}: ${what}`, tone };
  const day = (ms: number) => new Date(ms).toDateString();
  const at = `${day(e.completionTime) === day(openedAt) ? '' : `${localDate(e.completionTime)} `}${clockTime(e.completionTime)}`;
  return { text: `execution ${e.id} ${e.state} at ${at}, before this dashboard opened: ${what}`, tone: 'info' };
}

/** `2026-12-01` in the local time zone. */
function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
