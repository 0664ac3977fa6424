import { afterEach, describe, expect, it } from 'vitest';
import { createCloudRunApi, type LogEntry } from '../src/cloud-run/api.js';
import { createLogFeed } from '../src/cloud-run/log-feed.js';
import { startLoopbackServer, type LoopbackServer } from '../src/cloud-run/loopback/server.js';
import { fakeClock } from './support/loopback-clock.js';
import { waitFor } from './support/wait-for.js';

const P = 'nba-props-platform';
let server: LoopbackServer | null = null;
const ac = { current: new AbortController() };
afterEach(async () => {
  ac.current.abort();
  ac.current = new AbortController();
  await server?.close();
  server = null;
});

/** A region whose tasks write `lines` lines each, released when the test says so. */
async function region(clock: ReturnType<typeof fakeClock>, opts: { lines: number; maxPageSize?: number; logDelayMs?: number | ((l: string, i: number) => number); entriesPerMinute?: number }) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  server = await startLoopbackServer({
    project: P,
    region: 'us-west2',
    jobs: [{ name: 'a-backfill' }, { name: 'b-backfill' }],
    now: clock.now,
    logDelayMs: opts.logDelayMs ?? 0,
    maxPageSize: opts.maxPageSize,
    entriesPerMinute: opts.entriesPerMinute,
    runTask: async (ctx) => {
      for (let i = 1; i <= opts.lines; i++) {
        ctx.log(`line ${i} of ${ctx.execution}`);
        clock.t += 10; // lines 10 ms apart
      }
      await Promise.race([gate, new Promise((r) => ctx.signal.addEventListener('abort', r))]);
      return 0;
    },
  });
  const api = createCloudRunApi({ apiEndpoint: server.url, loggingEndpoint: server.url, timeoutMs: 5000 });
  return { server, api, release };
}

describe('Cloud Logging feed', () => {
  it('pages through entries:list, resumes after the newest entry and drops duplicates by insertId', async () => {
    const clock = fakeClock();
    const { server: s, api } = await region(clock, { lines: 10, maxPageSize: 3 });
    const e = s.world.run(s.world.opts.jobs[0]);
    const got: LogEntry[] = [];
    // No overlap: each read starts at exactly the newest entry, which therefore comes back every time.
    const feed = createLogFeed({ api, now: clock.now, sleep: clock.sleep, signal: ac.current.signal, overlapMs: 0 });
    feed.follow({ project: P, job: 'a-backfill', execution: e.name.split('/').at(-1)!, since: e.createTime, onEntries: (entries) => got.push(...entries), onError: (err) => { throw err; } });
    await waitFor(() => got.length >= 10, '10 entries');
    // Keep polling well past the overlap window: the same entries come back and must not be delivered again.
    const calls = () => s.requests.filter((r) => r.route === 'entries').length;
    const before = calls();
    await waitFor(() => calls() >= before + 5, 'five more reads');
    expect(got.map((x) => x.textPayload)).toEqual(Array.from({ length: 10 }, (_, i) => `line ${i + 1} of ${e.name.split('/').at(-1)}`));
    const bodies = s.requests.filter((r) => r.route === 'entries').map((r) => r.body as { filter: string; pageToken?: string; orderBy: string });
    expect(bodies.slice(0, 4).map((b) => Boolean(b.pageToken))).toEqual([false, true, true, true]);
    expect(bodies[0].orderBy).toBe('timestamp asc');
    expect(bodies[0].filter).toContain(`labels."run.googleapis.com/execution_name"="${e.name.split('/').at(-1)}"`);
    expect(bodies[0].filter).toContain('resource.labels.job_name="a-backfill"');
    // After the first full read the time bound moves up to the newest entry: line 10, written 90 ms after line 1.
    const bound = (b: { filter: string }) => Date.parse(/timestamp>="([^"]+)"/.exec(b.filter)![1]);
    expect(bound(bodies.at(-1)!) - bound(bodies[0])).toBe(90);
  });

  it('an entry that arrives late (older timestamp than ones already read) is still delivered, once', async () => {
    const clock = fakeClock();
    // Line 3 takes 20 s to arrive; the others are visible at once.
    const { server: s, api } = await region(clock, { lines: 5, logDelayMs: (line) => (line.startsWith('line 3 ') ? 20_000 : 0) });
    const e = s.world.run(s.world.opts.jobs[0]);
    const got: string[] = [];
    const feed = createLogFeed({ api, now: clock.now, sleep: clock.sleep, signal: ac.current.signal });
    feed.follow({ project: P, job: 'a-backfill', execution: e.name.split('/').at(-1)!, since: e.createTime, onEntries: (entries) => got.push(...entries.map((x) => x.textPayload!.slice(0, 6))), onError: () => undefined });
    await waitFor(() => got.length >= 4, 'the four prompt lines');
    expect(got).toEqual(['line 1', 'line 2', 'line 4', 'line 5']);
    await waitFor(() => got.length >= 5, 'the late line');
    const end = clock.t + 60_000;
    await waitFor(() => clock.t > end, 'another simulated minute of reads');
    expect(got).toEqual(['line 1', 'line 2', 'line 4', 'line 5', 'line 3']);
  });

  it('makes at most one entries:list call every 2 s per project for all jobs together (counted at the server over a minute)', async () => {
    const clock = fakeClock();
    const { server: s, api } = await region(clock, { lines: 3, entriesPerMinute: 60 });
    const execs = [s.world.run(s.world.opts.jobs[0]), s.world.run(s.world.opts.jobs[1]), s.world.run(s.world.opts.jobs[0])];
    const errors: string[] = [];
    const feed = createLogFeed({ api, now: clock.now, sleep: clock.sleep, signal: ac.current.signal });
    for (const e of execs) {
      feed.follow({ project: P, job: e.job, execution: e.name.split('/').at(-1)!, since: e.createTime, onEntries: () => undefined, onError: (err) => errors.push(err.message) });
    }
    const t0 = clock.t;
    await waitFor(() => clock.t >= t0 + 120_000, 'two simulated minutes');
    const calls = s.requests.filter((r) => r.route === 'entries' && r.at >= t0 + 60_000 && r.at < t0 + 120_000);
    expect(calls.length).toBeLessThanOrEqual(30);
    expect(calls.length).toBeGreaterThanOrEqual(29);
    // Shared fairly: each of the three executions was read in that minute.
    const read = new Set(calls.map((c) => /execution_name"="([^"]+)"/.exec((c.body as { filter: string }).filter)![1]));
    expect(read.size).toBe(3);
    for (let i = 1; i < calls.length; i++) expect(calls[i].at - calls[i - 1].at).toBeGreaterThanOrEqual(2000);
    expect(errors).toEqual([]);
  });

  // Tester AG6 k: after Ctrl-Z and `fg`, the read that was in flight when the dashboard stopped failed (its connection
  // closed meanwhile) and was said for 6 s as a fault of Cloud Logging's, `→ check cloudRun.loggingEndpoint`. A read cut
  // across a stop of the process (a SIGCONT came while it was out) is read again at once, unsaid.
  it('a read cut across a stop of this process (SIGCONT while it was out) is read again at once, never said as an error', async () => {
    const clock = fakeClock();
    const { server: s, api } = await region(clock, { lines: 3 });
    const e = s.world.run(s.world.opts.jobs[0]);
    s.setFault({ route: 'entries', status: 503, times: 1 });
    let calls = 0;
    // The process is continued while its first read is out (what `fg` does after Ctrl-Z), then that read fails.
    const continued = {
      ...api,
      listEntries: async (...args: Parameters<typeof api.listEntries>) => {
        const answer = api.listEntries(...args);
        answer.catch(() => undefined);
        if (calls++ === 0) {
          await new Promise<void>((resolve) => {
            process.once('SIGCONT', () => resolve());
            process.kill(process.pid, 'SIGCONT');
          });
        }
        return answer;
      },
    };
    const told: string[] = [];
    const got: string[] = [];
    const feed = createLogFeed({ api: continued, now: clock.now, sleep: clock.sleep, signal: ac.current.signal });
    feed.follow({ project: P, job: 'a-backfill', execution: e.name.split('/').at(-1)!, since: e.createTime, onEntries: (x) => got.push(...x.map((y) => y.textPayload!)), onError: (err) => told.push(err.message) });
    await waitFor(() => got.length >= 3, 'its entries');
    expect(told).toEqual([]);
    const at = s.requests.filter((r) => r.route === 'entries').map((r) => r.at);
    // Again at once: no pace, no backoff after the read the stop cut.
    expect(at[1] - at[0]).toBe(0);
  });

  it('backs off after 429 and says so to every job of the project, each told when its own log is read next', async () => {
    const clock = fakeClock();
    const { server: s, api } = await region(clock, { lines: 1 });
    const [a, b] = [s.world.run(s.world.opts.jobs[0]), s.world.run(s.world.opts.jobs[1])];
    s.setFault({ route: 'entries', status: 429, times: 3 });
    const told: { job: string; message: string; retryInMs: number }[] = [];
    const feed = createLogFeed({ api, now: clock.now, sleep: clock.sleep, signal: ac.current.signal });
    const got: string[] = [];
    for (const e of [a, b]) {
      feed.follow({ project: P, job: e.job, execution: e.name.split('/').at(-1)!, since: e.createTime, onEntries: (x) => got.push(...x.map((y) => y.textPayload!)), onError: (err, retryInMs) => told.push({ job: e.job, message: err.message, retryInMs }) });
    }
    await waitFor(() => got.length >= 2, 'entries once the quota passes');
    expect(told[0].message).toContain('quota reached (429)');
    // The calls take the two logs in turn, each 2 s plus the doubled backoff after the one before (4, 8, 16 s): a is read
    // at 0, 16 and 36 s, b at 6 and 34 s. Each is told its own next read, as the calls failing on would make it (tester
    // AE12's nit: each was told the loop's next call, the other log's), and told again when that moves: a's 68 s becomes
    // 36 s once b's read at 34 s answered.
    expect(told.filter((t) => t.job === 'a-backfill').map((t) => t.retryInMs)).toEqual([16_000, 52_000, 2000]);
    expect(told.filter((t) => t.job === 'b-backfill').map((t) => t.retryInMs)).toEqual([6000, 28_000]);
    const at = s.requests.filter((r) => r.route === 'entries').map((r) => r.at);
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(6000);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(10_000);
    expect(at.slice(0, 5).map((t) => t - at[0])).toEqual([0, 6000, 16_000, 34_000, 36_000]);
  });
});
