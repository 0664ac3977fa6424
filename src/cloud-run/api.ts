import { CloudRunError, explainCallError, type CallContext } from './errors.js';
import { decodeExecution, type ExecutionInfo } from './execution.js';

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

interface Requester {
  request<T>(opts: { url: string; method: string; data?: unknown; timeout: number; retry: boolean; signal: AbortSignal; responseType: 'json' }): Promise<{ data: T }>;
}

const LOOPBACK = /^http:\/\//;

/**
 * The Run Admin v2 and Logging v2 REST calls through google-auth-library's authenticated request (the same
 * transport the official clients use in REST mode, without their 1 s of proto loading; see README). Credentials
 * are Application Default Credentials, fetched once; an `http://` endpoint (loopback, emulator) gets none.
 * No call retries by itself: the pollers own backoff, so a 429 is seen and said.
 */
export function createCloudRunApi(opts: CloudRunApiOptions = {}): CloudRunApi {
  const runBase = (opts.apiEndpoint ?? 'https://run.googleapis.com').replace(/\/+$/, '');
  const logBase = (opts.loggingEndpoint ?? 'https://logging.googleapis.com').replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const clients = new Map<string, Promise<Requester>>();
  const clientFor = (base: string): Promise<Requester> => {
    let c = clients.get(base);
    if (!c) {
      c = import('google-auth-library').then(async (gal) => {
        if (LOOPBACK.test(base)) return new gal.PassThroughClient() as unknown as Requester;
        return (await new gal.GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getClient()) as unknown as Requester;
      });
      // A failed credentials lookup must be retried on the next call, not cached.
      c.catch(() => clients.delete(base));
      clients.set(base, c);
    }
    return c;
  };

  async function call<T>(base: string, method: string, path: string, data: unknown, ctx: Omit<CallContext, 'timeoutMs' | 'endpoint'>, signal?: AbortSignal): Promise<T> {
    // A plain timer, not AbortSignal.timeout inside AbortSignal.any: Node 20 can collect that timer signal.
    const limit = new AbortController();
    const timer = setTimeout(() => limit.abort(new Error('timed out')), timeoutMs);
    const onAbort = () => limit.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = { get aborted() { return limit.signal.aborted && !signal?.aborted; } };
    const both = limit.signal;
    const full = { ...ctx, timeoutMs, endpoint: base };
    try {
      const client = await clientFor(base);
      const res = await client.request<T>({ url: `${base}${path}`, method, ...(data === undefined ? {} : { data }), timeout: timeoutMs, retry: false, signal: both, responseType: 'json' });
      if (res.data === null || typeof res.data !== 'object') throw new CloudRunError(`${ctx.service}: the answer from ${base} is not JSON`, 'answer', 'check the endpoint setting', null);
      return res.data;
    } catch (err) {
      if (deadline.aborted) throw explainCallError(Object.assign(new Error('timed out'), { name: 'TimeoutError' }), full);
      throw explainCallError(err, full);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
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

  return {
    async runJob(j, o, signal) {
      const overrides: Record<string, unknown> = {
        containerOverrides: [{ ...(o.args ? { args: o.args } : {}), ...(o.env ? { env: Object.entries(o.env).map(([name, value]) => ({ name, value })) } : {}) }],
        ...(o.taskCount !== undefined ? { taskCount: o.taskCount } : {}),
        ...(o.timeoutSeconds !== undefined ? { timeout: `${o.timeoutSeconds}s` } : {}),
      };
      const op = await call<{ metadata?: Record<string, unknown> }>(runBase, 'POST', `/v2/${jobPath(j)}:run`, { overrides }, runCtx(j, 'run.jobs.run', 'roles/run.invoker'), signal);
      // The operation's metadata is the execution: its name is all we need; we never wait on the operation.
      if (!op.metadata?.name) throw new CloudRunError('Cloud Run: jobs.run answered without an execution name', 'answer', null, null);
      return decodeExecution(op.metadata);
    },
    async listExecutions(j, signal) {
      const res = await call<{ executions?: Record<string, unknown>[] }>(runBase, 'GET', `/v2/${jobPath(j)}/executions?pageSize=20`, undefined, runCtx(j, 'run.executions.list', 'roles/run.viewer'), signal);
      return (res.executions ?? []).map(decodeExecution);
    },
    async getExecution(j, e, signal) {
      return decodeExecution(await call(runBase, 'GET', `/v2/${jobPath(j)}/executions/${e}`, undefined, runCtx(j, 'run.executions.get', 'roles/run.viewer', e), signal));
    },
    async cancelExecution(j, e, signal) {
      const op = await call<{ metadata?: Record<string, unknown> }>(runBase, 'POST', `/v2/${jobPath(j)}/executions/${e}:cancel`, {}, runCtx(j, 'run.executions.cancel', 'roles/run.developer', e), signal);
      return decodeExecution(op.metadata ?? { name: `${jobPath(j)}/executions/${e}` });
    },
    async listEntries(q, signal) {
      const ctx = { service: 'Cloud Logging', permission: 'logging.logEntries.list', role: 'roles/logging.viewer', resource: q.resourceNames.join(', '), notFound: `${q.resourceNames.join(', ')} not found` };
      const res = await call<{ entries?: LogEntry[]; nextPageToken?: string }>(logBase, 'POST', '/v2/entries:list', q, ctx, signal);
      return { entries: res.entries ?? [], nextPageToken: res.nextPageToken || null };
    },
  };
}
