import type { AppState } from './app-state.js';
import { LAUNCH_AFTER_MS, launchOfCurrentLogRun, onOurClock } from './launch-match.js';
import { allRuns } from './log-runs.js';
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
  // Begun "before" its launch by a writer's clock a little behind ours (tester AJ3): the skew allowance, launch-match.ts.
  if (run && launchOfCurrentLogRun(state, [rec], []) === rec) return null;
  return { startedAt: rec.startedAt, total: rec.keysGiven ? rec.keyCount : null, workers: rec.workers ?? null, timeoutSec: rec.timeout ?? null };
}

/** A launch from here that died before its first record, as the log's newest run (see deadLaunchSeed). */
export interface DeadLaunch {
  seed: RunSeed;
  /** The log's lines before the launch's own (its cause is the newest of those after), for `log/launched`. */
  linesBefore: number;
  /** The current run is its attempt read from its lines (a start death: `can't open file …`): it takes the seed's facts. */
  deadStart: boolean;
}

/**
 * The run of a launch from here that died before its first record (tester Z8: a typo in the script's name; the
 * launching dashboard said `ended before its first record: can't open file …`, while `status` and later dashboards
 * said `error`), whatever the log held before it (round 12: after an earlier run, `status` and a later dashboard read
 * `0/?` and `elapsed –` for it, or the run before it, `complete 2/2`, where the launching dashboard said `ended · 0/1`).
 * The newest launch recorded, ended, with no record in the log at or after its launch (on our clock) and no run of the
 * log begun since: its key count, workers, timeout and start are the run's. Null when a run of ours goes on
 * (attachedRunSeed's) or the log says more.
 */
export function deadLaunchSeed(state: AppState): DeadLaunch | null {
  const { log, process: p } = state;
  // Lines, none of them its record: an empty or truncated log is `waiting`, never an old launch's run.
  if (state.place || !log.historyDone || log.lines === 0 || (p.attached && p.alive !== false)) return null;
  const rec = p.history.at(-1);
  if (!rec || rec.endedAt === null) return null;
  // The log's second-rounded times: a record in the launch's second may be its own.
  const since = rec.startedAt - LAUNCH_AFTER_MS;
  const behind = log.clockBehindMs;
  if (log.lastRecordAt != null && onOurClock(log.lastRecordAt, behind) >= since) return null;
  if (allRuns(log).some((r) => r.startedAt !== null && onOurClock(r.startedAt, behind) >= since)) return null;
  // Its run begun "before" it by a writer's clock a little behind ours (tester AK3: `status` read a phantom `0/100` from
  // the launch beside the complete 76/4 run): the skew allowance, launch-match.ts.
  if (launchOfCurrentLogRun(state, [rec], []) === rec) return null;
  const seed = { startedAt: rec.startedAt, total: rec.keysGiven ? rec.keyCount : null, workers: rec.workers ?? null, timeoutSec: rec.timeout ?? null };
  const deadStart = log.current?.deadStart === true && !log.current.hasActivity;
  // With no run before it every line is its own; after one, where its lines begin is not known (their cause unsaid).
  return { seed, linesBefore: log.current || log.history.length > 0 ? log.lines : 0, deadStart };
}
