import { appendFileSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliAsync } from './support/cli.js';

// Tester Z12: `status --timeout 1` cut mid-log printed the failures of the part read as facts (text and JSON, exit 0)
// while `missing --from failures` rightly refused. Every figure of the log is withheld while it is not read to its
// end: the run (tester W12), the earlier runs, the failing keys and their groups, the suspicious keys; and the exit
// is 1, the run not known, for one job, one job of several, and several.
const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-partial-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A finished run of three keys at `hh:00`, failing `failed`. */
function run(hh: string, failed: string[]): string {
  const keys = ['2022-01-03', '2022-01-04', '2022-01-05'];
  const at = (s: number) => `2025-11-26 ${hh}:00:0${s},000`;
  const lines = [`${at(0)} - INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized`, `${at(0)} - INFO - Loaded 3 dates from /tmp/d.txt`];
  keys.forEach((k, i) => lines.push(`${at(1)} - INFO - [${i + 1}/3] Queued ${k}`));
  keys.forEach((k, i) => lines.push(failed.includes(k) ? `${at(2 + i)} - WARNING -   ❌ Failed ${k}: HTTP 500` : `${at(2 + i)} - INFO -   ✅ Scraped ${k}`));
  lines.push(`${at(8)} - INFO - BACKFILL COMPLETE`);
  return `${lines.join('\n')}\n`;
}

// Two finished runs with failures and a key no script writes (over 200 characters) at the start, then 200 GB of a
// sparse file (NULs, as a copytruncate leaves), then a run that scraped every key: no machine reads it in 2 s, and the
// part read says 2 keys failing, 1 earlier run, 1 suspicious key, all of which the whole log contradicts.
const log = path.join(dir, 'cut.log');
writeFileSync(log, `${run('20', ['2022-01-03', '2022-01-04'])}${run('21', ['2022-01-04'])}2025-11-26 21:00:09,000 - WARNING -   ❌ Failed ${'x'.repeat(300)}: HTTP 500\n`);
truncateSync(log, 200 * 2 ** 30);
appendFileSync(log, run('22', []));
const small = path.join(dir, 'small.log');
writeFileSync(small, run('20', ['2022-01-03']));
// A grammar of its own: the whole log is read from its start (no backward scan for the newest runs' banners), so the
// read gets the runs at the start before the bound ends it in the hole.
const grammar = { progress: '^never (?<done>\\d+)' };
const one = path.join(dir, 'one.json');
writeFileSync(one, JSON.stringify({ job: 'cut', log: 'cut.log', failed: 'none_*.json', grammar }));
const several = path.join(dir, 'several.json');
writeFileSync(several, JSON.stringify({ defaults: { grammar }, jobs: [{ name: 'cut', log: 'cut.log', failed: 'none_cut_*.json' }, { name: 'small', log: 'small.log', failed: 'none_small_*.json' }] }));

/** A job's object of `status --json` read only in part: no figure of its log, only how far the read got. */
function expectWithheld(job: Record<string, unknown>) {
  expect(job.run).toMatchObject({ state: 'reading', total: null, done: 0, failed: 0 });
  const reading = job.reading as { bytesRead: number; size: number };
  // The part read holds the two runs (so withholding is what hides them).
  expect(reading.bytesRead).toBeGreaterThan(1000);
  expect(reading.bytesRead).toBeLessThan(reading.size);
  expect(job.runs).toEqual([]);
  expect(job.failures).toEqual({ file: null, failing: null, recovered: null, persistent: null, persistentUnknown: 'log not read to its end', byError: {}, byPhase: {}, byMonth: {}, persistentByPhase: {}, unlistedRuns: null });
  expect(job.suspiciousKeys).toBeNull();
}

describe('a log not read to its end within --timeout gives no figure of its part read', () => {
  test('one job, --json: run, runs, failures and suspicious keys withheld; exit 1', async () => {
    const r = await runCliAsync(['status', '--json', '--timeout', '2', '--config', one], { cwd: dir });
    const json = JSON.parse(r.stdout);
    expectWithheld(json);
    expect(json.problems.join('\n')).toContain('not finished within 2 s (--timeout)');
    expect(r.code).toBe(1);
  }, 30_000);

  test('one job, text: reading, the failures not known, no earlier runs or suspicious keys; exit 1', async () => {
    const r = await runCliAsync(['status', '--timeout', '2', '--config', one], { cwd: dir });
    expect(r.stdout).toMatch(/^cut: reading… \d+ % of \d+ GB/);
    expect(r.stdout).toContain('failures  not known: the log was not read to its end (give --timeout more)');
    expect(r.stdout).not.toMatch(/failing|earlier|suspicious|HTTP 500/);
    expect(r.code).toBe(1);
    // --require is not checked against a run not known: said, exit 1 (a job with storage: for one without, --require
    // is a usage error said before anything is read, exit 2).
    writeFileSync(path.join(dir, 'one-stored.json'), JSON.stringify({ job: 'cut', log: 'cut.log', failed: 'none_*.json', grammar, expected: 'none.csv', storage: { url: 'st' } }));
    const req = await runCliAsync(['status', '--timeout', '2', '--config', path.join(dir, 'one-stored.json'), '--require', '0'], { cwd: dir });
    expect(req.code).toBe(1);
    expect(req.stderr).toContain('--require 0 not checked: the log');
    const unstored = await runCliAsync(['status', '--timeout', '2', '--config', one, '--require', '0'], { cwd: dir });
    expect([unstored.code, unstored.stdout, unstored.stderr]).toEqual([2, '', 'backfill-tui: --require 0 --source storage: cut has no storage configured\n']);
  }, 30_000);

  test('several jobs, --json and text: the cut job withheld, the other read whole; exit 1', async () => {
    const r = await runCliAsync(['status', '--json', '--timeout', '2', '--config', several], { cwd: dir });
    const json = JSON.parse(r.stdout);
    expectWithheld(json.jobs[0]);
    expect(json.jobs[1].failures).toMatchObject({ failing: 1, byError: { 'HTTP 500': 1 } });
    expect(r.code).toBe(1);
    const text = await runCliAsync(['status', '--timeout', '2', '--config', several], { cwd: dir });
    // Two lines a job: its state, run and failures, then its sources and how old its figures are.
    const lines = text.stdout.split('\n');
    const at = lines.findIndex((l) => l.trim().startsWith('cut '));
    expect(lines[at]).toContain('reading…');
    expect(lines[at]).not.toMatch(/\d+ failing|HTTP 500/);
    expect(lines[at + 1]).not.toMatch(/ago/);
    expect(lines.find((l) => l.trim().startsWith('small '))).toContain('HTTP 500 1');
    expect(text.code).toBe(1);
  }, 30_000);

  test('one job of several (--job): as a lone job; exit 1', async () => {
    const r = await runCliAsync(['status', '--json', '--timeout', '2', '--config', several, '--job', 'cut'], { cwd: dir });
    expectWithheld(JSON.parse(r.stdout));
    expect(r.code).toBe(1);
    const small = await runCliAsync(['status', '--json', '--timeout', '2', '--config', several, '--job', 'small'], { cwd: dir });
    expect(JSON.parse(small.stdout)).toMatchObject({ reading: null, failures: { failing: 1 } });
    expect(small.code).toBe(0);
  }, 30_000);
});

// The same class: the failed-keys files not read (a `gs://` glob whose server does not answer within --timeout). The
// log's own failures are not the list: a key the files hold, failed by a run that wrote no line of it here, would be
// missing from a retry's --csv.
// The log is small and is read at once; only the silent server waits out --timeout. Long enough for the log on a
// machine loaded by other suites (2 s was not: the log itself was cut, and the run said not read instead).
const GS_TIMEOUT_S = 8;
describe('failed-keys files not read within --timeout: which keys fail is not known', () => {
  const sockets = new Set<Socket>();
  const silent = createServer((s) => void sockets.add(s));
  let config = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    config = path.join(dir, 'gs.json');
    writeFileSync(config, JSON.stringify({ job: 'gs', log: 'small.log', failed: 'gs://bucket/backfill/failed_dates_*.json', storage: { url: 'gs://bucket/keys/', apiEndpoint: `http://127.0.0.1:${port}` } }));
  });
  afterAll(() => {
    for (const s of sockets) s.destroy();
    silent.close();
  });

  test('status: failures null with why, the text says not known; the run itself is known; the problem exits 1', async () => {
    const r = await runCliAsync(['status', '--json', '--timeout', String(GS_TIMEOUT_S), '--config', config], { cwd: dir });
    const json = JSON.parse(r.stdout);
    expect(json.run).toMatchObject({ state: 'complete', failed: 1 });
    expect(json.failures).toMatchObject({ failing: null, recovered: null, persistent: null, persistentUnknown: 'failed-keys files not read', byError: {} });
    expect(json.problems.join('\n')).toContain('failed-keys files gs://bucket/backfill/failed_dates_*.json');
    // A problem line exits 1 whatever its kind (README, exit codes): what was printed is not all there is.
    expect(r.code).toBe(1);
    const text = await runCliAsync(['status', '--timeout', String(GS_TIMEOUT_S), '--config', config], { cwd: dir });
    expect(text.stdout).toContain('failures  not known: the failed-keys files were not read (see problem below)');
    expect(text.stdout).not.toContain('1 failing');
  }, 60_000);

  test('missing --from failures prints nothing and exits 1, as for a log read in part', async () => {
    const r = await runCliAsync(['missing', '--from', 'failures', '--timeout', String(GS_TIMEOUT_S), '--config', config], { cwd: dir });
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toContain('the failing keys are not known, the failed-keys files not read');
  }, 60_000);
});
