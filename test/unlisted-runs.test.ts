import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { historyStartFor } from '../src/app/history-start.js';
import { readLogOnce } from '../src/app/read-log-once.js';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseChunk } from '../src/parser/index.js';
import { initialState, TAIL_LIMIT, type AppState } from '../src/state/app-state.js';
import { historyLines } from '../src/state/history-lines.js';
import { reduce } from '../src/state/reducer.js';
import { banner, logOf, T0 } from './support/log-text.js';

// Tester AF3: a log of 250 runs. `h` and `status` said only the newest 201 runs were read, yet the failures counted a
// key failed only by the 202nd newest: the run a history read begins at, read for where the next one begins, which
// then leaves the list of 200 earlier runs. Its failures are real (that key fails until a run scrapes it), so they
// stay counted, and every place that lists the runs says how many runs before them the failures also count.

const dir = mkdtempSync(join(tmpdir(), 'bt-unlisted-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const grammar = compileGrammar();

/** 203 runs 20 min apart: the oldest fails 2024-05-04, the next 2024-05-03, all others scrape 2024-01-01. */
function log(): string {
  let text = '';
  for (let r = 0; r < 203; r++) {
    const outcome = r === 0 ? ['WARNING', '  ❌ Failed 2024-05-04: HTTP 500'] : r === 1 ? ['WARNING', '  ❌ Failed 2024-05-03: HTTP 500'] : ['INFO', '  ✅ Scraped 2024-01-01'];
    text += logOf(T0 + r * 20 * 60_000, [...banner(1, 60, 1), outcome, ['INFO', 'BACKFILL COMPLETE']]);
  }
  return text;
}

function withFailedFiles(state: AppState): AppState {
  return reduce(state, { type: 'failed/update', files: [], current: null, notes: [] });
}

test('a history read from the 202nd newest run: its failures count, and status, --json and h say so', async () => {
  const file = join(dir, 'bf.log');
  writeFileSync(file, log());
  let state = initialState({ job: 'j', log: file, now: T0 + 203 * 20 * 60_000, targets: [95], width: 80, height: 40 });
  await readLogOnce(file, grammar, (e) => (state = reduce(state, e)), historyStartFor(grammar));
  state = withFailedFiles(state);
  const text = statusText(state);
  expect(text).toContain('earlier   the newest 200 runs of this log (older ones are not listed)\n          failures count the 1 older run read too\n');
  expect(text).toContain('failures  1 failing · 0 recovered');
  const json = statusJson(state);
  expect(json.runs).toHaveLength(200);
  expect(json.failures).toMatchObject({ failing: 1, unlistedRuns: 1 });
  expect(historyLines(state).map((l) => l.text)).toContain('older runs are not listed; failures count the 1 read before these');
});

test('the whole log read in one batch: every run that left the list is counted in the words', () => {
  let state = initialState({ job: 'j', log: '/x/bf.log', now: T0 + 203 * 20 * 60_000, targets: [95], width: 80, height: 40 });
  state = reduce(state, { type: 'log/batch', batch: parseChunk(Buffer.from(log()), grammar, TAIL_LIMIT) });
  state = reduce(state, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  state = withFailedFiles(state);
  expect(statusText(state)).toContain('          failures count the 2 older runs read too\n');
  expect(statusJson(state).failures).toMatchObject({ failing: 2, unlistedRuns: 2 });
  expect(historyLines(state).map((l) => l.text)).toContain('older runs are not listed; failures count the 2 read before these');
});

test('a log of 201 runs lists them all: nothing more is said', () => {
  const text = log().split('\n');
  // Runs 2..202: the newest 201, every one listed.
  const from = text.findIndex((l, i) => i > 0 && l.includes('(v2) initialized') && text.slice(0, i).filter((x) => x.includes('(v2) initialized')).length === 2);
  let state = initialState({ job: 'j', log: '/x/bf.log', now: T0 + 203 * 20 * 60_000, targets: [95], width: 80, height: 40 });
  state = reduce(state, { type: 'log/batch', batch: parseChunk(Buffer.from(text.slice(from).join('\n')), grammar, TAIL_LIMIT) });
  state = reduce(state, { type: 'log/progress', bytesRead: 100, size: 100, historyDone: true });
  state = withFailedFiles(state);
  expect(statusText(state)).not.toContain('failures count');
  expect(statusJson(state).failures).toMatchObject({ unlistedRuns: 0 });
  expect(historyLines(state).map((l) => l.text)).toContain('older runs of this log are not read');
});
