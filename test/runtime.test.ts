import { removeDir } from './support/remove-dir.js';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { open } from 'node:fs/promises';
import { historyStartFor } from '../src/app/history-start.js';
import { startRuntime } from '../src/app/runtime.js';
import { MAX_LINE_BYTES } from '../src/log-follower.js';
import { compileGrammar } from '../src/parser/index.js';
import { HISTORY_LIMIT } from '../src/state/apply-lines.js';
import { loadConfig } from '../src/config.js';
import { TAIL_LIMIT } from '../src/state/app-state.js';
import { writeSyntheticLog } from '../src/sim/synthetic-log.js';
import { logLine } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bt-runtime-'));
afterAll(() => removeDir(dir));

test('the first frames come while a long history is still being read, with its progress', async () => {
  const log = path.join(dir, 'big.log');
  await writeSyntheticLog(log, { bytes: 40_000_000, seed: 2 });
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ log: 'big.log' }));
  // Frames on the next turn of the event loop instead of after 100 ms: whether the views hear of the read
  // while it is under way must not depend on how fast this machine reads 40 MB.
  const timers = { setTimeout: (fn: () => void) => setImmediate(fn), clearTimeout: (h: unknown) => clearImmediate(h as NodeJS.Immediate) };
  const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined, timers });
  const seen: { read: number; size: number; done: boolean }[] = [];
  runtime.store.subscribe(() => {
    const l = runtime.store.getState().log;
    seen.push({ read: l.bytesRead, size: l.size, done: l.historyDone });
  });
  try {
    await waitFor(() => runtime.store.getState().log.historyDone, 'the history read', 60_000);
    runtime.store.flush();
    const partial = seen.filter((s) => !s.done && s.read > 0 && s.read < s.size);
    // Listeners (the views) heard of the read while it was under way, more than once, growing.
    expect(partial.length).toBeGreaterThan(1);
    expect(partial[partial.length - 1].read).toBeGreaterThan(partial[0].read);
    expect(seen[seen.length - 1]).toMatchObject({ done: true });
    // The log holds more runs than the state keeps: the read began at the oldest banner that can still show.
    const handle = await open(log, 'r');
    const start = await historyStartFor(compileGrammar())!({ handle, size: (await handle.stat()).size, maxLineBytes: MAX_LINE_BYTES }).finally(() => handle.close());
    expect(start).toBeGreaterThan(0);
    expect(Math.min(...seen.filter((s) => s.read > 0).map((s) => s.read))).toBeGreaterThan(start);
    expect(runtime.store.getState().log.history).toHaveLength(HISTORY_LIMIT);
    // Chunks far from the end skip the log pane; the pane still ends with the file's own last lines.
    const tail = runtime.store.getState().log.tail;
    const lastLines = readFileSync(log, 'utf8').slice(-200_000).trimEnd().split('\n');
    expect(tail.length).toBe(TAIL_LIMIT);
    expect(tail.map((t) => t.text)).toEqual(lastLines.slice(-TAIL_LIMIT));
  } finally {
    await runtime.close();
  }
});

test('lines appended to a followed log reach the state; a truncated log is counted from its new content', async () => {
  const log = path.join(dir, 'live.log');
  const t0 = Date.UTC(2025, 10, 26, 23, 0, 0);
  writeFileSync(log, [logLine(t0, 'INFO', '[1/3] Queued 2021-10-31'), logLine(t0, 'INFO', '  ✅ Scraped 2021-10-31')].join('\n') + '\n');
  writeFileSync(path.join(dir, 'backfill-tui.config.json'), JSON.stringify({ log: 'live.log' }));
  const runtime = startRuntime(loadConfig({ cwd: dir }), { exit: () => undefined });
  try {
    await waitFor(() => runtime.store.getState().log.current?.succeeded === 1, 'the history');
    appendFileSync(log, logLine(t0 + 1000, 'WARNING', '  ❌ Failed 2022-04-17: HTTP 500') + '\n');
    await waitFor(() => runtime.store.getState().log.current?.failed === 1, 'the appended failure');
    // Replaced in place with shorter content: counts restart from what the file now says.
    writeFileSync(log, logLine(t0 + 2000, 'INFO', '[1/1] Processing 2022-05-01') + '\n');
    await waitFor(() => runtime.store.getState().log.resets === 1, 'the truncation noticed');
    await waitFor(() => runtime.store.getState().log.current?.total === 1, 'the new content counted');
    expect(runtime.store.getState().log.current).toMatchObject({ succeeded: 0, failed: 0 });
  } finally {
    await runtime.close();
  }
});

describe('a log truncated in place under a writer that goes on (logrotate copytruncate; tester W7)', () => {
  const t0 = Date.UTC(2025, 10, 26, 23, 0, 0);
  const first = [
    logLine(t0, 'INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'),
    logLine(t0, 'INFO', '  Workers: 3'),
    logLine(t0, 'INFO', 'Loaded 10 dates'),
    ...['2021-10-19', '2021-10-20', '2021-10-21', '2021-10-22'].map((k, i) => logLine(t0 + 1000 * (i + 1), 'INFO', `  ✅ Scraped ${k}`)),
  ].join('\n') + '\n';
  const later = [logLine(t0 + 9000, 'INFO', '  ✅ Scraped 2021-10-23'), logLine(t0 + 10_000, 'WARNING', '  ❌ Failed 2021-10-24: HTTP 500')].join('\n') + '\n';

  test.each([
    ['opened with > (the new lines come after NULs up to its old offset)', '\0'.repeat(first.length)],
    ['opened with >> (the new lines come from the start)', ''],
  ])('%s: the run goes on, its counts, start and workers kept', async (_name, prefix) => {
    const sub = mkdtempSync(path.join(dir, 'w7-'));
    const log = path.join(sub, 'bf.log');
    writeFileSync(log, first);
    writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ log: 'bf.log', timezone: 'UTC' }));
    const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
    try {
      await waitFor(() => runtime.store.getState().log.current?.succeeded === 4, 'the run before the rotation');
      writeFileSync(log, ''); // what copytruncate does after copying
      await waitFor(() => runtime.store.getState().log.resets === 1, 'the truncation noticed');
      writeFileSync(log, prefix + later);
      await waitFor(() => runtime.store.getState().log.current?.failed === 1, 'the lines after the rotation');
      const { current, history } = runtime.store.getState().log;
      expect(current).toMatchObject({ succeeded: 5, failed: 1, total: 10, workers: 3, startedAt: t0 });
      expect(history).toEqual([]);
    } finally {
      await runtime.close();
    }
  });

  test('the same content written again is not counted twice: what was read is dropped', async () => {
    const sub = mkdtempSync(path.join(dir, 'w7-'));
    const log = path.join(sub, 'bf.log');
    writeFileSync(log, first + later);
    writeFileSync(path.join(sub, 'backfill-tui.config.json'), JSON.stringify({ log: 'bf.log', timezone: 'UTC' }));
    const runtime = startRuntime(loadConfig({ cwd: sub }), { exit: () => undefined });
    try {
      await waitFor(() => runtime.store.getState().log.current?.failed === 1, 'the log read');
      writeFileSync(log, '');
      await waitFor(() => runtime.store.getState().log.resets === 1, 'the truncation noticed');
      writeFileSync(log, first);
      await waitFor(() => runtime.store.getState().log.current?.succeeded === 4 && runtime.store.getState().log.truncated === false, 'the old content read again');
      const { current, history } = runtime.store.getState().log;
      expect(current).toMatchObject({ succeeded: 4, failed: 0, startedAt: t0 });
      expect(history).toEqual([]);
    } finally {
      await runtime.close();
    }
  });
});
