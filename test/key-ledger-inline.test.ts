import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { printedBytecode } from './support/bytecode.js';
import { removeDir } from './support/remove-dir.js';

// The fold looks up every key of a run by its number (src/state/key-ledger.ts numberOfBytes): each of its parts stays
// under V8's bytecode limit for inlining (`--max-inlined-bytecode-size`, 460 bytes in Node 20's V8), or the fold
// calls it once a key (as one function of 490 bytes, it was ~120 instructions a key of the 80 MB one-run read).
const INLINE_LIMIT = 460;
const dir = mkdtempSync(join(tmpdir(), 'key-ledger-inline-'));
afterAll(() => removeDir(dir));

test('numberOfBytes and numberOfTen are each small enough for V8 to inline into the fold (V8 --print-bytecode)', async () => {
  const log = oneRunLog(dir, 200_000, 7);
  const { code, text: printed } = await printedBytecode(dir, log.file, 'numberOf*', 'off');
  expect(code).toBe(0);
  const lengths = new Map([...printed.matchAll(/bytecode for function: (\w+) [^\n]*\nBytecode length: (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  // The fold ran both (the log's keys are ten-digit game ids).
  expect([...lengths.keys()]).toEqual(expect.arrayContaining(['numberOfBytes', 'numberOfTen']));
  expect(lengths.get('numberOfBytes')).toBeLessThanOrEqual(INLINE_LIMIT);
  expect(lengths.get('numberOfTen')).toBeLessThanOrEqual(INLINE_LIMIT);
}, 60_000);
