import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bigQueryClientOptions } from '../src/coverage/bigquery-client.js';
import { createBigQuerySource, type BigQuerySourceOptions } from '../src/coverage/bigquery-source.js';
import { SourceError } from '../src/coverage/source.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions } from './support/fake-bigquery-server.js';

// Real @google-cloud/bigquery client against a loopback server speaking its REST API.
const DATES = ['2021-10-19', '2021-10-20', '2021-10-22', '2022-04-10', '2022-06-16'];
const TABLE = 'nba-props.nba_raw.boxscores';
const fakes: FakeBigQuery[] = [];

async function fake(over: Partial<FakeBigQueryOptions> = {}): Promise<FakeBigQuery> {
  const f = await startFakeBigQuery({ project: 'nba-props', dataset: 'nba_raw', table: 'boxscores', rows: DATES, ...over });
  fakes.push(f);
  return f;
}

function source(f: FakeBigQuery, over: Partial<BigQuerySourceOptions> = {}) {
  return createBigQuerySource({ table: TABLE, column: 'game_date', keyFormat: 'date', apiEndpoint: f.url, timeoutMs: 10_000, ...over });
}

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

const body = (f: FakeBigQuery, call: string) => f.requests.find((r) => r.call === call)?.body;

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});

describe('BigQuery source: counting', () => {
  it('scans, waits out jobComplete:false and follows every page', async () => {
    const f = await fake({ pageSize: 2, incompletePolls: 2, bytes: 987_654 });
    const src = source(f);
    const got = await src.list(new AbortController().signal);

    expect([...got.keys].sort()).toEqual(DATES);
    expect(f.calls).toEqual([
      'GET /datasets/nba_raw/tables/boxscores',
      'POST /jobs',
      'POST /queries',
      'GET /queries/job-1', // jobComplete: false
      'GET /queries/job-1', // jobComplete: false
      'GET /queries/job-1', // page 1
      'GET /queries/job-1', // page 2
      'GET /queries/job-1', // page 3
    ]);
    expect(f.requests.slice(-3).map((r) => r.query.get('pageToken'))).toEqual([null, '2', '4']);
    expect(got).toMatchObject({ method: 'scan', bytesBilled: 987_654, requests: f.calls.length });
    expect(src.lastPlan()).toEqual({ method: 'scan', bytesBilled: 987_654 });
    // A custom endpoint gets no credentials (see 'credentials' below for a machine that has some).
    expect(f.requests.every((r) => r.authorization === undefined)).toBe(true);
  });

  it('dry-runs the very query it then runs, once, before the first query only', async () => {
    const f = await fake({ pageSize: 3 });
    const src = source(f);
    expect(src.lastPlan()).toBeNull();
    await src.list(new AbortController().signal);
    const dry = body(f, 'POST /jobs');
    expect(dry.configuration.dryRun).toBe(true);
    expect(dry.configuration.query.query).toBe(body(f, 'POST /queries').query);
    expect(dry.configuration.query.query).toContain('FROM `nba-props.nba_raw.boxscores`');

    f.calls.length = 0;
    const again = await src.list(new AbortController().signal);
    expect(f.calls).toEqual(['POST /queries', 'GET /queries/job-2']);
    expect(again).toMatchObject({ requests: 2, bytesBilled: 1234, method: 'scan' });
    expect(again.keys.size).toBe(DATES.length);
  });

  it('counts day partitions from INFORMATION_SCHEMA when the table is partitioned on the column', async () => {
    const f = await fake({ partitioned: true, column: 'game_date', bytes: 10_485_760 });
    const src = source(f);
    const got = await src.list(new AbortController().signal);
    expect([...got.keys].sort()).toEqual(DATES); // partition ids 20211019... back as dates
    expect(got).toMatchObject({ method: 'partitions', bytesBilled: 10_485_760 });
    expect(f.calls.slice(0, 3)).toEqual(['GET /datasets/nba_raw/tables/boxscores', 'POST /jobs', 'POST /queries']);
    const q = body(f, 'POST /queries');
    expect(q.query).toContain('`nba-props.nba_raw.INFORMATION_SCHEMA.PARTITIONS`');
    expect(q.queryParameters).toContainEqual({ name: 'table', parameterType: { type: 'STRING' }, parameterValue: { value: 'boxscores' } });
    expect(src.lastPlan()).toEqual({ method: 'partitions', bytesBilled: 10_485_760 });
  });

  it('scans when the table is partitioned on another column', async () => {
    const f = await fake({ partitioned: true, column: 'loaded_at' });
    const got = await source(f).list(new AbortController().signal);
    expect(got.method).toBe('scan');
    expect(body(f, 'POST /queries').query).not.toContain('INFORMATION_SCHEMA');
  });

  it.each([false, true])('sends since/until as DATE parameters (partitioned: %s)', async (partitioned) => {
    const f = await fake({ partitioned });
    const got = await source(f, { since: '2021-10-20', until: '2022-04-10' }).list(new AbortController().signal);
    // The fake applies the parameters itself: the bounds took effect, inclusive at both ends.
    expect([...got.keys].sort()).toEqual(['2021-10-20', '2021-10-22', '2022-04-10']);
    for (const sent of [body(f, 'POST /jobs').configuration.query, body(f, 'POST /queries')]) {
      expect(sent.parameterMode).toBe('NAMED');
      expect(sent.queryParameters).toEqual(expect.arrayContaining([
        { name: 'since', parameterType: { type: 'DATE' }, parameterValue: { value: '2021-10-20' } },
        { name: 'until', parameterType: { type: 'DATE' }, parameterValue: { value: '2022-04-10' } },
      ]));
      expect(sent.query).not.toMatch(/2021-10-20|2022-04-10/);
    }
  });

  it('reads id keys as text', async () => {
    const ids = ['0022100001', '0022100002', '0042400407'];
    const f = await fake({ rows: ids, partitioned: true });
    const got = await source(f, { column: 'game_id', keyFormat: 'id' }).list(new AbortController().signal);
    expect([...got.keys].sort()).toEqual(ids);
    expect(got.method).toBe('scan'); // partitions give dates, never ids
    expect(body(f, 'POST /queries').query).toContain('CAST(`game_id` AS STRING)');
  });

  it('runs jobs in projectId while reading the table in its own project and location', async () => {
    const f = await fake();
    await source(f, { projectId: 'billing-proj' }).list(new AbortController().signal);
    expect(f.requests.map((r) => `${r.project} ${r.call}`)).toEqual([
      'nba-props GET /datasets/nba_raw/tables/boxscores',
      'billing-proj POST /jobs',
      'billing-proj POST /queries',
    ]);
    expect(body(f, 'POST /queries').location).toBe('US'); // from the table's metadata
  });

  it('honours BIGQUERY_EMULATOR_HOST, and apiEndpoint over it', async () => {
    const f = await fake();
    vi.stubEnv('BIGQUERY_EMULATOR_HOST', f.url);
    const viaEnv = await source(f, { apiEndpoint: undefined }).list(new AbortController().signal);
    expect(viaEnv.keys.size).toBe(DATES.length);

    const other = await fake({ rows: ['2024-01-01'] });
    const viaConfig = await source(other).list(new AbortController().signal);
    expect([...viaConfig.keys]).toEqual(['2024-01-01']);
    expect(other.calls).toContain('POST /queries');
  });
});

describe('BigQuery client options', () => {
  const base = { projectId: 'p' };
  it('bounds retries (count and delay) on every client', () => {
    expect(bigQueryClientOptions(base, {}).retryOptions).toEqual({ autoRetry: true, maxRetries: 2, maxRetryDelay: 1 });
  });

  it.each([
    ['Google itself: Application Default Credentials', base, {}, false],
    ['apiEndpoint: no credentials', { ...base, apiEndpoint: 'http://127.0.0.1:9050' }, {}, true],
    ['BIGQUERY_EMULATOR_HOST: no credentials', base, { BIGQUERY_EMULATOR_HOST: 'http://127.0.0.1:9050' }, true],
    ['custom endpoint that asks for credentials', { ...base, apiEndpoint: 'https://bq.internal', authenticate: true }, {}, false],
  ])('%s', (_, settings, env, skipsCredentials) => {
    const o = bigQueryClientOptions(settings, env);
    expect(o.projectId).toBe('p');
    expect(o.authClient !== undefined).toBe(skipsCredentials);
  });
});

describe('BigQuery source: credentials', () => {
  // A service-account key in a non-Google universe: the auth library then signs its own JWT
  // instead of fetching a token, so a request that carries credentials shows it, offline.
  let privateKey: string | undefined;
  function stubServiceAccountKey(): void {
    privateKey ??= generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } }).privateKey;
    const file = join(mkdtempSync(join(tmpdir(), 'sa-key-')), 'key.json');
    writeFileSync(file, JSON.stringify({
      type: 'service_account',
      project_id: 'nba-props',
      private_key_id: 'test-key',
      private_key: privateKey,
      client_email: 'backfill@nba-props.iam.gserviceaccount.com',
      client_id: '1',
      universe_domain: 'offline.test',
    }));
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', file);
  }

  it('sends none to a custom endpoint even when the machine has credentials', async () => {
    stubServiceAccountKey();
    const f = await fake();
    await source(f).list(new AbortController().signal);
    expect(f.requests.map((r) => r.authorization)).toEqual([undefined, undefined, undefined]);
  });

  it('sends them when asked to (a private endpoint)', async () => {
    stubServiceAccountKey();
    const f = await fake();
    await source(f, { authenticate: true }).list(new AbortController().signal);
    expect(f.requests.map((r) => r.authorization?.split(' ')[0])).toEqual(['Bearer', 'Bearer', 'Bearer']);
  });
});

describe('BigQuery source: failures', () => {
  it('401: says how to log in', async () => {
    const f = await fake();
    f.setFault({ status: 401 });
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.status).toBe(401);
    expect(err.hint).toContain('gcloud auth application-default login');
  });

  it('no credentials anywhere: the request still goes out, and the 401 says how to log in', async () => {
    const f = await fake();
    f.setFault({ status: 401 });
    // An empty gcloud config dir and no key file: Application Default Credentials find nothing.
    vi.stubEnv('CLOUDSDK_CONFIG', mkdtempSync(join(tmpdir(), 'no-gcloud-')));
    vi.stubEnv('GOOGLE_APPLICATION_CREDENTIALS', undefined);
    const err = await failure(source(f, { authenticate: true }).list(new AbortController().signal));
    expect(err.message).toMatch(/no Google credentials found/);
    expect(err.hint).toContain('gcloud auth application-default login');
    expect(f.requests[0].authorization).toBeUndefined();
  });

  it('403 on the job: names bigquery.jobs.create on the billing project', async () => {
    const f = await fake();
    f.setFault({ status: 403 }, 'POST /jobs');
    const err = await failure(source(f, { projectId: 'billing-proj' }).list(new AbortController().signal));
    expect(err.status).toBe(403);
    expect(err.message).toContain('bigquery.jobs.create on project billing-proj');
    expect(err.hint).toContain('roles/bigquery.jobUser');
  });

  it('403 on reading: names bigquery.tables.getData on the table', async () => {
    const f = await fake();
    f.setFault({ status: 403, message: 'Access Denied: Table nba-props:nba_raw.boxscores: User does not have permission to query table nba-props:nba_raw.boxscores, or perhaps it does not exist.' }, 'POST /queries');
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toContain('bigquery.tables.getData on table nba-props.nba_raw.boxscores');
    expect(err.hint).toContain('roles/bigquery.dataViewer');
  });

  it('403 on the metadata: names bigquery.tables.get', async () => {
    const f = await fake();
    f.setFault({ status: 403 });
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toContain('bigquery.tables.get on table nba-props.nba_raw.boxscores');
  });

  it('403 for a rate limit: not taken for a missing permission', async () => {
    const f = await fake();
    f.setFault({ status: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many concurrent queries for this project_and_region.' });
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toMatch(/rate limited \(403\)/);
    expect(err.message).not.toMatch(/permission denied/);
  });

  it('404: names the table', async () => {
    const f = await fake();
    f.setFault({ status: 404 });
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.status).toBe(404);
    expect(err.message).toContain('table nba-props.nba_raw.boxscores not found');
    expect(err.hint).toContain('warehouse.table');
  });

  it('404 for the dataset: names the dataset', async () => {
    const f = await fake();
    f.setFault({ status: 404, message: 'Not found: Dataset nba-props:nba_raw' });
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toContain('dataset nba-props.nba_raw not found');
  });

  it('404 for a table that is not there (no fault): same explanation', async () => {
    const f = await fake();
    const err = await failure(createBigQuerySource({ table: 'nba-props.nba_raw.nope', column: 'game_date', keyFormat: 'date', apiEndpoint: f.url }).list(new AbortController().signal));
    expect(err.message).toContain('table nba-props.nba_raw.nope not found');
  });

  it.each([429, 500, 503])('%i: retried twice, a second apart at most, then reported', async (status) => {
    const f = await fake();
    f.setFault({ status });
    const started = Date.now();
    const err = await failure(source(f).list(new AbortController().signal));
    expect(Date.now() - started).toBeLessThan(6000); // the client's default is ~15 s
    expect(f.calls).toEqual(Array(3).fill('GET /datasets/nba_raw/tables/boxscores'));
    expect(err.status).toBe(status);
    expect(err.message).toMatch(/after retries/);
  });

  it('recovers on the next look once the fault clears', async () => {
    const f = await fake();
    f.setFault({ status: 400, message: 'Unrecognized name: game_date' }, 'POST /queries');
    const src = source(f);
    const err = await failure(src.list(new AbortController().signal));
    expect(err.message).toContain('Unrecognized name: game_date');
    f.setFault(null);
    expect((await src.list(new AbortController().signal)).keys.size).toBe(DATES.length);
  });

  it('a server that never answers: gives up at timeoutMs', async () => {
    const f = await fake();
    f.setFault('hang');
    const started = Date.now();
    const err = await failure(source(f, { timeoutMs: 300 }).list(new AbortController().signal));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(err.message).toMatch(/no answer within 0.3 s \(metadata\)/);
  });

  // Tester F23: a never-answering warehouse showed "checking…" for the whole look (60 s and more).
  it('a server that never answers one request: given up at the request limit, well before the look limit', async () => {
    const f = await fake();
    f.setFault('hang', 'POST /jobs');
    const err = await failure(source(f, { timeoutMs: 60_000, requestTimeoutMs: 300 }).list(new AbortController().signal));
    expect(err.message).toBe('BigQuery: no answer within 0.3 s (dry run)');
    expect(err.hint).toBe('check the network and warehouse.apiEndpoint (or BIGQUERY_EMULATOR_HOST)');
  });

  it.each(['', 'POST /jobs', 'POST /queries', 'GET /queries'])('a body that is not JSON (at %j): reported, not hung', async (only) => {
    const f = await fake({ incompletePolls: 1 });
    f.setFault('garbage', only);
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toMatch(/not JSON/);
    expect(err.hint).toMatch(/proxy/);
  });
  it('a JSON answer cut short: retried like a dropped connection, then reported', async () => {
    const f = await fake();
    f.setFault('broken-json');
    const err = await failure(source(f).list(new AbortController().signal));
    expect(err.message).toMatch(/not JSON/);
    expect(f.calls).toEqual(Array(3).fill('GET /datasets/nba_raw/tables/boxscores'));
  });
});

describe('BigQuery source: abort', () => {
  it('stops between polls of a query that never completes', async () => {
    const f = await fake({ incompletePolls: 1_000_000 });
    const stop = new AbortController();
    const listing = source(f).list(stop.signal);
    await f.waitForCall('GET /queries/');
    stop.abort(new Error('operator pressed q'));
    await expect(listing).rejects.toThrow('operator pressed q');
  });

  it('stops waiting for a request that hangs', async () => {
    const f = await fake();
    f.setFault('hang');
    const stop = new AbortController();
    const started = Date.now();
    const listing = source(f, { timeoutMs: 20_000 }).list(stop.signal);
    await f.waitForCall('GET /datasets');
    stop.abort(new Error('shutting down'));
    await expect(listing).rejects.toThrow('shutting down');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('makes no request when already aborted', async () => {
    const f = await fake();
    const stop = new AbortController();
    stop.abort(new Error('already'));
    await expect(source(f).list(stop.signal)).rejects.toThrow('already');
    expect(f.calls).toEqual([]);
  });
});

describe('BigQuery source: config checked at start-up', () => {
  it.each([
    [{ table: 'a.b.c`; DROP TABLE x' }, /not project.dataset.table/],
    [{ column: 'game_date`; DROP' }, /not a column name/],
    [{ since: '2021-02-30' }, /warehouse.since .* is not a date/],
    [{ keyFormat: 'id' as const, until: '2021-10-01' }, /since\/until filter dates/],
  ])('%j', (over, message) => {
    expect(() => createBigQuerySource({ table: TABLE, column: 'game_date', keyFormat: 'date', ...over })).toThrow(message);
  });
});

describe('BigQuery source: streaming buffer and require_partition_filter', () => {
  const signal = () => new AbortController().signal;

  it('while the table has a streaming buffer, partitions undercount: it counts by scan, says why, and goes back to partitions after', async () => {
    // Two days of the newest games are still in the streaming buffer (__UNPARTITIONED__).
    let streaming = ['2022-06-17', '2022-06-18'];
    const f = await fake({ partitioned: true, streaming: () => streaming, bytes: 52_428_800 });
    const src = source(f);
    const first = await src.list(signal());
    expect([...first.keys].sort()).toEqual([...DATES, ...streaming]);
    expect(first).toMatchObject({ method: 'scan', bytesBilled: 52_428_800, note: 'streaming buffer (~60 rows not yet in day partitions): counted by scan' });
    expect(body(f, 'POST /jobs').configuration.query.query).not.toContain('INFORMATION_SCHEMA');

    // The buffer is flushed into partitions: the next look reads the metadata again and counts partitions.
    streaming = [];
    f.calls.length = 0;
    const after = await src.list(signal());
    expect(after).toMatchObject({ method: 'partitions', note: null });
    expect(after.keys.size).toBe(DATES.length);
    expect(f.calls).toEqual(['GET /datasets/nba_raw/tables/boxscores', 'POST /jobs', 'POST /queries']);

    // Streaming again: the scan plan was dry-run already, so only the metadata and the query.
    streaming = ['2022-06-19'];
    f.calls.length = 0;
    const again = await src.list(signal());
    expect(again.method).toBe('scan');
    expect(again.keys.has('2022-06-19')).toBe(true);
    expect(f.calls).toEqual(['GET /datasets/nba_raw/tables/boxscores', 'POST /queries']);
  });

  it('the note reaches status --json and the status text', async () => {
    const f = await fake({ partitioned: true, streaming: ['2022-06-17'] });
    const result = await source(f).list(signal());
    let state = initialState({ job: 'j', log: '/x.log', now: 0, targets: [95] });
    state = reduce(state, { type: 'expected/loaded', expected: { keys: [...DATES, '2022-06-17'], format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/e' } });
    state = reduce(state, { type: 'coverage/configured', source: 'warehouse', label: TABLE });
    state = reduce(state, { type: 'coverage/result', source: 'warehouse', result, at: 0 });
    expect(statusJson(state).coverage?.warehouse).toMatchObject({ present: 6, method: 'scan', note: expect.stringContaining('streaming buffer') });
    expect(statusText(state)).toContain('streaming buffer (~30 rows not yet in day partitions): counted by scan');
  });

  it.each([
    ['DATE', '`game_date` >= @since', '`game_date` < DATE_ADD(@until, INTERVAL 1 DAY)'],
    ['TIMESTAMP', '`game_date` >= TIMESTAMP(@since)', '`game_date` < TIMESTAMP(DATE_ADD(@until, INTERVAL 1 DAY))'],
  ])('require_partition_filter on a %s column: since/until become the filter', async (columnType, low, high) => {
    const f = await fake({ partitioned: true, requirePartitionFilter: true, columnType, streaming: ['2022-06-17'] });
    const got = await source(f, { since: '2021-10-20', until: '2022-06-17' }).list(signal());
    expect([...got.keys].sort()).toEqual(['2021-10-20', '2021-10-22', '2022-04-10', '2022-06-16', '2022-06-17']);
    const q = body(f, 'POST /queries').query;
    expect(q).toContain(low);
    expect(q).toContain(high);
  });

  it('require_partition_filter without since/until: the error names the config field, and no query is billed', async () => {
    const f = await fake({ partitioned: true, requirePartitionFilter: true, streaming: ['2022-06-17'] });
    const err = await failure(source(f).list(signal()));
    expect(err.message).toBe('BigQuery: table nba-props.nba_raw.boxscores requires a partition filter on game_date (require_partition_filter)');
    expect(err.hint).toContain('set warehouse.since (and warehouse.until)');
    expect(f.calls).toEqual(['GET /datasets/nba_raw/tables/boxscores']);
  });

  it('without a streaming buffer, partitions need no filter', async () => {
    const f = await fake({ partitioned: true, requirePartitionFilter: true });
    const got = await source(f).list(signal());
    expect(got).toMatchObject({ method: 'partitions' });
    expect(got.keys.size).toBe(DATES.length);
  });

  it('when BigQuery still refuses for want of a partition filter, the error says which config field fixes it', async () => {
    const f = await fake();
    f.setFault({ status: 400, reason: 'invalidQuery', message: "Cannot query over table 'nba-props.nba_raw.boxscores' without a filter over column(s) 'game_date' that can be used for partition elimination" }, 'POST /jobs');
    const err = await failure(source(f).list(signal()));
    expect(err.message).toContain('requires a partition filter on game_date');
    expect(err.hint).toContain('warehouse.since');
  });
});
