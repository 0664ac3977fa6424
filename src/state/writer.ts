import { isActive } from '../cloud-run/execution.js';
import type { AppState } from './app-state.js';
import type { WriterInfo } from './run-view.js';

/** What the process side knows of the log's writer, as run-view needs it. */
export function writerOf(state: AppState): WriterInfo {
  const p = state.process;
  const arrivedAt = state.log.lastArrivalAt;
  if (p.stopped) return { alive: false, stopped: true };
  // A Cloud Run execution says itself whether tasks run; its log arrives late, so silence proves nothing.
  const e = state.place?.execution;
  if (e) return { alive: isActive(e), tasksRunning: isActive(e), arrivedAt };
  if (p.external) return { alive: true, arrivedAt };
  if (stoppedByRecord(state)) return { alive: false, stopped: true };
  if (p.pid !== null && p.alive !== null) return { alive: p.alive, arrivedAt };
  if (p.writersChecked) {
    // A line newer than our last look at /proc means someone writes the log after all.
    const last = state.log.current?.lastActivityAt ?? null;
    if (last !== null && p.writersCheckedAt !== null && last > p.writersCheckedAt) return { alive: null, arrivedAt };
    if (arrivedAt !== null && p.writersCheckedAt !== null && arrivedAt > p.writersCheckedAt) return { alive: null, arrivedAt };
    return { alive: false };
  }
  return { alive: null, arrivedAt };
}

/** Slack between the clock of runs.jsonl and the log's own timestamps (a line is written after its launch). */
const RECORD_SLACK_MS = 60_000;

/**
 * The log's current run is one that runs.jsonl says was stopped (by this or another dashboard): the newest
 * recorded run ended with reason 'stopped', started before the run's first line and ended after its last.
 * So every dashboard on the same stopped run says `stopped`, not only the one that stopped it.
 */
export function stoppedByRecord(state: AppState): boolean {
  const run = state.log.current;
  const rec = state.process.history.at(-1);
  if (!run || run.complete || !rec || rec.reason !== 'stopped' || rec.endedAt === null || run.startedAt === null) return false;
  if (state.process.pid !== null && state.process.alive === true) return false;
  const last = run.lastActivityAt ?? run.startedAt;
  return rec.startedAt <= run.startedAt + RECORD_SLACK_MS && rec.endedAt >= last - RECORD_SLACK_MS;
}
