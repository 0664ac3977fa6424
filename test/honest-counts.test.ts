import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { banner, logOf, T0 } from './support/log-text.js';

// One-line bugs the suite once let through: each of these tests fails when its line is broken.
const grammar = compileGrammar();
const fold = (records: string[][]) => applyLines({ current: null, history: [] }, parseText(logOf(T0, records), grammar).lines).current!;

describe('counts from the log', () => {
  test('skips come from the newest Progress line, never the sum of all of them', () => {
    const records: string[][] = [...banner(6, 180, 200)];
    for (let i = 0; i < 40; i++) records.push(['INFO', `  ✅ Scraped 2021-11-${String((i % 28) + 1).padStart(2, '0')}`]);
    records.push(['INFO', '📊 Progress: 50/200 (25.0%) | ✅ 40 | ⏭️ 10 | ❌ 0 | ETA: 1min']);
    for (let i = 0; i < 30; i++) records.push(['INFO', `  ✅ Scraped 2021-12-${String((i % 28) + 1).padStart(2, '0')}`]);
    records.push(['INFO', '📊 Progress: 100/200 (50.0%) | ✅ 70 | ⏭️ 30 | ❌ 0 | ETA: 1min']);
    const run = fold(records);
    expect(run.skipped).toBe(30);
    expect(run.progressDone).toBe(100);
  });

  test('skip lines (the retry script logs them) count as done but never as completions for the rate', () => {
    const records: string[][] = [['INFO', 'Loaded 30 dates from retry.csv']];
    for (let i = 0; i < 10; i++) {
      records.push(['INFO', `[${i + 1}/30] Processing 2022-04-${String(i + 1).padStart(2, '0')}`], ['INFO', '  ⏭️  Skipped (already in GCS)']);
    }
    records.push(['INFO', '  ⏭️  Skipped 2022-05-01 (already in GCS)']);
    records.push(['INFO', '[12/30] Processing 2022-05-02'], ['INFO', '  ✅ Scraped successfully (attempt 1)']);
    const run = fold(records);
    expect(run.skipped).toBe(11);
    expect(run.succeeded).toBe(1);
    expect(run.completions).toHaveLength(1);
  });
});
