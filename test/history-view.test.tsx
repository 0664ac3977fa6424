import React from 'react';
import { stripVTControlCharacters } from 'node:util';
import { afterEach, expect, test } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { App } from '../components/App.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { createStore } from '../src/store.js';
import { banner, logOf, T0 } from './support/log-text.js';
import { waitFor } from './support/wait-for.js';

afterEach(() => cleanup());

test('h: runs launched from here with keys, duration, results, end and storage coverage before → after; runs in the log', async () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: T0 + 7_200_000, targets: [95, 98, 100] }), { frameMs: 0 });
  const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
  store.dispatch({ type: 'expected/loaded', expected: { keys, format: 'id', blank: 0, duplicates: 0, invalid: [], file: '/e' } });
  store.dispatch({
    type: 'process/history',
    runs: [
      { id: 'resume-1', label: 'resume', keyCount: 80, keysFile: '/k/1', pid: 11, startedAt: T0, endedAt: T0 + 1_956_000, exitCode: 0, reason: 'exited', counts: { succeeded: 42, failed: 38, skipped: 0 }, storageBefore: 120, storageAfter: 162 },
      { id: 'retry-2', label: 'retry', keyCount: 38, keysFile: '/k/2', pid: 12, startedAt: T0 + 3_600_000, endedAt: null, exitCode: null, reason: null, counts: null },
    ],
  });
  const grammar = compileGrammar();
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, [...banner(6, 180, 80), ['INFO', '  ✅ Scraped k1']]), grammar) });
  store.dispatch({ type: 'ui/view', view: 'history' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const f = stripVTControlCharacters(app.lastFrame() ?? '');
    return f.includes('retry') ? f : null;
  }, 'history view');
  expect(frame).toMatch(/11-26 23:17 resume\s+80 keys 32:36 ✓ 42 ✗ 38 exit 0 storage 60\.0 → 81\.0 %/);
  expect(frame).toMatch(/retry\s+38 keys running/);
  for (const line of frame.split('\n')) expect(Array.from(line).length).toBeLessThanOrEqual(80);
  // Each section says its count, one included (tester V4: a lone failed-keys file's heading read as no count).
  expect(frame).toContain('Runs in the log: 1');
  expect(frame).toContain('Runs launched from here: 2, newest first');
  expect(frame).toMatch(/80 keys · .* ✓ 1 ✗ 0 ↷ 0 · no summary/);
});

test('h: each failed-keys file (one run) with its failures by season phase and by error kind, newest first', async () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: T0 + 7_200_000, targets: [95] }), { frameMs: 0 });
  const f = (name: string, at: number, entries: [string, string, string][]) => ({ path: `/f/${name}`, name, runStartedAt: at, writtenAt: null, mtimeMs: at, totalFailed: entries.length, entries: entries.map(([key, status, error]) => ({ key, status, error })), problems: [] });
  const big = f('failed_dates_20251126_162719.json', T0, [['2022-02-18', 'failed', 'HTTP 500'], ['2022-04-13', 'timeout', 'Timeout after 120s'], ['2022-05-01', 'failed', 'HTTP 500'], ['2021-11-01', 'failed', 'HTTP 500']]);
  const small = f('failed_dates_20251126_230657.json', T0 + 3_600_000, [['2021-10-31', 'timeout', 'Timeout after 60s']]);
  store.dispatch({ type: 'failed/update', files: [small, big], current: small, notes: [] });
  store.dispatch({ type: 'ui/view', view: 'history' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = await waitFor(() => {
    const x = stripVTControlCharacters(app.lastFrame() ?? '');
    return x.includes('Failed keys by run') ? x : null;
  }, 'history view');
  const lines = frame.split('\n');
  const at = lines.findIndex((l) => l.includes('Failed keys by run'));
  // Phases first: at 80 columns the error kinds are what gets cut.
  expect(lines[at]).toContain('Failed keys by run (failed-keys files): 2, newest first');
  expect(lines[at + 1]).toMatch(/11-27 00:17 ✗ 1: Regular season 1 · timeout 1/);
  expect(lines[at + 2]).toMatch(/11-26 23:17 ✗ 4: Regular season 1 · All-Star 1 · Play-In 1 · Playoffs 1 · HTTP/);
  // A year on (tester AI10 i: a file of November 2025 read `11-27 00:17` under a run of 12-01 2026, as last week's):
  // its year, in the same width, and today's as they were.
  store.dispatch({ type: 'clock/tick', now: T0 + 370 * 86_400_000 });
  await waitFor(() => stripVTControlCharacters(app.lastFrame() ?? '').includes('2025-11-27  ✗ 1') || null, 'the year said');
  const later = stripVTControlCharacters(app.lastFrame() ?? '');
  expect(later).toMatch(/2025-11-26  ✗ 4: Regular season 1/);
});

// Tester V4: a run still going was listed `… · no summary` under `Runs in the log`, and an execution whose 3 keys were
// all skipped read `✓ 0 ✗ 0 succeeded` (its ↷ 3 left out).
test('h: the log\'s run still going says so, not `no summary`; a launched run\'s skipped keys are said', async () => {
  const store = createStore(initialState({ job: 'j', log: '/x.log', now: T0 + 20_000, targets: [95] }), { frameMs: 0 });
  store.dispatch({ type: 'process/history', runs: [{ id: 'ext-1', label: 'external', keyCount: 3, keysFile: null, pid: 0, startedAt: T0 - 60_000, endedAt: T0 - 30_000, exitCode: null, reason: 'succeeded', counts: { succeeded: 0, failed: 0, skipped: 3 } }] });
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, [...banner(6, 180, 80), ['INFO', '  ✅ Scraped k1']]), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
  // Its writer is alive (a run of ours): running.
  store.dispatch({ type: 'process/update', patch: { runId: 'r', pid: 42, attached: true, alive: true, writersChecked: true, writersCheckedAt: T0 + 20_000 } });
  store.dispatch({ type: 'ui/view', view: 'history' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = () => stripVTControlCharacters(app.lastFrame() ?? '');
  await waitFor(() => frame().includes('Runs in the log') || null, 'history view');
  expect(frame()).toMatch(/external\s+3 keys 0:30 ✓ 0 ✗ 0 ↷ 3 succeeded/);
  expect(frame()).toMatch(/80 keys · .* ✓ 1 ✗ 0 ↷ 0 · running$/m);
  // Its writer gone without a summary: now it is a run with no summary.
  store.dispatch({ type: 'process/update', patch: { alive: false, exitedAt: T0 + 20_000 } });
  await waitFor(() => /· no summary$/m.test(frame()) || null, 'the ended run');
});

// Tester Y8: `h` of a Cloud Run job said `Runs in the log … none yet: the log does not exist yet` (it has no log file)
// and `Failed keys by run (failed-keys files): 1` for an execution's failures (no file either).
test('h of a Cloud Run job speaks of its executions\' logs, not a log file or failed-keys files', async () => {
  const store = createStore(initialState({ job: 'cr', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: T0 + 20_000, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 3_600_000) }), { frameMs: 0 });
  store.dispatch({ type: 'failed/executions', files: [{ path: 'cloud-run:execution/j-ab12c', name: 'execution j-ab12c', runStartedAt: T0 - 60_000, writtenAt: null, mtimeMs: T0 - 30_000, totalFailed: 1, entries: [{ key: '2022-01-03', status: 'failed', error: 'HTTP 500', date: '2022-01-03' }], problems: [], execution: 'j-ab12c' }], tried: new Map() } as never);
  store.dispatch({ type: 'ui/view', view: 'history' });
  const app = render(<App store={store} onIntent={() => undefined} color={false} />);
  const frame = () => stripVTControlCharacters(app.lastFrame() ?? '');
  const text = await waitFor(() => (frame().includes('Runs in the executions\' logs') ? frame() : null), 'the history view');
  expect(text).toContain('none yet: no execution\'s log read yet');
  expect(text).not.toContain('the log does not exist yet');
  expect(text).toContain('Failed keys by execution (from its log): 1');
  expect(text).not.toContain('failed-keys files');
});
