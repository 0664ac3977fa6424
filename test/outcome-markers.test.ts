import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { statusJson } from '../src/app/status-json.js';
import { statusText } from '../src/app/status-text.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { writeSyntheticLog } from '../src/sim/synthetic-log.js';
import { applyLines } from '../src/state/apply-lines.js';
import { initialState } from '../src/state/app-state.js';
import { reduce } from '../src/state/reducer.js';
import { logLine, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar();
const facts = (message: string) => parseText(logLine(T0, 'INFO', message), grammar).lines.map(({ at: _at, ...rest }) => rest);
const ok = (key: string | null) => ({ kind: 'succeeded', key });
const fail = (key: string | null, failure: string, error: string) => ({ kind: 'failed', key, failure, error });
const progress = (done: number, total: number, succeeded: number | null, skipped: number | null, failed: number | null) => ({ kind: 'progress', done, total, succeeded, skipped, failed });

describe('outcomes whose emoji did not survive the encoding', () => {
  test.each([
    // PYTHONIOENCODING=...:backslashreplace writes the escapes literally.
    ['escaped scraped', '  \\u2705 Scraped 2021-10-19', [ok('2021-10-19')]],
    ['escaped failed', '  \\u274c Failed 2021-10-20: HTTP 500', [fail('2021-10-20', 'HTTP 500', 'HTTP 500')]],
    ['escaped timeout with a selector', '  \\u23f1\\ufe0f Timeout 0022100001 (may still succeed server-side)', [fail('0022100001', 'timeout', 'timeout')]],
    ['escaped skipped', '  \\u23ed\\ufe0f  Skipped 2021-10-21', [{ kind: 'skipped', key: '2021-10-21' }]],
    ['escaped progress keeps its counts', '\\U0001f4ca Progress: 50/244 (20.5%) | \\u2705 8 | \\u23ed\\ufe0f 0 | \\u274c 42 | ETA: 47min', [progress(50, 244, 8, 0, 42)]],
    ['escaped end banner', '\\U0001f3c1 BACKFILL COMPLETE', [{ kind: 'complete' }]],
    ['escaped failed file', '\\U0001f4be Failed dates saved to: /x/failed_dates_20251126_231710.json', [{ kind: 'failedSaved', path: '/x/failed_dates_20251126_231710.json' }]],
    ['escaped retry outcome', '  \\u274c Failed after 5 attempts: HTTP 500', [fail(null, 'HTTP 500', 'HTTP 500')]],
    // A code page without the emoji writes '?' for each character it cannot encode.
    ['question mark scraped', '  ? Scraped 2021-10-19', [ok('2021-10-19')]],
    ['two question marks skipped', '  ?? Skipped 2021-10-21', [{ kind: 'skipped', key: '2021-10-21' }]],
    ['question mark failed', '  ? Failed 2021-10-20: HTTP 500', [fail('2021-10-20', 'HTTP 500', 'HTTP 500')]],
    ['question mark error', '  ? Error 2022-05-02: Connection reset', [fail('2022-05-02', 'error', 'Connection reset')]],
    ['question mark progress', '? Progress: 50/244 (20.5%) | ? 8 | ?? 0 | ? 42 | ETA: 47min', [progress(50, 244, null, null, null)]],
    ['question mark failed file is not a failure', '? Failed dates saved to: /x/f.json', [{ kind: 'failedSaved', path: '/x/f.json' }]],
    ['question mark key-less success', '  ? Scraped successfully (attempt 2)', [ok(null)]],
    // UTF-8 read as cp1252 and written again.
    ['mojibake scraped', '  âœ… Scraped 2021-10-19', [ok('2021-10-19')]],
    ['mojibake failed', '  âŒ Failed 2021-10-20: HTTP 500', [fail('2021-10-20', 'HTTP 500', 'HTTP 500')]],
    ['mojibake progress', 'ðŸ“Š Progress: 50/244 (20.5%) | âœ… 8 | â­ï¸ 0 | âŒ 42 | ETA: 47min', [progress(50, 244, null, null, null)]],
    // An encoder that drops what it cannot write.
    ['no marker at all', '  Scraped 2021-10-19', [ok('2021-10-19')]],
  ])('%s', (_name, message, expected) => {
    expect(facts(message)).toEqual(expected);
  });

  test.each([
    ['a sentence about failing', '? Failed to connect: timeout'],
    ['an error without a key', 'Error: could not load credentials'],
    ['a rule line', '======================================================================'],
  ])('not an outcome: %s', (_name, message) => {
    expect(facts(message)).toEqual([]);
  });

  test('the issue’s log: two keys queued, their outcomes escaped, counts done 2 of 2', () => {
    const text = logOf(T0, [
      ['INFO', '[1/2] Queued 2021-10-19'],
      ['INFO', '[2/2] Queued 2021-10-20'],
      ['INFO', '  \\u2705 Scraped 2021-10-19'],
      ['WARNING', '  \\u274c Failed 2021-10-20: HTTP 500'],
    ]);
    const run = applyLines({ current: null, history: [] }, parseText(text, grammar).lines).current!;
    expect(run).toMatchObject({ total: 2, succeeded: 1, failed: 1, unrecognized: 0 });
  });
});

describe('lines that look like outcomes but match no rule are counted, never dropped in silence', () => {
  const text = logOf(T0, [
    ['INFO', '[1/3] Queued 2021-10-19'],
    ['INFO', 'OK 2021-10-19 scraped'],
    ['INFO', 'result for 2021-10-20: success'],
    ['INFO', 'Loaded 3 dates from /tmp/dates.csv'],
    ['INFO', '  ✅ Scraped 2021-10-21'],
  ]);

  test('per run, in status --json as run.unrecognized and in the text status', () => {
    expect(facts('OK 2021-10-19 scraped')).toEqual([{ kind: 'unrecognized' }]);
    let state = initialState({ job: 'j', log: 'x.log', now: T0 + 10_000, targets: [] });
    state = reduce(state, { type: 'log/batch', batch: parseText(text, grammar) });
    // Read to its end, as status reads it (a half-read log has no run figures: tester U8).
    state = reduce(state, { type: 'log/progress', bytesRead: 1, size: 1, historyDone: true });
    expect(state.log.current).toMatchObject({ unrecognized: 2, succeeded: 1 });
    expect(statusJson(state).run.unrecognized).toBe(2);
    expect(statusText(state)).toContain('2 lines looked like outcomes but matched no rule');
  });

  test('the log pane marks them', () => {
    const tail = parseText(text, grammar).tail;
    expect(tail[1]).toEqual({ text: logLine(T0 + 1000, 'INFO', 'OK 2021-10-19 scraped'), tone: 'warn' });
  });

  test('the simulator’s own logs have none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'markers-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'sim.log');
    const counts = await writeSyntheticLog(file, { bytes: 400_000, seed: 7, keysPerRun: 300 });
    const lines = parseText(readFileSync(file, 'utf8'), grammar).lines;
    expect(lines.filter((l) => l.kind === 'unrecognized')).toEqual([]);
    expect(lines.filter((l) => l.kind === 'succeeded')).toHaveLength(counts.scraped);
  });
});
