import { clockSpanMs } from '../format.js';
import type { ExecutionInfo } from './execution.js';

/** The team's monitors call an execution older than this stuck (their ~700-line shell scripts use 2 h). */
export const DEFAULT_STUCK_AFTER_MS = 2 * 60 * 60_000;

/**
 * Why a running execution is stuck at `now`, or null (`from`: when its run began, as the header counts its elapsed): it has run past its task timeout (Cloud Run should have
 * ended it), or past `stuckAfterMs`. Log silence alone never makes it stuck: entries arrive late.
 */
export function stuckReason(e: ExecutionInfo | null, now: number, stuckAfterMs: number = DEFAULT_STUCK_AFTER_MS, from: number | null = null): string | null {
  if (!e || (e.state !== 'running' && e.state !== 'pending')) return null;
  // From its run's start as the header counts it (`from`: state/place-state.ts stuckOf), else its own start: the header
  // counted from its creation (a launch sees it pending, with no start yet) and the line from its start (AJ5's note).
  const since = from ?? e.startTime ?? e.createTime;
  // In whole seconds of the clock, as the header's elapsed time is (format.ts clockSpanMs): the line says the header's
  // time, and it is stuck once the time it says is past the bound, never `running 0:20, past 0:20`.
  const ran = clockSpanMs(since, now);
  if (e.taskTimeoutSeconds !== null && ran > e.taskTimeoutSeconds * 1000) {
    return `running ${formatSpan(ran)}, past its task timeout of ${formatSpan(e.taskTimeoutSeconds * 1000)}`;
  }
  if (ran > stuckAfterMs) return `running ${formatSpan(ran)}, past ${formatSpan(stuckAfterMs)} (stuckAfter)`;
  return null;
}

/** `0:33`, `12:05` under an hour (minutes alone read 0 for 33 s), `2 h 05 min` from an hour. */
export function formatSpan(ms: number): string {
  const m = Math.floor(ms / 60_000);
  if (m < 60) return `${m}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
