import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, test } from 'vitest';
import { readCloudRunOnce } from '../src/app/cloud-run-once.js';
import { collectSnapshot, newReport } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { grammarFor } from '../src/app/grammar.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { lastEntriesState } from '../src/cloud-run/last-entries.js';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { loadConfig, type Config } from '../src/config.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { reduce } from '../src/state/reducer.js';
import { CLI, runCliAsync, unwrapped } from './support/cli.js';
import { fakeClock } from './support/loopback-clock.js';

const PROJECT = 'nba-props-platform';
const REGION = 'us-west2';
const JOB = 'bdl-boxscore-backfill';
let dir: string;
/** A whole simulated backfill log, written once by the real simulator. */
let fullLog: string[];
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bt-cr-status-'));
  const log = path.join(dir, 'sim.log');
  const fd = openSync(log, 'a');
  try {
    const child = spawn(process.execPath, [CLI, 'sim', '--workers', '6', '--timeout', '180', '--speed', '1000000', '--storage', 'st', '--seed', '5'], { cwd: dir, stdio: ['ignore', fd, fd] });
    await new Promise((resolve) => child.on('close', resolve));
  } finally {
    closeSync(fd);
  }
  fullLog = readFileSync(log, 'utf8').split('\n').filter(Boolean);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const count = (lines: string[], needle: string) => lines.filter((l) => l.includes(needle)).length;

/**
 * A loopback region whose job's execution writes `lines` and then keeps running (or ends); the entry at `dupAt`
 * is returned twice under the same insertId (Cloud Logging can).
 */
async function regionWith(lines: string[], opts: { maxPageSize?: number; now?: () => number; entriesPerMinute?: number; running?: boolean; dupAt?: number } = {}) {
  let release = () => {};
  const server = await startLoopbackServer({
    project: PROJECT,
    region: REGION,
    jobs: [{ name: JOB, timeoutSeconds: 3600 }],
    maxPageSize: opts.maxPageSize,
    entriesPerMinute: opts.entriesPerMinute,
    ...(opts.now ? { now: opts.now } : {}),
    runTask: async (ctx) => {
      for (const l of lines) ctx.log(l);
      if (opts.running !== false) await new Promise<void>((r) => {
        release = r;
        ctx.signal.addEventListener('abort', () => r());
      });
      return 0;
    },
  });
  cleanups.push(() => server.close());
  const exec = server.world.run(server.world.opts.jobs[0]);
  await new Promise((r) => setImmediate(r));
  if (opts.running === false) await exec.done;
  // Entries of equal timestamp keep their order: the copy comes right after its original.
  if (opts.dupAt !== undefined) server.world.entries.splice(opts.dupAt + 1, 0, { ...server.world.entries[opts.dupAt] });
  return { server, exec, release: () => release() };
}

function configFor(server: LoopbackServer, extra: Record<string, unknown> = {}): Config {
  const d = mkdtempSync(path.join(dir, 'job-'));
  const file = path.join(d, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify({ job: 'bdl-boxscores', cloudRun: { project: PROJECT, region: REGION, job: JOB, args: ['--dates={keys}'], apiEndpoint: server.url, loggingEndpoint: server.url }, ...extra }));
  return loadConfig({ file, cwd: d });
}

describe('status for a Cloud Run job', () => {
  test('status --json reads the running execution\'s log from Cloud Logging: the same figures as the same lines in a local log, plus the execution', async () => {
    // Cut before the summary: the backfill is still running.
    const lines = fullLog.slice(0, fullLog.findIndex((l) => l.includes('BACKFILL COMPLETE')) - 40);
    expect(lines.length).toBeGreaterThan(1000); // more than one page of entries
    // The first page ends on an outcome line, and the next page starts with it again (same insertId).
    const last = lines.slice(0, 1000).findLastIndex((l) => l.includes('✅ Scraped'));
    const { server, exec } = await regionWith(lines, { maxPageSize: last + 1, dupAt: last });
    const config = configFor(server);
    const r = await runCliAsync(['status', '--json', '--config', config.file!], { cwd: config.baseDir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.run.succeeded).toBe(count(lines, '✅ Scraped'));
    expect(s.run.duplicateLines).toBe(0);
    expect(s.run.failures['HTTP 500']).toBe(count(lines, ': HTTP 500'));
    expect(s.run.total).toBe(Number(/Loaded (\d+) dates/.exec(lines.join('\n'))![1]));
    // Never stalled from log silence while the execution says its task runs (the lines are hours old).
    expect(s.run.state).toBe('running');
    expect(s.execution).toMatchObject({
      name: exec.name,
      state: 'running',
      ours: false,
      tasks: { count: 1, running: 1, succeeded: 0, failed: 0, cancelled: 0, retried: 0 },
      completedAt: null,
      logIncomplete: null,
      stuck: null,
      error: null,
    });
    expect(s.execution.logDelaySeconds).toBeGreaterThanOrEqual(0);
    expect(s.process).toMatchObject({ external: true, attached: false });
    expect(s.problems).toEqual([]);

    // The same lines in a local file give the same run figures.
    // In a folder of its own: beside the Cloud Run job's config, --log was taken as that job's log and never read, so
    // the "local" figures were the Cloud Run job's again (tester AA14; now a config error).
    const localDir = mkdtempSync(path.join(dir, 'local-'));
    const local = path.join(localDir, 'same.log');
    writeFileSync(local, `${lines.join('\n')}\n`);
    const l = await runCliAsync(['status', '--json', '--log', local], { cwd: localDir });
    // (State, rate and ETA depend on the moment each was asked and on who writes: compared above. So do the end and
    // the keys in flight: the local copy nobody writes is ended, the execution runs.)
    const { state: _a, ratePerMin: _b, etaSeconds: _c, finishedAt: _g, inFlight: _h, ...cloudRun } = s.run;
    const { state: _d, ratePerMin: _e, etaSeconds: _f, finishedAt: _i, inFlight: _j, ...localRun } = JSON.parse(l.stdout).run;
    expect(cloudRun).toEqual(localRun);
    expect(s.failures).toEqual(JSON.parse(l.stdout).failures);

    // Text: the execution's line under the header, as on the dashboard.
    const t = await runCliAsync(['status', '--config', config.file!], { cwd: config.baseDir });
    expect(unwrapped(t.stdout)).toMatch(new RegExp(`^bdl-boxscores: running \\(external\\) +cloud-run:projects/${PROJECT}/…/${REGION}/jobs/${JOB}\\n {10}execution running \\(external\\) · tasks 0/1 done, 1 running · log delay \\d+:\\d\\d · ${exec.name.split('/').at(-1)}`));
    // missing --from failures: the keys the execution's outcome lines failed, as for the same local log.
    const m = await runCliAsync(['missing', '--from', 'failures', '--config', config.file!], { cwd: config.baseDir });
    const ml = await runCliAsync(['missing', '--from', 'failures', '--log', local], { cwd: localDir });
    const keys = m.stdout.trim().split('\n');
    expect(keys).toHaveLength(s.run.failed);
    expect(keys).toEqual(ml.stdout.trim().split('\n'));
  }, 90_000);

  test('entries served out of (timestamp, insertId) order are read in log order, as the dashboard reads them: one-shot and live agree', async () => {
    const lines = fullLog.slice(0, 300);
    const { server } = await regionWith(lines);
    // Every entry of one instant, served last-written first: the server's order is not the log's.
    const at = server.world.entries[0].timestamp;
    for (const e of server.world.entries) e.timestamp = at;
    server.world.entries.reverse();
    const config = configFor(server);
    const r = await runCliAsync(['status', '--json', '--config', config.file!], { cwd: config.baseDir });
    expect(r.code).toBe(0);
    // In a folder of its own: beside the Cloud Run job's config, --log was taken as that job's log and never read, so
    // the "local" figures were the Cloud Run job's again (tester AA14; now a config error).
    const localDir = mkdtempSync(path.join(dir, 'local-'));
    const local = path.join(localDir, 'same.log');
    writeFileSync(local, `${lines.join('\n')}\n`);
    const l = await runCliAsync(['status', '--json', '--log', local], { cwd: localDir });
    const { state: _a, ratePerMin: _b, etaSeconds: _c, finishedAt: _g, inFlight: _h, ...cloudRun } = JSON.parse(r.stdout).run;
    const { state: _d, ratePerMin: _e, etaSeconds: _f, finishedAt: _i, inFlight: _j, ...localRun } = JSON.parse(l.stdout).run;
    expect(cloudRun).toEqual(localRun);
    expect(cloudRun.succeeded).toBe(count(lines, '✅ Scraped'));
    expect(cloudRun.total).toBe(Number(/Loaded (\d+) dates/.exec(lines.join('\n'))![1]));
    // One run, not pieces of it (a header read after its own lines starts a second run).
    expect(JSON.parse(r.stdout).runs).toEqual([]);
  });

  test('--require and a job with no execution yet: coverage from storage as for a local job, run waiting, execution null', async () => {
    const server = await startLoopbackServer({ project: PROJECT, region: REGION, jobs: [{ name: JOB, timeoutSeconds: 3600 }], runTask: async () => 0 });
    cleanups.push(() => server.close());
    const config = configFor(server, { expected: 'expected.txt', storage: { url: 'st' } });
    writeFileSync(path.join(config.baseDir, 'expected.txt'), '2024-01-01\n2024-01-02\n2024-01-03\n2024-01-04\n');
    for (const k of ['2024-01-01', '2024-01-02', '2024-01-03']) {
      mkdirSync(path.join(config.baseDir, 'st', k), { recursive: true });
      writeFileSync(path.join(config.baseDir, 'st', k, 'box.json'), '{}');
    }
    const s = await runCliAsync(['status', '--json', '--require', '75', '--config', config.file!], { cwd: config.baseDir });
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ run: { state: 'waiting' }, execution: null, coverage: { storage: { present: 3 } }, problems: [] });
    const short = await runCliAsync(['status', '--require', '100', '--config', config.file!], { cwd: config.baseDir });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('storage coverage 3/4 is below 100 %');
    expect(unwrapped(short.stdout)).toMatch(/^bdl-boxscores: waiting +cloud-run:.*\n {10}Cloud Run job bdl-boxscore-backfill \(us-west2\) · no executions yet\n/);
  });

  test('a long log is read page after page within the quota: 5 calls back to back, then one every 2 s, at most 25 in any minute (counted at the server)', async () => {
    const clock = fakeClock();
    const lines = fullLog;
    const { server } = await regionWith(lines, { maxPageSize: 10, now: clock.now, running: false });
    const config = configFor(server);
    let state: AppState = initialState({ job: 'j', log: config.log, now: clock.now(), targets: [95], place: initialPlaceState('p', 7200_000) });
    const problems = await readCloudRunOnce(config, grammarFor(config), (e) => (state = reduce(state, e)), {
      signal: new AbortController().signal,
      now: clock.now,
      logComplete: () => state.log.current?.complete === true,
      outcomesMatched: () => state.log.current?.summaryUnseen === 0,
      requestTimeoutMs: 5000,
      bound: '30 s',
      pacer: { sleep: clock.sleep },
      pageSize: 1000,
    });
    expect(problems).toEqual([]);
    const calls = server.requests.filter((r) => r.route === 'entries').map((r) => r.at);
    expect(calls.length).toBe(Math.ceil(lines.length / 10));
    expect(calls.slice(0, 5).every((t) => t === calls[0])).toBe(true);
    for (let i = 5; i < calls.length; i++) expect(calls[i] - calls[i - 1]).toBeGreaterThanOrEqual(2000);
    for (let i = 0; i < calls.length; i++) expect(calls.filter((t) => t >= calls[i] && t < calls[i] + 60_000).length).toBeLessThanOrEqual(25);
    // Every line once (the repeated entry dropped), through the same reducer: the summary is in.
    expect(state.log.current?.complete).toBe(true);
    expect(state.log.current?.succeeded).toBe(count(lines, '✅ Scraped'));
    expect(state.place?.logIncomplete).toBeNull();
    expect(state.place?.execution?.state).toBe('succeeded');
  });

  test('one status of two Cloud Run jobs of a project shares the project\'s pace: 5 calls back to back in all, then one every 2 s', async () => {
    const { server } = await regionWith(fullLog.slice(0, 40), { maxPageSize: 10 });
    // A second job of the same project, its execution with the same 40 lines.
    server.world.opts.jobs.push({ name: 'bdl-pbp-backfill', timeoutSeconds: 3600 });
    const second = server.world.run(server.world.opts.jobs[1]);
    await new Promise((r) => setImmediate(r));
    const a = configFor(server);
    const b = configFor(server, { job: 'bdl-pbp', cloudRun: { project: PROJECT, region: REGION, job: 'bdl-pbp-backfill', apiEndpoint: server.url, loggingEndpoint: server.url } });
    const [sa, sb] = await Promise.all([collectSnapshot(a, { timeoutMs: 30_000 }), collectSnapshot(b, { timeoutMs: 30_000 })]);
    expect(sa.log.current?.succeeded).toBe(count(fullLog.slice(0, 40), '✅ Scraped'));
    expect(sb.log.current?.succeeded).toBe(count(fullLog.slice(0, 40), '✅ Scraped'));
    expect(statusJson(sb).execution?.name).toBe(second.name);
    const calls = server.requests.filter((r) => r.route === 'entries').map((r) => r.at);
    expect(calls).toHaveLength(8);
    // Starts are 2 s apart; arrivals at the server differ from starts by the request's own latency.
    for (let i = 5; i < calls.length; i++) expect(calls[i] - calls[i - 1]).toBeGreaterThanOrEqual(1500);
  }, 60_000);

  test('--timeout bounds the read: what was read by then is shown, and the problem says how far it got', async () => {
    const { server } = await regionWith(fullLog, { maxPageSize: 10 });
    const config = configFor(server);
    const report = newReport();
    const started = Date.now();
    const state = await collectSnapshot(config, { timeoutMs: 4000, report });
    expect(Date.now() - started).toBeLessThan(4000 + 1500);
    expect(report.problems).toEqual([expect.stringMatching(/^log of execution bdl-boxscore-backfill-\w+: not read to its end within 4 s \(--timeout\): figures are from its first \d+ entries$/)]);
    const read = Number(/first (\d+) entries/.exec(report.problems[0])![1]);
    expect(read).toBeGreaterThanOrEqual(40);
    expect(read).toBeLessThan(fullLog.length);
    expect(statusJson(state).execution).toMatchObject({ state: 'running' });
  });

  test('403, 404 and 429 are explained in problems; the execution is still shown when only the log fails', async () => {
    const { server } = await regionWith(fullLog.slice(0, 30));
    server.setDeny(['run.executions.list']);
    let report = newReport();
    let state = await collectSnapshot(configFor(server), { timeoutMs: 10_000, report });
    expect(report.problems).toEqual([`Cloud Run job ${JOB} (${REGION}): Cloud Run: permission run.executions.list missing on projects/${PROJECT}/locations/${REGION}/jobs/${JOB} (403) (grant roles/run.viewer (it has run.executions.list) to the account in use (see \`gcloud auth list\`))`]);
    expect(statusJson(state).execution).toBeNull();
    server.setDeny([]);

    report = newReport();
    const missing = configFor(server, { cloudRun: { project: PROJECT, region: 'us-east1', job: JOB, apiEndpoint: server.url, loggingEndpoint: server.url } });
    await collectSnapshot(missing, { timeoutMs: 10_000, report });
    expect(report.problems[0]).toContain(`job ${JOB} not found in region us-east1 of project ${PROJECT} (404)`);

    report = newReport();
    server.setFault({ route: 'entries', status: 429 });
    state = await collectSnapshot(configFor(server), { timeoutMs: 10_000, report });
    expect(report.problems).toEqual([expect.stringMatching(/^log of execution \S+: Cloud Logging: quota reached \(429\).*; figures are from its first 0 entries$/)]);
    expect(statusJson(state).execution).toMatchObject({ state: 'running', error: expect.stringContaining('quota reached (429)') });
  });
});

// Tester W18: a region that does not answer (its server stopped) read `waiting`, rc 0, `execution null`: the words
// for a job never launched. A server that accepts and never answers stands for it.
test('status of a Cloud Run job whose region does not answer: error, the host named, exit 1', async () => {
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => {
    for (const socket of sockets) socket.destroy();
    silent.close(resolve);
  }));
  const host = `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
  const d = mkdtempSync(path.join(dir, 'silent-'));
  const file = path.join(d, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify({ job: 'crjob', cloudRun: { project: PROJECT, region: REGION, job: JOB, args: ['--dates={keys}'], apiEndpoint: host, loggingEndpoint: host } }));
  // 6 s: the listing is cut at 4 s (the bound less its margins), well after the client has loaded even on a loaded
  // machine (at 3 s under load ~18 the load itself was cut first: then the look timed out, said as such). Said as the
  // 4 s it waited, never the 6 s bound (tester AH5 g: `timed out after 5 s` from a command that ended at 3.3 s).
  const json = await runCliAsync(['status', '--json', '--timeout', '6', '--config', file], { cwd: d });
  expect(json.code).toBe(1);
  const out = JSON.parse(json.stdout);
  expect(out.run.state).toBe('error');
  expect(out.execution).toBeNull();
  expect(out.problems).toEqual([`Cloud Run job ${JOB} (${REGION}): Cloud Run: no answer from ${host} within 4 s, its share of --timeout 6 s (check the network or cloudRun.apiEndpoint)`]);
  const text = await runCliAsync(['status', '--timeout', '6', '--config', file], { cwd: d });
  expect(text.code).toBe(1);
  // The region took the connection and did not answer in time: it timed out, it is not "not reachable" (tester W18, Z10).
  // (The job's 83-column path on a row of its own, never broken (tester AC11: at the hang; AG6 a: after a `/`): cut in
  // the middle at its `/`s, its start and its end whole.)
  expect(text.stdout.split('\n').slice(0, 3)).toEqual(['crjob: error', `     cloud-run:projects/${PROJECT}/…/${REGION}/jobs/${JOB}`, `          Cloud Run job ${JOB} (${REGION}) · timed out after 4 s`]);
  // Said once, as a problem; a one-shot does not say "retrying".
  expect(unwrapped(text.stdout.slice(text.stdout.indexOf('\nproblem') + 1))).toBe(`problem   Cloud Run job ${JOB} (${REGION}): Cloud Run: no answer from ${host} within 4 s, its share of --timeout 6 s (check the network or cloudRun.apiEndpoint)\n`);
  expect(text.stdout).not.toContain('retrying');
}, 60_000);

// Tester W18's residue: with the region up, a look cut by a short --timeout before the executions were listed (the
// client still loading under load) read `waiting`, rc 0: the word for a job never launched. A bound of 1 ms cuts
// every look before its first answer, whatever the machine.
test('status of a Cloud Run job whose look is cut by --timeout before any answer: error, the look timed out, exit 1', async () => {
  const server = await startLoopbackServer({ project: PROJECT, region: REGION, jobs: [{ name: JOB, timeoutSeconds: 3600 }], runTask: async () => 0 });
  cleanups.push(() => server.close());
  const config = configFor(server);
  const json = await runCliAsync(['status', '--json', '--timeout', '0.001', '--config', config.file!], { cwd: config.baseDir });
  expect(json.code).toBe(1);
  const out = JSON.parse(json.stdout);
  expect(out.run.state).toBe('error');
  // Cut while the client loads (it takes longer than 1 ms), or, on a machine faster than that, at the listing itself.
  const cloud = (out.problems as string[]).filter((p) => p.startsWith('Cloud Run'));
  expect(cloud).toHaveLength(1);
  expect([`Cloud Run job ${JOB} (${REGION}): Cloud Run: the look timed out at 0.001 s (--timeout) before the job's executions were listed (give --timeout more seconds)`, `Cloud Run job ${JOB} (${REGION}): Cloud Run: no answer from ${server.url} within 0.001 s (--timeout) (check the network or cloudRun.apiEndpoint)`]).toContain(cloud[0]);
  const text = await runCliAsync(['status', '--timeout', '0.001', '--config', config.file!], { cwd: config.baseDir });
  expect(text.code).toBe(1);
  expect(unwrapped(text.stdout)).toMatch(/^bdl-boxscores: error +cloud-run:.*\n {10}Cloud Run job bdl-boxscore-backfill \(us-west2\) · (look timed out|timed out after 0 s)\n/);
  expect(text.stdout).not.toContain('waiting');
  // Cut, the place line says the look timed out: the region may be fine.
  if (text.stdout.includes('the look timed out')) expect(text.stdout).toContain('· look timed out\n');
}, 30_000);

describe('status of several jobs (tester T18)', () => {
  test('each job in jobs[] is the one-job object, problems included; text status names the job of each problem', async () => {
    const { server } = await regionWith(fullLog.slice(0, 30));
    const d = mkdtempSync(path.join(dir, 'multi-'));
    const file = path.join(d, 'backfill-tui.config.json');
    const cloudRun = { project: PROJECT, region: REGION, job: JOB, args: ['--dates={keys}'], apiEndpoint: server.url, loggingEndpoint: server.url };
    writeFileSync(file, JSON.stringify({ jobs: [{ name: 'good', cloudRun }, { name: 'wrong-region', cloudRun: { ...cloudRun, region: 'us-east1' } }] }));
    const r = await runCliAsync(['status', '--json', '--config', file], { cwd: d });
    // A job whose run cannot be known (its job not found in that region) is an error: exit 1, as for a lone job.
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.jobs.map((j: { job: string }) => j.job)).toEqual(['good', 'wrong-region']);
    expect(out.jobs[0].problems).toEqual([]);
    expect(out.jobs[0].execution).toMatchObject({ state: 'running' });
    expect(out.jobs[1].problems).toEqual([expect.stringContaining(`job ${JOB} not found in region us-east1 of project ${PROJECT} (404)`)]);
    const t = await runCliAsync(['status', '--config', file], { cwd: d });
    // A long problem is wrapped within 80 columns, its later lines indented under the first's text.
    for (const l of t.stdout.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
    expect(t.stdout.replace(/\n {10}/g, ' ')).toMatch(/^problem {3}wrong-region: .*not found in region us-east1.*\(404\)/m);
    expect(t.stdout).not.toMatch(/^problem {3}good:/m);
  }, 60_000);
});

describe('an ended execution\'s last entries', () => {
  const ended = (state: 'succeeded' | 'failed' | 'cancelled') =>
    decodeExecution({
      name: `projects/p/locations/r/jobs/j/executions/j-1`,
      createTime: '2026-03-01T12:00:00Z',
      startTime: '2026-03-01T12:00:00Z',
      completionTime: '2026-03-01T13:00:00Z',
      taskCount: 1,
      succeededCount: state === 'succeeded' ? 1 : 0,
      failedCount: state === 'failed' ? 1 : 0,
      cancelledCount: state === 'cancelled' ? 1 : 0,
      conditions: [{ type: 'Completed', state: state === 'succeeded' ? 'CONDITION_SUCCEEDED' : 'CONDITION_FAILED', ...(state === 'cancelled' ? { executionReason: 'CANCELLED' } : {}) }],
    });
  const end = Date.parse('2026-03-01T13:00:00Z');
  test.each([
    // state, summary read, its counts matched by outcome lines, a pass over the log began at (s after the end), now (s after the end), expected
    ['succeeded', true, true, null, 10, null],
    ['succeeded', false, true, 120, 120, 'waiting'],
    ['succeeded', false, true, 299, 300, 'gave-up'],
    // Tester X2: a summary whose counts an outcome line has not matched waits for it, or for a settled read.
    ['succeeded', true, false, null, 10, 'waiting'],
    ['succeeded', true, false, 30, 40, 'waiting'],
    ['succeeded', true, false, 60, 61, null],
    ['succeeded', true, false, 30, 300, 'gave-up'],
    ['cancelled', false, true, null, 10, 'waiting'],
    ['cancelled', false, true, 30, 40, 'waiting'],
    ['cancelled', false, true, 60, 61, null],
    ['failed', false, true, 61, 62, null],
    ['cancelled', false, true, null, 300, 'gave-up'],
    // A deadline of a minute (the demo's): the settle is half of it, so a read can fall between the two.
    ['cancelled', false, true, 31, 60, null, 60],
    ['cancelled', false, true, 29, 60, 'gave-up', 60],
  ] as const)('%s, summary %s, matched %s, read from +%s s, now +%s s: %s', (state, logComplete, outcomesMatched, from, now, expected, deadline = 300) => {
    expect(lastEntriesState(ended(state), { logComplete, outcomesMatched, caughtUpFrom: from === null ? null : end + from * 1000, now: end + now * 1000, deadlineMs: deadline * 1000 })).toBe(expected);
  });
});
