import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { CLI } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// The fold looks up every key of a run by its number (src/state/key-ledger.ts numberOfBytes): each of its parts stays
// under V8's bytecode limit for inlining (`--max-inlined-bytecode-size`, 460 bytes in Node 20's V8), or the fold
// calls it once a key (as one function of 490 bytes, it was ~120 instructions a key of the 80 MB one-run read).
const INLINE_LIMIT = 460;
const dir = mkdtempSync(join(tmpdir(), 'key-ledger-inline-'));
afterAll(() => removeDir(dir));

test('numberOfBytes and numberOfTen are each small enough for V8 to inline into the fold (V8 --print-bytecode)', async () => {
  const log = oneRunLog(dir, 200_000, 7);
  // Another V8 flag: the shipped code cache is refused and a user cache made, here and not in the user's folder.
  const env = { ...process.env, BACKFILL_TUI_PARSE_WORKER: 'off', XDG_CACHE_HOME: join(dir, 'cache') };
  const args = ['--print-bytecode', '--print-bytecode-filter=numberOf*', CLI, 'status', '--json', '--log', log.file];
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
  const lengths = new Map([...readFileSync(out, 'utf8').matchAll(/bytecode for function: (\w+) [^\n]*\nBytecode length: (\d+)/g)].map((m) => [m[1], Number(m[2])]));
  // The fold ran both (the log's keys are ten-digit game ids).
  expect([...lengths.keys()]).toEqual(expect.arrayContaining(['numberOfBytes', 'numberOfTen']));
  expect(lengths.get('numberOfBytes')).toBeLessThanOrEqual(INLINE_LIMIT);
  expect(lengths.get('numberOfTen')).toBeLessThanOrEqual(INLINE_LIMIT);
}, 60_000);
