import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import stringWidth from 'string-width';
import { runCliAsync, unwrapped } from './support/cli.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs } from './support/fake-gcs-server.js';

// The real clients against loopback servers, from the built CLI: what `status --json` says of coverage.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-covcli-'));
let gcs: FakeGcs;
let bq: FakeBigQuery;
const expected = Array.from({ length: 853 }, (_, i) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10));
const inStorage = [...expected.slice(0, 651), '2030-01-01', '2030-01-02'];
const inWarehouse = expected.slice(0, 640);

beforeAll(async () => {
  gcs = await startFakeGcs({ bucket: 'nba-scraped-data', objects: inStorage.map((k) => `nba-com/player-boxscores/${k}/20251126_231710.json`) });
  bq = await startFakeBigQuery({ project: 'nba-props-platform', dataset: 'nba_raw', table: 'nbac_player_boxscores', rows: inWarehouse, incompletePolls: 1, bytes: 10_485_760, pageSize: 500 });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'dates.csv'), expected.join('\n') + '\n');
});
afterEach(() => {
  gcs.setFault(null);
  bq.setFault(null);
});
afterAll(async () => {
  await gcs.close();
  await bq.close();
  rmSync(dir, { recursive: true, force: true });
});

function config(extra: object = {}) {
  writeFileSync(
    path.join(dir, 'backfill-tui.config.json'),
    JSON.stringify({
      log: 'b.log',
      expected: 'dates.csv',
      storage: { url: 'gs://nba-scraped-data/nba-com/player-boxscores/', apiEndpoint: gcs.url, projectId: 'nba-props-platform' },
      warehouse: { table: 'nba-props-platform.nba_raw.nbac_player_boxscores', column: 'game_date', apiEndpoint: bq.url, projectId: 'nba-props-platform' },
      ...extra,
    }),
  );
}

test('status --json: exact coverage of both sources, extra keys apart, lag, targets with keys needed', async () => {
  config();
  const r = await runCliAsync(['status', '--json'], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
  expect(r.stderr).toBe('');
  const c = JSON.parse(r.stdout).coverage;
  expect(c.expected).toBe(853);
  expect(c.storage).toMatchObject({ present: 651, extra: 2, percent: 76.31, stale: false, error: null });
  expect(c.warehouse).toMatchObject({ present: 640, extra: 0, error: null, bytesBilled: 10_485_760 });
  expect(c.lag).toBe(11);
  expect(c.targets[0]).toEqual({ percent: 95, keys: 811, storage: { met: false, needed: 160 }, warehouse: { met: false, needed: 171 } });
  expect(c.targets[2]).toMatchObject({ percent: 100, keys: 853 });
});

test('missing --from lag lists the keys waiting for the Phase 2 load', async () => {
  config();
  const r = await runCliAsync(['missing', '--from', 'lag'], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(expected.slice(640, 651));
});

test('missing with an expected keys file it cannot read says so, not "no storage configured" (tester T25 class)', async () => {
  config({ expected: 'gone.csv' });
  for (const from of ['storage', 'lag']) {
    const r = await runCliAsync(['missing', '--from', from], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`backfill-tui: cannot list missing keys: expected keys file not found: ${path.join(dir, 'gone.csv')}\n`);
  }
});

test('a failing warehouse does not stop storage; its error says what to do', async () => {
  config();
  bq.setFault({ status: 404, message: 'Not found: Table nba-props-platform:nba_raw.nbac_player_boxscores' });
  const r = await runCliAsync(['status', '--json'], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
  const c = JSON.parse(r.stdout).coverage;
  expect(c.storage.present).toBe(651);
  expect(c.warehouse.error).toMatch(/nbac_player_boxscores/);
  expect(c.lag).toBeNull();
});

// Tester Z10: one job's text status printed a source's problem as one ~200-column line. Every line fits 80 columns
// (piped: 80), a long one wrapped at spaces under its text, nothing of it lost.
test('text status of one job: a failing source\'s long problem is wrapped within 80 columns, hanging under its text', async () => {
  config();
  gcs.setFault({ status: 403 });
  const r = await runCliAsync(['status'], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
  const lines = r.stdout.trimEnd().split('\n');
  for (const l of lines) expect(stringWidth(l), l).toBeLessThanOrEqual(80);
  // The problem is there whole: its words, in order, over its lines, the lines after the first hanging under its text.
  const problem = 'Cloud Storage: permission denied (403): storage.objects.list on bucket nba-scraped-data → grant roles/storage.objectViewer (it has storage.objects.list) to the account in use (see `gcloud auth list`)';
  expect(problem.length).toBeGreaterThan(160);
  const at = lines.findIndex((l) => l.startsWith('          Cloud Storage: permission denied'));
  expect(at, r.stdout).toBeGreaterThan(-1);
  const said = [lines[at]];
  for (const l of lines.slice(at + 1)) if (/^ {10}\S/.test(l)) said.push(l); else break;
  expect(said.map((l) => l.trim()).join(' '), r.stdout).toBe(problem);
  expect(said.length).toBeGreaterThan(2);
});

test('--require 95 --source warehouse exits 1 when the warehouse is short', async () => {
  config();
  const r = await runCliAsync(['status', '--require', '95', '--source', 'warehouse'], { cwd: dir, env: { METADATA_SERVER_DETECTION: 'none' } });
  expect(r.code).toBe(1);
  expect(r.stderr).toContain('171 more needed');
});

// Tester V10: a source the job does not have read as exit 1, which a CI check takes for "target not met".
test('asking for a source the job does not have is a usage error (exit 2) naming it, for --require and for missing', async () => {
  writeFileSync(path.join(dir, 'only-storage.json'), JSON.stringify({ job: 'solo', log: 'b.log', expected: 'dates.csv', storage: { url: 'st' } }));
  mkdirSync(path.join(dir, 'st'), { recursive: true });
  const req = await runCliAsync(['status', '--config', 'only-storage.json', '--require', '95', '--source', 'warehouse'], { cwd: dir });
  expect(req.code).toBe(2);
  expect(req.stderr).toBe('backfill-tui: --require 95 --source warehouse: solo has no warehouse configured\n');
  // Said before anything is read, as `--require 150` is: no snapshot first (tester AF8 b).
  expect(req.stdout).toBe('');
  // For lag, the source it lacks is named (tester AA7: `has no storage and warehouse configured` read as neither).
  for (const [from, says] of [
    ['warehouse', 'backfill-tui: cannot list missing keys from warehouse: solo has no warehouse configured\n'],
    ['lag', 'backfill-tui: cannot list missing keys from storage and warehouse: solo has no warehouse configured (--from lag needs storage and warehouse)\n'],
  ]) {
    const m = await runCliAsync(['missing', '--config', 'only-storage.json', '--from', from], { cwd: dir });
    expect(m.code).toBe(2);
    expect(m.stdout).toBe('');
    expect(m.stderr).toBe(says);
  }
  // The source it has still answers: 0 of the keys are in the empty folder, so 95 % is not met (exit 1).
  const met = await runCliAsync(['status', '--config', 'only-storage.json', '--require', '95'], { cwd: dir });
  expect(met.code).toBe(1);
});

// Tester Y8: `--require` said `5075/5299 is below 98 % (5194 keys, 119 more needed)` beside `5,075/5,299`.
test('--require says its counts with the thousands separators the rest has', async () => {
  const d = mkdtempSync(path.join(os.tmpdir(), 'bt-require-'));
  try {
    writeFileSync(path.join(d, 'e.csv'), Array.from({ length: 1200 }, (_, i) => new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10)).join('\n') + '\n');
    writeFileSync(path.join(d, 'x.log'), '');
    mkdirSync(path.join(d, 'st'));
    const r = await runCliAsync(['status', '--require', '95', '--log', 'x.log', '--expected', 'e.csv', '--storage', 'st'], { cwd: d });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('storage coverage 0/1,200 is below 95 % (1,140 keys, 1,140 more needed)');
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('text status names the expected file\'s blank and duplicate lines, as --json does (tester X9)', async () => {
  const d = mkdtempSync(path.join(dir, 'blank-'));
  writeFileSync(path.join(d, 'dates.csv'), '2021-10-19\n\n  \n2021-10-19\n2021-10-20\n2021-10-21\n2021-10-20\n');
  writeFileSync(path.join(d, 'backfill-tui.config.json'), JSON.stringify({ log: 'b.log', expected: 'dates.csv' }));
  const json = JSON.parse((await runCliAsync(['status', '--json'], { cwd: d })).stdout);
  expect(json.coverage.expectedProblems).toMatchObject({ blank: 2, duplicates: 2 });
  const text = unwrapped((await runCliAsync(['status'], { cwd: d })).stdout);
  expect(text).toContain(`expected  2 blank lines and 2 duplicate keys in ${path.join(d, 'dates.csv')} not counted (3 keys counted)`);
  writeFileSync(path.join(d, 'dates.csv'), '2021-10-19\n2021-10-20\n');
  expect((await runCliAsync(['status'], { cwd: d })).stdout).not.toContain('not counted');
});
