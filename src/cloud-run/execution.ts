/** An execution's state in the operator's words, derived from its conditions and task counts. */
/** `unknown`: an execution of ours the region no longer lists and no dashboard saw end (recorded-execution.ts). */
export type ExecutionState = 'pending' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled' | 'unknown';

/**
 * One Cloud Run Job execution, as the Run Admin API v2 reports it (times as epoch ms; null when not yet).
 * Source: `GET projects/P/locations/R/jobs/J/executions/E`.
 */
export interface ExecutionInfo {
  /** Full resource name: projects/P/locations/R/jobs/J/executions/E. */
  name: string;
  /** The short id, E. */
  id: string;
  state: ExecutionState;
  taskCount: number;
  runningCount: number;
  succeededCount: number;
  failedCount: number;
  cancelledCount: number;
  retriedCount: number;
  createTime: number;
  startTime: number | null;
  completionTime: number | null;
  /** The task timeout in seconds from the execution's template, or null when not reported. */
  taskTimeoutSeconds: number | null;
  /** The Completed condition's message, e.g. "Task 0 failed with exit code 1". */
  message: string | null;
  args: string[];
  /**
   * Set for an execution launched here that the region's listing does not hold (it keeps executions for a while
   * only): why, in words (`no longer listed by the region`). It is then made from runs.jsonl, not the region's word.
   */
  unlisted?: string;
}

/** google.cloud.run.v2.Condition's State and ExecutionReason by number, as an `enum-encoding=int` answer gives them. */
const CONDITION_STATE: Record<number, string> = { 1: 'CONDITION_PENDING', 2: 'CONDITION_RECONCILING', 3: 'CONDITION_FAILED', 4: 'CONDITION_SUCCEEDED' };
const EXECUTION_REASON: Record<number, string> = { 1: 'JOB_STATUS_SERVICE_POLLING_ERROR', 2: 'NON_ZERO_EXIT_CODE', 3: 'CANCELLED', 4: 'CANCELLING', 5: 'DELETED', 6: 'DELAYED_START_PENDING' };

interface RawCondition {
  type?: string;
  state?: string | number;
  message?: string;
  executionReason?: string | number;
}

/** Decodes the REST JSON of an execution (enums as names or, with enum-encoding=int, as numbers). */
export function decodeExecution(raw: Record<string, unknown>): ExecutionInfo {
  const num = (k: string) => Number(raw[k] ?? 0) || 0;
  const time = (k: string) => (typeof raw[k] === 'string' ? Date.parse(raw[k] as string) : null);
  const conditions = (raw.conditions as RawCondition[] | undefined) ?? [];
  const completed = conditions.find((c) => c.type === 'Completed');
  const condState = typeof completed?.state === 'number' ? CONDITION_STATE[completed.state] : completed?.state;
  const reason = typeof completed?.executionReason === 'number' ? EXECUTION_REASON[completed.executionReason] : completed?.executionReason;
  const name = String(raw.name ?? '');
  // An execution's template is its TaskTemplate (a job's is an ExecutionTemplate holding one): containers, timeout.
  const template = raw.template as { timeout?: string; containers?: { args?: string[] }[] } | undefined;
  const timeout = template?.timeout;
  const completionTime = time('completionTime');
  const counts = {
    taskCount: num('taskCount'),
    runningCount: num('runningCount'),
    succeededCount: num('succeededCount'),
    failedCount: num('failedCount'),
    cancelledCount: num('cancelledCount'),
    retriedCount: num('retriedCount'),
  };
  let state: ExecutionState;
  if (completionTime !== null || condState === 'CONDITION_SUCCEEDED' || condState === 'CONDITION_FAILED') {
    state = reason === 'CANCELLED' || counts.cancelledCount > 0 ? 'cancelled' : condState === 'CONDITION_FAILED' || counts.failedCount > 0 ? 'failed' : 'succeeded';
  } else if (reason === 'CANCELLING') state = 'cancelling';
  else state = counts.runningCount > 0 || time('startTime') !== null ? 'running' : 'pending';
  return {
    name,
    id: name.split('/').at(-1) ?? name,
    state,
    ...counts,
    createTime: time('createTime') ?? 0,
    startTime: time('startTime'),
    completionTime,
    taskTimeoutSeconds: timeout ? parseFloat(timeout) : null,
    message: completed?.message ?? null,
    args: template?.containers?.[0]?.args ?? [],
  };
}

/** True while the execution may still run tasks (and so may still write log lines). */
export function isActive(e: ExecutionInfo): boolean {
  return e.state === 'pending' || e.state === 'running' || e.state === 'cancelling';
}
