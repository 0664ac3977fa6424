import React from 'react';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { PlatformApp } from '../components/PlatformApp.js';
import { startPlatform } from '../src/app/platform-runtime.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { overviewRows, type OverviewRow } from '../src/overview/overview-rows.js';
import { runCliAsync } from './support/cli.js';
import { waitFor } from './support/wait-for.js';

/*
 * Every kind of failing source reaches the overview row (tester T18: a Cloud Run job whose API answered 403 was a
 * calm `waiting`): Cloud Run (403, 404, nothing listening), Cloud Logging (403 behind a working Run API), Cloud
 * Storage (403), BigQuery (404), a log path that is a directory, and an expected-keys file that is not there.
 * The real clients talk to loopback servers that answer every request with the status, in Google's error shape.
 */

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const JOB = 'bdl-boxscore-backfill';
let dir: string;
let region: LoopbackServer;
const servers: Server[] = [];
const urls: Record<string, string> = {};

/** A server answering every request with `status` and a Google API error body. */
async function answering(status: number): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    const reason = status === 403 ? 'forbidden' : 'notFound';
    const message = status === 403 ? "Permission 'run.executions.list' denied on resource (or it may not exist)." : 'Requested entity was not found.';
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: status, message, status: status === 403 ? 'PERMISSION_DENIED' : 'NOT_FOUND', errors: [{ reason, message }] } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback address where nothing listens (a port just freed). */
async function nobodyListening(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

const dates = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2022, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-overview-problems-'));
  urls.e403 = await answering(403);
  urls.e404 = await answering(404);
  urls.refused = await nobodyListening();
  region = await startLoopbackServer({
    project: PROJECT,
    region: REGION,
    jobs: [{ name: JOB, timeoutSeconds: 3600 }],
    runTask: async (ctx) => {
      ctx.log('2022-01-01 10:00:00,000 - INFO - Loaded 40 dates');
      await new Promise<void>((r) => ctx.signal.addEventListener('abort', () => r()));
      return 0;
    },
  });
  region.world.run(region.world.opts.jobs[0]);
  writeFileSync(path.join(dir, 'keys.csv'), `game_date\n${dates.join('\n')}\n`);
  mkdirSync(path.join(dir, 'storage'));
  for (const d of dates.slice(0, 30)) mkdirSync(path.join(dir, 'storage', d));
  mkdirSync(path.join(dir, 'log-is-a-directory.log'));
  // Each job its own Cloud Run job (one log each); only the loopback region's knows JOB.
  const cloudRun = (api: string, job: string, logging = api) => ({ project: PROJECT, region: REGION, job, args: ['--dates={keys}'], apiEndpoint: api, loggingEndpoint: logging });
  const jobs = [
    // First in the config: the cursor starts on it.
    { name: 'run-403', cloudRun: cloudRun(urls.e403, 'job-403') },
    { name: 'fine', log: 'fine.log', storage: { url: 'storage' } },
    { name: 'run-404', cloudRun: cloudRun(urls.e404, 'job-404') },
    { name: 'run-refused', cloudRun: cloudRun(urls.refused, 'job-refused') },
    { name: 'logging-403', cloudRun: cloudRun(region.url, JOB, urls.e403) },
    { name: 'gcs-403', log: 'gcs.log', storage: { url: 'gs://nba-scraped-data/player-boxscores/', apiEndpoint: urls.e403 } },
    { name: 'bq-404', log: 'bq.log', warehouse: { table: 'nba-props.nba_raw.player_boxscores', column: 'game_date', apiEndpoint: urls.e404 } },
    { name: 'log-dir', log: 'log-is-a-directory.log' },
    { name: 'no-keys', log: 'nk.log', expected: 'missing-keys.csv', storage: { url: 'storage' } },
  ];
  // Each local job its own failed-keys files: jobs of a list may not share one glob (tester W26); a Cloud Run job
  // without `failed` reads none (X3).
  const own = jobs.map((j) => ('log' in j ? { ...j, failed: `${j.name}/failed_dates_*.json` } : j));
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ defaults: { expected: 'keys.csv' }, jobs: own }));
});

afterAll(async () => {
  cleanup();
  await region?.close();
  for (const s of servers) await new Promise((r) => s.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** What each job's row must say: the state shown, and the short problem in the run span or a coverage cell. */
const EXPECTED: [job: string, state: RegExp, says: string][] = [
  ['run-403', /^error$/, 'Cloud Run no access (403)'],
  ['run-404', /^error$/, 'Cloud Run not found (404)'],
  ['run-refused', /^error$/, 'Cloud Run unreachable'],
  // The Run API answers: the execution's state is known, the log's figures are not. Started by the region here (as
  // gcloud would), not from a dashboard: `external` where it runs (tester AH5 c).
  ['logging-403', /^external$/, 'Cloud Logging no access (403)'],
  ['gcs-403', /^waiting$/, 'no access (403)'],
  ['bq-404', /^waiting$/, 'not found (404)'],
  ['log-dir', /^error$/, 'log not a file'],
  ['no-keys', /^waiting$/, 'expected keys not found'],
];

describe('a failing source shows on its job\'s overview row and sorts it first', () => {
  test('text status: each kind on its row (state, run span or coverage cell), every row within 80 columns, the healthy job last', async () => {
    const r = await runCliAsync(['status', '--timeout', '20'], { cwd: dir });
    // A job's log that is not a file is an error: exit 1, as `status` for that job alone (tester V14).
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    const rowAt = (job: string) => lines.findIndex((l) => l.startsWith(`  ${job} `));
    for (const [job, state, says] of EXPECTED) {
      const at = rowAt(job);
      expect(at, job).toBeGreaterThan(0);
      const pair = `${lines[at]}\n${lines[at + 1]}`;
      expect(new RegExp(`^ {2}${job} +(\\S+)`).exec(lines[at])?.[1], `${job}: ${lines[at]}`).toMatch(state);
      expect(pair, job).toContain(job === 'no-keys' ? 'no expected keys' : says);
    }
    // Sorted by what needs the operator: every job with a failing source above the healthy one.
    expect(Math.max(...EXPECTED.map(([job]) => rowAt(job)))).toBeLessThan(rowAt('fine'));
    // And said whole, named by job, under the table.
    expect(r.stdout).toMatch(/^problem {3}run-403: Cloud Run job job-403 \(us-west2\): Cloud Run: permission/m);
    // Every failing source of a row said under the table, storage and warehouse too (their errors are in the state):
    // a source that answered with an error is `failing`; `problem` is a part of the look not done or not read whole.
    const whole = r.stdout.replace(/\n {10}/g, ' ');
    for (const [job] of EXPECTED) expect(whole, job).toMatch(new RegExp(`^(problem|failing) {3}${job}: `, 'm'));
    expect(whole).toMatch(/^failing {3}gcs-403: Cloud Storage: permission denied \(403\)/m);
    expect(whole).toMatch(/^failing {3}bq-404: BigQuery: .*not found \(404\)/m);
    expect(r.stdout).not.toMatch(/^(problem|failing) {3}fine:/m);
  }, 60_000);

  test('the live overview: every row says its problem, the header counts them, the selected one is said whole; 80×24 frame', async () => {
    const platform = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined });
    try {
      const rows = await waitFor(() => {
        const rs = overviewRows(platform.jobs.map((j) => j.store.getState()));
        return EXPECTED.every(([job]) => rs.find((x) => x.job === job)?.problem) ? rs : null;
      }, 'every failing source on its row', 45_000);
      const byJob = new Map(rows.map((x): [string, OverviewRow] => [x.job, x]));
      for (const [job, , says] of EXPECTED) {
        const row = byJob.get(job)!;
        expect(row.rank, job).toBe(0);
        expect(`${row.problem!.source} ${row.problem!.kind}`, job).toContain(job === 'gcs-403' ? 'storage no access (403)' : job === 'bq-404' ? 'warehouse not found (404)' : says);
      }
      expect(byJob.get('fine')!.problem).toBeNull();
      expect(rows[rows.length - 1].job).toBe('fine');

      const app = render(<PlatformApp platform={platform} color={false} exit={() => undefined} />);
      Object.defineProperty(app.stdout, 'columns', { value: 80, configurable: true });
      Object.defineProperty(app.stdout, 'rows', { value: 24, configurable: true });
      app.stdout.emit('resize');
      const frame = await waitFor(() => {
        const f = stripVTControlCharacters(app.lastFrame() ?? '');
        return f.includes('with a failing source') && f.includes('Cloud Run no access (403)') ? f : null;
      }, 'the overview frame with the problems');
      if (process.env.SHOW_FRAME) console.log(frame);
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThanOrEqual(23);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
      expect(lines[0]).toContain('9 jobs');
      expect(lines[0]).toContain('8 with a failing source');
      const line = (job: string) => lines.find((l) => l.includes(` ${job} `)) ?? '';
      expect(line('run-403')).toMatch(/^❯ run-403 +error +Cloud Run no access \(403\)/);
      expect(line('run-refused')).toMatch(/run-refused +error +Cloud Run unreachable/);
      // The selected job's problem whole, with what to do, under the title (its row has room for the kind only).
      expect(lines[1]).toMatch(/^run-403: Cloud Run: permission run\.executions\.list missing on/);
      expect(lines[2]).toMatch(/\(403\) → grant/);
      // Whole, in the rows above the column heads (tester AA9's residue: cut after two rows at 80 columns).
      const heads = lines.findIndex((l) => l.startsWith('job '));
      const said = lines.slice(1, heads).map((l) => l.trim()).join(' ');
      const row = byJob.get('run-403')!;
      expect(said).toContain(`run-403: ${row.problem!.message} → ${row.problem!.hint}`);
    } finally {
      cleanup();
      await platform.close();
    }
  }, 90_000);
});
