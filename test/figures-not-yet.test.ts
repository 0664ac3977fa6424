import { describe, expect, test } from 'vitest';
import { decodeExecution } from '../src/cloud-run/execution.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState, type AppState } from '../src/state/app-state.js';
import { initialPlaceState } from '../src/state/place-state.js';
import { reduce } from '../src/state/reducer.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { overviewCells, overviewText } from '../src/overview/overview-text.js';
import { statusText } from '../src/app/status-text.js';

// Tester AJ5 d and e: a figure not read yet is said so, never given an age or a count of nothing.
const t0 = Date.parse('2026-03-01T10:00:00Z');
const MIN = 60_000;

describe('the overview gives no age to figures not yet checked (AJ5 d)', () => {
  /** A local job whose log ran 20 minutes ago, its storage configured, at `now`. */
  function job(): AppState {
    let s = initialState({ job: 'j', log: '/x/bf.log', now: t0, targets: [95] });
    const log = ['2026-03-01 09:40:00,000 - INFO - Loaded 2 dates from keys.csv', '2026-03-01 09:40:05,000 - INFO -   ✅ Scraped 2024-01-02'].join('\n');
    s = reduce(s, { type: 'log/batch', batch: parseText(log, compileGrammar()) });
    s = reduce(s, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
    s = reduce(s, { type: 'expected/loaded', expected: { keys: ['2024-01-02', '2024-01-03'], format: 'date', blank: 0, duplicates: 0, invalid: [], file: '/x/keys.csv' } });
    return reduce(s, { type: 'coverage/configured', source: 'storage', label: '/x/storage' });
  }

  test('while storage has its first look: `checking…` and no age beside it (was the log line\'s `20 min ago`)', () => {
    const cells = overviewCells(overviewRows([job()])[0]);
    expect(cells.storage).toBe('checking…');
    expect(cells.age).toBe('');
    expect(overviewText(overviewRows([job()])).join('\n')).not.toMatch(/ago|just now|never/);
  });

  test('once it answers, the age is of its figures', () => {
    const s = reduce(job(), { type: 'coverage/result', source: 'storage', result: { keys: new Set(['2024-01-02']), bytesBilled: null, method: 'directory', requests: 1 }, at: t0 - 3 * MIN });
    const cells = overviewCells(overviewRows([s])[0]);
    expect(cells.storage).toContain('50.0 %');
    expect(cells.age).toBe('3 min ago');
  });

  test('a job with no coverage source still ages its newest log line', () => {
    let s = initialState({ job: 'j', log: '/x/bf.log', now: t0, targets: [95] });
    s = reduce(s, { type: 'log/batch', batch: parseText('2026-03-01 09:40:05,000 - INFO -   ✅ Scraped 2024-01-02', compileGrammar()) });
    s = reduce(s, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
    expect(overviewCells(overviewRows([s])[0]).age).toBe('19 min ago');
  });
});

describe('a run whose execution log has no entry read yet has no counts yet (AJ5 e)', () => {
  const running = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
  /** Just launched: the run seeded from its launch (342 keys), the execution running, no log entry read. */
  function launched(): AppState {
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
    s = reduce(s, { type: 'log/begin', seed: { startedAt: t0, total: 342, workers: 6, timeoutSec: 180 } });
    s = reduce(s, { type: 'place/update', patch: { execution: running, ours: true, listedAt: t0 } });
    return reduce(s, { type: 'clock/tick', now: t0 + 2000 });
  }

  test('`status` says the keys and that no entry is read, never `✗ 0 failed`', () => {
    const text = statusText(launched());
    expect(text).not.toContain('0 failed');
    expect(text).toContain('run       342 keys, none read yet  elapsed 0:02');
    expect(text).toContain('✓ ✗ ↷ not known yet: no entry of its log read (entries arrive late)');
  });

  test('the jobs\' status says `waiting` in the failing column, never `0`', () => {
    expect(overviewCells(overviewRows([launched()])[0]).failed).toBe('waiting');
  });

  test('its first entry read: the counts are the log\'s', () => {
    let s = launched();
    const log = ['2026-03-01 10:00:01,000 - INFO - Loaded 342 dates from keys.csv', '2026-03-01 10:00:01,500 - WARNING -   ❌ Failed 2024-01-02: HTTP 500'].join('\n');
    s = reduce(s, { type: 'log/batch', batch: parseText(log, compileGrammar()) });
    s = reduce(s, { type: 'place/update', patch: { logNewestAt: t0 + 1500, logReadAt: t0 + 2000 } });
    expect(statusText(s)).toContain('✗ 1 failed');
    expect(overviewCells(overviewRows([s])[0]).failed).toBe('1 · HTTP 500 1');
  });
});

describe('a launch of a command that chooses its own keys says no count (AJ5 i)', () => {
  test.each([
    [66, 'launching 66 keys…', 'launched run resume-1: pid 8617, 66 keys'],
    [1, 'launching 1 key…', 'launched run resume-1: pid 8617, 1 key'],
    [0, 'launching…', 'launched run resume-1: pid 8617, starting (the command chooses its keys)'],
  ])('%i keys given', async (n, launching, launched) => {
    const { launchNotice } = await import('../src/app/controller.js');
    expect(launchNotice(n)).toBe(launching);
    expect(launchNotice(n, { runId: 'resume-1', what: 'pid 8617' })).toBe(launched);
    expect(launchNotice(n, { runId: 'resume-1', what: 'pid 8617' })).not.toContain('0 keys');
  });
});

describe('the stuck line counts from the header\'s start (AJ5 note)', () => {
  // Seen pending at its launch (no start yet): its run begins at its creation, and the header counts from there; Cloud
  // Run starts it 30 s later. The stuck line counted from that start: `stuck · 0:55` over `stuck: running 0:25`.
  const created = Date.parse('2026-03-01T10:00:00Z');
  const exec = (startTime: string | undefined) => decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', ...(startTime ? { startTime } : {}), taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
  async function at(now: number) {
    const { currentFigures } = await import('../src/state/current-figures.js');
    const { formatElapsed } = await import('../src/format.js');
    const { placeLines } = await import('../src/state/place-view.js');
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: created, targets: [95], place: initialPlaceState('Cloud Run job j (us-west2)', 20_000) });
    s = reduce(s, { type: 'log/begin', seed: { startedAt: created, total: 342, workers: 6, timeoutSec: 180 } });
    s = reduce(s, { type: 'place/update', patch: { execution: exec('2026-03-01T10:00:30Z'), ours: true, listedAt: created + 30_000 } });
    s = reduce(s, { type: 'clock/tick', now });
    const f = currentFigures(s);
    return { header: `${f.status} · ${formatElapsed(f.startedAt, f.elapsedMs)}`, line: placeLines(s).find((l) => l.text.startsWith('stuck'))?.text.split(' · ')[0] ?? null, status: statusText(s).split('\n')[0] };
  }

  test('one time on both: 0:21 on the header is `running 0:21` on its line, never 0:25 of 0:55', async () => {
    expect(await at(created + 21_000)).toEqual({ header: 'stuck · 0:21', line: 'stuck: running 0:21, past 0:20 (stuckAfter)', status: expect.stringContaining('j: stuck') });
    expect(await at(created + 55_000)).toMatchObject({ header: 'stuck · 0:55', line: 'stuck: running 0:55, past 0:20 (stuckAfter)' });
  });

  test('under the bound by the header: not stuck anywhere', async () => {
    expect(await at(created + 19_000)).toMatchObject({ header: 'running · 0:19', line: null });
  });
});

describe('the job screen says the same of a run with no log entry read yet (AJ5 e)', () => {
  test('`342 keys, none read yet` and no tallies of nothing, within 80 columns', async () => {
    const [React, { renderToString }, { App }, { createStore }, { stripVTControlCharacters }] = await Promise.all([import('react'), import('ink'), import('../components/App.js'), import('../src/store.js'), import('node:util')]);
    const running = decodeExecution({ name: 'projects/p/locations/us-west2/jobs/j/executions/j-ab12c', createTime: '2026-03-01T10:00:00Z', startTime: '2026-03-01T10:00:00Z', taskCount: 1, runningCount: 1, conditions: [{ type: 'Completed', state: 'CONDITION_PENDING' }], template: { timeout: '604800s' } });
    let s = initialState({ job: 'j', log: 'cloud-run:projects/p/locations/us-west2/jobs/j', now: t0, targets: [95], width: 80, height: 24, place: initialPlaceState('Cloud Run job j (us-west2)', 2 * 3600_000) });
    s = reduce(s, { type: 'log/begin', seed: { startedAt: t0, total: 342, workers: 6, timeoutSec: 180 } });
    s = reduce(s, { type: 'place/update', patch: { execution: running, ours: true, listedAt: t0 } });
    s = reduce(s, { type: 'clock/tick', now: t0 + 2000 });
    const frame = stripVTControlCharacters(renderToString(React.createElement(App, { store: createStore(s, { frameMs: 0 }), onIntent: () => undefined, color: false }), { columns: 80 }));
    expect(frame).toContain('Run  342 keys, none read yet');
    expect(frame).toContain('✓ ✗ ↷ not known yet: no entry of its log read (entries arrive late)');
    expect(frame).not.toContain('0 failed');
    for (const l of frame.split('\n')) expect([...l].length).toBeLessThanOrEqual(80);
  });
});
