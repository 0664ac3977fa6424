import type { AppState } from './app-state.js';
import type { WriterInfo } from './run-view.js';

/** What the process side knows of the log's writer, as run-view needs it. */
export function writerOf(state: AppState): WriterInfo {
  const p = state.process;
  if (p.stopped) return { alive: false, stopped: true };
  if (p.external) return { alive: true };
  if (p.pid !== null && p.alive !== null) return { alive: p.alive };
  if (p.writersChecked) {
    // A line newer than our last look at /proc means someone writes the log after all.
    const last = state.log.current?.lastActivityAt ?? null;
    if (last !== null && p.writersCheckedAt !== null && last > p.writersCheckedAt) return { alive: null };
    return { alive: false };
  }
  return { alive: null };
}
