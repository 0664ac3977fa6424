import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake warehouse holds and how awkward it is to talk to. */
export interface FakeBigQueryOptions {
  project: string;
  dataset: string;
  table: string;
  /** The distinct keys in the table (dates YYYY-MM-DD or ids); a function is read on every query. */
  rows: string[] | (() => string[]);
  /** Table metadata says: partitioned by DAY on `column`. */
  partitioned?: boolean;
  /** Column named in the partitioning metadata; default 'game_date'. */
  column?: string;
  /** Rows per result page; default 1000. */
  pageSize?: number;
  /** How many times `GET /queries/JOB` answers jobComplete:false before the first page (Infinity: forever). */
  incompletePolls?: number;
  /** The result's column name in the schema (default 'key', what the query asks for): another tests a server that differs. */
  resultColumn?: string;
  /** Every result page carries this same pageToken: a server that loops its pages. */
  loopPageToken?: string;
  /** Called with each request's call (`GET /queries/JOB`, ...) as it arrives: a test can note its own clock. */
  onRequest?: (call: string) => void;
  /** Every result page holds one new row and a new pageToken, forever: only a page count can stop it. */
  endlessPages?: boolean;
  /** A second column placed before the key column in every row (so reading by position is wrong). */
  leadingColumn?: string;
  /** totalBytesProcessed the dry run reports; default 1234. */
  bytes?: number;
  /**
   * Keys of rows still in the streaming buffer: a scan sees them, INFORMATION_SCHEMA.PARTITIONS does not
   * (they are `__UNPARTITIONED__`). While non-empty the table metadata carries `streamingBuffer`. Read on every request.
   */
  streaming?: string[] | (() => string[]);
  /** Table metadata says require_partition_filter: a scan without a filter on the column is refused, as BigQuery does. */
  requirePartitionFilter?: boolean;
  /** Type of the key column in the table schema; default DATE. */
  columnType?: string;
}

/**
 * A fault every request gets until cleared: an error status (with BigQuery's wording and reason
 * unless given), no answer, a 200 HTML page (a proxy's), or a 200 JSON content type cut short.
 */
export type FakeFault = { status: number; message?: string; reason?: string } | 'hang' | 'garbage' | 'broken-json' | null;

/** One request as the fake saw it, for assertions beyond the call sequence. */
export interface RecordedRequest {
  call: string;
  /** The project in the path: the table's for metadata, the billing project for jobs. */
  project: string | null;
  query: URLSearchParams;
  body: any;
  authorization: string | undefined;
}

/** A running fake: its base URL (give it to the client as apiEndpoint), what it was asked, and its controls. */
export interface FakeBigQuery {
  url: string;
  /** 'GET /datasets/D/tables/T', 'POST /jobs', 'POST /queries', 'GET /queries/JOB', in order. */
  calls: string[];
  requests: RecordedRequest[];
  /** `only` limits the fault to calls starting with it, e.g. 'POST /queries'. */
  setFault(fault: FakeFault, only?: string): void;
  /** Resolves when a call starting with `prefix` has arrived (at once if one already has). */
  waitForCall(prefix: string): Promise<void>;
  close(): Promise<void>;
}

interface RunningQuery {
  values: string[];
  pollsLeft: number;
  /** The project the job runs in (the billing project), as BigQuery echoes it. */
  project: string | null;
}

const googleReason: Record<number, [string, string]> = {
  400: ['invalid', 'INVALID_ARGUMENT'],
  401: ['required', 'UNAUTHENTICATED'],
  403: ['accessDenied', 'PERMISSION_DENIED'],
  404: ['notFound', 'NOT_FOUND'],
  429: ['rateLimitExceeded', 'RESOURCE_EXHAUSTED'],
  500: ['backendError', 'INTERNAL'],
  503: ['backendError', 'UNAVAILABLE'],
};

/**
 * Start a loopback server speaking the parts of the BigQuery REST API v2 that
 * @google-cloud/bigquery uses for a coverage count. It runs no SQL: it tells the
 * INFORMATION_SCHEMA.PARTITIONS query from a scan by its text and applies the
 * @since/@until parameters itself, so a test sees them take effect.
 */
export async function startFakeBigQuery(opts: FakeBigQueryOptions): Promise<FakeBigQuery> {
  const calls: string[] = [];
  const requests: RecordedRequest[] = [];
  const jobs = new Map<string, RunningQuery>();
  const pageSize = opts.pageSize ?? 1000;
  const column = opts.column ?? 'game_date';
  let fault: FakeFault = null;
  let faultOnly = '';
  let nextJob = 1;
  const waiters = new Set<{ prefix: string; resolve: () => void }>();

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
    res.end(JSON.stringify(body));
  };
  const sendError = (res: ServerResponse, status: number, message: string, reasonGiven?: string) => {
    const [defaultReason, code] = googleReason[status] ?? ['unknown', 'UNKNOWN'];
    const reason = reasonGiven ?? defaultReason;
    send(res, status, {
      error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: code },
    });
  };

  const streamingNow = () => (typeof opts.streaming === 'function' ? opts.streaming() : (opts.streaming ?? []));
  const tablePath = `/datasets/${opts.dataset}/tables/${opts.table}`;
  const tableName = `${opts.project}:${opts.dataset}.${opts.table}`;
  // The texts BigQuery sends, so the explanations are tested against the real wording.
  const faultMessage = (status: number, call: string, project: string | null): string => {
    if (status === 403 && call.startsWith('GET /datasets')) {
      return `Access Denied: Table ${tableName}: Permission bigquery.tables.get denied on table ${tableName} (or it may not exist).`;
    }
    if (status === 403) {
      return `Access Denied: Project ${project}: User does not have bigquery.jobs.create permission in project ${project}.`;
    }
    if (status === 404) return `Not found: Table ${tableName} was not found in location US`;
    if (status === 401) return 'Request is missing required authentication credential.';
    return `Fake fault ${status}`;
  };

  const page = (res: ServerResponse, jobId: string, job: RunningQuery, token: string | null) => {
    const start = token ? Number(token) : 0;
    const slice = opts.endlessPages ? [`k${start}`] : job.values.slice(start, start + pageSize);
    const next = opts.endlessPages ? String(start + 1) : start + pageSize < job.values.length ? String(start + pageSize) : undefined;
    send(res, 200, {
      kind: 'bigquery#getQueryResultsResponse',
      jobReference: { projectId: job.project, jobId, location: 'US' },
      jobComplete: true,
      schema: { fields: [...(opts.leadingColumn ? [{ name: opts.leadingColumn, type: 'STRING', mode: 'NULLABLE' }] : []), { name: opts.resultColumn ?? 'key', type: 'STRING', mode: 'NULLABLE' }] },
      totalRows: String(job.values.length),
      rows: slice.map((v) => ({ f: [...(opts.leadingColumn ? [{ v: 'lead' }] : []), { v }] })),
      ...(opts.loopPageToken ? { pageToken: opts.loopPageToken } : next ? { pageToken: next } : {}),
    });
  };

  // What the query would return, with the parameters applied, or an error text like BigQuery's.
  const runQuery = (body: any): string[] | string => {
    const sql: string = body?.query ?? '';
    const params = new Map<string, any>();
    for (const p of body?.queryParameters ?? []) params.set(p.name, p);
    for (const name of sql.match(/@[A-Za-z_]+/g) ?? []) {
      if (!params.has(name.slice(1))) return `Query parameter '${name.slice(1)}' not found`;
    }
    if (/'\d{4}-\d{2}-\d{2}'/.test(sql)) return 'fake: dates must arrive as query parameters, not literals';
    const dateParam = (name: string): string | null => {
      const p = params.get(name);
      if (!p) return null;
      if (p.parameterType?.type !== 'DATE') throw new Error(`@${name} must be a DATE parameter`);
      return String(p.parameterValue?.value);
    };
    const partitions = /INFORMATION_SCHEMA\.PARTITIONS/.test(sql);
    if (opts.requirePartitionFilter && !partitions && !new RegExp(`\`${column}\` (>=|<|<=|=|BETWEEN) `).test(sql)) {
      return `Cannot query over table '${opts.project}.${opts.dataset}.${opts.table}' without a filter over column(s) '${column}' that can be used for partition elimination`;
    }
    const rows = typeof opts.rows === 'function' ? opts.rows() : opts.rows;
    let values = [...new Set(partitions ? rows : [...rows, ...streamingNow()])];
    const since = dateParam('since');
    const until = dateParam('until');
    if (since) values = values.filter((v) => v >= since);
    if (until) values = values.filter((v) => v <= until);
    if (/INFORMATION_SCHEMA\.PARTITIONS/.test(sql)) {
      if (params.get('table')?.parameterValue?.value !== opts.table) return 'fake: @table must name the table';
      return values.map((v) => v.replaceAll('-', ''));
    }
    return values;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    // The client puts /bigquery/v2 in front for apiEndpoint, but not for BIGQUERY_EMULATOR_HOST.
    const [, project = null, rest = ''] = url.pathname.match(/^(?:\/bigquery\/v2)?\/projects\/([^/]+)(.*)$/) ?? [];
    const path = rest || url.pathname;
    const call = `${req.method} ${path}`;
    let body: any = null;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      return sendError(res, 400, 'fake: body is not JSON');
    }
    calls.push(call);
    opts.onRequest?.(call);
    for (const w of [...waiters]) {
      if (call.startsWith(w.prefix)) {
        waiters.delete(w);
        w.resolve();
      }
    }
    requests.push({ call, project, query: url.searchParams, body, authorization: req.headers.authorization });

    const faulty = fault !== null && call.startsWith(faultOnly);
    if (faulty && fault === 'hang') return; // keep the socket open, answer nothing
    if (faulty && fault === 'garbage') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      return res.end('<html><body>502 Bad Gateway (from a proxy)</body></html>');
    }
    if (faulty && fault === 'broken-json') {
      // Exactly this content type makes the HTTP layer parse (and fail) below the client.
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end('{"kind": "bigquery#');
    }
    if (faulty && typeof fault === 'object' && fault !== null) {
      return sendError(res, fault.status, fault.message ?? faultMessage(fault.status, call, project), fault.reason);
    }

    if (req.method === 'GET' && path.startsWith('/datasets/')) {
      if (path !== tablePath || project !== opts.project) return sendError(res, 404, `Not found: Table ${project}:${path}`);
      return send(res, 200, {
        kind: 'bigquery#table',
        id: tableName,
        location: 'US',
        tableReference: { projectId: opts.project, datasetId: opts.dataset, tableId: opts.table },
        ...(opts.partitioned ? { timePartitioning: { type: 'DAY', field: column } } : {}),
        ...(opts.requirePartitionFilter ? { requirePartitionFilter: true } : {}),
        schema: { fields: [{ name: column, type: opts.columnType ?? 'DATE', mode: 'NULLABLE' }, { name: 'player', type: 'STRING' }] },
        ...(streamingNow().length > 0 ? { streamingBuffer: { estimatedRows: String(streamingNow().length * 30), estimatedBytes: '40960', oldestEntryTime: '1764198000000' } } : {}),
      });
    }
    if (req.method === 'POST' && path === '/jobs') {
      if (!body?.configuration?.dryRun) return sendError(res, 400, 'fake: only dry runs go through jobs.insert');
      const ran = runQuery(body.configuration.query);
      if (typeof ran === 'string') return sendError(res, 400, ran);
      const bytes = String(opts.bytes ?? 1234);
      return send(res, 200, {
        kind: 'bigquery#job',
        jobReference: { projectId: project, jobId: body.jobReference?.jobId, location: 'US' },
        configuration: body.configuration,
        status: { state: 'DONE' },
        statistics: { totalBytesProcessed: bytes, query: { totalBytesProcessed: bytes } },
      });
    }
    if (req.method === 'POST' && path === '/queries') {
      const ran = runQuery(body);
      if (typeof ran === 'string') return sendError(res, 400, ran);
      const jobId = `job-${nextJob++}`;
      const job = { values: ran, pollsLeft: opts.incompletePolls ?? 0, project };
      jobs.set(jobId, job);
      if (job.pollsLeft > 0) {
        return send(res, 200, {
          kind: 'bigquery#queryResponse',
          jobReference: { projectId: project, jobId, location: 'US' },
          jobComplete: false,
        });
      }
      return page(res, jobId, job, null);
    }
    const polled = req.method === 'GET' && path.match(/^\/queries\/([^/]+)$/);
    if (polled) {
      const job = jobs.get(polled[1]);
      if (!job) return sendError(res, 404, `Not found: Job ${project}:US.${polled[1]}`);
      if (job.pollsLeft > 0) {
        job.pollsLeft -= 1;
        return send(res, 200, {
          kind: 'bigquery#getQueryResultsResponse',
          jobReference: { projectId: project, jobId: polled[1], location: 'US' },
          jobComplete: false,
        });
      }
      return page(res, polled[1], job, url.searchParams.get('pageToken'));
    }
    sendError(res, 404, `fake: no route for ${call}`);
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => {
      try {
        handle(req, res, raw);
      } catch (err) {
        sendError(res, 400, (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    requests,
    setFault: (f, only = '') => {
      fault = f;
      faultOnly = only;
    },
    waitForCall: (prefix) =>
      calls.some((c) => c.startsWith(prefix))
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.add({ prefix, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        // Hung requests hold their sockets open; cut them so close() returns.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
