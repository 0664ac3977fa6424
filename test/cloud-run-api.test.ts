import { afterEach, describe, expect, it } from 'vitest';
import { createCloudRunApi } from '../src/cloud-run/api.js';
import { CloudRunError } from '../src/cloud-run/errors.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';

const job = { project: 'nba-props-platform', region: 'us-west2', job: 'bdl-boxscore-backfill' };
let server: LoopbackServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A region with one job whose task logs one line per arg and exits 0. */
async function start(extra: Partial<Parameters<typeof startLoopbackServer>[0]> = {}) {
  server = await startLoopbackServer({
    project: job.project,
    region: job.region,
    jobs: [{ name: job.job, args: ['--default'], timeoutSeconds: 1800 }],
    runTask: async (ctx) => {
      for (const a of ctx.args) ctx.log(`arg ${a}`);
      return 0;
    },
    ...extra,
  });
  return { server, api: createCloudRunApi({ apiEndpoint: server.url, loggingEndpoint: server.url, timeoutMs: 15_000 }) };
}

async function failure(p: Promise<unknown>): Promise<CloudRunError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(CloudRunError);
  return err as CloudRunError;
}

describe('Cloud Run and Logging REST calls against the loopback server', () => {
  it('runs the job with the overrides and takes the execution from the operation, sending no credentials to http://', async () => {
    const { server: s, api } = await start();
    const e = await api.runJob(job, { args: ['--dates=2024-01-01,2024-01-02'], env: { MODE: 'retry' }, taskCount: 2, timeoutSeconds: 900 });
    expect(e.name).toMatch(/^projects\/nba-props-platform\/locations\/us-west2\/jobs\/bdl-boxscore-backfill\/executions\/bdl-boxscore-backfill-/);
    const run = s.requests.find((r) => r.route === 'run')!;
    expect(run.path).toBe('/v2/projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill:run');
    expect(run.body).toEqual({ overrides: { containerOverrides: [{ args: ['--dates=2024-01-01,2024-01-02'], env: [{ name: 'MODE', value: 'retry' }] }], taskCount: 2, timeout: '900s' } });
    expect(run.authorization).toBeUndefined();
    const world = s.world.executions[0];
    expect([world.args, world.env.MODE, world.tasks.length, world.timeoutSeconds]).toEqual([['--dates=2024-01-01,2024-01-02'], 'retry', 2, 900]);
    await world.done;
    const got = await api.getExecution(job, e.id);
    expect([got.state, got.succeededCount, got.taskCount, got.taskTimeoutSeconds]).toEqual(['succeeded', 2, 2, 900]);
  });

  it('a 403 names the missing permission and the resource, for each call', async () => {
    const { server: s, api } = await start({ deny: ['run.jobs.run', 'run.executions.cancel', 'logging.logEntries.list'] });
    const run = await failure(api.runJob(job, {}));
    expect(run.message).toContain('permission run.jobs.run missing on projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill');
    expect(run.hint).toContain('roles/run.invoker');
    s.setDeny(['run.executions.cancel', 'logging.logEntries.list']);
    const e = await api.runJob(job, {});
    const cancel = await failure(api.cancelExecution(job, e.id));
    expect(cancel.message).toContain(`permission run.executions.cancel missing on projects/nba-props-platform/locations/us-west2/jobs/bdl-boxscore-backfill/executions/${e.id}`);
    const logs = await failure(api.listEntries({ resourceNames: ['projects/nba-props-platform'], filter: '', orderBy: 'timestamp asc', pageSize: 10 }));
    expect(logs.message).toContain('permission logging.logEntries.list missing on projects/nba-props-platform');
    expect(logs.hint).toContain('roles/logging.viewer');
  });

  it('a 404 says which job or which region', async () => {
    const { api } = await start();
    const noJob = await failure(api.runJob({ ...job, job: 'bdl-boxscore-backfil' }, {}));
    expect(noJob.message).toContain('job bdl-boxscore-backfil not found in region us-west2 of project nba-props-platform (404)');
    const noRegion = await failure(api.getExecution({ ...job, region: 'us-west1' }, 'bdl-boxscore-backfill-x'));
    expect(noRegion.message).toBe('Cloud Run: job bdl-boxscore-backfill not found in region us-west1 of project nba-props-platform (404)');
    const noExec = await failure(api.getExecution(job, 'bdl-boxscore-backfill-zzzzz'));
    expect(noExec.message).toContain('execution bdl-boxscore-backfill-zzzzz of job bdl-boxscore-backfill not found');
  });

  it('a 429 is a quota error, not retried by the call', async () => {
    const { server: s, api } = await start();
    s.setFault({ route: 'entries', status: 429, times: 1 });
    const e = await failure(api.listEntries({ resourceNames: ['projects/nba-props-platform'], filter: '', orderBy: 'timestamp asc', pageSize: 10 }));
    expect([e.kind, e.status]).toEqual(['quota', 429]);
    expect(e.message).toContain('quota reached (429)');
    expect(s.requests.filter((r) => r.route === 'entries')).toHaveLength(1);
  });

  it('a server that never answers is bounded by the deadline', async () => {
    const { server: s } = await start();
    const api = createCloudRunApi({ apiEndpoint: s.url, loggingEndpoint: s.url, timeoutMs: 300 });
    s.setFault({ route: 'any', hang: true });
    const began = Date.now();
    const [a, b] = await Promise.all([failure(api.listExecutions(job)), failure(api.listEntries({ resourceNames: ['projects/nba-props-platform'], filter: '', orderBy: 'timestamp asc', pageSize: 1 }))]);
    expect([a.kind, b.kind]).toEqual(['deadline', 'deadline']);
    expect(a.message).toContain('no answer from http://127.0.0.1');
    expect(a.message).toContain('within 0.3 s');
    // Generous bound: the point is that it ends at all, not how fast this machine is.
    expect(Date.now() - began).toBeLessThan(10_000);
  });
});
