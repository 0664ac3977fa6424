import { expect, test } from 'vitest';
import { compileGrammar, parseChunk } from '../src/parser/index.js';
import { initialState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AC5: `h` headed a log of 230 runs `Runs in the log: 201, newest first`, and nothing said the 29 older runs
// were never read, where `status` says `the newest 200 runs of this log (older ones are not read)`.
/** `n` complete runs of 3 keys, 10 minutes apart, as the reference script writes them. */
function runs(n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) text += logOf(T0 + i * 600_000, [...banner(2, 60, 3), ['INFO', '  ✅ Scraped 2022-01-01'], ['INFO', '  ✅ Scraped 2022-01-02'], ['INFO', '  ✅ Scraped 2022-01-03'], ['INFO', 'BACKFILL COMPLETE']]);
  return text;
}

function viewOf(n: number): string[] {
  const text = runs(n);
  let state = initialState({ job: 'j', log: '/x.log', now: T0 + n * 600_000, targets: [] });
  state = reduce(state, { type: 'log/batch', batch: parseChunk(Buffer.from(text), compileGrammar()) });
  state = reduce(state, { type: 'log/progress', bytesRead: text.length, size: text.length, historyDone: true });
  const lines = historyLines(state);
  const from = lines.findIndex((l) => l.kind === 'heading' && l.text.startsWith('Runs in the log'));
  const to = lines.findIndex((l, i) => i > from && l.kind === 'heading');
  return lines.slice(from, to < 0 ? undefined : to).map((l) => l.text);
}

test('a log of more runs than are kept: the heading says the newest, and the list ends saying older ones are not read', () => {
  const view = viewOf(230);
  expect(view[0]).toBe('Runs in the log: the newest 201, newest first');
  expect(view.filter((t) => t.includes('✓ 3'))).toHaveLength(201);
  // Read whole here: the 29 older runs were read, and their failures count (tester AF3).
  expect(view.at(-1)).toBe('older runs are not listed; failures count the 29 read before these');
});

test('a log whose every run is kept: its count, and no such note', () => {
  const view = viewOf(12);
  expect(view[0]).toBe('Runs in the log: 12, newest first');
  expect(view).toHaveLength(13);
});
