import type { ParsedBatch } from '../log-line.js';
import { parseChunk, type Grammar } from '../parser/index.js';
import { applyLines } from '../state/apply-lines.js';
import type { TaskOf } from '../state/execution-tasks.js';
import type { RunState } from '../state/run.js';
import type { OrderedEntry } from './entry-order.js';

/** One task's share of a delivery of an execution's entries, parsed; `task` null for an execution of one task. */
export interface TaskBatch {
  task: TaskOf | null;
  batch: ParsedBatch;
}

/**
 * Entries of one execution (in log order) as parsed batches, one per task that wrote any of them, each in
 * log order: the fold reads each task's lines as that task's (execution-tasks.ts), so an execution of several
 * tasks is one run whose total, progress and summary add up its tasks' (tester V11). With one task, or
 * entries without the task label, one batch as before. `tailLimit`: lines kept for the log pane.
 */
export function executionBatches(entries: OrderedEntry[], grammar: Grammar, taskCount: number, tailLimit: number): TaskBatch[] {
  const parse = (list: OrderedEntry[]) => parseChunk(Buffer.from(`${list.map((x) => x.text).join('\n')}\n`), grammar, tailLimit);
  if (taskCount < 2) return entries.length ? [{ task: null, batch: parse(entries) }] : [];
  const byTask = new Map<number, OrderedEntry[]>();
  for (const x of entries) {
    // An entry without the label (a platform line of the execution) is the first task's: it never splits the run.
    const i = x.task !== null && x.task < taskCount ? x.task : 0;
    let list = byTask.get(i);
    if (!list) byTask.set(i, (list = []));
    list.push(x);
  }
  return [...byTask].sort((a, b) => a[0] - b[0]).map(([index, list]) => ({ task: { index, count: taskCount }, batch: parse(list) }));
}

/** The run of one execution's whole log (entries in log order), as the dashboard folds it; null if no line made one. */
export function foldExecutionLog(entries: OrderedEntry[], grammar: Grammar, taskCount: number): RunState | null {
  let runs = { current: null as RunState | null, history: [] as RunState[] };
  for (const { task, batch } of executionBatches(entries, grammar, taskCount, 0)) runs = applyLines(runs, batch.lines, batch.keyed, task);
  return runs.current;
}
