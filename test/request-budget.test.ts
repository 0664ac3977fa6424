import { afterEach, describe, expect, test } from 'vitest';
import { refreshNotice } from '../src/app/controller.js';
import { storageSource, warehouseSource } from '../src/app/make-sources.js';
import { createBigQuerySource } from '../src/coverage/bigquery-source.js';
import { createGcsSource } from '../src/coverage/gcs-source.js';
import { createGcsFailedReader } from '../src/failures/gcs-failed.js';
import { startPoller, type PollerTimers } from '../src/coverage/poller.js';
import { createRequestBudget, realClock, REQUESTS_PER_MINUTE } from '../src/coverage/request-budget.js';
import { sleepUnlessAborted } from '../src/abort.js';
import { createSourceHub } from '../src/coverage/source-hub.js';
import type { KeySource } from '../src/coverage/source.js';
import { startFakeBigQuery, type FakeBigQueryOptions, type FakeFault } from './support/fake-bigquery-server.js';
import { startFakeGcs, type FakeGcs, type FakeGcsFault } from './support/fake-gcs-server.js';
import { fakeClock } from './support/loopback-clock.js';
import { waitFor } from './support/wait-for.js';

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A clock only the test moves: sleeping waits until the test has moved it far enough. */
function manualClock(start = 0) {
  const sleepers: { until: number; resolve: () => void }[] = [];
  const clock = {
    t: start,
    now: () => clock.t,
    sleep: (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        sleepers.push({ until: clock.t + ms, resolve });
      }),
    advance(ms: number) {
      clock.t += ms;
      for (const s of sleepers.filter((x) => x.until <= clock.t)) {
        sleepers.splice(sleepers.indexOf(s), 1);
        s.resolve();
      }
    },
    get sleeping() {
      return sleepers.length;
    },
  };
  return clock;
}

describe('the request budget', () => {
  test('120 requests go at once, the 121st waits until the first is 60 s old', async () => {
    const clock = manualClock();
    const budget = createRequestBudget({ clock });
    const signal = new AbortController().signal;
    for (let i = 0; i < 120; i++) await budget.take(signal);
    expect(budget.used).toBe(120);
    expect(budget.tryTake()).toBe(false);
    let sent = false;
    const next = budget.take(signal).then(() => (sent = true));
    clock.advance(59_999);
    await Promise.resolve();
    expect(sent).toBe(false);
    clock.advance(1);
    await next;
    expect(sent).toBe(true);
    expect(budget.waitedMs).toBe(60_000);
  });

  test('a wait for room ends with the signal', async () => {
    const clock = manualClock();
    const budget = createRequestBudget({ clock, perMinute: 1 });
    const ac = new AbortController();
    await budget.take(ac.signal);
    const waiting = budget.take(ac.signal);
    ac.abort(new Error('quit'));
    await expect(waiting).rejects.toThrow('quit');
  });

  test("the client's own retries of a 503 are counted: a budget of 4 lets 4 requests reach the server", async () => {
    const f: FakeGcs = await startFakeGcs({ bucket: 'bkt', objects: ['p/2022-01-01/x.json'], fault: { status: 503 } });
    servers.push(f);
    const clock = fakeClock(0);
    const budget = createRequestBudget({ clock, perMinute: 4 });
    const source = createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url, retryDelayMs: 1, budget });
    const signal = new AbortController().signal;
    await expect(source.list(signal)).rejects.toThrow();
    expect(f.requests).toBe(3); // the request and its 2 retries
    await expect(source.list(signal)).rejects.toThrow();
    expect(f.requests).toBe(4); // one request: no room left for a retry
    expect(clock.t).toBe(0);
  });
});

/** Poller timers on the fake clock: a timer fires on the next turn of the loop and moves the clock by its delay. */
function clockTimers(clock: { t: number }): PollerTimers {
  return {
    setTimeout(fn, ms) {
      const h = { cancelled: false };
      setImmediate(() => {
        if (h.cancelled) return;
        clock.t += ms;
        fn();
      });
      return h;
    },
    clearTimeout: (h) => void ((h as { cancelled: boolean }).cancelled = true),
  };
}

/** The most of `times` inside any window of 60 s. */
function busiestMinute(times: number[]): number {
  let most = 0;
  for (let i = 0, j = 0; j < times.length; j++) {
    while (times[j] - times[i] >= 60_000) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

type Kind = { name: string; start(clock: ReturnType<typeof fakeClock>, times: number[]): Promise<{ source: KeySource; close(): Promise<void> }> };

const gcsKind = (name: string, fault: FakeGcsFault): Kind => ({
  name: `Cloud Storage, ${name}`,
  async start(clock, times) {
    const f = await startFakeGcs({ bucket: 'bkt', objects: ['p/2022-01-01/x.json'], fault, onRequest: () => times.push(clock.t) });
    const source = createGcsSource({ url: 'gs://bkt/p/', apiEndpoint: f.url, retryDelayMs: 1, budget: createRequestBudget({ clock }) });
    return { source: { ...source, list: (signal) => source.list(signal, { expectedKeys: 1_000_000 }) }, close: () => f.close() };
  },
});

const bqKind = (name: string, over: Partial<FakeBigQueryOptions>, fault: FakeFault = null): Kind => ({
  name: `BigQuery, ${name}`,
  async start(clock, times) {
    const f = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: ['2022-01-01'], ...over, onRequest: () => times.push(clock.t) });
    if (fault) f.setFault(fault);
    const source = createBigQuerySource({ table: 'pr.d.t', column: 'game_date', keyFormat: 'date', apiEndpoint: f.url, retryDelaySeconds: 0.001, budget: createRequestBudget({ clock }), clock });
    return { source: { ...source, list: (signal) => source.list(signal, { expectedKeys: 100_000_000 }) }, close: () => f.close() };
  },
});

// Each server kind polled every 10 ms (far more often than any config asks) for three minutes of the fake clock:
// without the budget the looping kinds take 1,000 and more requests a minute.
const KINDS: Kind[] = [
  gcsKind('the same page token on every page', 'loop-token'),
  gcsKind('endless empty pages with new tokens', 'endless-pages'),
  gcsKind('endless pages each with a new folder', 'endless-keys'),
  gcsKind('429 on every request', { status: 429 }),
  gcsKind('500 on every request', { status: 500 }),
  bqKind('jobComplete:false forever', { incompletePolls: Infinity }),
  bqKind('the same pageToken on every page', { pageSize: 1, loopPageToken: 'again' }),
  bqKind('endless result pages each with a new row', { endlessPages: true }),
  bqKind('429 on every request', {}, { status: 429 }),
  bqKind('500 on every request', {}, { status: 500 }),
];

describe(`at most ${REQUESTS_PER_MINUTE} requests in any minute per source, whatever the server answers`, () => {
  test.each(KINDS.map((k) => [k.name, k] as const))('%s', async (_name, kind) => {
    const clock = fakeClock(0);
    const times: number[] = [];
    const { source, close } = await kind.start(clock, times);
    const ac = new AbortController();
    try {
      startPoller({ source, intervalMs: 10, signal: ac.signal, timers: clockTimers(clock), now: clock.now, random: () => 0.5, onResult: () => {}, onError: () => {} });
      await waitFor(() => clock.t >= 180_000, 'three minutes of the fake clock', 60_000);
    } finally {
      ac.abort();
      await close();
    }
    expect(times.length).toBeGreaterThan(0);
    expect(busiestMinute(times)).toBeLessThanOrEqual(REQUESTS_PER_MINUTE);
  });

  test('the sources the config makes have the budget: the 121st page of a listing that never ends is not sent', async () => {
    const f = await startFakeGcs({ bucket: 'bkt', objects: [], fault: 'endless-keys' });
    servers.push(f);
    const ac = new AbortController();
    const listing = storageSource({ url: 'gs://bkt/p/', apiEndpoint: f.url, pollSeconds: 60 }).list(ac.signal, { expectedKeys: 1_000_000 });
    await waitFor(() => f.requests >= REQUESTS_PER_MINUTE, `${REQUESTS_PER_MINUTE} requests`, 30_000);
    ac.abort(new Error('enough'));
    await expect(listing).rejects.toThrow('enough');
    expect(f.requests).toBe(REQUESTS_PER_MINUTE);
  });

  test("the failed-keys objects a gs:// glob names are read within the same cap", async () => {
    const f = await startFakeGcs({ bucket: 'bkt', objects: [], fault: 'endless-keys' });
    servers.push(f);
    const ac = new AbortController();
    const look = createGcsFailedReader({ glob: 'gs://bkt/failed/failed_dates_*.json', apiEndpoint: f.url }).read(ac.signal);
    await waitFor(() => f.requests >= REQUESTS_PER_MINUTE, `${REQUESTS_PER_MINUTE} requests`, 30_000);
    ac.abort(new Error('enough'));
    await expect(look).rejects.toThrow('enough');
    expect(f.requests).toBe(REQUESTS_PER_MINUTE);
  });

  test('the same for BigQuery: metadata, dry run, query and result pages count alike', async () => {
    const f = await startFakeBigQuery({ project: 'pr', dataset: 'd', table: 't', rows: [], endlessPages: true });
    servers.push(f);
    const ac = new AbortController();
    const listing = warehouseSource({ table: 'pr.d.t', column: 'game_date', apiEndpoint: f.url, pollSeconds: 300 }, 'date').list(ac.signal, { expectedKeys: 1_000_000 });
    await waitFor(() => f.calls.length >= REQUESTS_PER_MINUTE, `${REQUESTS_PER_MINUTE} requests`, 30_000);
    ac.abort(new Error('enough'));
    await expect(listing).rejects.toThrow('enough');
    expect(f.calls.length).toBe(REQUESTS_PER_MINUTE);
  });
});

describe('g pressed again and again', () => {
  test('twice a second for a minute: a listing every 10 s at most, and each refusal says when the next is possible', async () => {
    const f = await startFakeGcs({ bucket: 'bkt', objects: ['p/2022-01-01/x.json'] });
    servers.push(f);
    const clock = { t: 0 };
    const hub = createSourceHub({ mode: 'live', now: () => clock.t, timers: { setTimeout: () => null, clearTimeout: () => {} } });
    const ac = new AbortController();
    let results = 0;
    const source = hub.storage({ url: 'gs://bkt/p/', apiEndpoint: f.url, pollSeconds: 60 });
    const handle = hub.follow(source, 60_000, { onResult: () => results++, onError: (e) => expect.fail(e.message) }, ac.signal);
    await waitFor(() => results === 1, 'the first listing');
    const notices: string[] = [];
    let listings = 1;
    for (let t = 500; t <= 60_000; t += 500) {
      clock.t = t;
      const answer = handle.refresh();
      if (answer.started) {
        listings += 1;
        await waitFor(() => results === listings, 'the listing g started');
      }
      else if (t === 3_000 || t === 9_500) notices.push(refreshNotice([{ name: 'storage', answer }], clock.t)[0]);
    }
    ac.abort();
    hub.close();
    // At 0 (the first poll), then 10, 20, 30, 40, 50 and 60 s.
    expect(f.requests).toBe(7);
    // Clock times (TZ=UTC, the epoch's first minute): a notice that stands on screen stays true (tester AF4).
    // 3 s and 9.5 s after the listing: the same words, both still true.
    expect(notices).toEqual(['storage checked at 00:00:00, g checks it again from 00:00:10', 'storage checked at 00:00:00, g checks it again from 00:00:10']);
  });
});

test('g refused for two sources checked together says them together, on one line; a check still under way says since when', () => {
  const now = Date.UTC(2026, 11, 1, 19, 1, 7, 400);
  const both = refreshNotice([
    { name: 'storage', answer: { started: false, agoMs: 4_400, nextInMs: 5_600, running: false } },
    { name: 'warehouse', answer: { started: false, agoMs: 4_400, nextInMs: 5_600, running: false } },
  ], now)[0];
  expect(both).toBe('storage and warehouse checked at 19:01:03, g checks them again from 19:01:13');
  expect(both.length).toBeLessThanOrEqual(80);
  // A refusal 0.5 s before the gap ends names the next whole second, never one already gone.
  const running = refreshNotice([
    { name: 'storage', answer: { started: true } },
    { name: 'warehouse', answer: { started: false, agoMs: 9_500, nextInMs: 500, running: true } },
  ], now)[0];
  expect(running).toBe('checking storage now… · warehouse check under way since 19:00:57, g checks it again from 19:01:08');
});

describe('the one abortable pause, two ways of ending', () => {
  test('sleepUnlessAborted resolves on abort; realClock.sleep (the budget\'s wait) rejects with the abort\'s reason', async () => {
    const ac = new AbortController();
    const quiet = sleepUnlessAborted(60_000, ac.signal);
    const loud = realClock.sleep(60_000, ac.signal);
    ac.abort(new Error('source stopped'));
    await expect(quiet).resolves.toBeUndefined();
    await expect(loud).rejects.toThrow('source stopped');
    // Already aborted: no wait at all.
    await expect(realClock.sleep(60_000, ac.signal)).rejects.toThrow('source stopped');
    await expect(realClock.sleep(1, new AbortController().signal)).resolves.toBeUndefined();
  });
});
