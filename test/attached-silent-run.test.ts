import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { collectSnapshot } from '../src/app/snapshot.js';
import { startRuntime } from '../src/app/runtime.js';
import { statusText } from '../src/app/status-text.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { procStartOf } from '../src/runner/proc.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { currentFigures } from '../src/state/current-figures.js';
import { cleanup, tempDir, track, waitFor } from './runner-support.js';
import { logLine } from './support/log-text.js';

// Tester U19: a run launched from a dashboard that has written nothing yet (a Python script still importing its
// clients) read `waiting` in a fresh dashboard and in status, or the log's previous run as this one.
afterAll(cleanup);

const noWriters: WritersScan = { external: async () => [], asks: 0, walks: 0, waiting: false };

/** A job whose launch from "another dashboard" is recorded and whose process (a sleep) is alive and silent. */
async function silentLaunch(previousRun: boolean): Promise<{ dir: string; launchedAt: number; pid: number }> {
  const dir = tempDir();
  const child = spawn('sleep', ['120'], { detached: true, stdio: 'ignore' });
  child.unref();
  track(child.pid);
  const procStart = await waitFor(() => procStartOf(child.pid!), 'the sleep to show in /proc');
  const launchedAt = Date.now() - 5_000;
  if (previousRun) {
    // A 4-key run started by hand a minute before the launch, complete.
    const t = launchedAt - 60_000;
    const lines = [logLine(t, 'INFO', 'Team Boxscore Backfill'), logLine(t, 'INFO', 'Loaded 4 dates from k.csv'), ...['2021-10-19', '2021-10-20', '2021-10-21', '2021-10-22'].flatMap((k, i) => [logLine(t + i * 1000, 'INFO', `[${i + 1}/4] Queued ${k}`), logLine(t + i * 1000 + 500, 'INFO', `  ✅ Scraped ${k}`)]), logLine(t + 5000, 'INFO', 'BACKFILL COMPLETE')];
    writeFileSync(join(dir, 'bf.log'), `${lines.join('\n')}\n`);
  }
  const keysFile = join(dir, 'keys.txt');
  writeFileSync(keysFile, '2021-10-23\n');
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'env', log: 'bf.log', command: ['python', 'backfill.py', '--csv', '{keysFile}'] }));
  await appendRunRecord(join(dir, '.backfill-tui'), {
    type: 'launch', id: 'resume-20261130-120431-59f0d9', label: 'resume', argv: ['python', 'backfill.py', '--csv', keysFile], cwd: dir, keysFile,
    keyCount: 235, workers: 3, timeout: 300, pid: child.pid!, procStart, log: join(dir, 'bf.log'), startedAt: launchedAt,
  });
  return { dir, launchedAt, pid: child.pid! };
}

describe('a re-attached run that has written nothing yet is running, from its launch record', () => {
  test.each([
    ['no log yet', false],
    ['the log holds the previous run (complete, 4 keys)', true],
  ])('status: %s', async (_, previousRun) => {
    const { dir, launchedAt } = await silentLaunch(previousRun);
    const now = launchedAt + 5_000;
    const state = await collectSnapshot(loadConfig({ cwd: dir }), { now: () => now, writers: noWriters, sources: false });
    const f = currentFigures(state);
    expect(f.status).toBe('running');
    expect(f.elapsedMs).toBe(5_000);
    expect(state.log.current).toMatchObject({ startedAt: launchedAt, total: 235, workers: 3, timeoutSec: 300, succeeded: 0 });
    const text = statusText(state);
    expect(text).toMatch(/^env: running /);
    expect(text).toContain('run       0/235  0.0 %  elapsed 0:05');
    // The previous run is history, and no note pins its 4 keys on this launch.
    expect(text).not.toContain('the script read');
    expect(state.log.history.map((r) => r.total)).toEqual(previousRun ? [4] : []);
  });

  test('a fresh dashboard re-attaching says the same', async () => {
    const { dir, launchedAt, pid } = await silentLaunch(true);
    const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, writers: noWriters });
    try {
      await waitFor(() => runtime.store.getState().log.current?.total === 235, 'the run from its launch record', 20_000);
      const s = runtime.store.getState();
      expect(s.process).toMatchObject({ attached: true, runId: 'resume-20261130-120431-59f0d9' });
      expect(s.log.current).toMatchObject({ startedAt: launchedAt, workers: 3, timeoutSec: 300 });
      expect(currentFigures(s).status).toBe('running');
      expect(s.log.history.map((r) => r.total)).toEqual([4]);
      // Its end replaces `re-attached … still running` (tester U16: both stood one above the other).
      expect(s.ui.notices.map((n) => n.text)).toContain(`re-attached to run resume-20261130-120431-59f0d9 (pid ${pid}), still running`);
      process.kill(pid, 'SIGKILL');
      const notices = await waitFor(() => {
        const texts = runtime.store.getState().ui.notices.map((n) => n.text);
        return texts.some((t) => t.startsWith('run resume-20261130-120431-59f0d9 ended')) ? texts : null;
      }, 'the end of the run', 20_000);
      expect(notices.filter((t) => t.includes('resume-20261130-120431-59f0d9'))).toEqual([expect.stringMatching(/^run resume-20261130-120431-59f0d9 ended/)]);
    } finally {
      await runtime.close();
    }
  });
});
