import { CloudRunError, explainCallError, type CallContext } from './errors.js';
import { entryRest, executionRest } from './client-shapes.js';
import { decodeExecution, type ExecutionInfo } from './execution.js';
import { endpoint, loadLoggingClient, loadRunClients, type LoggingClient, type RunClients } from './google-clients.js';

/** Where the APIs are and how long one call may take. */
export interface CloudRunApiOptions {
  /** Run Admin API base, default https://run.googleapis.com; `http://127.0.0.1:PORT` sends no credentials. */
  apiEndpoint?: string;
  /** Logging API base, default https://logging.googleapis.com. */
  loggingEndpoint?: string;
  /** Deadline of one request, ms (default 20 s): a server that never answers cannot hold a poll. */
  timeoutMs?: number;
}

/** One job: the resource every call is about. */
export interface JobRef {
  project: string;
  region: string;
  job: string;
}

/** A job's resource name, `projects/P/locations/R/jobs/J` (its executions' names begin with it). */
export function jobPathOf(j: JobRef): string {
  return `projects/${j.project}/locations/${j.region}/jobs/${j.job}`;
}

/** A Cloud Logging entry as `entries:list` returns it (the fields the dashboard reads). */
export interface LogEntry {
  insertId: string;
  /** RFC 3339. */
  timestamp: string;
  textPayload?: string;
  jsonPayload?: Record<string, unknown>;
  labels?: Record<string, string>;
  severity?: string;
}

/** `entries:list` request body. */
export interface EntriesQuery {
  resourceNames: string[];
  filter: string;
  orderBy: 'timestamp asc' | 'timestamp desc';
  pageSize: number;
  pageToken?: string;
}

/** Run overrides (Run Admin v2 `RunJobRequest.overrides`). */
export interface RunOverrides {
  args?: string[];
  env?: Record<string, string>;
  taskCount?: number;
  /** Task timeout, seconds. */
  timeoutSeconds?: number;
}

/** The calls the dashboard makes; every failure is a CloudRunError. */
export interface CloudRunApi {
  runJob(job: JobRef, overrides: RunOverrides, signal?: AbortSignal): Promise<ExecutionInfo>;
  listExecutions(job: JobRef, signal?: AbortSignal): Promise<ExecutionInfo[]>;
  getExecution(job: JobRef, execution: string, signal?: AbortSignal): Promise<ExecutionInfo>;
  cancelExecution(job: JobRef, execution: string, signal?: AbortSignal): Promise<ExecutionInfo>;
  listEntries(query: EntriesQuery, signal?: AbortSignal): Promise<{ entries: LogEntry[]; nextPageToken: string | null }>;
}

const RUN = 'https://run.googleapis.com';
const LOGGING = 'https://logging.googleapis.com';

/** A call of the clients: its promise cannot be cancelled (the generated methods drop gax's `cancel`). */
type Invoke<C, T> = (clients: C, options: Record<string, unknown>) => Promise<T>;

/**
 * The Run Admin v2 and Logging v2 calls through the official clients, `@google-cloud/run` and
 * `@google-cloud/logging`, over REST (`fallback`). They are loaded on the first call (a second or more of CPU:
 * only a job with `cloudRun` pays it, and never before the dashboard's first frame, whose sources start after
 * it). Credentials are Application Default Credentials; an `http://` endpoint (loopback, emulator) gets none.
 * No call retries (`retry: null`: entries:list's own settings retry DEADLINE_EXCEEDED, INTERNAL and UNAVAILABLE
 * for up to 600 s): the pollers own backoff, so a 429 is seen and said. Each call has one deadline, `timeoutMs`,
 * from when the client is loaded; gax applies no timeout to a REST call and its promises cannot be cancelled, so
 * the deadline and the caller's signal are raced against the call and a late answer is dropped (the HTTP request
 * itself is cut a second later by the transport's own bound).
 */
export function createCloudRunApi(opts: CloudRunApiOptions = {}): CloudRunApi {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const runAt = endpoint(opts.apiEndpoint, RUN, timeoutMs + 1000);
  const logAt = endpoint(opts.loggingEndpoint, LOGGING, timeoutMs + 1000);
  let runClients: Promise<RunClients> | null = null;
  let loggingClient: Promise<LoggingClient> | null = null;
  // A failed load (a broken install) is tried again on the next call, not kept.
  const runLoaded = () => (runClients ??= loadRunClients(runAt).catch((err: unknown) => ((runClients = null), Promise.reject(err))));
  const loggingLoaded = () => (loggingClient ??= loadLoggingClient(logAt).catch((err: unknown) => ((loggingClient = null), Promise.reject(err))));
  const callOptions = { retry: null, timeout: timeoutMs };

  async function call<C, T>(load: () => Promise<C>, at: string, ctx: Omit<CallContext, 'timeoutMs' | 'endpoint'>, signal: AbortSignal | undefined, invoke: Invoke<C, T>): Promise<T> {
    const full = { ...ctx, timeoutMs, endpoint: at };
    try {
      const clients = await raced(load(), null, signal);
      return await raced(invoke(clients, { ...callOptions }), timeoutMs, signal);
    } catch (err) {
      // What the client threw stays reachable as the cause (which of the deadline or the transport's bound ended it).
      const explained = explainCallError(err, full);
      throw explained === err ? explained : Object.assign(explained, { cause: err });
    }
  }

  const jobPath = (j: JobRef) => `projects/${j.project}/locations/${j.region}/jobs/${j.job}`;
  const runCtx = (j: JobRef, permission: string, role: string, execution?: string) => ({
    service: 'Cloud Run',
    permission,
    role,
    resource: execution ? `${jobPath(j)}/executions/${execution}` : jobPath(j),
    notFound: execution ? `execution ${execution} of job ${j.job} not found in region ${j.region}` : `job ${j.job} not found in region ${j.region} of project ${j.project}`,
    jobNotFound: `job ${j.job} not found in region ${j.region} of project ${j.project}`,
  });
  const onRun = <T>(ctx: ReturnType<typeof runCtx>, signal: AbortSignal | undefined, invoke: Invoke<RunClients, T>) => call(runLoaded, runAt.url, ctx, signal, invoke);

  return {
    async runJob(j, o, signal) {
      const overrides = {
        containerOverrides: [{ ...(o.args ? { args: o.args } : {}), ...(o.env ? { env: Object.entries(o.env).map(([name, value]) => ({ name, value })) } : {}) }],
        ...(o.taskCount !== undefined ? { taskCount: o.taskCount } : {}),
        ...(o.timeoutSeconds !== undefined ? { timeout: { seconds: Math.floor(o.timeoutSeconds), nanos: Math.round((o.timeoutSeconds % 1) * 1e9) } } : {}),
      };
      const [op] = await onRun(runCtx(j, 'run.jobs.run', 'roles/run.invoker'), signal, (c, options) => c.jobs.runJob({ name: jobPath(j), overrides }, options));
      // The operation's metadata is the execution: its name is all we need; we never wait on the operation.
      const metadata = op.metadata ? executionRest(op.metadata) : null;
      if (!metadata?.name) throw new CloudRunError('Cloud Run: jobs.run answered without an execution name', 'answer', null, null);
      return decodeExecution(metadata);
    },
    async listExecutions(j, signal) {
      const [list] = await onRun(runCtx(j, 'run.executions.list', 'roles/run.viewer'), signal, (c, options) => c.executions.listExecutions({ parent: jobPath(j), pageSize: 20 }, { ...options, autoPaginate: false }));
      return list.map((e) => decodeExecution(executionRest(e)));
    },
    async getExecution(j, e, signal) {
      const [got] = await onRun(runCtx(j, 'run.executions.get', 'roles/run.viewer', e), signal, (c, options) => c.executions.getExecution({ name: `${jobPath(j)}/executions/${e}` }, options));
      return decodeExecution(executionRest(got));
    },
    async cancelExecution(j, e, signal) {
      const [op] = await onRun(runCtx(j, 'run.executions.cancel', 'roles/run.developer', e), signal, (c, options) => c.executions.cancelExecution({ name: `${jobPath(j)}/executions/${e}` }, options));
      return decodeExecution(op.metadata ? executionRest(op.metadata) : { name: `${jobPath(j)}/executions/${e}` });
    },
    async listEntries(q, signal) {
      const ctx = { service: 'Cloud Logging', permission: 'logging.logEntries.list', role: 'roles/logging.viewer', resource: q.resourceNames.join(', '), notFound: `${q.resourceNames.join(', ')} not found` };
      const request = { resourceNames: q.resourceNames, filter: q.filter, orderBy: q.orderBy, pageSize: q.pageSize, ...(q.pageToken ? { pageToken: q.pageToken } : {}) };
      const [entries, , raw] = await call(loggingLoaded, logAt.url, ctx, signal, (c, options) => c.listLogEntries(request, { ...options, autoPaginate: false }));
      return { entries: entries.map((x) => entryRest(x as Record<string, unknown>)), nextPageToken: raw?.nextPageToken || null };
    },
  };
}

/**
 * `p`, unless `ms` passes first (a TimeoutError) or `signal` aborts (an AbortError): explainCallError words both as
 * no answer within the deadline, as before. The clients' promises cannot be cancelled: a late answer is dropped.
 */
function raced<T>(p: Promise<T>, ms: number | null, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // A plain timer, not AbortSignal.timeout: Node 20 can collect that timer signal.
    const timer = ms === null ? undefined : setTimeout(() => stop(Object.assign(new Error('timed out'), { name: 'TimeoutError' })), ms);
    const onAbort = () => stop(Object.assign(new Error('aborted'), { name: 'AbortError' }));
    function stop(why: Error) {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      reject(why);
    }
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => stop(err as Error),
    );
  });
}
