import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { procStartOf } from '../src/runner/proc.js';
import { appendRunRecord, readRuns } from '../src/runner/runs-file.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';
import { banner, logOf } from './support/log-text.js';

// Tester W4: a run launched by another dashboard, watched here to its end, was recorded with this dashboard's
// previous launch's "storage before" (89.0 → 93.9 % for a run that took storage from 62.9 %). "Before" is the
// run's own, from its launch record; a record without one gets none.
afterAll(cleanup);

const noWriters: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };
const KEYS = ['2021-10-19', '2021-10-20', '2021-10-21', '2021-10-22', '2021-10-23'];

test.each([
  ['the launch recorded 2 keys in storage: the end says 2 → 4', 2, { storageBefore: 2, storageAfter: 4, storageAfterAt: expect.any(Number) }],
  ['the launch recorded none: the end says no storage figures', undefined, {}],
])('%s', async (_name, storageBefore, expected) => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), `game_date\n${KEYS.join('\n')}\n`);
  for (const k of KEYS.slice(0, 4)) {
    mkdirSync(join(dir, 'st', k), { recursive: true });
    writeFileSync(join(dir, 'st', k, 'boxscores.json'), '{}');
  }
  writeFileSync(join(dir, 'bf.log'), '');
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'w4', log: 'bf.log', expected: 'e.csv', storage: { url: 'st' }, command: ['python', 'backfill.py', '--csv', '{keysFile}'], keepAwake: false }));
  const child = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
  child.unref();
  track(child.pid);
  const procStart = await waitFor(() => procStartOf(child.pid!), 'the sleep to show in /proc');
  const id = 'resume-20261130-161814-157c5f';
  await appendRunRecord(join(dir, '.backfill-tui'), {
    type: 'launch', id, label: 'resume', argv: ['python', 'backfill.py'], cwd: dir, keysFile: join(dir, 'k.txt'), keyCount: 3,
    pid: child.pid!, procStart, log: join(dir, 'bf.log'), startedAt: Date.now() - 5_000, ...(storageBefore !== undefined ? { storageBefore } : {}),
  });
  const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, writers: noWriters });
  try {
    await waitFor(() => runtime.store.getState().process.runId === id, 're-attached', 20_000);
    await waitFor(() => runtime.store.getState().coverage.storage?.keys?.size === 4, 'storage listed', 20_000);
    process.kill(child.pid!, 'SIGKILL');
    const run = await waitFor(async () => (await readRuns(join(dir, '.backfill-tui'), null)).find((r) => r.id === id && r.end !== null) ?? null, 'the end recorded', 20_000);
    expect(run.end?.counts).toEqual({ succeeded: 0, failed: 0, skipped: 0, ...expected });
    // When "after" was listed (tester AJ9): once the run was seen to end.
    if (storageBefore !== undefined) expect(run.end!.counts!.storageAfterAt).toBeGreaterThanOrEqual(run.end!.endedAt);
  } finally {
    await runtime.close();
  }
});

// Tester AK5: a run that ended while no dashboard watched got an end record with no storage before → after at all, so
// `h` lost its coverage movement. It is recorded from a listing taken then, with when (`h` says it past 10 min).
test('a run ended unwatched: its before, and the after a listing took when it was found, with that listing\'s time', async () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'e.csv'), `game_date\n${KEYS.join('\n')}\n`);
  for (const k of KEYS.slice(0, 4)) {
    mkdirSync(join(dir, 'st', k), { recursive: true });
    writeFileSync(join(dir, 'st', k, 'boxscores.json'), '{}');
  }
  // A process that was the run, gone now: its pid and start time as recorded.
  const child = spawn('sleep', ['0.5'], { detached: true, stdio: 'ignore' });
  track(child.pid);
  const procStart = await waitFor(() => procStartOf(child.pid!), 'the sleep to show in /proc');
  const gone = new Promise((resolve) => child.once('exit', resolve));
  const launchedAt = Date.now() - 60_000;
  writeFileSync(join(dir, 'bf.log'), logOf(launchedAt + 1_000, [...banner(2, 60, 2), ['INFO', '  ✅ Scraped 2021-10-22'], ['INFO', '  ✅ Scraped 2021-10-23']]));
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'ak5', log: 'bf.log', expected: 'e.csv', storage: { url: 'st' }, command: ['python', 'backfill.py', '--csv', '{keysFile}'], keepAwake: false, timezone: 'UTC' }));
  const id = 'resume-20261202-110000-aaaaaa';
  await appendRunRecord(join(dir, '.backfill-tui'), {
    type: 'launch', id, label: 'resume', argv: ['python', 'backfill.py'], cwd: dir, keysFile: join(dir, 'k.txt'), keyCount: 2,
    pid: child.pid!, procStart, log: join(dir, 'bf.log'), startedAt: launchedAt, storageBefore: 2,
  });
  await gone;
  const openedAt = Date.now();
  const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, writers: noWriters });
  try {
    const run = await waitFor(async () => (await readRuns(join(dir, '.backfill-tui'), null)).find((r) => r.id === id && r.end !== null) ?? null, 'the end recorded', 20_000);
    expect(run.end?.counts).toMatchObject({ succeeded: 2, failed: 0, skipped: 0, storageBefore: 2, storageAfter: 4 });
    expect(run.end!.counts!.storageAfterAt).toBeGreaterThanOrEqual(openedAt);
  } finally {
    await runtime.close();
  }
});
