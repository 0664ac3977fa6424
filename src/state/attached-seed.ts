import type { AppState } from './app-state.js';
import { LAUNCH_AFTER_MS, onOurClock } from './launch-match.js';
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
  // The run's start on our clock, as the record's (a writer's clock off: tester AA1).
  if (run && (run.startedAt === null || onOurClock(run.startedAt, state.log.clockBehindMs) >= rec.startedAt - LAUNCH_AFTER_MS)) return null;
  return { startedAt: rec.startedAt, total: rec.keysGiven ? rec.keyCount : null, workers: rec.workers ?? null, timeoutSec: rec.timeout ?? null };
}

/**
 * The run of a launch from here that died before its first record on a log with no run in it (tester Z8: a typo in
 * the script's name; the launching dashboard said `ended before its first record: can't open file …`, while `status`
 * and later dashboards said `error`, none of the log's lines in the backfill's format). Its lines are all since the
 * launch (the log holds no run), so the newest one is its cause. Null when the log holds a run or a run of ours
 * goes on (attachedRunSeed's), or no launch is recorded.
 */
export function deadLaunchSeed(state: AppState): RunSeed | null {
  const { log, process: p } = state;
  // Lines, none a record (foreign-log.ts's shape): an empty or truncated log is `waiting`, never an old launch's run.
  if (state.place || log.current || log.history.length > 0 || !log.historyDone || log.lines === 0 || log.lastRecordAt != null || (p.attached && p.alive !== false)) return null;
  const rec = p.history.at(-1);
  if (!rec || rec.endedAt === null) return null;
  return { startedAt: rec.startedAt, total: rec.keysGiven ? rec.keyCount : null, workers: rec.workers ?? null, timeoutSec: rec.timeout ?? null };
}
