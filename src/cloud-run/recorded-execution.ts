import type { RunRecord } from '../runner/runs-file.js';
import type { ExecutionInfo, ExecutionState } from './execution.js';

/** What an unlisted execution of ours is said to be, everywhere it shows (h, the place line, status). */
export const NO_LONGER_LISTED = 'no longer listed by the region';

/**
 * An execution launched here (its runs.jsonl record names it) as far as its records tell, for when the region no
 * longer lists it (tester Z3: a region keeps executions for a while only, and one restarted keeps none): its name, so
 * its log is still read from Cloud Logging by name; its start; how it ended, from its end record (`unknown` when no
 * dashboard saw it end); its task counts and args as recorded. `taskCount`: the job's configured one, when its end
 * record has no task counts.
 */
export function executionFromRecord(rec: RunRecord, taskCount = 1): ExecutionInfo {
  const name = rec.execution!;
  const c = rec.end?.counts ?? {};
  const tasks = (c.tasksSucceeded ?? 0) + (c.tasksFailed ?? 0) + (c.tasksCancelled ?? 0);
  // `gone`: it left the region's listing while it ran, recorded at the last proof of its life; how it ended is not known.
  const state: ExecutionState = !rec.end || rec.end.reason === 'gone' ? 'unknown' : rec.end.reason === 'stopped' || c.tasksCancelled ? 'cancelled' : c.tasksFailed || rec.end.reason === 'failed-to-start' ? 'failed' : 'succeeded';
  return {
    name,
    id: name.split('/').at(-1) ?? name,
    state,
    taskCount: tasks || taskCount,
    runningCount: 0,
    succeededCount: c.tasksSucceeded ?? 0,
    failedCount: c.tasksFailed ?? 0,
    cancelledCount: c.tasksCancelled ?? 0,
    retriedCount: c.retried ?? 0,
    createTime: rec.startedAt,
    startTime: rec.startedAt,
    // With no end record, when it ended is not known: never its launch instant (tester AF1: `elapsed 0:00`, `finishedAt`
    // = `createdAt` in status for an execution that ran 20 s).
    completionTime: rec.end?.endedAt ?? null,
    taskTimeoutSeconds: rec.timeout ?? null,
    message: null,
    args: rec.argv,
    unlisted: NO_LONGER_LISTED,
  };
}

/**
 * The executions launched here (runs.jsonl) that `listed` (the region's listing) does not hold, made from their records,
 * newest first as a listing is. Only once the region answered: before, nothing says they are not listed.
 */
export function unlistedOurs(runs: RunRecord[], listed: ExecutionInfo[], taskCount = 1): ExecutionInfo[] {
  const ids = new Set(listed.map((e) => e.id));
  const seen = new Set<string>();
  const out: ExecutionInfo[] = [];
  for (const r of runs) {
    if (!r.execution) continue;
    const id = r.execution.split('/').at(-1)!;
    if (ids.has(id) || seen.has(id)) continue;
    seen.add(id);
    out.push(executionFromRecord(r, taskCount));
  }
  return out.sort((a, b) => b.createTime - a.createTime);
}

/**
 * The job's executions to go by: the region's listing, and after it ours it no longer lists, newest first. The one to
 * show is the running one, else the newest of all.
 */
export function withRecorded(listed: ExecutionInfo[], runs: RunRecord[], taskCount = 1): ExecutionInfo[] {
  const gone = unlistedOurs(runs, listed, taskCount);
  if (gone.length === 0) return listed;
  return [...listed, ...gone].sort((a, b) => b.createTime - a.createTime);
}
