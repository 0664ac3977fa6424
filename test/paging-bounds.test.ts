import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { loadConfig } from '../src/config.js';
import { createBigQuerySource } from '../src/coverage/bigquery-source.js';
import { createGcsSource } from '../src/coverage/gcs-source.js';
import { pageCap } from '../src/coverage/page-guard.js';
import { createSourceHub } from '../src/coverage/source-hub.js';
import { SourceError } from '../src/coverage/source.js';
import { startFakeBigQuery, type FakeBigQuery, type FakeBigQueryOptions } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';

// Servers that page forever, counted at the server: a listing that would loop stops with an error naming the
// service and the cause, after a handful of requests instead of about 1,300 a minute.
const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const root = mkdtempSync(path.join(os.tmpdir(), 'bt-paging-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DATES = Array.from({ length: 7 }, (_, i) => `2022-01-0${i + 1}`);

async function gcs(fault: 'loop-token' | 'endless-pages' | 'endless-keys'): Promise<FakeGcs> {
  const f = await startFakeGcs({ bucket: 'bkt', objects: DATES.map((d) => `p/${d}/x.json`), fault });
  servers.push(f);
  return f;
}

async function bq(over: Partial<FakeBigQueryOptions>): Promise<FakeBigQuery> {
  const f = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: DATES, ...over });
  servers.push(f);
  return f;
}

const bqSource = (f: FakeBigQuery, timeoutMs = 10_000) => createBigQuerySource({ table: 'pr.d.t', column: 'game_date', keyFormat: 'date', apiEndpoint: f.url, timeoutMs });

async function failure(p: Promise<unknown>): Promise<SourceError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(SourceError);
  return err as SourceError;
}

describe('Cloud Storage paging', () => {
  test('a server that sends the same nextPageToken on every page: stopped at the repeat, 2 requests', async () => {
    const f = await gcs('loop-token');
    const e = await failure(createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url }).list(new AbortController().signal));
    expect(e.message).toBe('Cloud Storage: listing gs://bkt/p/ stopped after 2 pages: the server sent a page token it had already sent, so the listing would loop forever');
    expect(e.hint).toMatch(/storage\.apiEndpoint/);
    expect(f.requests).toBe(2);
  });

  test('a server that sends endless empty pages with new tokens: stopped after 5 in a row, 5 requests', async () => {
    const f = await gcs('endless-pages');
    const e = await failure(createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url }).list(new AbortController().signal));
    expect(e.message).toBe('Cloud Storage: listing gs://bkt/p/ stopped after 5 pages: 5 empty pages in a row, each asking for another');
    expect(f.requests).toBe(5);
  });

  test('endless pages each with a new folder and a new token: stopped at the pages 7 expected keys can explain (the floor, 100)', async () => {
    const f = await gcs('endless-keys');
    const e = await failure(createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url }).list(new AbortController().signal, { expectedKeys: 7 }));
    expect(e.message).toBe(
      'Cloud Storage: listing gs://bkt/p/ stopped after 100 pages: more pages than the 7 expected keys can explain (at most 1,000 objects a key at 1,000 objects a page, at least 100 pages: 100)',
    );
    expect(f.requests).toBe(100);
  });

  test('the hub tells its listings the most keys any job expects: 110 expected keys allow 110 pages', async () => {
    const f = await gcs('endless-keys');
    const hub = createSourceHub({ mode: 'snapshot' });
    const source = hub.storage({ url: 'gs://bkt/p/', apiEndpoint: f.url, pollSeconds: 60 });
    hub.expect(source, 20);
    hub.expect(source, 110);
    const e = await failure(source.list(new AbortController().signal));
    expect(e.message).toMatch(/^Cloud Storage: listing gs:\/\/bkt\/p\/ stopped after 110 pages: more pages than the 110 expected keys/);
    expect(f.requests).toBe(110);
    hub.close();
  });

  test('status: the listing knows the expected keys read from the file (7 keys: the floor, 100 pages)', async () => {
    const f = await gcs('endless-keys');
    writeFileSync(path.join(root, 'dates.csv'), `${DATES.join('\n')}\n`);
    writeFileSync(path.join(root, 'x.log'), '');
    const file = path.join(root, 'cfg.json');
    writeFileSync(file, JSON.stringify({ job: 'j', log: 'x.log', expected: { file: 'dates.csv' }, storage: { url: 'gs://bkt/p/', apiEndpoint: f.url } }));
    const state = await collectSnapshot(loadConfig({ file, cwd: root }), { timeoutMs: 60_000 });
    expect(state.coverage.storage?.error).toMatch(/stopped after 100 pages: more pages than the 7 expected keys can explain/);
    expect(f.requests).toBe(100);
  });

  test('the page cap: 1,000 entries a key at the page size, at least 100 pages, 10,000 while the keys are unknown', () => {
    expect(pageCap(7, 1000)).toBe(100);
    expect(pageCap(2_460, 1000)).toBe(2_460);
    expect(pageCap(20_000, 10_000)).toBe(2_000);
    expect(pageCap(500, 10_000)).toBe(100);
    expect(pageCap(undefined, 1000)).toBe(10_000);
  });

  test('an honest server paging 1 object at a time is read to the end', async () => {
    const f = await startFakeGcs({ bucket: 'bkt', objects: DATES.map((d) => `p/${d}/x.json`), pageSize: 1 });
    servers.push(f);
    const r = await createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url }).list(new AbortController().signal);
    expect([...r.keys].sort()).toEqual(DATES);
  });
});

describe('BigQuery paging and polling', () => {
  test('a result that repeats its pageToken: stopped with the cause, after 2 pages', async () => {
    const f = await bq({ pageSize: 2, loopPageToken: 'again' });
    const e = await failure(bqSource(f).list(new AbortController().signal));
    expect(e.message).toBe('BigQuery: listing the result of the key scan on pr.d.t stopped after 2 pages: the server sent a page token it had already sent, so the listing would loop forever');
    expect(f.calls.filter((c) => c.startsWith('GET /queries/'))).toHaveLength(1);
  });

  test('endless result pages each with a new row and a new token: stopped at the floor of 100 pages for 7 expected keys', async () => {
    const f = await bq({ endlessPages: true });
    const e = await failure(bqSource(f).list(new AbortController().signal, { expectedKeys: 7 }));
    expect(e.message).toBe(
      'BigQuery: listing the result of the key scan on pr.d.t stopped after 100 pages: more pages than the 7 expected keys can explain (at most 1,000 rows a key at 10,000 rows a page, at least 100 pages: 100)',
    );
    // The first page comes with the POST /queries answer, the other 99 from GET /queries/JOB.
    expect(f.calls.filter((c) => c.startsWith('GET /queries/'))).toHaveLength(99);
  });

  test('jobComplete:false forever: polls pause and double, so a 3 s look makes a handful of requests, and the timeout names BigQuery', async () => {
    const f = await bq({ incompletePolls: Infinity });
    const e = await failure(bqSource(f, 3000).list(new AbortController().signal));
    expect(e.message).toMatch(/^BigQuery: no answer within 3 s \(results\)$/);
    const polls = f.calls.filter((c) => c.startsWith('GET /queries/')).length;
    // Pauses of 0.25, 0.5, 1 and 2 s fit about 5 polls in 3 s; without them this server is asked hundreds of times.
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(6);
  });
});

describe('BigQuery rows are read one way, by column name, on every page', () => {
  test('a result whose key is not its first column: every page reads the key column', async () => {
    const f = await bq({ pageSize: 3, leadingColumn: 'player' });
    const r = await bqSource(f).list(new AbortController().signal);
    expect([...r.keys].sort()).toEqual(DATES);
  });

  test('a result without the key column is an error naming the columns it has, not zero keys', async () => {
    const f = await bq({ pageSize: 3, resultColumn: 'game_date' });
    const e = await failure(bqSource(f).list(new AbortController().signal));
    expect(e.message).toBe('BigQuery: the query result has no column "key" (columns: game_date), so no key can be read');
  });
});
