import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { compileFilter } from './filter.js';
import { LoopbackWorld, type RunOverrides, type WorldExecution, type WorldOptions } from './world.js';

/** Which call a fault applies to. */
export type LoopbackRoute = 'run' | 'executions' | 'execution' | 'cancel' | 'tasks' | 'entries';

/** What the server does instead of answering a route (for `times` calls): an HTTP error, never answer, or 200 with no JSON. */
export interface LoopbackFault {
  route: LoopbackRoute | 'any';
  status?: 400 | 401 | 403 | 404 | 429 | 500 | 503;
  hang?: boolean;
  /** Answers 200 with an HTML page (a proxy's or a captive portal's), not the API's JSON. */
  garbage?: boolean;
  times?: number;
  /**
   * The call is done as it arrives, its answer held until `until` settles: a region slow to answer, whose caller may
   * be gone by then (tester AE13: the dashboard's terminal closed while `jobs.run` was under way).
   */
  until?: Promise<unknown>;
  /** With `until`: the call itself waits for it too, done only then (a region that has not acted on it yet). */
  holdCall?: boolean;
}

/** Options: the world's, plus the API's own limits. */
export interface LoopbackServerOptions extends WorldOptions {
  /** entries:list calls allowed per minute per project before 429 (the real quota is about 60). */
  entriesPerMinute?: number;
  /** The most entries one page holds whatever pageSize asks (the API's cap is 1000). */
  maxPageSize?: number;
  /** Permissions the caller lacks: a call that needs one gets 403 naming it (e.g. 'run.executions.cancel'). */
  deny?: string[];
  port?: number;
}

/** One request as the server saw it, for tests. */
export interface SeenRequest {
  route: LoopbackRoute | 'unknown';
  method: string;
  path: string;
  body: unknown;
  /** The query string as sent (`?$alt=json%3Benum-encoding=int` from the official clients), or ''. */
  query: string;
  /** The world's clock when it arrived. */
  at: number;
  authorization: string | undefined;
  /** The x-goog-api-client header: which client library sent it (`gax/5.0.8-fallback gapic/3.3.0 …`). */
  apiClient: string | undefined;
}

/** A running loopback Cloud Run region + Cloud Logging: point `apiEndpoint` and `loggingEndpoint` at `url`. */
export interface LoopbackServer {
  readonly url: string;
  readonly world: LoopbackWorld;
  /** Requests received, oldest first (the newest 10,000). */
  readonly requests: SeenRequest[];
  setFault(fault: LoopbackFault | null): void;
  setDeny(permissions: string[]): void;
  close(): Promise<void>;
}

const PERMISSION: Record<LoopbackRoute, string> = {
  run: 'run.jobs.run',
  executions: 'run.executions.list',
  execution: 'run.executions.get',
  cancel: 'run.executions.cancel',
  tasks: 'run.tasks.list',
  entries: 'logging.logEntries.list',
};

const STATUS_NAME: Record<number, string> = { 400: 'INVALID_ARGUMENT', 401: 'UNAUTHENTICATED', 403: 'PERMISSION_DENIED', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

/**
 * Serves the Run Admin API v2 calls the dashboard makes (jobs:run, executions list/get/cancel, tasks list)
 * and Logging v2 `entries:list` (filter, orderBy, pageSize, pageToken) on 127.0.0.1, with Google's error
 * shapes (google.rpc.Status with ErrorInfo naming the permission), the logging read quota, and faults.
 * Shipped for the tests and the demo alike.
 */
export async function startLoopbackServer(opts: LoopbackServerOptions): Promise<LoopbackServer> {
  const world = new LoopbackWorld(opts);
  const requests: SeenRequest[] = [];
  const entriesCalls: number[] = [];
  let fault: (LoopbackFault & { left: number }) | null = null;
  let deny = new Set(opts.deny ?? []);
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        return sendError((status, json) => sendJson(res, status, json), 400, 'Invalid JSON payload received.');
      }
      const match = route(req.method ?? 'GET', url.pathname);
      // The official clients ask for enums as numbers (`$alt=json;enum-encoding=int`), as the API then answers.
      const ints = /enum-encoding=int/.test(url.searchParams.get('$alt') ?? '');
      const send = (status: number, json: unknown) => sendJson(res, status, ints ? withIntEnums(json) : json);
      const pageSize = Number(url.searchParams.get('pageSize')) || null;
      if (match?.route === 'entries') match.resource = (body as EntriesRequest | null)?.resourceNames?.[0] ?? 'projects/?';
      requests.push({ route: match?.route ?? 'unknown', method: req.method ?? 'GET', path: url.pathname, query: url.search, body, at: world.now(), authorization: req.headers.authorization, apiClient: req.headers['x-goog-api-client'] as string | undefined });
      if (requests.length > 10_000) requests.splice(0, requests.length - 10_000);
      if (!match) return sendError(send, 404, `Method not found: ${req.method} ${url.pathname}`);
      if (fault && (fault.route === 'any' || fault.route === match.route) && fault.left > 0) {
        fault.left -= 1;
        if (fault.hang) return; // never answers: the client's deadline must end it
        const until = fault.until;
        if (until && fault.holdCall) return void until.then(() => handle(match, body, send, pageSize), () => handle(match, body, send, pageSize));
        if (until) return handle(match, body, (status, json) => void until.then(() => send(status, json), () => send(status, json)), pageSize);
        if (fault.garbage) return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Sign in to the network</body></html>');
        return sendError(send, fault.status ?? 500, faultMessage(fault.status ?? 500, match.route, match.resource), match.route, match.resource);
      }
      if (deny.has(PERMISSION[match.route])) {
        return sendError(send, 403, `Permission '${PERMISSION[match.route]}' denied on resource '${match.resource}' (or it may not exist).`, match.route, match.resource);
      }
      handle(match, body, send, pageSize);
    });
  });

  function handle(m: Match, body: unknown, send: Send, pageSize: number | null): void {
    if (m.route === 'entries') return listEntries(body as EntriesRequest, send);
    const job = world.findJob(m.project, m.region, m.job);
    if (!job) return sendError(send, 404, `Resource '${m.job}' of kind 'JOB' in region '${m.region}' in project '${m.project}' does not exist.`);
    const execs = world.executions.filter((e) => e.job === job.name);
    if (m.route === 'run') {
      const exec = world.run(job, ((body ?? {}) as { overrides?: RunOverrides }).overrides);
      return send(200, operation(exec));
    }
    if (m.route === 'executions') {
      // Newest first, a page of pageSize (the real default is not documented; the dashboard asks for 20).
      const newest = [...execs].reverse();
      const page = pageSize ? newest.slice(0, pageSize) : newest;
      return send(200, { executions: page.map((e) => world.executionJson(e)), ...(page.length < newest.length ? { nextPageToken: Buffer.from(String(page.length)).toString('base64url') } : {}) });
    }
    const exec = execs.find((e) => e.name.endsWith(`/executions/${m.execution}`));
    if (!exec) return sendError(send, 404, `Resource '${m.execution}' of kind 'EXECUTION' in region '${m.region}' in project '${m.project}' does not exist.`);
    if (m.route === 'execution') return send(200, world.executionJson(exec));
    if (m.route === 'tasks') return send(200, { tasks: exec.tasks.map((t) => world.taskJson(exec, t)) });
    if (exec.completionTime !== null) return sendError(send, 400, `Execution ${m.execution} has already completed and cannot be cancelled.`);
    world.cancel(exec);
    return send(200, operation(exec));
  }

  function operation(exec: WorldExecution) {
    return {
      name: `projects/${opts.project}/locations/${opts.region}/operations/${exec.uid}`,
      metadata: { '@type': 'type.googleapis.com/google.cloud.run.v2.Execution', ...world.executionJson(exec) },
      done: false,
    };
  }

  function listEntries(body: EntriesRequest, send: Send): void {
    const now = world.now();
    while (entriesCalls.length > 0 && entriesCalls[0] <= now - 60_000) entriesCalls.shift();
    if (opts.entriesPerMinute !== undefined && entriesCalls.length >= opts.entriesPerMinute) {
      return sendError(send, 429, `Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'logging.googleapis.com' for consumer 'project_number:${opts.project}'.`);
    }
    entriesCalls.push(now);
    const names = body?.resourceNames ?? [];
    if (!names.includes(`projects/${opts.project}`)) return send(200, {});
    let test;
    try {
      test = compileFilter(body.filter ?? '');
    } catch (err) {
      return sendError(send, 400, (err as Error).message);
    }
    const desc = /desc/i.test(body.orderBy ?? '');
    const visible = world.entries.filter((e) => e.visibleAt <= now && test(e));
    visible.sort((a, b) => (Date.parse(a.timestamp) - Date.parse(b.timestamp)) * (desc ? -1 : 1));
    const size = Math.max(1, Math.min(body.pageSize ?? 50, opts.maxPageSize ?? 1000));
    const from = body.pageToken ? Number(Buffer.from(body.pageToken, 'base64url').toString('utf8')) : 0;
    const page = visible.slice(from, from + size).map(({ visibleAt: _v, ...e }) => ({ ...e, receiveTimestamp: new Date(now).toISOString() }));
    const next = from + size < visible.length ? Buffer.from(String(from + size)).toString('base64url') : undefined;
    send(200, { ...(page.length ? { entries: page } : {}), ...(next ? { nextPageToken: next } : {}) });
  }

  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A port in use is the caller's to say (main.ts): an error, never an unhandled 'error' event with a stack trace.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    world,
    requests,
    setFault(f) {
      fault = f ? { ...f, left: f.times ?? Infinity } : null;
    },
    setDeny(permissions) {
      deny = new Set(permissions);
    },
    async close() {
      for (const e of world.executions) world.cancel(e);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled(world.executions.map((e) => e.done));
    },
  };
}

interface EntriesRequest {
  resourceNames?: string[];
  filter?: string;
  orderBy?: string;
  pageSize?: number;
  pageToken?: string;
}

interface Match {
  route: LoopbackRoute;
  project: string;
  region: string;
  job: string;
  execution: string;
  resource: string;
}

function route(method: string, path: string): Match | null {
  if (method === 'POST' && path === '/v2/entries:list') return { route: 'entries', project: '', region: '', job: '', execution: '', resource: 'projects' };
  const m = /^\/v2\/projects\/([^/]+)\/locations\/([^/]+)\/jobs\/([^/:]+)(:run|\/executions(?:\/([^/:]+)(:cancel|\/tasks)?)?)?$/.exec(path);
  if (!m) return null;
  const [, project, region, job, tail, execution = '', sub] = m;
  const base = { project, region, job, execution, resource: `projects/${project}/locations/${region}/jobs/${job}${execution ? `/executions/${execution}` : ''}` };
  if (tail === ':run' && method === 'POST') return { route: 'run', ...base };
  if (tail === '/executions' && method === 'GET') return { route: 'executions', ...base };
  if (execution && !sub && method === 'GET') return { route: 'execution', ...base };
  if (sub === ':cancel' && method === 'POST') return { route: 'cancel', ...base };
  if (sub === '/tasks' && method === 'GET') return { route: 'tasks', ...base };
  return null;
}

function faultMessage(status: number, r: LoopbackRoute, resource: string): string {
  if (status === 403) return `Permission '${PERMISSION[r]}' denied on resource '${resource}' (or it may not exist).`;
  if (status === 429) return r === 'entries' ? "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute' of service 'logging.googleapis.com'." : "Quota exceeded for quota metric 'Job run requests' and limit 'Job run requests per minute per region' of service 'run.googleapis.com'.";
  if (status === 401) return 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.';
  if (status === 404) return `Resource '${resource}' does not exist.`;
  return status === 503 ? 'The service is currently unavailable.' : 'Internal error encountered.';
}

/** Sends one answer's status and JSON (with enums as numbers when the request asked for them). */
type Send = (status: number, json: unknown) => void;

function sendError(send: Send, status: number, message: string, r?: LoopbackRoute, resource?: string): void {
  const details = status === 403 && r
    ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'IAM_PERMISSION_DENIED', domain: r === 'entries' ? 'logging.googleapis.com' : 'run.googleapis.com', metadata: { permission: PERMISSION[r], resource: resource ?? '' } }]
    : [];
  send(status, { error: { code: status, message, status: STATUS_NAME[status] ?? 'UNKNOWN', ...(details.length ? { details } : {}) } });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', () => resolve(''));
  });
}

const CONDITION_STATE: Record<string, number> = { STATE_UNSPECIFIED: 0, CONDITION_PENDING: 1, CONDITION_RECONCILING: 2, CONDITION_FAILED: 3, CONDITION_SUCCEEDED: 4 };
const EXECUTION_REASON: Record<string, number> = { EXECUTION_REASON_UNDEFINED: 0, JOB_STATUS_SERVICE_POLLING_ERROR: 1, NON_ZERO_EXIT_CODE: 2, CANCELLED: 3, CANCELLING: 4, DELETED: 5, DELAYED_START_PENDING: 6 };
const SEVERITY: Record<string, number> = { DEFAULT: 0, DEBUG: 100, INFO: 200, NOTICE: 300, WARNING: 400, ERROR: 500, CRITICAL: 600, ALERT: 700, EMERGENCY: 800 };

/**
 * An answer with its enums as numbers, as the API gives them to a request with `$alt=json;enum-encoding=int`
 * (google.cloud.run.v2.Condition's State and ExecutionReason, google.logging.type.LogSeverity): the enums of what
 * this server sends, wherever they are (an execution, a list of them, an operation's metadata, log entries).
 */
function withIntEnums(json: unknown): unknown {
  if (Array.isArray(json)) return json.map(withIntEnums);
  if (!json || typeof json !== 'object') return json;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (k === 'state' && typeof v === 'string' && v in CONDITION_STATE) out[k] = CONDITION_STATE[v];
    else if (k === 'executionReason' && typeof v === 'string' && v in EXECUTION_REASON) out[k] = EXECUTION_REASON[v];
    else if (k === 'severity' && typeof v === 'string' && v in SEVERITY) out[k] = SEVERITY[v];
    else out[k] = withIntEnums(v);
  }
  return out;
}
