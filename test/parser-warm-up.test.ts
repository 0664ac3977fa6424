import { expect, test } from 'vitest';
import { compileGrammar, linesOf, LogClock, parseChunk } from '../src/parser/index.js';
import { warmParser, warmSample } from '../src/parser/warm-up.js';

// The parse worker reads a sample of every line shape before its job (warm-up.ts), so its first optimized
// parser knows them all. The sample must go on holding every shape the parser reads, on both paths, and reading
// it must change nothing a later read gives.

test('the warm-up sample holds every record kind of the family, read alike with and without pane lines', () => {
  const grammar = compileGrammar(undefined, 'UTC');
  const sample = warmSample();
  const read = (tailLimit: number) => parseChunk(sample, grammar, tailLimit, new LogClock('UTC'), true);
  const [pane, hot] = [read(1_000), read(0)];
  expect(pane.tail.length).toBeGreaterThan(100);
  expect(hot.tail).toEqual([]);
  // Outcome lines come as keyed columns either way (without pane lines from the one-pass path, hot-lines.ts).
  expect(hot.keyed!.count).toBeGreaterThan(40);
  expect(hot.keyed!.count).toBe(pane.keyed!.count);
  expect(linesOf(hot)).toEqual(linesOf(pane));
  const kinds = new Set(linesOf(hot).map((l) => l.kind));
  for (const kind of ['start', 'loaded', 'queued', 'processing', 'succeeded', 'failed', 'skipped', 'progress', 'complete', 'summary', 'setting'] as const) {
    expect(kinds.has(kind), kind).toBe(true);
  }
  expect(kinds.has('unrecognized')).toBe(false);
  const failures = new Set(linesOf(hot).flatMap((l) => (l.kind === 'failed' ? [l.failure] : [])));
  expect(failures.size).toBeGreaterThanOrEqual(3);
});

test('reading the warm-up sample changes nothing a read after it gives', () => {
  const grammar = compileGrammar(undefined, 'UTC');
  const log = Buffer.concat([warmSample(), Buffer.from('2025-11-27 01:02:03,456 - INFO -   ✅ Scraped 0022100009 (2021-10-19)\n')]);
  const read = () => linesOf(parseChunk(log, grammar, 0, new LogClock('UTC'), true));
  const before = read();
  warmParser('UTC');
  warmParser(undefined);
  expect(read()).toEqual(before);
});
