import { randomUUID } from 'node:crypto';
import type { FilterableEntry } from './filter.js';

/** What a task's container gets: its args and env (overrides applied), its index, and stdout/stderr. */
export interface TaskContext {
  execution: string;
  args: string[];
  env: Record<string, string>;
  taskIndex: number;
  taskCount: number;
  /** One line the container writes to stdout/stderr: it becomes a log entry (after the log delay). */
  log(line: string): void;
  /** Aborted when the execution is cancelled (the container gets SIGTERM). */
  signal: AbortSignal;
}

/** Runs one task's container; resolves to its exit code. */
export type TaskRunner = (ctx: TaskContext) => Promise<number>;

/** A job as deployed: its default args, env, task count and task timeout. */
export interface LoopbackJob {
  name: string;
  args?: string[];
  env?: Record<string, string>;
  taskCount?: number;
  /** Task timeout in seconds (Cloud Run's default is 600). */
  timeoutSeconds?: number;
  maxRetries?: number;
}

/** Options of the simulated Cloud Run region. */
export interface WorldOptions {
  project: string;
  region: string;
  jobs: LoopbackJob[];
  runTask: TaskRunner;
  /** Epoch ms; every time the API reports comes from it. Default Date.now. */
  now?: () => number;
  /** How long after it was written an entry becomes visible to entries:list: a number, or per line. */
  logDelayMs?: number | ((line: string, index: number) => number);
  /** Called when an execution has ended (every task done): a region that keeps its executions saves then. */
  onEnded?: (exec: WorldExecution) => void;
}

/** An ended execution as kept across restarts of the region (keep.ts): everything but its live handles. */
export type KeptExecution = Omit<WorldExecution, 'abort' | 'done'>;

/** What a region keeps: its ended executions and their log entries. */
export interface KeptWorld {
  version: 1;
  executions: KeptExecution[];
  entries: WorldEntry[];
}

type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

interface Task {
  index: number;
  state: TaskState;
  exitCode: number | null;
  retried: number;
  startTime: number | null;
  completionTime: number | null;
}

/** One execution as the world keeps it. */
export interface WorldExecution {
  name: string;
  uid: string;
  job: string;
  createTime: number;
  startTime: number | null;
  completionTime: number | null;
  cancelling: boolean;
  args: string[];
  env: Record<string, string>;
  timeoutSeconds: number;
  maxRetries: number;
  tasks: Task[];
  abort: AbortController;
  /** Settles when every task has ended. */
  done: Promise<void>;
}

/** A stored log entry: the REST shape plus when it becomes visible. */
export interface WorldEntry extends FilterableEntry {
  insertId: string;
  logName: string;
  severity: string;
  visibleAt: number;
}

/** Run overrides as jobs:run takes them (REST JSON). */
export interface RunOverrides {
  containerOverrides?: { args?: string[]; env?: { name: string; value?: string }[]; clearArgs?: boolean }[];
  taskCount?: number;
  timeout?: string;
}

/**
 * The region's executions and their log: what the loopback server answers from. Executions run their tasks
 * through `runTask` (the simulator by default), and each line a task writes is stored as a log entry that
 * becomes visible `logDelayMs` later, as Cloud Logging's ingestion delay does.
 */
export class LoopbackWorld {
  readonly executions: WorldExecution[] = [];
  readonly entries: WorldEntry[] = [];
  private seq = 0;
  private lineIndex = 0;
  readonly now: () => number;

  constructor(readonly opts: WorldOptions) {
    this.now = opts.now ?? Date.now;
  }

  jobPath(job: string): string {
    return `projects/${this.opts.project}/locations/${this.opts.region}/jobs/${job}`;
  }

  findJob(project: string, region: string, job: string): LoopbackJob | null {
    if (project !== this.opts.project || region !== this.opts.region) return null;
    return this.opts.jobs.find((j) => j.name === job) ?? null;
  }

  /** Starts an execution of `job` with the overrides (as jobs:run, gcloud or the console would). */
  run(job: LoopbackJob, overrides: RunOverrides = {}): WorldExecution {
    const c = overrides.containerOverrides?.[0];
    const args = c?.clearArgs ? [] : c?.args ?? job.args ?? [];
    const env = { ...job.env };
    for (const e of c?.env ?? []) env[e.name] = e.value ?? '';
    const taskCount = overrides.taskCount ?? job.taskCount ?? 1;
    const suffix = randomUUID().slice(0, 5);
    const at = this.now();
    const exec: WorldExecution = {
      name: `${this.jobPath(job.name)}/executions/${job.name}-${suffix}`,
      uid: randomUUID(),
      job: job.name,
      createTime: at,
      startTime: at,
      completionTime: null,
      cancelling: false,
      args,
      env,
      timeoutSeconds: overrides.timeout ? parseInt(overrides.timeout, 10) : job.timeoutSeconds ?? 600,
      maxRetries: job.maxRetries ?? 0,
      tasks: Array.from({ length: taskCount }, (_, index) => ({ index, state: 'pending' as TaskState, exitCode: null, retried: 0, startTime: null, completionTime: null })),
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    this.executions.push(exec);
    exec.done = Promise.all(exec.tasks.map((t) => this.runTask(exec, t))).then(() => {
      exec.completionTime = this.now();
      exec.cancelling = false;
      this.opts.onEnded?.(exec);
    });
    return exec;
  }

  /** The ended executions and their entries, to keep (a running one is kept once it has ended). */
  kept(): KeptWorld {
    const ended = this.executions.filter((e) => e.completionTime !== null);
    const ids = new Set(ended.map((e) => e.name.split('/').at(-1)!));
    return {
      version: 1,
      executions: ended.map(({ abort: _a, done: _d, ...rest }) => rest),
      entries: this.entries.filter((x) => ids.has(x.labels['run.googleapis.com/execution_name'])),
    };
  }

  /** Takes back what an earlier run of the region kept: its executions are listed and their logs served again. */
  restore(kept: KeptWorld): void {
    for (const e of kept.executions) this.executions.push({ ...e, abort: new AbortController(), done: Promise.resolve() });
    this.entries.push(...kept.entries);
    // insertIds stay unique: they begin with their time, and the sequence goes on past the kept ones.
    this.seq += kept.entries.length;
  }

  private async runTask(exec: WorldExecution, task: Task): Promise<void> {
    for (;;) {
      task.state = 'running';
      task.startTime ??= this.now();
      let code: number;
      try {
        code = await this.opts.runTask({
          execution: exec.name.split('/').at(-1)!,
          args: exec.args,
          env: { ...exec.env, CLOUD_RUN_TASK_INDEX: String(task.index), CLOUD_RUN_TASK_COUNT: String(exec.tasks.length), CLOUD_RUN_EXECUTION: exec.name.split('/').at(-1)! },
          taskIndex: task.index,
          taskCount: exec.tasks.length,
          log: (line) => this.addEntry(exec, task.index, line),
          signal: exec.abort.signal,
        });
      } catch (err) {
        this.addEntry(exec, task.index, String((err as Error)?.stack ?? err));
        code = 1;
      }
      task.exitCode = code;
      if (exec.abort.signal.aborted) {
        task.state = 'cancelled';
        break;
      }
      if (code === 0) {
        task.state = 'succeeded';
        break;
      }
      if (task.retried >= exec.maxRetries) {
        task.state = 'failed';
        break;
      }
      task.retried += 1;
    }
    task.completionTime = this.now();
  }

  /** Cancels a running execution: its tasks get the abort, and it ends as cancelled. */
  cancel(exec: WorldExecution): void {
    if (exec.completionTime !== null) return;
    exec.cancelling = true;
    for (const t of exec.tasks) if (t.state === 'pending') t.state = 'cancelled';
    exec.abort.abort('SIGTERM');
  }

  /** Stores one line a task wrote, visible after the configured delay. */
  addEntry(exec: WorldExecution, taskIndex: number, line: string): void {
    const at = this.now();
    const delay = this.opts.logDelayMs;
    const wait = typeof delay === 'function' ? delay(line, this.lineIndex) : delay ?? 0;
    this.lineIndex += 1;
    this.seq += 1;
    this.entries.push({
      insertId: `${at.toString(36)}-${this.seq.toString(36).padStart(6, '0')}`,
      logName: `projects/${this.opts.project}/logs/run.googleapis.com%2Fstderr`,
      severity: /\bERROR\b/.test(line) ? 'ERROR' : /\bWARNING\b/.test(line) ? 'WARNING' : 'INFO',
      timestamp: new Date(at).toISOString(),
      resource: { type: 'cloud_run_job', labels: { job_name: exec.job, location: this.opts.region, project_id: this.opts.project } },
      labels: { 'run.googleapis.com/execution_name': exec.name.split('/').at(-1)!, 'run.googleapis.com/task_index': String(taskIndex), 'run.googleapis.com/task_attempt': '0' },
      textPayload: line,
      visibleAt: at + wait,
    });
  }

  /** The execution as the Run Admin API v2 returns it (REST JSON, enums as names; the server gives numbers when asked). */
  executionJson(exec: WorldExecution): Record<string, unknown> {
    const count = (s: TaskState) => exec.tasks.filter((t) => t.state === s).length;
    const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
    const ended = exec.completionTime !== null;
    const cancelled = count('cancelled') > 0;
    const failed = count('failed') > 0;
    const completed = {
      type: 'Completed',
      state: !ended ? 'CONDITION_PENDING' : failed || cancelled ? 'CONDITION_FAILED' : 'CONDITION_SUCCEEDED',
      ...(ended && cancelled ? { executionReason: 'CANCELLED' } : exec.cancelling ? { executionReason: 'CANCELLING' } : {}),
      message: !ended ? `${count('running')} of ${exec.tasks.length} tasks running` : failed ? `Task ${exec.tasks.find((t) => t.state === 'failed')?.index} failed with exit code ${exec.tasks.find((t) => t.state === 'failed')?.exitCode}` : cancelled ? 'Execution was cancelled' : 'Execution completed successfully',
    };
    return {
      name: exec.name,
      uid: exec.uid,
      job: exec.job,
      createTime: iso(exec.createTime),
      startTime: iso(exec.startTime),
      completionTime: iso(exec.completionTime),
      taskCount: exec.tasks.length,
      parallelism: exec.tasks.length,
      runningCount: count('running'),
      succeededCount: count('succeeded'),
      failedCount: count('failed'),
      cancelledCount: count('cancelled'),
      retriedCount: exec.tasks.reduce((n, t) => n + t.retried, 0),
      reconciling: !ended,
      conditions: [completed],
      // An Execution's template is a TaskTemplate (a Job's is an ExecutionTemplate that holds one).
      template: { containers: [{ args: exec.args, env: Object.entries(exec.env).map(([name, value]) => ({ name, value })) }], timeout: `${exec.timeoutSeconds}s`, maxRetries: exec.maxRetries },
      logUri: `https://console.cloud.google.com/logs/viewer?project=${this.opts.project}`,
    };
  }

  /** A task as the API returns it. */
  taskJson(exec: WorldExecution, task: Task): Record<string, unknown> {
    const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());
    return {
      name: `${exec.name}/tasks/${exec.name.split('/').at(-1)}-task${task.index}`,
      index: task.index,
      retried: task.retried,
      startTime: iso(task.startTime),
      completionTime: iso(task.completionTime),
      ...(task.exitCode !== null ? { lastAttemptResult: { status: { code: task.exitCode === 0 ? 0 : 2, message: task.exitCode === 0 ? '' : `exit code ${task.exitCode}` }, exitCode: task.exitCode } } : {}),
    };
  }
}
