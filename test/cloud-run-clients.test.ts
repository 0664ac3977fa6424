import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createCloudRunApi, type CloudRunApi, type JobRef } from '../src/cloud-run/api.js';
import { CloudRunError, explainCallError } from '../src/cloud-run/errors.js';
import { startLoopbackServer, type LoopbackRoute, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import type { WorldEntry } from '../src/cloud-run/loopback/world.js';
import { waitFor } from './support/wait-for.js';

// The Run Admin v2 and Logging v2 calls go through the official clients (@google-cloud/run, @google-cloud/logging)
// over REST, against the shipped loopback region: what they send, how their answers and failures are read, and that
// they never retry or outlive the call's deadline or the caller's signal.

const job: JobRef = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill' };
const query = { resourceNames: ['projects/nba-props-platform'], filter: 'timestamp>="2020-01-01T00:00:00Z"', orderBy: 'timestamp asc' as const, pageSize: 10 };
let server: LoopbackServer | null = null;
let raw: Server | null = null;
let release = () => {};
afterEach(async () => {
  release();
  await server?.close();
  server = null;
  await new Promise((r) => (raw ? raw.close(r) : r(null)));
  raw = null;
});

/** A region whose task logs one line and then waits until `release()` (so an execution can be seen mid-cancel). */
async function start(timeoutMs = 15_000) {
  const gate = new Promise<void>((r) => (release = r));
  server = await startLoopbackServer({
    project: job.project,
    region: job.region,
    jobs: [{ name: job.job, timeoutSeconds: 1800 }],
    runTask: async (ctx) => {
      ctx.log('started');
      await gate;
      return 0;
    },
  });
  return { s: server, api: createCloudRunApi({ apiEndpoint: server.url, loggingEndpoint: server.url, timeoutMs }) };
}

async function failure(p: Promise<unknown>): Promise<CloudRunError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CloudRunError);
  return err as CloudRunError;
}

/** Each call of the interface, by the route the server names it. */
const calls: [LoopbackRoute, (api: CloudRunApi, signal?: AbortSignal) => Promise<unknown>][] = [
  ['run', (api, signal) => api.runJob(job, { args: ['--a'] }, signal)],
  ['executions', (api, signal) => api.listExecutions(job, signal)],
  ['execution', (api, signal) => api.getExecution(job, 'bdl-boxscore-backfill-aaaaa', signal)],
  ['cancel', (api, signal) => api.cancelExecution(job, 'bdl-boxscore-backfill-aaaaa', signal)],
  ['entries', (api, signal) => api.listEntries(query, signal)],
];

describe('Cloud Run and Cloud Logging through the official clients', () => {
  it('asks for enums as numbers and reads them by name: a cancelling execution, a warning entry, a JSON payload', async () => {
    const { s, api } = await start();
    const e = await api.runJob(job, { args: ['--dates=2024-01-01'], timeoutSeconds: 900 });
    expect([e.args, e.taskTimeoutSeconds]).toEqual([['--dates=2024-01-01'], 900]);
    await waitFor(() => s.world.entries.length > 0, 'the task started');
    const cancelling = await api.cancelExecution(job, e.id);
    // Cancel asked, the task not yet stopped: Completed is CONDITION_PENDING (1) with executionReason CANCELLING (4).
    expect(cancelling.state).toBe('cancelling');
    expect((await api.getExecution(job, e.id)).state).toBe('cancelling');
    expect((await api.listExecutions(job)).map((x) => [x.id, x.state])).toEqual([[e.id, 'cancelling']]);
    release();
    await s.world.executions[0].done;
    expect((await api.getExecution(job, e.id)).state).toBe('cancelled');
    s.world.entries.push({ ...s.world.entries[0], insertId: 'json-1', severity: 'WARNING', textPayload: undefined, jsonPayload: { message: '❌ Failed 2024-01-01: HTTP 500', attempt: 2, retry: { after: [1, 'x', null, true] } } } as WorldEntry);
    const { entries, nextPageToken } = await api.listEntries(query);
    expect(nextPageToken).toBeNull();
    expect(entries.map((x) => [x.insertId, x.textPayload, x.severity])).toEqual([[s.world.entries[0].insertId, 'started', 'INFO'], ['json-1', undefined, 'WARNING']]);
    expect(entries[1].jsonPayload).toEqual({ message: '❌ Failed 2024-01-01: HTTP 500', attempt: 2, retry: { after: [1, 'x', null, true] } });
    expect(entries[0].timestamp).toBe(s.world.entries[0].timestamp);
    expect(entries[0].labels?.['run.googleapis.com/execution_name']).toBe(e.id);
    // Every request came from the clients, over REST, asking for numeric enums; the server answered with numbers.
    for (const r of s.requests) {
      expect(r.query).toMatch(/^\?(pageSize=20&)?\$alt=json%3Benum-encoding=int$/);
      expect(r.apiClient).toMatch(/gax\/5\.\S+-fallback .*rest\//);
    }
    expect(s.requests.map((r) => r.route)).toEqual(['run', 'cancel', 'execution', 'executions', 'execution', 'entries']);
    // As the API does, the region answers numbers to that request and names to one without it.
    const at = `${s.url}/v2/projects/${job.project}/locations/${job.region}/jobs/${job.job}/executions/${e.id}`;
    const asked = (await (await fetch(`${at}?$alt=json%3Benum-encoding=int`)).json()) as { conditions: unknown[] };
    const plain = (await (await fetch(at)).json()) as { conditions: unknown[] };
    expect([asked.conditions[0], plain.conditions[0]]).toMatchObject([{ state: 3, executionReason: 3 }, { state: 'CONDITION_FAILED', executionReason: 'CANCELLED' }]);
  });

  it.each([
    [429, 'quota', 'quota reached (429): Quota exceeded for quota metric'],
    [403, 'permission', 'missing on projects/nba-props-platform'],
    [404, 'not-found', 'not found'],
    [500, 'server', 'server error 500: Internal error encountered.'],
    [503, 'server', 'server error 503: The service is currently unavailable.'],
  ] as const)('an answer %i from each call is a %s error in the operator\'s words, asked once (the clients retry nothing)', async (status, kind, words) => {
    const { s, api } = await start();
    for (const [route, call] of calls) {
      s.setFault({ route, status, times: 1 });
      const before = s.requests.length;
      const err = await failure(call(api));
      expect([route, err.kind, err.status]).toEqual([route, kind, status]);
      expect(err.message).toContain(words);
      expect(s.requests.length - before).toBe(1);
    }
  });

  it('an answer that is not JSON (a proxy\'s page) says so, for each call', async () => {
    const { s, api } = await start();
    for (const [route, call] of calls) {
      s.setFault({ route, garbage: true, times: 1 });
      const err = await failure(call(api));
      expect([route, err.kind, err.message]).toEqual([route, 'answer', `${route === 'entries' ? 'Cloud Logging' : 'Cloud Run'}: the answer from ${s.url} is not JSON`]);
    }
  });

  it('the clients\' own status codes (429 as 8 RESOURCE_EXHAUSTED, 403 as 7, 404 as 5) read as the HTTP statuses do', async () => {
    // Given the answer by its transport (no HTTP error thrown there), gax makes a GoogleError with the gRPC code and
    // the ErrorInfo's metadata: explained, it says what the HTTP client's error for the same answer says.
    const { s, api } = await start();
    const [{ JobsClient }, logging, { PassThroughClient }] = await Promise.all([import('@google-cloud/run'), import('@google-cloud/logging'), import('google-auth-library')]);
    const url = new URL(s.url);
    const o = { fallback: true, protocol: 'http', apiEndpoint: '127.0.0.1', port: Number(url.port), authClient: new PassThroughClient({ transporterOptions: { validateStatus: () => true } }) } as never;
    const jobs = new JobsClient(o);
    const entries = new logging.v2.LoggingServiceV2Client(o);
    const runCtx = { service: 'Cloud Run', permission: 'run.jobs.run', role: 'roles/run.invoker', resource: `projects/${job.project}/locations/${job.region}/jobs/${job.job}`, notFound: `job ${job.job} not found in region ${job.region} of project ${job.project}`, jobNotFound: `job ${job.job} not found in region ${job.region} of project ${job.project}`, timeoutMs: 15_000, endpoint: s.url };
    const logCtx = { service: 'Cloud Logging', permission: 'logging.logEntries.list', role: 'roles/logging.viewer', resource: 'projects/nba-props-platform', notFound: 'projects/nba-props-platform not found', timeoutMs: 15_000, endpoint: s.url };
    for (const [status, code] of [[429, 8], [403, 7], [404, 5], [500, 13], [503, 14]] as const) {
      s.setFault({ route: 'run', status, times: 1 });
      const raw = (await jobs.runJob({ name: runCtx.resource }, { retry: null }).then(() => null, (e: unknown) => e)) as { code?: number };
      expect(raw.code).toBe(code);
      s.setFault({ route: 'run', status, times: 1 });
      const ours = await failure(api.runJob(job, {}));
      expect(explainCallError(raw, runCtx)).toMatchObject({ kind: ours.kind, status: ours.status, message: ours.message, hint: ours.hint, permission: ours.permission });
    }
    s.setFault({ route: 'entries', status: 429, times: 1 });
    const raw = (await entries.listLogEntries(query, { retry: null, autoPaginate: false }).then(() => null, (e: unknown) => e)) as { code?: number };
    expect(raw.code).toBe(8);
    s.setFault({ route: 'entries', status: 429, times: 1 });
    const ours = await failure(api.listEntries(query));
    expect(explainCallError(raw, logCtx)).toMatchObject({ kind: 'quota', status: 429, message: ours.message });
  });

  it('a call that hangs ends at its deadline, each call, and its request is cut at the socket soon after', async () => {
    // A server that takes the connection and never answers: the clients' promises cannot be cancelled, so the call
    // is ended by its deadline, and the HTTP request by the transport's own bound a second later.
    let opened = 0;
    let closed = 0;
    raw = createServer((sock) => {
      opened += 1;
      sock.on('close', () => (closed += 1));
      sock.on('error', () => {});
      // Read (and drop) what comes, so the client's close is seen.
      sock.resume();
    });
    await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const api = createCloudRunApi({ apiEndpoint: url, loggingEndpoint: url, timeoutMs: 300 });
    for (const [route, call] of calls) {
      const err = await failure(call(api));
      expect([route, err.kind, err.message]).toEqual([route, 'deadline', `${route === 'entries' ? 'Cloud Logging' : 'Cloud Run'}: no answer from ${url} within 0.3 s`]);
      // The call's own deadline ended it, not the transport's bound a second later (an AbortError).
      expect((err.cause as Error).name).toBe('TimeoutError');
    }
    expect(opened).toBe(calls.length);
    await waitFor(() => closed === opened, 'every hanging request cut by the transport', 10_000);
  });

  it('the caller\'s signal ends a call at once, sent or not, and a late answer is dropped', async () => {
    const { s, api } = await start(60_000);
    s.setFault({ route: 'any', hang: true });
    for (const [route, call] of calls) {
      const ac = new AbortController();
      const before = s.requests.length;
      const p = failure(call(api, ac.signal));
      await waitFor(() => s.requests.length > before, `the ${route} request at the server`);
      ac.abort();
      // Within the 60 s deadline by far: the abort, not the deadline, ended it (the test's own timeout is lower).
      expect((await p).kind).toBe('deadline');
    }
    const before = s.requests.length;
    const gone = AbortSignal.abort();
    for (const [, call] of calls) await failure(call(api, gone));
    expect(s.requests.length).toBe(before);
  }, 30_000);
});
