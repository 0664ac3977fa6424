import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { appendRunRecord, readRuns, recordEndOnce } from '../src/runner/runs-file.js';
import { cleanup, tempDir } from './runner-support.js';

afterAll(cleanup);

// Tester Z5: a dashboard left (or died) between claiming a run's end and writing it: `end-ID.claim` stayed, every
// later dashboard took it for another's (fresh, under a minute), and the end was never recorded.
test('a claim whose owner process is gone is taken over at once; one whose owner lives is left to it', async () => {
  const dir = tempDir();
  const state = join(dir, '.backfill-tui');
  mkdirSync(state);
  await appendRunRecord(state, { type: 'launch', id: 'r1', label: 'resume', argv: ['x'], cwd: dir, keysFile: null, keyCount: 1, pid: 2_000_000_000, procStart: 1, log: join(dir, 'bf.log'), startedAt: Date.now() - 60_000 });
  const claim = join(state, 'end-r1.claim');
  // Left by a process that has exited (a dashboard gone mid-write), seconds ago.
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  writeFileSync(claim, `${gone}\n`);
  expect(await recordEndOnce(state, { id: 'r1', endedAt: Date.now(), exitCode: null, signal: null, reason: 'ended' })).toBe(true);
  expect((await readRuns(state, null)).find((r) => r.id === 'r1')?.end?.reason).toBe('ended');
  expect(existsSync(claim)).toBe(false);
  // Held by a process alive (this test's parent stands for another dashboard mid-write): left alone.
  await appendRunRecord(state, { type: 'launch', id: 'r2', label: 'resume', argv: ['x'], cwd: dir, keysFile: null, keyCount: 1, pid: 2_000_000_001, procStart: 1, log: join(dir, 'bf.log'), startedAt: Date.now() - 30_000 });
  writeFileSync(join(state, 'end-r2.claim'), `${process.ppid}\n`);
  expect(await recordEndOnce(state, { id: 'r2', endedAt: Date.now(), exitCode: null, signal: null, reason: 'ended' })).toBe(false);
  expect(existsSync(join(state, 'end-r2.claim'))).toBe(true);
});
