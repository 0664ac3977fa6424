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
