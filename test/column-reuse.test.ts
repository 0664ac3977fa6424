import { expect, test } from 'vitest';
import { compileGrammar, LogClock, parseChunk } from '../src/parser/index.js';
import { columnsFolded, type KeyedLines, lendColumns, newColumnsJob, shareColumns, sharedColumnBytes } from '../src/parser/keyed-lines.js';

// A file of its own: shareColumns() makes this file's parser keep its columns on shared memory, as the parse worker's does.
test("the parse worker fills a folded batch's shared columns again, and never those of a batch not folded yet", () => {
  shareColumns();
  newColumnsJob();
  const grammar = compileGrammar(undefined, 'UTC');
  const clock = new LogClock('UTC');
  let next = 0;
  /** A batch of 2,000 outcomes of game-id keys, every seventh a failure. */
  const batch = (): KeyedLines => {
    const lines: string[] = [];
    for (let i = 0; i < 2000; i++, next++) {
      const id = String(22100000 + next).padStart(10, '0');
      const at = `2025-11-26 08:${String(Math.floor(next / 60) % 60).padStart(2, '0')}:${String(next % 60).padStart(2, '0')},000`;
      lines.push(next % 7 === 3 ? `${at} - WARNING -   ❌ Failed ${id}: HTTP 500` : `${at} - INFO -   ✅ Scraped ${id} (2021-10-19)`);
    }
    return parseChunk(Buffer.from(`${lines.join('\n')}\n`), grammar, 0, clock, true).keyed!;
  };
  const buffers = (k: KeyedLines) => [k.at.buffer, k.h1.buffer, k.h2.buffer, k.keyEnd.buffer, k.keyBytes.buffer];

  const a = batch();
  lendColumns(0, a);
  const b = batch();
  lendColumns(1, b);
  // Nothing folded yet: b is made of memory of its own.
  expect(buffers(b).some((x) => buffers(a).includes(x))).toBe(false);
  const made = sharedColumnBytes();

  // The folding thread has folded batch 0 (a), not batch 1 (b): c is filled in a's memory, none of b's, none made.
  columnsFolded(1);
  const c = batch();
  expect(buffers(c).every((x) => buffers(a).includes(x))).toBe(true);
  expect(buffers(c).some((x) => buffers(b).includes(x))).toBe(false);
  expect(sharedColumnBytes()).toBe(made);
  // Its order column is always fresh (the fold reads a batch's first entry before its size).
  expect(c.order.buffer).not.toBe(a.order.buffer);
  // And c reads as itself, whatever a left in that memory.
  expect(c.count).toBe(2000);
  expect(c.key(0)).toBe('0022104000');
  expect(c.key(1999)).toBe('0022105999');
  expect(c.at[1999] - c.at[0]).toBe(1_999_000);
  expect(c.failures).toHaveLength(286);
  // b is untouched by it.
  expect(b.key(0)).toBe('0022102000');
});
