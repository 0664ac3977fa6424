import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { runCliAsync, unwrapped } from './support/cli.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { removeDir } from './support/remove-dir.js';

// Tester AJ2: with the expected keys file missing, `status` still sent BigQuery the metadata look, the dry run and the
// billed `SELECT DISTINCT` scan (the key kind guessed), threw the answer away and said `warehouse unknown`, while the
// dashboard on the same config said `not checked: waits for the expected keys` and sent nothing. One rule for both.
let dir: string;
let bq: FakeBigQuery;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-warehouse-waits-'));
  bq = await startFakeBigQuery({ project: 'p', dataset: 'd', table: 't', rows: ['2022-01-03'] });
  writeFileSync(path.join(dir, 'bf.log'), '');
});
afterAll(async () => {
  await bq.close();
  removeDir(dir);
});

const env = { METADATA_SERVER_DETECTION: 'none' };
const config = (name: string, extra: object) =>
  writeFileSync(path.join(dir, name), JSON.stringify({ job: 'wh', log: 'bf.log', warehouse: { table: 'p.d.t', column: 'game_date', apiEndpoint: bq.url }, ...extra }));

test('status sends no warehouse query while the expected keys are not read, and says why as the dashboard does', async () => {
  config('missing.json', { expected: 'nokeys.csv' });
  config('none.json', {});
  const missing = await runCliAsync(['status', '--config', 'missing.json'], { cwd: dir, env });
  expect(unwrapped(missing.stdout)).toMatch(/\nwarehouse +.*not checked: waits for the expected keys\n/);
  const json = JSON.parse((await runCliAsync(['status', '--json', '--config', 'missing.json'], { cwd: dir, env })).stdout);
  expect(json.coverage.warehouse).toMatchObject({ present: null, error: null, note: 'not checked: waits for the expected keys' });
  const none = await runCliAsync(['status', '--config', 'none.json'], { cwd: dir, env });
  expect(unwrapped(none.stdout)).toMatch(/\nwarehouse +.*not checked: needs expected keys \(none configured\)\n/);
  expect(bq.calls).toEqual([]);
  // Read, the query goes out and counts (the fake answers: the set-up above reaches it).
  writeFileSync(path.join(dir, 'keys.csv'), '2022-01-03\n2022-01-04\n');
  config('read.json', { expected: 'keys.csv' });
  const read = await runCliAsync(['status', '--config', 'read.json'], { cwd: dir, env });
  expect(unwrapped(read.stdout)).toMatch(/\nwarehouse +.*1\/2/);
  expect(bq.calls.some((c) => c.startsWith('POST /queries'))).toBe(true);
});
