import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { procStartOf } from '../src/runner/proc.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { currentFigures } from '../src/state/current-figures.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';
import { logLine } from './support/log-text.js';

// Tester AJ3: a run launched here whose writer's clock is a little behind this machine's (5 s was enough; under the
// 2 min a zone guess reads) writes its first line "before" its launch, and a dashboard opened on it later, and
// `status`, seeded a second run from the launch: `0/120` beside the real one, `h` listing two runs for one launch.
afterAll(cleanup);

const noWriters: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };
const keys = Array.from({ length: 10 }, (_, i) => `2022-01-${String(i + 1).padStart(2, '0')}`);

/** A launch recorded at `launchedAt` (our clock) whose process is alive, and its log as a writer `behindMs` slow wrote it. */
async function skewedRun(behindMs: number, launchedAt: number): Promise<string> {
  const dir = tempDir();
  const child = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
  child.unref();
  track(child.pid);
  const procStart = await waitFor(() => procStartOf(child.pid!), 'the sleep to show in /proc');
  // The writer's times: its start a moment after the launch, on a clock `behindMs` slow; six keys done over 12 s.
  const t = launchedAt + 500 - behindMs;
  const lines = [logLine(t, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2)'), logLine(t, 'INFO', `Loaded ${keys.length} dates from k.csv`), ...keys.map((k, i) => logLine(t + 100, 'INFO', `[${i + 1}/${keys.length}] Queued ${k}`)), ...keys.slice(0, 6).map((k, i) => logLine(t + 2000 * (i + 1), 'INFO', `  ✅ Scraped ${k}`))];
  // Written now, after the launch: its modification time is this machine's.
  writeFileSync(join(dir, 'bf.log'), `${lines.join('\n')}\n`);
  const keysFile = join(dir, 'keys.txt');
  writeFileSync(keysFile, `${keys.join('\n')}\n`);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'skew', log: 'bf.log', command: ['python', 'backfill.py', '--csv', '{keysFile}'] }));
  await appendRunRecord(join(dir, '.backfill-tui'), {
    type: 'launch', id: 'resume-20261202-071831-aa2f67', label: 'resume', argv: ['python', 'backfill.py', '--csv', keysFile], cwd: dir, keysFile,
    keyCount: keys.length, workers: 2, timeout: 180, pid: child.pid!, procStart, log: join(dir, 'bf.log'), startedAt: launchedAt,
  });
  return dir;
}

describe('a launched run whose writer\'s clock is a little behind is one run, the log\'s', () => {
  test.each([5_000, 30_000, 110_000, 180_000])('status, %i ms behind', async (behindMs) => {
    const launchedAt = Date.now() - 15_000;
    const dir = await skewedRun(behindMs, launchedAt);
    const state = await collectSnapshot(loadConfig({ cwd: dir }), { now: () => launchedAt + 15_000, writers: noWriters, sources: false });
    expect(state.log.current).toMatchObject({ total: keys.length, succeeded: 6 });
    expect(state.log.history).toEqual([]);
    expect(currentFigures(state).status).toBe('running');
  });

  // 3 min behind, a zone guess reads the writer's clock: the dashboard waits for it before any seed (it seeded first).
  test.each([5_000, 180_000])('a dashboard opened on it later, %i ms behind', async (behindMs) => {
    const launchedAt = Date.now() - 15_000;
    const dir = await skewedRun(behindMs, launchedAt);
    const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, writers: noWriters });
    try {
      await waitFor(() => runtime.store.getState().process.attached && runtime.store.getState().log.modifiedAt != null, 'attached, the log read', 20_000);
      // Past the moment a seed would come (the history read and its modification time known).
      await waitFor(() => runtime.store.getState().log.current?.succeeded === 6, 'the log\'s run', 20_000);
      const s = runtime.store.getState();
      expect(s.log.current).toMatchObject({ total: keys.length, succeeded: 6 });
      expect(s.log.history).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
