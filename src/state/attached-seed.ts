import type { AppState } from './app-state.js';
import { LAUNCH_AFTER_MS } from './launch-match.js';
import type { RunSeed } from './run.js';

/**
 * The run a dashboard (or `status`) re-attached to that has written nothing yet, from its launch record:
 * `0/N`, its workers and timeout where recorded, elapsed from its launch. Without it a run launched and still
 * silent (a Python script importing its clients) read `waiting`, or the log's previous run as this one
 * (tester U19). Null when nothing is re-attached, it is gone, or the log's current run is already its own
 * (its first line came at or after the launch).
 */
export function attachedRunSeed(state: AppState): RunSeed | null {
  const p = state.process;
  if (!p.attached || p.alive === false || p.runId === null) return null;
  const rec = p.history.find((r) => r.id === p.runId);
  if (!rec) return null;
  const run = state.log.current;
  if (run && (run.startedAt === null || run.startedAt >= rec.startedAt - LAUNCH_AFTER_MS)) return null;
  return { startedAt: rec.startedAt, total: rec.keysGiven ? rec.keyCount : null, workers: rec.workers ?? null, timeoutSec: rec.timeout ?? null };
}
