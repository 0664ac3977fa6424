import type { LogLine, SummaryField } from '../log-line.js';
import { SEEN_QUEUED } from './key-ledger.js';
import { firstAnnouncement } from './run-keys.js';
import type { RunState } from './run.js';

/**
 * Which task of a Cloud Run execution a batch of log lines came from: the entry's
 * `labels["run.googleapis.com/task_index"]` (0-based) and the execution's `taskCount`.
 */
export interface TaskOf {
  index: number;
  count: number;
}

/** What one task of an execution said of its own share of the keys. */
export interface TaskTally {
  /** Its `Loaded N` (or `[i/N]`, or a Progress line's N): the keys of its shard. */
  total: number | null;
  /** Done count of its newest Progress line. */
  progressDone: number;
  /** Skips its Progress lines counted. */
  skipped: number;
  /** Its summary banner was written. */
  complete: boolean;
  finishedAt: number | null;
  summary: Partial<Record<SummaryField, number>>;
}

/**
 * The lines of an execution whose tasks share the keys (each task a copy of the script on its shard, all
 * writing to the one execution log): one execution is one run (tester V11: three tasks read as three runs,
 * `34/12 283.3 %`, then one task's summary as the execution's). Each task's banner, `Loaded N`, Progress and
 * summary are its own; the run's total, progress and summary counts are the sums over its tasks, and the run
 * is complete once every task wrote its summary. Outcome lines need nothing here: a key has one outcome
 * whichever task wrote it.
 *
 * Returns false for lines the ordinary fold takes as they are (outcomes, settings, traces, …).
 */
export function applyTaskLine(run: RunState, task: TaskOf, line: LogLine): boolean {
  const tasks = tasksOf(run, task.count);
  const t = tasks[task.index];
  if (!t) return false;
  switch (line.kind) {
    case 'start':
      // Every task writes the banner: the run's title, never a new run.
      if (run.title === null) run.title = line.title;
      return true;
    case 'loaded':
      t.total = line.total;
      settleTotal(run, tasks);
      return true;
    case 'queued':
      if (t.total === null) t.total = line.total;
      settleTotal(run, tasks);
      if (firstAnnouncement(run, line.key, SEEN_QUEUED)) run.queued++;
      return true;
    case 'processing':
      run.currentKey = line.key;
      run.currentKeyDone = false;
      if (t.total === null) t.total = line.total;
      settleTotal(run, tasks);
      return true;
    case 'progress':
      t.progressDone = Math.max(t.progressDone, line.done);
      if (line.total > 0) t.total = line.total;
      if (line.skipped !== null) t.skipped = Math.max(t.skipped, line.skipped);
      run.progressDone = sum(tasks, (x) => x.progressDone);
      settleTotal(run, tasks);
      run.skipped = Math.max(run.skipped, line.skipped !== null ? sum(tasks, (x) => x.skipped) : run.progressDone - run.succeeded - run.failed);
      return true;
    case 'complete':
      t.complete = true;
      t.finishedAt = line.at;
      if (tasks.every((x) => x.complete)) {
        run.complete = true;
        run.finishedAt = Math.max(...tasks.map((x) => x.finishedAt ?? line.at));
      }
      return true;
    case 'summary': {
      // Summary fields count only inside a summary block (the task's own), as for a run of one script.
      if (!t.complete) return true;
      t.summary[line.field] = line.value;
      const given = tasks.filter((x) => x.summary[line.field] !== undefined);
      const values = given.map((x) => x.summary[line.field]!);
      // The execution took as long as its slowest task; counts and rates add up.
      run.summary[line.field] = line.field === 'durationSec' ? Math.max(...values) : values.reduce((a, b) => a + b, 0);
      // Every task's summary is the final word on the counts, as one script's is: only once all are in.
      // What they count that no outcome line read says is awaited, as for one script's (apply-lines.ts): the
      // execution is not whole until those lines are in (tester AI11: `complete` at 119/120, its kinds one short of ✗).
      if (run.complete && given.length === tasks.length) {
        const total = run.summary[line.field]!;
        if (line.field === 'total') run.total = total;
        else if (line.field === 'processed') {
          run.summaryUnseen += Math.max(0, total - run.succeeded);
          run.succeeded = total;
        } else if (line.field === 'skipped') run.skipped = total;
        else if (line.field === 'failed') {
          run.summaryUnseen += Math.max(0, total - run.failed);
          run.failed = total;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

function tasksOf(run: RunState, count: number): TaskTally[] {
  if (!run.tasks || run.tasks.length < count) {
    const have = run.tasks ?? [];
    run.tasks = Array.from({ length: count }, (_, i) => have[i] ?? emptyTally());
  }
  return run.tasks;
}

function emptyTally(): TaskTally {
  return { total: null, progressDone: 0, skipped: 0, complete: false, finishedAt: null, summary: {} };
}

/** The run's total is the sum of its tasks' once every task said its own; until then what it was (the launch's, or none). */
function settleTotal(run: RunState, tasks: TaskTally[]): void {
  if (tasks.every((x) => x.total !== null)) run.total = sum(tasks, (x) => x.total!);
}

function sum(tasks: TaskTally[], of: (t: TaskTally) => number): number {
  let n = 0;
  for (const t of tasks) n += of(t);
  return n;
}
