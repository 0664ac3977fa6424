import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { LINE_LOOP_DEPTH } from '../src/parser/hot-run.js';
import { CLI } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// hotRun's line loop sits LINE_LOOP_DEPTH loops deep (src/parser/hot-run.ts says why: at depth 0 the parse worker compiled
// hotRun a second time, by on-stack replacement, in about half of the 80 MB reads). V8's bytecode says each loop's depth
// on its back edge (`JumpLoop [offset], [depth], [slot]`); the line loop's is the longest one.
const dir = mkdtempSync(join(tmpdir(), 'hot-run-osr-'));
afterAll(() => removeDir(dir));

test("the parse worker's hotRun has its line loop LINE_LOOP_DEPTH loops deep, and no back edge shallower (V8 --print-bytecode)", async () => {
  const log = oneRunLog(dir, 200_000, 7);
  // Another V8 flag: the shipped code cache is refused and a user cache made, here and not in the user's folder.
  const env = { ...process.env, BACKFILL_TUI_PARSE_WORKER: 'on', XDG_CACHE_HOME: join(dir, 'cache') };
  const args = ['--print-bytecode', '--print-bytecode-filter=hotRun', CLI, 'status', '--json', '--log', log.file];
  // Into a file: V8 prints through C's stdio, which drops what a full non-blocking pipe refuses (Node's child pipes are).
  const out = join(dir, 'bytecode.txt');
  const fd = openSync(out, 'w');
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: dir, env, stdio: ['ignore', fd, 'ignore'] });
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  closeSync(fd);
  expect(code).toBe(0);
  const stdout = readFileSync(out, 'utf8');
  const edges = [...stdout.matchAll(/JumpLoop(?:\.Wide)? \[(\d+)\], \[(\d+)\]/g)].map((m) => ({ span: Number(m[1]), depth: Number(m[2]) }));
  // The worker read the log: hotRun was compiled there (and only there) and printed once.
  expect(edges.length).toBeGreaterThan(0);
  const lineLoop = edges.reduce((a, b) => (b.span > a.span ? b : a));
  expect(lineLoop.depth).toBe(LINE_LOOP_DEPTH);
  expect(Math.min(...edges.map((e) => e.depth))).toBe(LINE_LOOP_DEPTH);
}, 60_000);
