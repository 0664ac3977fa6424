import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { loadConfig } from '../src/config.js';
import type { WritersScan } from '../src/runner/log-writers.js';
import { appendRunRecord } from '../src/runner/runs-file.js';
import { cleanup, tempDir, waitFor } from './runner-support.js';
import { logLine } from './support/log-text.js';

afterAll(cleanup);
/** A look at /proc that answers only once the log's history is read (the order a slow /proc walk gives). */
function lateWriters(ready: () => boolean): WritersScan {
  return { external: () => new Promise((res) => { const t = setInterval(() => ready() && (clearInterval(t), res([])), 5); }), asks: 0, walks: 0, waiting: false };
}

// Tester V15: each new dashboard fired "run ended without a summary" again for the last run, when it had been
// launched from here and had ended (its end recorded) before this dashboard started.
test('a run that ended before the dashboard started is history: no alert when a dashboard opens on it', async () => {
  const dir = tempDir();
  const t = Date.now() - 30_000;
  const lines = [logLine(t, 'INFO', 'Team Boxscore Backfill'), logLine(t, 'INFO', 'Loaded 6 dates from k.csv'), ...Array.from({ length: 6 }, (_, i) => logLine(t + 1000 * (i + 1), 'INFO', `  ✅ Scraped 2021-10-${19 + i}`))];
  writeFileSync(join(dir, 'bf.log'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'al', log: 'bf.log', keepAwake: false, timeout: 5, command: ['true'] }));
  const state = join(dir, '.backfill-tui');
  await appendRunRecord(state, { type: 'launch', id: 'resume-1', label: 'resume', argv: ['true'], cwd: dir, keysFile: null, keyCount: 6, pid: 2_000_000_000, procStart: 1, log: join(dir, 'bf.log'), startedAt: t - 500 });
  await appendRunRecord(state, { type: 'end', id: 'resume-1', endedAt: t + 7000, exitCode: 0, signal: null, reason: 'exited' });
  for (let i = 0; i < 2; i++) {
    let historyRead = () => false;
    const r = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, writers: lateWriters(() => historyRead()) });
    historyRead = () => r.store.getState().log.historyDone;
    try {
      await waitFor(() => (r.store.getState().log.historyDone && r.store.getState().process.writersChecked && r.store.getState().process.history.length > 0) || null, 'the log and the runs read');
      expect(r.store.getState().alerts.recent.map((a) => a.kind)).not.toContain('ended-without-summary');
    } finally {
      await r.close();
    }
  }
});
