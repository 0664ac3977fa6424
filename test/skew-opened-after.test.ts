import { removeDir } from './support/remove-dir.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { statusJson } from '../src/app/status-json.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { waitFor } from './support/wait-for.js';

// Tester X12 residue: a dashboard opened AFTER the lines of a writer whose clock is 7 min ahead were written (the writer
// then hung) read them on this machine's clock: `running · 0:00` at 5:21, while `status` beside it said `stalled`.
// vitest pins TZ=UTC; the writer's clock is injected through the lines' wall times, ours through `now`.
const dir = mkdtempSync(join(tmpdir(), 'bt-skew-after-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  removeDir(dir);
});
const MIN = 60_000;

/** Lines of a run begun at `start` (our clock) by a writer whose clock reads `aheadMs` ahead, one outcome a second. */
function skewedLog(start: number, aheadMs: number, seconds: number): string {
  const wall = (t: number) => new Date(t + aheadMs).toISOString().replace('T', ' ').replace('Z', '').replace('.', ',');
  const key = (i: number) => new Date(Date.UTC(2021, 9, 19) + i * 86_400_000).toISOString().slice(0, 10);
  const out = [`${wall(start)} - INFO - Starting backfill`, `${wall(start)} - INFO - Workers: 1`, `${wall(start)} - INFO - Timeout: 60s`, `${wall(start)} - INFO - Loaded 60 dates from k.csv`];
  for (let s = 1; s <= seconds; s++) out.push(`${wall(start + s * 1000)} - INFO - [${s}/60] Processing ${key(s)}`, `${wall(start + s * 1000)} - INFO -   ✅ Scraped ${key(s)}`);
  return `${out.join('\n')}\n`;
}

test('a dashboard opened after a 7-min-ahead writer\'s lines, the writer hung 5.5 min: stalled, elapsed on the writer\'s clock, as status says', async () => {
  // Whole seconds: a file's modification time keeps them exactly.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const lastWrite = now - 5.5 * MIN;
  const log = join(dir, 'bf.log');
  writeFileSync(log, skewedLog(lastWrite - 20_000, 7 * MIN, 20));
  utimesSync(log, lastWrite / 1000, lastWrite / 1000);
  // The hung writer: a live process holding the log open for writing, as /proc shows it.
  const fd = openSync(log, 'a');
  const writer = spawn('sleep', ['600'], { stdio: ['ignore', fd, 'ignore'] });
  closeSync(fd);
  children.push(writer);
  const file = join(dir, 'backfill-tui.config.json');
  writeFileSync(file, JSON.stringify({ job: 'skew', log: 'bf.log', keepAwake: false }));
  const config = loadConfig({ file, cwd: dir });

  const status = await collectSnapshot(config, { now: () => now, sources: false });
  expect(statusJson(status).run).toMatchObject({ state: 'stalled' });

  const runtime = startRuntime(config, { now: () => now, exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().log.historyDone && runtime.store.getState().process.external, 'the history read and the hung writer found', 15_000);
    // The file's modification time came after the history: the writer's clock is 7 min ahead of ours.
    await waitFor(() => runtime.store.getState().log.clockBehindMs === -7 * MIN, 'the log clock known from the file', 15_000);
    const f = currentFigures(runtime.store.getState());
    expect(f.status).toBe('stalled');
    expect(f.elapsedMs).toBe(20_000 + 5.5 * MIN);
    expect(f.idleMs).toBe(5.5 * MIN);
    expect(currentFigures(status)).toMatchObject({ status: f.status, elapsedMs: f.elapsedMs, idleMs: f.idleMs });
  } finally {
    await runtime.close();
  }
}, 60_000);
