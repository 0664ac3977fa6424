import { expect, test } from 'vitest';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { overviewRows } from '../src/overview/overview-rows.js';
import { overviewText } from '../src/overview/overview-text.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AJ4: a retry's row read `running 1/13 … 12 · HTTP…` under `failed`, while its run had failed none: the cell is
// the job's keys still failing (status's `12 failing`), not the run's ✗. The column says so.
test('the overview\'s count beside a retry is the job\'s keys still failing, under a `failing` header, as status counts them', () => {
  const keys = Array.from({ length: 13 }, (_, i) => new Date(Date.UTC(2024, 0, 2 + i)).toISOString().slice(0, 10));
  const first: string[][] = [...banner(1, 60, 13), ...keys.map((k) => ['ERROR', `  ❌ Failed ${k}: HTTP 500`])];
  first.push(['INFO', '='.repeat(70)], ['INFO', 'BACKFILL COMPLETE'], ['INFO', 'Total dates: 13'], ['INFO', '✅ Processed: 0'], ['INFO', '⏭️  Skipped: 0'], ['INFO', '❌ Failed: 13']);
  const retry: string[][] = [...banner(1, 60, 13), ['INFO', `  ✅ Scraped ${keys[0]}`]];
  const text = logOf(T0, first) + logOf(T0 + 60_000, retry);
  let s = initialState({ job: 'retrying', log: '/x/b.log', now: T0 + 62_000 + retry.length * 1000, targets: [95] });
  s = [{ type: 'log/batch', batch: parseText(text, compileGrammar()), arrivedAt: s.now } as const, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true } as const].reduce(reduce, s);
  const [row] = overviewRows([s]);
  expect(row).toMatchObject({ status: 'running', done: 1, total: 13, runFailed: 0, failed: 12 });
  const [header, , line] = overviewText([row], 100);
  expect(header).toMatch(/\bfailing\b/);
  expect(header).not.toMatch(/\bfailed\b/);
  expect(line).toMatch(/ 12 · HTTP 500 12\s*$/);
  expect(statusText(s)).toContain('failures  12 failing');
});
