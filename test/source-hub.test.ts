import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { startPlatform, type Platform } from '../src/app/platform-runtime.js';
import { createSourceHub } from '../src/coverage/source-hub.js';
import { manualTimers } from './support/manual-timers.js';
import { loadRegistry } from '../src/jobs/registry.js';
import { acquireLaunchLock, lockPath, type LockResult } from '../src/runner/lock.js';
import { procStartOf } from '../src/runner/proc.js';
import { startFakeBigQuery, type FakeBigQuery } from './support/fake-bigquery-server.js';
import { waitFor } from './support/wait-for.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'bt-hub-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dates = Array.from({ length: 120 }, (_, i) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10));

describe('shared polling', () => {
  let platform: Platform | null = null;
  let bq: FakeBigQuery | null = null;
  afterEach(async () => {
    await platform?.close();
    await bq?.close();
    platform = null;
    bq = null;
  });

  test('two jobs and a chain stage naming one table: one query per interval, counted at the server', async () => {
    bq = await startFakeBigQuery({ project: 'nba-props', dataset: 'nba_raw', table: 'nbac_player_boxscores', rows: dates.slice(0, 100) });
    const dir = path.join(root, 'shared');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'dates.csv'), `${dates.join('\n')}\n`);
    const table = { table: 'nba-props.nba_raw.nbac_player_boxscores', column: 'game_date', apiEndpoint: bq.url, pollSeconds: 60 };
    writeFileSync(
      path.join(dir, 'backfill-tui.config.json'),
      JSON.stringify({
        defaults: { expected: 'dates.csv', warehouse: table },
        jobs: [
          { name: 'player-boxscores', log: 'a.log' },
          { name: 'player-boxscores-retry', log: 'b.log', failed: 'retry_failed_dates_*.json' },
        ],
        chain: { expected: 'dates.csv', stages: [{ name: 'Phase 2', warehouse: table }] },
      }),
    );
    const clock = manualTimers();
    const hub = createSourceHub({ mode: 'live', timers: clock.timers, random: () => 0.5 });
    platform = startPlatform(loadRegistry({ cwd: dir }), { exit: () => undefined, hub });
    const p = platform;
    const checked = () => p.jobs.map((j) => j.store.getState().coverage.warehouse?.checkedAt ?? null);
    const queries = () => bq!.calls.filter((c) => c === 'POST /queries').length;
    await waitFor(() => checked().every((t) => t !== null) && p.chain!.getState().looks.get('Phase 2')?.keys, 'both jobs and the stage to see the table');
    expect(p.jobs.map((j) => j.store.getState().coverage.warehouse?.keys?.size)).toEqual([100, 100]);
    expect(queries()).toBe(1);
    for (let interval = 2; interval <= 4; interval++) {
      // One poller for the table, whatever number of followers: one timer to fire per interval.
      await waitFor(() => clock.pending.size === 1, 'the next poll scheduled');
      const before = checked();
      clock.fireAll();
      await waitFor(() => checked().every((t, i) => t !== before[i]), `both jobs to hear poll ${interval}`);
      expect(queries()).toBe(interval);
    }
    hub.close();
  });
});

/** A loopback storage API that holds every list request until released, and counts those in flight. */
async function holdingGcs() {
  let inFlight = 0;
  let peak = 0;
  const held: (() => void)[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const prefix = new URL(req.url ?? '/', 'http://x').searchParams.get('prefix') ?? '';
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    const answer = () => {
      inFlight -= 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'storage#objects', items: [{ name: `${prefix}2021-10-19/a.json`, size: '120' }] }));
    };
    if (prefix.startsWith('hang/')) return; // never answers: a source that fails by its own time limit
    held.push(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inFlight: () => inFlight,
    peak: () => peak,
    held,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('bounded: at most 4 cloud lists in flight', () => {
  test('six prefixes and one that never answers: 4 at a time at the server, and every answering one ends', async () => {
    const gcs = await holdingGcs();
    try {
      const hub = createSourceHub({ mode: 'snapshot' });
      const spec = (prefix: string) => ({ url: `gs://bkt/${prefix}/`, apiEndpoint: gcs.url, pollSeconds: 60 });
      const hang = hub.storage(spec('hang'));
      void hang.list(AbortSignal.timeout(60_000)).catch(() => 'gave up');
      const lists = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'].map((p) => hub.storage(spec(p)).list(AbortSignal.timeout(60_000)));
      await waitFor(() => gcs.inFlight() === 4, 'four requests at the server');
      // Releasing answers lets the queued lists in, never more than four at once.
      while ((await Promise.race([Promise.all(lists).then(() => 'all'), new Promise((r) => setTimeout(r, 5, 'more'))])) !== 'all') {
        gcs.held.splice(0).forEach((answer) => answer());
        expect(gcs.inFlight()).toBeLessThanOrEqual(4);
      }
      const results = await Promise.all(lists);
      expect(results.map((r) => [...r.keys])).toEqual(Array(6).fill(['2021-10-19']));
      expect(gcs.peak()).toBe(4);
      expect(hub.limiter.peak).toBe(4);
      hub.close();
    } finally {
      await gcs.close();
    }
  });
});

describe('one launch lock per job', () => {
  test('two dashboards racing on one job: one wins; the other job of the same config launches meanwhile', async () => {
    const dir = path.join(root, 'locks');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ jobs: [{ name: 'team boxscores', log: 'a.log', failed: 'failed_games_*.json' }, { name: 'player-boxscores', log: 'b.log' }] }));
    const [team, player] = loadRegistry({ cwd: dir }).jobs;
    const me = { pid: process.pid, procStart: procStartOf(process.pid) };
    const other = { pid: process.ppid, procStart: procStartOf(process.ppid) };
    for (let round = 0; round < 10; round++) {
      const results: LockResult[] = await Promise.all([
        acquireLaunchLock(team.stateDir, team.job, { self: me }),
        acquireLaunchLock(team.stateDir, team.job, { self: other }),
        acquireLaunchLock(player.stateDir, player.job, { self: me }),
      ]);
      expect(results.slice(0, 2).filter((r) => r.ok)).toHaveLength(1);
      expect(results[2].ok).toBe(true);
      expect(path.dirname(lockPath(team.stateDir, team.job))).not.toBe(path.dirname(lockPath(player.stateDir, player.job)));
      for (const r of results) if (r.ok) await r.release();
    }
  });
});
