import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { LINE_LOOP_DEPTH } from '../src/parser/hot-run.js';
import { printedBytecode } from './support/bytecode.js';
import { removeDir } from './support/remove-dir.js';

// hotRun's line loop sits LINE_LOOP_DEPTH loops deep (src/parser/hot-run.ts says why: at depth 0 the parse worker compiled
// hotRun a second time, by on-stack replacement, in about half of the 80 MB reads). V8's bytecode says each loop's depth
// on its back edge (`JumpLoop [offset], [depth], [slot]`); the line loop's is the longest one.
const dir = mkdtempSync(join(tmpdir(), 'hot-run-osr-'));
afterAll(() => removeDir(dir));

test("the parse worker's hotRun has its line loop LINE_LOOP_DEPTH loops deep, and no back edge shallower (V8 --print-bytecode)", async () => {
  const log = oneRunLog(dir, 200_000, 7);
  const { code, text: stdout } = await printedBytecode(dir, log.file, 'hotRun', 'on');
  expect(code).toBe(0);
  const edges = [...stdout.matchAll(/JumpLoop(?:\.Wide)? \[(\d+)\], \[(\d+)\]/g)].map((m) => ({ span: Number(m[1]), depth: Number(m[2]) }));
  // The worker read the log: hotRun was compiled there (and only there) and printed once.
  expect(edges.length).toBeGreaterThan(0);
  const lineLoop = edges.reduce((a, b) => (b.span > a.span ? b : a));
  expect(lineLoop.depth).toBe(LINE_LOOP_DEPTH);
  expect(Math.min(...edges.map((e) => e.depth))).toBe(LINE_LOOP_DEPTH);
}, 60_000);
