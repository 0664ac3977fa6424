import { removeDir } from './support/remove-dir.js';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { startRuntime } from '../src/app/runtime.js';
import { collectSnapshot } from '../src/app/snapshot.js';
import { parseRunLines } from '../src/runner/runs-file.js';
import { loadConfig } from '../src/config.js';
import { currentFigures } from '../src/state/current-figures.js';
import { banner, logOf } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

// Tester Y7: a writer not started here hung (stalled 5:25, the alert), then died: within seconds the dashboard read
// `ended · 0:00`, its elapsed snapped back to the span of its lines. Its own runs keep the moment they ended.
const dir = mkdtempSync(join(tmpdir(), 'bt-external-end-'));
afterAll(() => removeDir(dir));

test('a writer not started here that hangs and then dies: ended at the look that found it gone, not at its last line', async () => {
  // Our clock, injected: the run's lines span 5 s; the dashboard is at 5:55 when the writer dies.
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  let now = t0 + 10_000;
  const records = [...banner(1, 60, 5), ['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', '[2/5] Processing 2022-01-04']];
  const log = join(dir, 'bf.log');
  writeFileSync(log, logOf(t0, records));
  const newest = new Date(t0 + (records.length - 1) * 1000);
  utimesSync(log, newest, newest);
  const fd = openSync(log, 'a');
  const writer = spawn('sleep', ['600'], { stdio: ['ignore', fd, 'ignore'] });
  closeSync(fd);
  writeFileSync(join(dir, 'backfill-tui.config.json'), JSON.stringify({ job: 'ext', log: 'bf.log', keepAwake: false, timezone: 'UTC' }));
  const runtime = startRuntime(loadConfig({ cwd: dir }), { now: () => now, exit: () => undefined });
  let cleanupSecond: () => Promise<unknown> = async () => undefined;
  try {
    await waitFor(() => runtime.store.getState().log.historyDone && runtime.store.getState().process.external, 'the writer found', 15_000);
    now = t0 + 355_000;
    await waitFor(() => currentFigures(runtime.store.getState()).status === 'stalled', 'stalled by our clock', 15_000);
    expect(currentFigures(runtime.store.getState()).elapsedMs).toBe(355_000);
    // A look at 5:55 still finds it (the dashboard awake throughout, its looks on time: else it was stopped meanwhile,
    // and the writer's end would be when a look last saw it, tester AD15's class).
    await waitFor(() => runtime.store.getState().process.writersCheckedAt === now && runtime.store.getState().process.external, 'a look at 5:55 that still finds the writer', 15_000);
    // A second dashboard watching it too, its clock a second on (its looks a second apart from the first's).
    const second = startRuntime(loadConfig({ cwd: dir }), { now: () => now + 1000, exit: () => undefined });
    cleanupSecond = () => second.close();
    await waitFor(() => (second.store.getState().log.historyDone && second.store.getState().process.external) || null, 'the second dashboard finding the writer', 15_000);
    const gone = new Promise((resolve) => writer.once('exit', resolve));
    writer.kill('SIGKILL');
    await gone;
    await waitFor(() => currentFigures(runtime.store.getState()).status === 'ended', 'ended once the writer is gone', 15_000);
    // h84 on AI4: each recorded its own end (0:15 beside 0:16); one end for both, the earliest seen, one record.
    await waitFor(() => (currentFigures(second.store.getState()).status === 'ended' && currentFigures(second.store.getState()).elapsedMs === currentFigures(runtime.store.getState()).elapsedMs) || null, 'both dashboards on one end', 15_000);
    expect(parseRunLines(readFileSync(join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8')).filter((r) => r.type === 'writer-end')).toHaveLength(1);
    // Ended at the look that found it gone (our clock stood at 5:55 then), not at its last line (0:0x).
    expect(currentFigures(runtime.store.getState()).elapsedMs).toBe(355_000);
    // Tester AI4: a dashboard opened beside it and `status` had only the lines (`0:07` beside `0:21`). Recorded in
    // runs.jsonl, that end is theirs too: one time for one run.
    const ended = runtime.store.getState().process.externalEndedAt!;
    const recorded = await waitFor(() => parseRunLines(existsSync(join(dir, '.backfill-tui', 'runs.jsonl')) ? readFileSync(join(dir, '.backfill-tui', 'runs.jsonl'), 'utf8') : '').find((r) => r.type === 'writer-end') ?? null, 'the writer\'s end recorded', 15_000);
    expect(recorded).toMatchObject({ type: 'writer-end', log: log, pids: [writer.pid], endedAt: ended });
    const status = await collectSnapshot(loadConfig({ cwd: dir }), { now: () => now, sources: false });
    expect(currentFigures(status)).toMatchObject({ status: 'ended', elapsedMs: 355_000 });
    const beside = startRuntime(loadConfig({ cwd: dir }), { now: () => now + 30_000, exit: () => undefined });
    try {
      await waitFor(() => (beside.store.getState().log.historyDone && beside.store.getState().process.writersChecked && currentFigures(beside.store.getState()).status === 'ended') || null, 'the dashboard beside it: ended', 15_000);
      expect(currentFigures(beside.store.getState()).elapsedMs).toBe(355_000);
    } finally {
      await beside.close();
    }
  } finally {
    writer.kill('SIGKILL');
    await cleanupSecond();
    await runtime.close();
  }
}, 60_000);

// Tester AD15's class: a writer that dies while the dashboard is stopped (Ctrl-Z; here its clock jumps a minute between
// two looks, as it does for a dashboard that slept) ended when a look last saw it, not at the look after waking.
test('a writer not started here found gone by a look long after the last (the dashboard asleep): ended when last seen', async () => {
  const t0 = Math.floor(Date.now() / 1000) * 1000 - 600_000;
  let now = t0 + 20_000;
  const records = [...banner(1, 60, 5), ['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', '[2/5] Processing 2022-01-04']];
  const sub = mkdtempSync(join(dir, 'asleep-'));
  const log = join(sub, 'bf.log');
  writeFileSync(log, logOf(t0, records));
  const newest = new Date(t0 + (records.length - 1) * 1000);
  utimesSync(log, newest, newest);
  const fd = openSync(log, 'a');
  const writer = spawn('sleep', ['600'], { stdio: ['ignore', fd, 'ignore'] });
  closeSync(fd);
  writeFileSync(join(sub, 'backfill-tui.config.json'), JSON.stringify({ job: 'ext', log: 'bf.log', keepAwake: false, timezone: 'UTC' }));
  const runtime = startRuntime(loadConfig({ cwd: sub }), { now: () => now, exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().log.historyDone && runtime.store.getState().process.external, 'the writer found', 15_000);
    const gone = new Promise((resolve) => writer.once('exit', resolve));
    writer.kill('SIGKILL');
    await gone;
    // Asleep a minute: the next look is the first since the one at 0:20 that saw it.
    now = t0 + 80_000;
    await waitFor(() => currentFigures(runtime.store.getState()).status === 'ended', 'ended once the writer is gone', 15_000);
    expect(currentFigures(runtime.store.getState()).elapsedMs).toBe(20_000);
  } finally {
    writer.kill('SIGKILL');
    await runtime.close();
  }
}, 60_000);
