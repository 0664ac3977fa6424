import { randomUUID } from 'node:crypto';
import type { BigQuery } from '@google-cloud/bigquery';
import { createBigQueryClient, postJson } from './bigquery-client.js';
import { Deadline, settle } from './bigquery-deadline.js';
import { explainBigQueryError, type BigQueryStep } from './bigquery-errors.js';
import { buildPartitionsQuery, buildScanQuery, isDayPartitionedOn, parseTableName, partitionIdToKey, quoteColumn, type CountSpec, type Statement } from './bigquery-sql.js';
import { UnexpectedAnswerError } from './explain-error.js';
import { limit } from '../abort.js';
import { createPageGuard } from './page-guard.js';
import { createRequestBudget, realClock, type BudgetClock, type RequestBudget } from './request-budget.js';
import { SourceError, type KeySource, type ListOptions, type ListTrace, type SourceResult } from './source.js';

/** Options for {@link createBigQuerySource}; the warehouse section of the config. */
export interface BigQuerySourceOptions {
  /** project.dataset.table */
  table: string;
  /** The key column: a DATE/TIMESTAMP/DATETIME for date keys, anything castable to STRING for ids. */
  column: string;
  keyFormat: 'date' | 'id';
  /** Inclusive lower bound on DATE(column), YYYY-MM-DD; sent as a query parameter. */
  since?: string;
  /** Inclusive upper bound on DATE(column), YYYY-MM-DD; sent as a query parameter. */
  until?: string;
  /** Where jobs run; default: the table's own location, from its metadata. */
  location?: string;
  /** The project jobs run and bill in; default: the table's project. */
  projectId?: string;
  /** An emulator or fake; BIGQUERY_EMULATOR_HOST also works. Custom endpoints get no credentials... */
  apiEndpoint?: string;
  /** ...unless this is true (a private endpoint rather than an emulator). */
  authenticate?: boolean;
  /** Time limit of one whole look (metadata, dry run, query, every page); default 60 s. */
  timeoutMs?: number;
  /** The cap on requests this source sends, retries included (default: its own, REQUESTS_PER_MINUTE); null: none. */
  budget?: RequestBudget | null;
  /** The clock of the pauses between polls of an unfinished job (tests pass one where no real time passes). */
  clock?: BudgetClock;
  /** Longest wait between the client's own retries, in seconds (default RETRY.maxRetryDelaySeconds). */
  retryDelaySeconds?: number;
  /** Time limit of one request (with the client's retries of it); default 20 s, twice what BigQuery holds a poll. */
  requestTimeoutMs?: number;
}

/** How the keys were counted, and what the dry run said the query bills. */
export interface BigQueryPlan {
  method: 'scan' | 'partitions';
  bytesBilled: number | null;
}

/** A warehouse source that also tells which plan it settled on. */
export type BigQuerySource = KeySource & { lastPlan(): BigQueryPlan | null };

interface Plan extends BigQueryPlan {
  statement: Statement;
  location: string | undefined;
  /** Why this plan and not the usual one (a streaming buffer), shown beside the figure. */
  note: string | null;
}

/** What the table's metadata says that decides the plan. */
interface TableFacts {
  location: string | undefined;
  /** Partitioned by DAY on the key column: partitions can be counted instead of scanned. */
  dayPartitioned: boolean;
  /** Rows BigQuery estimates are in the streaming buffer (not yet in any day partition), or null without one. */
  streamingRows: string | null;
  /** require_partition_filter: a scan must filter on the partitioning column. */
  requireFilter: boolean;
  /** The partitioning column (`_PARTITIONTIME` for ingestion time), and the key column's type. */
  partitionField: string | null;
  columnType: string | null;
}

interface TableMetadata {
  location?: string;
  timePartitioning?: { type?: string; field?: string; requirePartitionFilter?: boolean };
  requirePartitionFilter?: boolean;
  streamingBuffer?: { estimatedRows?: string; oldestEntryTime?: string } | null;
  schema?: { fields?: { name?: string; type?: string }[] };
}

/**
 * Keys present in a BigQuery table: distinct DATE(column) as YYYY-MM-DD, or the column as text.
 * The first look reads the table's metadata (day-partitioned on the column: count non-empty
 * partitions from INFORMATION_SCHEMA instead of scanning) and dry-runs the chosen query for the
 * bytes it bills; later looks reuse that plan and run only the query: POST /queries, then
 * GET /queries/JOB while jobComplete is false and for every further pageToken.
 */
export function createBigQuerySource(opts: BigQuerySourceOptions): BigQuerySource {
  const table = parseTableName(opts.table);
  quoteColumn(opts.column);
  const spec: CountSpec = { table, column: opts.column, keyFormat: opts.keyFormat, since: opts.since, until: opts.until };
  buildScanQuery(spec); // bad since/until fail here, at start-up, not at the first poll
  const jobProject = opts.projectId ?? table.project;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const requestTimeoutMs = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const budget = opts.budget === undefined ? createRequestBudget() : opts.budget;
  const clock = opts.clock ?? realClock;
  const { client, requests } = createBigQueryClient({
    retryBudget: budget,
    retryDelaySeconds: opts.retryDelaySeconds,
    projectId: jobProject,
    location: opts.location,
    apiEndpoint: opts.apiEndpoint,
    authenticate: opts.authenticate,
  });
  let plan: Plan | null = null;
  /** Plans already dry-run, by their query text: a table going in and out of streaming is not dry-run again. */
  const planned = new Map<string, Plan>();
  let facts: TableFacts | null = null;

  async function readFacts(wait: Wait): Promise<TableFacts> {
    const [metadata] = await wait(() => client.dataset(table.dataset, { projectId: table.project }).table(table.table).getMetadata());
    const md = asObject(metadata) as TableMetadata;
    const buffer = md.streamingBuffer;
    const column = md.schema?.fields?.find((f) => f.name?.toLowerCase() === opts.column.toLowerCase());
    return {
      location: md.location,
      dayPartitioned: opts.keyFormat === 'date' && isDayPartitionedOn(md, opts.column),
      streamingRows: buffer && typeof buffer === 'object' ? String(buffer.estimatedRows ?? '?') : null,
      requireFilter: md.requirePartitionFilter === true || md.timePartitioning?.requirePartitionFilter === true,
      partitionField: md.timePartitioning ? (md.timePartitioning.field ?? '_PARTITIONTIME') : null,
      columnType: column?.type?.toUpperCase() ?? null,
    };
  }

  /**
   * Partitions when the table is day-partitioned on the column and has no streaming buffer: the buffer's
   * rows are in no day partition yet (`__UNPARTITIONED__`), so INFORMATION_SCHEMA.PARTITIONS would
   * undercount; then the table is scanned. A require_partition_filter table gets since/until as that filter.
   */
  function planFor(facts: TableFacts): Plan {
    const location = opts.location ?? facts.location;
    if (facts.dayPartitioned && facts.streamingRows === null) {
      return { method: 'partitions', statement: buildPartitionsQuery(spec), location, bytesBilled: null, note: null };
    }
    const note = facts.dayPartitioned ? `streaming buffer (~${facts.streamingRows} rows not yet in day partitions): counted by scan` : null;
    if (!facts.requireFilter) return { method: 'scan', statement: buildScanQuery(spec), location, bytesBilled: null, note };
    const onColumn = facts.partitionField !== null && facts.partitionField.toLowerCase() === opts.column.toLowerCase();
    if (!onColumn || opts.keyFormat !== 'date') {
      throw new SourceError(
        `BigQuery: table ${opts.table} requires a partition filter on ${facts.partitionField ?? 'its partitioning column'}, which is not warehouse.column (${opts.column})`,
        'count a view or table partitioned on warehouse.column, or one without require_partition_filter',
        null,
      );
    }
    if (opts.since === undefined && opts.until === undefined) {
      throw new SourceError(
        `BigQuery: table ${opts.table} requires a partition filter on ${opts.column} (require_partition_filter)`,
        `set warehouse.since (and warehouse.until) to the dates to count: they become that filter`,
        null,
      );
    }
    const type = facts.columnType === 'TIMESTAMP' || facts.columnType === 'DATETIME' ? facts.columnType : 'DATE';
    return { method: 'scan', statement: buildScanQuery({ ...spec, partitionFilter: type }), location, bytesBilled: null, note };
  }

  async function dryRun(p: Plan, wait: Wait): Promise<number | null> {
    const job = asObject(await wait(() => postJson(client, '/jobs', {
      jobReference: { projectId: jobProject, location: p.location },
      configuration: { dryRun: true, query: queryConfig(p.statement) },
    }))) as { statistics?: { totalBytesProcessed?: string } };
    const bytes = Number(job.statistics?.totalBytesProcessed);
    return Number.isFinite(bytes) ? bytes : null;
  }

  async function runQuery(p: Plan, wait: Wait, stop: AbortSignal, at: (s: BigQueryStep) => void, expectedKeys: number | undefined, trace?: ListTrace): Promise<Set<string>> {
    const keys = new Set<string>();
    const add = (value: unknown) => {
      const key = typeof value !== 'string' ? null : p.method === 'partitions' ? partitionIdToKey(value) : value;
      if (key !== null) keys.add(key);
    };
    // requestId makes the client's retries of this POST one job, not several.
    const first = asObject(await wait(() => postJson(client, '/queries', { ...queryConfig(p.statement), location: p.location, maxResults: PAGE_ROWS, requestId: randomUUID() }))) as QueryAnswer;
    let complete = first.jobComplete;
    let pageToken = first.pageToken;
    if (complete === true) addRows(first, add);
    if (complete === true && pageToken === undefined) return keys;
    const jobId = first.jobReference?.jobId;
    if (typeof complete !== 'boolean' || jobId === undefined) throw new UnexpectedAnswerError(JSON.stringify(first));
    const location = first.jobReference?.location ?? p.location;
    at('results');
    const guard = createPageGuard('BigQuery', `the result of the ${p.method === 'partitions' ? 'partitions count' : 'key scan'} on ${opts.table}`, 'check warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST): the server there does not page like BigQuery', {
      expectedKeys,
      pageSize: PAGE_ROWS,
      entries: 'rows',
    });
    if (pageToken !== undefined) guard.page(first.rows?.length ?? 0, pageToken);
    let waits = 0;
    while (!complete || pageToken !== undefined) {
      stop.throwIfAborted();
      // GET /queries/JOB through the client (auth, retries), its answer as sent: every page is read the same way
      // as the first, by column name (the client's own getQueryResults parses rows and drops them from the answer).
      const qs = { ...(location !== undefined && { location }), timeoutMs: POLL_HOLD_MS, maxResults: PAGE_ROWS, ...(pageToken !== undefined && { pageToken }) };
      const page = asObject(await wait(() => getJson(client, `/queries/${encodeURIComponent(jobId)}`, qs))) as QueryAnswer;
      if (page.jobComplete === false) {
        if (trace) trace.waiting = `the query ${jobId} had not completed (jobComplete false ${waits + 1} time${waits === 0 ? '' : 's'})`;
        // BigQuery holds each poll up to timeoutMs; a server that answers at once must not be asked in a busy loop.
        await clock.sleep(Math.min(POLL_PAUSE_MAX_MS, POLL_PAUSE_MS * 2 ** waits++), stop);
        continue;
      }
      complete = true;
      addRows(page, add);
      pageToken = page.pageToken;
      guard.page(page.rows?.length ?? 0, pageToken ?? null);
    }
    return keys;
  }

  return {
    name: 'warehouse',
    label: opts.table,
    lastPlan: () => (plan === null ? null : { method: plan.method, bytesBilled: plan.bytesBilled }),
    async list(signal, options: ListOptions = {}) {
      signal.throwIfAborted();
      const before = requests();
      const waitedBefore = budget?.waitedMs ?? 0;
      const deadline = new Deadline(signal, timeoutMs);
      let step: BigQueryStep = 'metadata';
      const at = (s: BigQueryStep) => (step = s);
      try {
        const wait: Wait = async (send) => {
          await budget?.take(deadline.signal);
          if (options.trace) options.trace.asked += 1;
          // A server that never answers is given up on after one request's limit, not the whole look's.
          const one = limit(requestTimeoutMs, deadline.signal);
          try {
            return await settle(send(), one.signal);
          } catch (err) {
            if (!one.signal.aborted || deadline.signal.aborted) throw err;
            throw new SourceError(`BigQuery: no answer within ${requestTimeoutMs / 1000} s (${step})`, 'check the network and warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST)', null);
          } finally {
            one.clear();
          }
        };
        // A day-partitioned table is looked at every time: a streaming buffer comes and goes.
        if (facts === null || facts.dayPartitioned) facts = await readFacts(wait);
        const want = planFor(facts);
        const known = planned.get(want.statement.query);
        if (known) plan = known;
        else {
          at('dry run');
          want.bytesBilled = await dryRun(want, wait);
          planned.set(want.statement.query, want);
          plan = want;
        }
        at('query');
        const keys = await runQuery(plan, wait, deadline.signal, at, options.expectedKeys, options.trace);
        return { keys, requests: requests() - before, bytesBilled: plan.bytesBilled, method: plan.method, note: plan.note } satisfies SourceResult;
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof SourceError) throw err;
        if (deadline.expired && budget !== null && budget.waitedMs > waitedBefore) {
          throw new SourceError(
            `BigQuery: not done within ${timeoutMs / 1000} s (${step}): paced by the budget of ${budget.perMinute} requests a minute`,
            'the server kept asking for more requests than a count needs: check warehouse.apiEndpoint; the next poll tries again',
            null,
          );
        }
        if (deadline.expired) {
          throw new SourceError(`BigQuery: no answer within ${timeoutMs / 1000} s (${step})`, 'check the network or warehouse.apiEndpoint; the next poll tries again', null);
        }
        throw explainBigQueryError(err, { step, table, jobProject, method: plan?.method ?? null, timeoutMs, endpoint: opts.apiEndpoint ?? process.env.BIGQUERY_EMULATOR_HOST });
      } finally {
        deadline.clear();
      }
    },
  };
}

interface QueryAnswer {
  jobComplete?: boolean;
  jobReference?: { jobId?: string; location?: string };
  pageToken?: string;
  schema?: { fields?: { name?: string }[] };
  rows?: { f?: { v?: unknown }[] }[];
}

/** Result rows asked for per page: one row per key, so one page for any usual backfill. */
const PAGE_ROWS = 10_000;
/** Time limit of one request: BigQuery answers a request within seconds, and holds a poll at most POLL_HOLD_MS. */
const REQUEST_TIMEOUT_MS = 20_000;
/** How long BigQuery may hold one poll of an unfinished job (it answers as soon as the job is done). */
const POLL_HOLD_MS = 10_000;
/** Pause after a poll that came back unfinished at once: doubling from this, at most POLL_PAUSE_MAX_MS. */
const POLL_PAUSE_MS = 250;
const POLL_PAUSE_MAX_MS = 4_000;

/** The column every count query selects its keys as. */
const KEY_COLUMN = 'key';

/**
 * Adds one result page's keys, read by the column's name in the page's schema (BigQuery sends the schema with
 * every page of a finished job). A page with rows but no `key` column is an error naming the columns it has,
 * never a silent zero.
 */
function addRows(page: QueryAnswer, add: (value: unknown) => void): void {
  const rows = page.rows ?? [];
  if (rows.length === 0) return;
  const names = (page.schema?.fields ?? []).map((f) => f.name);
  const at = names.indexOf(KEY_COLUMN);
  if (at === -1) {
    throw new SourceError(
      `BigQuery: the query result has no column "${KEY_COLUMN}" (columns: ${names.length ? names.join(', ') : 'none given'}), so no key can be read`,
      'check warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST): the server there answers differently from BigQuery',
      null,
    );
  }
  for (const row of rows) add(row.f?.[at]?.v);
}

/** GET through the client (auth, retries, project in the path); the body as sent. */
function getJson(client: BigQuery, uri: string, qs: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    client.request({ method: 'GET', uri, qs }, (err, body) => (err ? reject(err) : resolve(body)));
  });
}

/** Sends one request when the budget has room and waits for its answer within the look's deadline. */
type Wait = <T>(send: () => Promise<T>) => Promise<T>;

function queryConfig(s: Statement) {
  return { query: s.query, useLegacySql: false, parameterMode: 'NAMED', queryParameters: s.queryParameters };
}

// A 200 whose body is not JSON reaches us as a string: the client only parses what it can.
function asObject(value: unknown): object {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UnexpectedAnswerError(String(value));
  return value;
}
