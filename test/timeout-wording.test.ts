import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { lookOnce } from '../src/app/look-once.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { loadConfig } from '../src/config.js';
import type { KeySource } from '../src/coverage/source.js';
import type { AppEvent } from '../src/state/events.js';
import { warehouseSource } from '../src/app/make-sources.js';
import { startFakeBigQuery } from './support/fake-bigquery-server.js';

// Tester F30: with --timeout 2 the sources got 0 s and a refused connection read "no answer within 0 s".
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-timeout-words-'));
let closedPort = 0;
beforeAll(async () => {
  // A port that refuses: bound once, then closed.
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  closedPort = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  // The clients are loaded before the clock starts: this test is about the share and the words, not load time.
  await Promise.all([import('../src/coverage/gcs-source.js'), import('../src/coverage/bigquery-source.js')]);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('--timeout 2: each cloud source gets 1 s, and a refused connection is called refused, not "no answer"', async () => {
  writeFileSync(path.join(dir, 'x.log'), '');
  writeFileSync(path.join(dir, 'dates.csv'), '2022-01-01\n');
  const endpoint = `http://127.0.0.1:${closedPort}`;
  const file = path.join(dir, 'cfg.json');
  writeFileSync(
    file,
    JSON.stringify({
      job: 'j',
      log: 'x.log',
      expected: { file: 'dates.csv' },
      storage: { url: 'gs://bkt/p/', apiEndpoint: endpoint },
      warehouse: { table: 'pr.d.t', column: 'game_date', apiEndpoint: endpoint },
    }),
  );
  const state = await collectSnapshot(loadConfig({ file, cwd: dir }), { timeoutMs: 2000 });
  expect(state.coverage.storage?.error).toBe(`Cloud Storage gs://bkt/p/: connection refused at 127.0.0.1:${closedPort}: nothing listens there`);
  expect(state.coverage.warehouse?.error).toBe(`BigQuery pr.d.t: connection refused at 127.0.0.1:${closedPort}: nothing listens there`);
});

test('a source that never got to send a request says so, not "no answer"', async () => {
  const idle: KeySource = {
    name: 'storage',
    label: 'gs://bkt/p/',
    service: 'Cloud Storage',
    list: (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
  };
  const events: AppEvent[] = [];
  await lookOnce(idle, (e) => events.push(e), () => 0, AbortSignal.timeout(50), 500);
  const error = events.find((e) => e.type === 'coverage/error');
  expect(error && error.type === 'coverage/error' && error.error.message).toBe(
    'Cloud Storage gs://bkt/p/: no request sent within 0.5 s (the client library was still loading, or the look waited its turn)',
  );
});

// Tester AG6 m: a local storage folder not counted in time read `no request sent … (the client library was still
// loading …)`: it sends no request and loads no library.
test('a local folder not counted in time says so, with how far it got, never a request or a client library', async () => {
  const slow = (done: number): KeySource => ({
    name: 'storage',
    label: '/tmp/h76/cr/storage',
    list: (signal, options) => {
      if (done > 0 && options?.trace) options.trace.progress = { done, of: 620, unit: 'folders' };
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    },
  });
  for (const [done, words] of [[0, 'storage /tmp/h76/cr/storage: folders not counted within 4 s: a busy machine or a slow file system'], [300, 'storage /tmp/h76/cr/storage: folders not counted within 4 s (300 of 620 folders counted): a busy machine or a slow file system']] as const) {
    const events: AppEvent[] = [];
    await lookOnce(slow(done), (e) => events.push(e), () => 0, AbortSignal.timeout(50), 4000, { asked: 0 });
    const error = events.find((e) => e.type === 'coverage/error');
    expect(error && error.type === 'coverage/error' && error.error.message).toBe(words);
    expect(error && error.type === 'coverage/error' && error.error.hint).toBe('give it longer with --timeout');
  }
});

// Tester T8: a job that stays jobComplete:false was "no answer within 20 s", and --timeout could not give it longer.
test('a BigQuery job that never completes is said as such when the time runs out', async () => {
  const f = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: ['2022-01-01'], incompletePolls: Infinity });
  try {
    const events: AppEvent[] = [];
    const source = warehouseSource({ table: 'pr.d.t', column: 'game_date', apiEndpoint: f.url, pollSeconds: 300 }, 'date');
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 1500);
    await lookOnce(source, (e) => events.push(e), () => 0, ac.signal, 1500);
    const error = events.find((e) => e.type === 'coverage/error');
    expect(error && error.type === 'coverage/error' && error.error.message).toMatch(/^BigQuery pr\.d\.t: the query \S+ had not completed \(jobComplete false \d+ times?\) within 1\.5 s$/);
  } finally {
    await f.close();
  }
});
