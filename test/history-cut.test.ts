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

// Tester AF8 (c): on a Cloud Run job `h` listed `12-01 19:02 external      5 keys` under `12-01 18:55 resume    853 keys`:
// the counts of `external` rows sat 2 columns right of the others.
test('launch rows of every label keep their key counts in one column', () => {
  let state = initialState({ job: 'j', log: '/x.log', now: T0 + 3_600_000, targets: [], width: 80, height: 40 });
  const row = (id: string, label: string, keyCount: number, at: number) => ({ id, label, keyCount, keysFile: null, pid: null, startedAt: at, endedAt: at + 60_000, exitCode: 0, reason: 'complete' });
  state = reduce(state, { type: 'process/update', patch: { history: [row('a', 'resume', 853, T0), row('b', 'external', 5, T0 + 600_000), row('c', 'retry', 12, T0 + 1_200_000)] } });
  const rows = historyLines(state).map((l) => l.text).filter((t) => / keys? /.test(t) && !t.includes(' · '));
  expect(rows).toHaveLength(3);
  expect(new Set(rows.map((t) => t.indexOf(' keys ')))).toEqual(new Set([rows[0].indexOf(' keys ')]));
  expect(rows.find((t) => t.includes('external'))).toMatch(/ external +5 keys /);
});
