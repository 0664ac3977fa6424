import { expect, test } from 'vitest';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { createStore } from '../src/store.js';
import { currentFigures } from '../src/state/current-figures.js';
import { logOf, T0 } from './support/log-text.js';

// Tester AG6 l: a log that begins mid-run (a copytruncated `>` log whose start is not beside it) said `begins mid-run
// … figures count from its first line read` over `✓ 234 scraped ✗ 66 failed`, its summary's, beside `HTTP 500 59 ·
// timeout 1` and `60 failing` read. The figures are the lines read; the summary's counts are said in the note.
test('a log that begins mid-run counts what it read after its summary too, and says the summary beside', () => {
  const store = createStore(initialState({ job: 'lone', log: '/x/bf.log', now: T0 + 3_600_000, targets: [95] }), { frameMs: 0 });
  const records: string[][] = [
    ['INFO', '  ✅ Scraped 2022-01-10'],
    ['WARNING', '  ❌ Failed 2022-01-11: HTTP 500'],
    ['INFO', '  ✅ Scraped 2022-01-12'],
    ['WARNING', '  ❌ Failed 2022-01-13: timeout'],
    ['INFO', '  ✅ Scraped 2022-01-14'],
    ['INFO', '📊 Progress: 300/300 (100.0%) | ✅ 234 | ⏭️ 0 | ❌ 66 | ETA: 0min'],
    ['INFO', 'BACKFILL COMPLETE'],
    ['INFO', '✅ Processed: 234'],
    ['INFO', '⏭️  Skipped: 0'],
    ['INFO', '❌ Failed: 66'],
  ];
  store.dispatch({ type: 'log/batch', batch: parseText(logOf(T0, records), compileGrammar()) });
  store.dispatch({ type: 'log/progress', bytesRead: 10, size: 10, historyDone: true });
  const run = store.getState().log.current!;
  expect(run.beganMidway).toBe(true);
  expect(run.complete).toBe(true);
  expect(run).toMatchObject({ succeeded: 3, failed: 2, skipped: 0 });
  const text = statusText(store.getState(), { width: 200 });
  expect(text).toContain('begins mid-run: its earlier lines are not beside the log; figures count from its first line read (its summary: 234 scraped, 66 failed, 0 skipped)');
  expect(text).toMatch(/✓ 3 scraped\s+✗ 2 failed\s+↷ 0 skipped/);
  // Tester AH7: the bar's done from the same lines as ✓ ✗ ↷, never the Progress line's `300/300 100.0 %` over them.
  expect(currentFigures(store.getState())).toMatchObject({ done: 5, total: 300 });
  expect(text).toMatch(/run\s+5\/300\s+1\.6 %/);
});
