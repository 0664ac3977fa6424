import { describe, expect, test } from 'vitest';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { runFigures } from '../src/state/run-view.js';
import { banner, logLine, logOf, T0 } from './support/log-text.js';

const grammar = compileGrammar(undefined, 'UTC');
const fold = (text: string) => applyLines({ current: null, history: [] }, parseText(text, grammar).lines);
const key = (i: number) => new Date(Date.UTC(2021, 9, 1) + i * 86_400_000).toISOString().slice(0, 10);

// A run that scrapes 41 keys a second apart, then 20 more half a second apart, and writes its summary a second after
// its last key: 61 completions over 50 s, idle 1 s at its end. Its rate, min((n − 1) / span, n / (span + idle)):
// min(60 / 50 s, 61 / 51 s) = 61 / 51 s = 71.8 a minute. Its last 20 times alone would say 120 a minute.
const start = T0 + 10_000;
const times = [...Array.from({ length: 41 }, (_, i) => start + i * 1000), ...Array.from({ length: 20 }, (_, i) => start + 40_500 + i * 500)];
const lines = times.map((t, i) => logLine(t, 'INFO', `  ✅ Scraped ${key(i)}`));
const last = times.at(-1)!;
const summary = ['BACKFILL COMPLETE', 'Total dates: 61', '✅ Processed: 61', '⏭️  Skipped: 0', '❌ Failed: 0'].map((m) => logLine(last + 1000, 'INFO', m));
const run = logOf(T0, banner(2, 60, 61)) + [...lines, ...summary].join('\n') + '\n';
const next = logOf(last + 60_000, [...banner(2, 60, 1), ['INFO', `  ✅ Scraped ${key(70)}`]]);

describe('tester Y3: an earlier run keeps the rate it had when it ended', () => {
  test('alone in its log: 71.8 a minute', () => {
    const runs = fold(run);
    expect(runFigures(runs.current, last + 5000, { alive: false }).ratePerMin).toBeCloseTo((61 / 51) * 60, 6);
  });

  test('once another run follows it: the same 71.8, not the rate of its last completions', () => {
    const runs = fold(run + next);
    expect(runs.history).toHaveLength(1);
    expect(runFigures(runs.history[0], last + 120_000, { alive: false }, false).ratePerMin).toBeCloseTo((61 / 51) * 60, 6);
  });
});
