import { afterEach, describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLaunchLock, lockPath, type LockResult } from '../src/runner/lock.js';
import { procStartOf } from '../src/runner/proc.js';
import { bundle, cleanup, deadPid, node, runnerModule, stdoutOf, tempDir, waitFor, writeScript } from './runner-support.js';

afterEach(cleanup);

/** Another live process to act as a second dashboard in this one. */
function otherDashboard() {
  const child = node(writeScript(tempDir(), 'idle.mjs', 'setInterval(() => {}, 1000);'));
  return { pid: child.pid!, procStart: procStartOf(child.pid!) };
}
const me = () => ({ pid: process.pid, procStart: procStartOf(process.pid) });

describe('acquireLaunchLock', () => {
  test('held by a live dashboard: refused with its pid; after release it can be taken', async () => {
    const state = tempDir();
    const other = otherDashboard();
    const first = await acquireLaunchLock(state, 'boxscores', { self: other });
    expect(first).toMatchObject({ ok: true });
    expect(first).not.toHaveProperty('tookOverStale');
    expect(JSON.parse(readFileSync(lockPath(state, 'boxscores'), 'utf8'))).toMatchObject(other);
    expect(await acquireLaunchLock(state, 'boxscores', { self: me() })).toEqual({ ok: false, holderPid: other.pid });
    if (first.ok) await first.release();
    const second = await acquireLaunchLock(state, 'boxscores', { self: me() });
    expect(second.ok).toBe(true);
    expect(readdirSync(state)).toEqual(['launch-boxscores.lock']); // no temp or stale files left
  });

  test('another job has its own lock', async () => {
    const state = tempDir();
    expect((await acquireLaunchLock(state, 'a', { self: otherDashboard() })).ok).toBe(true);
    expect((await acquireLaunchLock(state, 'b', { self: me() })).ok).toBe(true);
  });

  test.each([
    ['its holder died', async () => ({ pid: await deadPid(), procStart: 1, at: 1 })],
    ['its pid now names another process', async () => ({ pid: process.pid, procStart: procStartOf(process.pid)! + 3, at: 1 })],
    ['it is not a lock we wrote', async () => 'garbage'],
  ])('a stale lock is taken over, with a notice, when %s', async (_, holder) => {
    const state = tempDir();
    const stale = await holder();
    writeFileSync(lockPath(state, 'job'), typeof stale === 'string' ? stale : JSON.stringify(stale));
    const result = await acquireLaunchLock(state, 'job', { self: otherDashboard() });
    expect(result).toMatchObject({ ok: true, tookOverStale: { pid: typeof stale === 'string' ? null : stale.pid } });
    expect(readdirSync(state)).toEqual(['launch-job.lock']);
  });

  test('release leaves a lock that is no longer ours alone', async () => {
    const state = tempDir();
    const first = await acquireLaunchLock(state, 'job', { self: { pid: await deadPid(), procStart: 1 } });
    const second = await acquireLaunchLock(state, 'job', { self: me() }); // takes over the dead one's lock
    expect(second.ok).toBe(true);
    if (first.ok) await first.release();
    expect(JSON.parse(readFileSync(lockPath(state, 'job'), 'utf8')).pid).toBe(process.pid);
  });

  test('a stale lock is cleared only under its breaker: not while a live dashboard holds it, at once when a dead one left it', async () => {
    const state = tempDir();
    const path = lockPath(state, 'job');
    const stale = JSON.stringify({ pid: await deadPid(), procStart: 1, at: 0 });
    writeFileSync(path, stale);
    // Another live dashboard is clearing it (holds the breaker): this one does not touch the lock, and names it.
    const clearing = otherDashboard();
    writeFileSync(`${path}.break`, JSON.stringify({ ...clearing, at: 0 }));
    expect(await acquireLaunchLock(state, 'job', { self: me() })).toEqual({ ok: false, holderPid: clearing.pid });
    expect(readFileSync(path, 'utf8')).toBe(stale);
    // A breaker left by a dashboard that died holding it: removed, and the stale lock taken over.
    writeFileSync(`${path}.break`, JSON.stringify({ pid: await deadPid(), procStart: 1, at: 0 }));
    const taken = await acquireLaunchLock(state, 'job', { self: me() });
    expect(taken).toMatchObject({ ok: true, tookOverStale: { pid: JSON.parse(stale).pid } });
    expect(readdirSync(state)).toEqual(['launch-job.lock']);
  });

  test.each([false, true])('two dashboards racing in one process: exactly one wins (stale lock before: %s)', async (stale) => {
    const a = me();
    const b = otherDashboard();
    for (let round = 0; round < 20; round++) {
      const state = tempDir();
      if (stale) writeFileSync(lockPath(state, 'job'), JSON.stringify({ pid: process.pid, procStart: 1, at: 0 }));
      const results: LockResult[] = await Promise.all([
        acquireLaunchLock(state, 'job', { self: a }),
        acquireLaunchLock(state, 'job', { self: b }),
      ]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      const loser = results.find((r) => !r.ok);
      const winner = results[0].ok ? a : b;
      expect(loser).toEqual({ ok: false, holderPid: winner.pid });
      expect(JSON.parse(readFileSync(lockPath(state, 'job'), 'utf8')).pid).toBe(winner.pid);
    }
  });

  test.each([false, true])('four dashboard processes racing: exactly one wins (stale lock before: %s)', async (stale) => {
    const state = tempDir();
    if (stale) writeFileSync(lockPath(state, 'job'), JSON.stringify({ pid: await deadPid(), procStart: 1, at: 0 }));
    const go = join(state, 'go');
    // Each waits for the same go file, tries once, reports, and stays alive (holding) until its stdin closes.
    const racer = bundle(tempDir(), 'racer', `
      import { existsSync } from 'node:fs';
      import { acquireLaunchLock } from ${JSON.stringify(runnerModule('lock'))};
      const [state, go] = process.argv.slice(2);
      const spin = () => existsSync(go) ? acquireLaunchLock(state, 'job').then((r) =>
        console.log(JSON.stringify({ pid: process.pid, ok: r.ok, holderPid: r.holderPid ?? null }))) : setTimeout(spin, 1);
      spin();
      process.stdin.resume();
      process.stdin.on('end', () => process.exit(0));
    `);
    const racers = Array.from({ length: 4 }, () => node(racer, [state, go]));
    const outs = racers.map(stdoutOf);
    writeFileSync(go, '');
    const results = await waitFor(() => {
      const lines = outs.map((o) => o().trim());
      return lines.every(Boolean) ? lines.map((l) => JSON.parse(l)) : null;
    }, 'all racers to answer');
    racers.forEach((r) => r.stdin?.end());
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r.holderPid).toBe(winners[0].pid);
  });
});
