import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { runCliAsync, unwrapped } from './support/cli.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';

// One-shot commands against servers that accept connections and never answer: they print what they have,
// each failed source explained, and exit within their bound (`--timeout`), sockets or no sockets. Wall-clock
// limits below leave 15 s for starting Node on a loaded machine; without the bound these commands never exit.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-bounded-'));
let gcs: FakeGcs;
let bq: FakeBigQuery;
const expected = Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10));
const env = { METADATA_SERVER_DETECTION: 'none' };

beforeAll(async () => {
  gcs = await startFakeGcs({ bucket: 'bkt', objects: expected.slice(0, 20).map((k) => `p/${k}/x.json`) });
  bq = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: expected.slice(0, 10) });
  writeFileSync(path.join(dir, 'dates.csv'), expected.join('\n') + '\n');
  writeFileSync(path.join(dir, 'b.log'), '2025-11-26 23:17:10,000 - INFO -   ✅ Scraped 2022-01-03\n');
});
afterEach(() => {
  gcs.setFault(null);
  bq.setFault(null);
  rmSync(path.join(dir, 'fifo.log'), { force: true });
});
afterAll(async () => {
  await gcs.close();
  await bq.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra: object = {}) {
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({
    log: 'b.log', expected: 'dates.csv',
    storage: { url: 'gs://bkt/p/', apiEndpoint: gcs.url },
    warehouse: { table: 'pr.d.t', column: 'game_date', apiEndpoint: bq.url },
    ...extra,
  }));
}

/** Runs the CLI and says how long it took, wall clock, from spawn to exit. */
async function timed(args: string[]) {
  const t0 = Date.now();
  const r = await runCliAsync(args, { cwd: dir, env });
  return { ...r, ms: Date.now() - t0 };
}

test('a never-answering BigQuery: status --json prints storage and the warehouse timeout, then exits by --timeout', async () => {
  config();
  bq.setFault('hang');
  // The storage listing answers, so it must finish within the sources' share of the bound however loaded the
  // machine is (a 6 s bound gave it 4 s, missed at load 15 in CI): 14 s gives each source 12 s.
  const r = await timed(['status', '--json', '--timeout', '14']);
  // The warehouse look its share of the bound cut is left out: a problem, exit 1 (tester AI12).
  expect(r.code).toBe(1);
  const json = JSON.parse(r.stdout);
  expect(json.coverage.storage).toMatchObject({ present: 20, error: null });
  expect(json.coverage.warehouse.error).toMatch(/^BigQuery pr\.d\.t: no answer within 12 s/);
  expect(json.coverage.warehouse.error).toMatch(/warehouse\.apiEndpoint/);
  expect(json.problems).toEqual([expect.stringMatching(/^BigQuery pr\.d\.t: no answer within 12 s/)]);
  // Node alone takes a good part of a second to start: what matters is that the open socket did not hold it.
  expect(r.ms).toBeLessThan(14_000 + 15_000);
});

test('status --require in cron against a never-answering GCS and BigQuery exits 1 with the reason, within the bound', async () => {
  config();
  gcs.setFault('hang');
  bq.setFault('hang');
  const r = await timed(['status', '--require', '95', '--timeout', '6']);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/storage +unknown\n +(stale: )?Cloud Storage gs:\/\/bkt\/p\/: no answer within 4 s/);
  expect(r.stderr).toMatch(/--require 95: no storage coverage known \(Cloud Storage gs:\/\/bkt\/p\/: no answer within 4 s/);
  expect(r.ms).toBeLessThan(6000 + 15_000);
});

test('missing --from storage with a never-answering GCS exits 1 naming the service, within the bound', async () => {
  config();
  gcs.setFault('hang');
  const r = await timed(['missing', '--from', 'storage', '--timeout', '6']);
  expect(r.code).toBe(1);
  expect(r.stderr, r.stderr).toMatch(/cannot list missing keys from storage: Cloud Storage gs:\/\/bkt\/p\/: no answer within 4 s/);
  expect(r.ms).toBeLessThan(6000 + 15_000);
});

test('a FIFO as the log: status says what it is at once and prints the rest; nothing blocks', async () => {
  execFileSync('mkfifo', [path.join(dir, 'fifo.log')]);
  config({ log: 'fifo.log' });
  const r = await timed(['status', '--timeout', '20']);
  expect(r.code).toBe(1);
  expect(unwrapped(r.stdout)).toContain(`problem   log is not a file: ${path.join(dir, 'fifo.log')} is a FIFO (named pipe)`);
  // The run's state is `error`, as the overview and the dashboard say it (tester V14), not a calm `waiting`.
  expect(r.stdout.split('\n')[0]).toMatch(/^\S+: error  /);
  expect(r.stdout).toMatch(/storage +20\/30/);
  expect(r.ms).toBeLessThan(20_000 + 15_000);
});

test('--timeout must be a number of seconds above 0 and at most 2,000,000 (tester T9: a larger one exited at once)', async () => {
  config();
  for (const bad of ['0', 'abc', '-1', '1e9', 'Infinity', '2147484', '3000000']) {
    const r = await runCliAsync(['status', '--timeout', bad], { cwd: dir, env });
    expect([r.code, r.stderr.trim()]).toEqual([2, `backfill-tui: --timeout takes a number of seconds above 0 and at most 2,000,000, got "${bad}"`]);
  }
});
