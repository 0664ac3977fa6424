import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { explainError } from '../src/coverage/explain-error.js';
import { createGcsSource, storageOrigin, parseGsUrl, type GcsSourceOptions } from '../src/coverage/gcs-source.js';
import { computeCoverage } from '../src/coverage/math.js';
import { SourceError } from '../src/coverage/source.js';
import { startFakeGcs, type FakeGcs, type FakeGcsOptions } from './support/fake-gcs-server.js';

const BUCKET = 'nba-scraped-data';
const PREFIX = 'nba-com/player-boxscores/';
const URL_ = `gs://${BUCKET}/${PREFIX}`;

/** 853 consecutive dates from 2021-10-19, like game_dates_to_scrape.csv (the gaps do not matter here). */
const dates = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2021, 9, 19 + i)).toISOString().slice(0, 10));
/** Two objects per key folder, as a scraper writes them. */
const folders = (keys: string[]) => keys.flatMap((k) => [`${PREFIX}${k}/a.json`, `${PREFIX}${k}/b.json`]);

let fakes: FakeGcs[] = [];
afterEach(async () => {
  await Promise.all(fakes.map((f) => f.close()));
  fakes = [];
});

async function fake(opts: Partial<FakeGcsOptions> = {}): Promise<FakeGcs> {
  const f = await startFakeGcs({ bucket: BUCKET, objects: [], ...opts });
  fakes.push(f);
  return f;
}

// Small retry waits so the 429/500 cases take milliseconds; the retry count is the real one.
const source = (f: FakeGcs, opts: Partial<GcsSourceOptions> = {}) => createGcsSource({ url: URL_, apiEndpoint: f.url, retryDelayMs: 10, ...opts });
const list = (src: ReturnType<typeof createGcsSource>, signal = new AbortController().signal) => src.list(signal);
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as SourceError);

describe('placeholders are not data', () => {
  test('a prefix holding only a zero-byte KEY/ object (Console "Create folder") is not present; one with a real object too is', async () => {
    const f = await fake({
      objects: [
        `${PREFIX}2022-04-12/`, // placeholder only
        `${PREFIX}2022-04-13/`, `${PREFIX}2022-04-13/20251126_231710.json`, // placeholder and data
        { name: `${PREFIX}2022-04-14/_SUCCESS`, size: 0 }, // an empty file is no data either
        { name: `${PREFIX}2022-04-15/a.json`, size: 5120 },
      ],
    });
    const r = await list(source(f));
    expect([...r.keys].sort()).toEqual(['2022-04-13', '2022-04-15']);
    const c = computeCoverage(['2022-04-12', '2022-04-13', '2022-04-14', '2022-04-15'], r.keys, [100]);
    expect(c).toMatchObject({ present: 2, missing: ['2022-04-12', '2022-04-14'] });
  });

  test('with keyPattern too', async () => {
    const f = await fake({ objects: [`${PREFIX}x/0022100001/`, { name: `${PREFIX}x/0022100002/box.json`, size: 10 }] });
    const r = await list(source(f, { keyPattern: '/(?<key>\\d{10})/' }));
    expect([...r.keys]).toEqual(['0022100002']);
  });
});

describe('listing folders', () => {
  test('853 keys of two objects each: 1,706 objects, 2 requests (one per 1,000 objects), names and sizes only', async () => {
    const keys = dates(853);
    const f = await fake({ objects: [...folders(keys), `${PREFIX}_manifest.json`, 'nba-com/other/2021-10-19/x.json'] });
    const r = await list(source(f));
    expect(r.keys).toEqual(new Set(keys));
    expect(r).toMatchObject({ requests: 2, method: 'objects', bytesBilled: null });
    expect(f.requests).toBe(2);
    expect(Object.fromEntries(f.queries[0])).toEqual({ prefix: PREFIX, maxResults: '1000', fields: 'items(name,size),nextPageToken' });
  });

  test('a page that ends inside a key already holding data: the next request starts past that key', async () => {
    // 3,000 objects in one folder (one per retry of a flaky key, say), then one more key.
    const many = Array.from({ length: 3000 }, (_, i) => `${PREFIX}2022-04-17/${String(i).padStart(5, '0')}.json`);
    const f = await fake({ objects: [...many, `${PREFIX}2022-04-18/a.json`] });
    const r = await list(source(f));
    expect(r.keys).toEqual(new Set(['2022-04-17', '2022-04-18']));
    expect([r.requests, f.requests]).toEqual([2, 2]);
    expect(f.queries[1].get('startOffset')).toBe(`${PREFIX}2022-04-170`);
    expect(f.queries[1].has('pageToken')).toBe(false);
  });

  test('a page that ends inside a key with no data yet: followed with pageToken', async () => {
    const f = await fake({ objects: [...Array.from({ length: 14 }, (_, i) => `${PREFIX}2022-04-17/p${String(i).padStart(2, '0')}/`), `${PREFIX}2022-04-17/z.json`], pageSize: 10 });
    const r = await list(source(f));
    expect(r.keys).toEqual(new Set(['2022-04-17']));
    expect([r.requests, f.requests]).toEqual([2, 2]);
    expect(f.queries.map((q) => q.has('pageToken'))).toEqual([false, true]);
  });

  test('2,500 keys of two objects: at most one request per 1,000 objects', async () => {
    const f = await fake({ objects: folders(dates(2500)) });
    const r = await list(source(f));
    expect(r.keys.size).toBe(2500);
    expect(r.requests).toBeLessThanOrEqual(5);
    expect(f.requests).toBe(r.requests);
  });

  test('folders outside the expected list are counted as extra, never as present', async () => {
    const expected = dates(853);
    const stored = [...expected.slice(0, 622), '2019-01-01', '2019-01-02', 'tmp'];
    const f = await fake({ objects: folders(stored) });
    const c = computeCoverage(expected, (await list(source(f))).keys, [95]);
    expect(c).toMatchObject({ present: 622, extra: 3 });
    expect(c.targets[0]).toMatchObject({ keys: 811, needed: 189 });
  });

  test('a growing bucket is seen on the next list', async () => {
    let objects = folders(dates(3));
    const f = await fake({ objects: () => objects });
    const src = source(f);
    expect((await list(src)).keys.size).toBe(3);
    objects = folders(dates(5));
    expect((await list(src)).keys.size).toBe(5);
  });

  test('with keyPattern, objects are listed and keys taken from their names', async () => {
    const f = await fake({
      objects: [`${PREFIX}2024-25/0022400001/box.json`, `${PREFIX}2024-25/0022400001/pbp.json`, `${PREFIX}2024-25/0022400002/box.json`, `${PREFIX}2024-25/readme.txt`],
      pageSize: 2,
    });
    const r = await list(source(f, { keyPattern: '/(?<key>\\d{10})/' }));
    expect(r.keys).toEqual(new Set(['0022400001', '0022400002']));
    expect(r).toMatchObject({ method: 'objects', requests: 2 });
    expect(f.queries[0].has('delimiter')).toBe(false);
  });
});

describe('endpoint settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['STORAGE_EMULATOR_HOST', 'HOME', 'GOOGLE_APPLICATION_CREDENTIALS']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  test('STORAGE_EMULATOR_HOST (with /storage/v1) is honoured by the client itself', async () => {
    const f = await fake({ objects: folders(dates(4)) });
    process.env.STORAGE_EMULATOR_HOST = `${f.url}/storage/v1`;
    const r = await list(createGcsSource({ url: URL_ }));
    expect([r.keys.size, f.requests]).toEqual([4, 1]);
  });

  // Tester F29: the README said "with /storage/v1" while the client adds it to apiEndpoint itself, so requests went
  // to /storage/v1/storage/v1/b/...; both forms are now accepted, for the option and the variable alike.
  test.each([
    ['apiEndpoint without /storage/v1', (u: string) => ({ apiEndpoint: u }), {}],
    ['apiEndpoint with /storage/v1', (u: string) => ({ apiEndpoint: `${u}/storage/v1` }), {}],
    ['apiEndpoint with /storage/v1/', (u: string) => ({ apiEndpoint: `${u}/storage/v1/` }), {}],
    ['STORAGE_EMULATOR_HOST without /storage/v1', () => ({}), { env: '' }],
  ] as const)('%s: the requests reach /storage/v1/b/BUCKET/o', async (_name, opts, how) => {
    const f = await fake({ objects: folders(dates(4)) });
    if ('env' in how) process.env.STORAGE_EMULATOR_HOST = f.url;
    const r = await list(createGcsSource({ url: URL_, ...opts(f.url) }));
    expect([r.keys.size, f.requests]).toEqual([4, 1]);
  });

  test('storage.apiEndpoint wins over STORAGE_EMULATOR_HOST (the client alone lets the variable win)', async () => {
    const f = await fake({ objects: folders(dates(4)) });
    process.env.STORAGE_EMULATOR_HOST = 'http://127.0.0.1:9/storage/v1';
    const r = await list(createGcsSource({ url: URL_, apiEndpoint: f.url }));
    expect([r.keys.size, f.requests]).toEqual([4, 1]);
  });

  test('storageOrigin: both forms, trailing slashes, a host without scheme', () => {
    expect(storageOrigin('http://h:1/storage/v1', {})).toBe('http://h:1');
    expect(storageOrigin('http://h:1//', {})).toBe('http://h:1');
    expect(storageOrigin(undefined, { STORAGE_EMULATOR_HOST: 'h:2/storage/v1/' })).toBe('https://h:2');
    expect(storageOrigin(undefined, {})).toBeUndefined();
  });

  test('no credentials: the hint says gcloud auth application-default login', async () => {
    // An empty HOME has no application_default_credentials.json; METADATA_SERVER_DETECTION=none (vitest config) skips GCE.
    const home = await mkdtemp(join(tmpdir(), 'no-adc-'));
    process.env.HOME = home;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    try {
      const f = await fake({ objects: folders(dates(4)), fault: { status: 401 } });
      const e = await failure(list(source(f, { authenticate: true })));
      expect(e).toBeInstanceOf(SourceError);
      expect(e.message).toBe('Cloud Storage: no Google credentials found');
      expect(e.hint).toContain('gcloud auth application-default login');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('failures', () => {
  test.each([
    { fault: { status: 401 as const }, requests: 1, status: 401, message: /not authenticated \(401\)/, hint: /gcloud auth application-default login/ },
    { fault: { status: 403 as const }, requests: 1, status: 403, message: /permission denied \(403\): storage\.objects\.list on bucket nba-scraped-data/, hint: /roles\/storage\.objectViewer/ },
    { fault: { status: 404 as const }, requests: 1, status: 404, message: /bucket nba-scraped-data not found/, hint: /storage\.url/ },
    { fault: { status: 429 as const }, requests: 3, status: 429, message: /rate limited \(429\) after retries/, hint: /backs off/ },
    { fault: { status: 500 as const }, requests: 3, status: 500, message: /server error 500 after retries: Backend Error/, hint: /next poll/ },
    { fault: 'garbage' as const, requests: 1, status: null, message: /answer was not JSON.*Sign in/, hint: /proxy or a login page/ },
  ])('$fault → $message', async ({ fault, requests, status, message, hint }) => {
    const f = await fake({ objects: folders(dates(4)), fault });
    const e = await failure(list(source(f)));
    expect(e).toBeInstanceOf(SourceError);
    expect(e.message).toMatch(message);
    expect(e.hint).toMatch(hint);
    expect(e.status).toBe(status);
    expect(f.requests).toBe(requests); // 429 and 500 were retried twice by the client
  });

  test('a bucket that does not exist', async () => {
    const f = await fake({ objects: folders(dates(4)) });
    const e = await failure(list(createGcsSource({ url: 'gs://no-such-bucket/x/', apiEndpoint: f.url })));
    expect(e).toMatchObject({ message: 'Cloud Storage: bucket no-such-bucket not found (404)', status: 404 });
  });

  test('one 500 is retried by the client and the list succeeds', async () => {
    const f = await fake({ objects: folders(dates(4)), fault: { status: 500, times: 1 } });
    const r = await list(source(f));
    expect([r.keys.size, r.requests, f.requests]).toEqual([4, 1, 2]);
  });

  test('a server that never answers times out within the bound', async () => {
    const f = await fake({ objects: folders(dates(4)), fault: 'hang' });
    const t0 = performance.now();
    const e = await failure(list(source(f, { timeoutMs: 200 })));
    const bound = 3 * 200 + 2 * 10 + 1000; // tries × timeout + retry waits + our own margin
    expect(performance.now() - t0).toBeLessThan(bound);
    expect(e.message).toBe('Cloud Storage: no answer within 0.2 s, after retries');
    expect(f.requests).toBe(3);
  });
});

describe('abort', () => {
  test('mid-listing: no page is asked for after the abort', async () => {
    const ac = new AbortController();
    const f = await fake({ objects: folders(dates(50)), pageSize: 10, onRequest: (n) => n === 2 && ac.abort() });
    await expect(list(source(f), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.requests).toBe(2);
  });

  test('while a request hangs: the list ends at once, not at the timeout', async () => {
    const ac = new AbortController();
    const f = await fake({ objects: [], fault: 'hang', onRequest: () => ac.abort() });
    // A 60 s timeout: were the abort ignored, the test timeout would fail this test.
    await expect(list(source(f, { timeoutMs: 60_000 }), ac.signal)).rejects.toMatchObject({ name: 'AbortError' });
  });

  test('an already aborted signal sends no request', async () => {
    const f = await fake({ objects: folders(dates(2)) });
    await expect(list(source(f), AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' });
    expect(f.requests).toBe(0);
  });
});

describe('parseGsUrl', () => {
  test.each([
    ['gs://nba-scraped-data/nba-com/player-boxscores/', 'nba-scraped-data', 'nba-com/player-boxscores/'],
    ['gs://nba-scraped-data/nba-com/player-boxscores', 'nba-scraped-data', 'nba-com/player-boxscores/'],
    ['gs://bucket', 'bucket', ''],
    ['gs://bucket/', 'bucket', ''],
    ['gs://my.bucket_1/a', 'my.bucket_1', 'a/'],
  ])('%s', (url, bucket, prefix) => {
    expect(parseGsUrl(url)).toEqual({ bucket, prefix });
  });

  test.each(['s3://bucket/x', 'gs://Bucket/x', 'gs://', '/data/out', 'gs://b/x'])('%s is refused', (url) => {
    expect(() => parseGsUrl(url)).toThrow(SourceError);
  });

  test('a keyPattern without a key group is refused up front', () => {
    expect(() => createGcsSource({ url: URL_, keyPattern: '\\d+' })).toThrow('has no named group "key"');
  });
});

describe('explainError (the BigQuery shapes it must also read)', () => {
  const ctx = { service: 'BigQuery', resource: 'table p.d.t', permission: 'bigquery.tables.getData', setting: 'warehouse.table' };
  test.each([
    [{ code: 403, message: 'Access Denied: Project p: User does not have bigquery.jobs.create permission in project p.', errors: [{ reason: 'accessDenied' }] }, 'BigQuery: permission denied (403): bigquery.jobs.create on table p.d.t'],
    [{ code: 403, message: 'Exceeded rate limits: too many table update operations', errors: [{ reason: 'rateLimitExceeded' }] }, 'BigQuery: rate limited (403) after retries: Exceeded rate limits: too many table update operations'],
    [{ code: 404, message: 'Not found: Table p:d.t' }, 'BigQuery: table p.d.t not found (404)'],
    [{ response: { status: 503 }, message: 'unavailable' }, 'BigQuery: server error 503 after retries: unavailable'],
    [{ message: 'invalid_grant: reauth related error (invalid_rapt)' }, 'BigQuery: credentials rejected (invalid_grant: reauth related error (invalid_rapt))'],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9050' }, 'BigQuery: connection refused at 127.0.0.1:9050: nothing listens there'],
    [new SyntaxError('Unexpected token < in JSON at position 0'), 'BigQuery: the answer was not JSON (Unexpected token < in JSON at position 0)'],
    ['a string', 'BigQuery: a string'],
  ])('%j', (err, message) => {
    expect(explainError(err, ctx).message).toBe(message);
  });
});
