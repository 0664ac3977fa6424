import type { ExecutionOutcomes } from '../cloud-run/execution-outcomes.js';
import { errorKind } from '../failures/error-kind.js';
import { cloneRun, type RunState } from './run.js';

/**
 * The followed execution's run from its kept outcomes (STATEDIR/executions/ID.json), for when Cloud Logging has no
 * entry of it left: its log's tallies and failure kinds as a dashboard read them at its end, over `base` (the run
 * seeded from its launch: start, key count, workers, timeout). Its failed keys are not put in the run: the kept file
 * stands as the execution's run of the failure rule (outcomesAsRuns), with the keys it tried, as an earlier
 * execution's does. `keptFrom`: the file, as the screens name it. `complete`: its log held the summary.
 */
export function keptRun(base: RunState, o: ExecutionOutcomes, complete: boolean, keptFrom: string): RunState {
  const run = cloneRun(base);
  const c = o.counts ?? { succeeded: 0, failed: o.failed.length, skipped: 0 };
  run.succeeded = c.succeeded;
  run.failed = c.failed;
  run.skipped = c.skipped;
  run.failures = {};
  for (const f of o.failed) {
    const kind = errorKind(f);
    run.failures[kind] = (run.failures[kind] ?? 0) + 1;
  }
  // The start its run was counted from where it was kept, not the launch record's (a moment before Cloud Run made it):
  // the dashboard that kept it and `status` from the file then say one elapsed (tester AF1: 0:01 beside 0:02).
  run.startedAt = o.startedAt;
  // Its log's own total when it was kept with it: the keys it tried are only those with an outcome when it did not
  // succeed, never its total (tester AG12: `43/43 100.0 %` for a run that died at 43 of its 234).
  run.total ??= o.total !== undefined ? o.total : triedTotal(o, complete);
  run.hasActivity = c.succeeded + c.failed + c.skipped > 0;
  run.lastActivityAt = o.endedAt;
  run.complete = complete;
  run.finishedAt = complete ? o.endedAt : null;
  run.keptFrom = keptFrom;
  return run;
}

/**
 * The total a file kept before the log's total was saved gives: the keys it tried only when they are the list it was
 * given (its run went through them all, or the file lists more keys than got an outcome: kept before tester Y4's fix),
 * else null (`43/?`): a run that died lists only the keys it reached.
 */
function triedTotal(o: ExecutionOutcomes, complete: boolean): number | null {
  if (!o.tried) return null;
  const c = o.counts;
  const outcomes = c ? c.succeeded + c.failed + c.skipped : o.failed.length;
  return complete || o.tried.length > outcomes ? o.tried.length : null;
}
