import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { fromMessage, toMessage, type BatchMessage } from '../src/parser/batch-transfer.js';
import { compileGrammar, linesOf, LogClock, parseChunk } from '../src/parser/index.js';
import { shareColumns } from '../src/parser/keyed-lines.js';
import { CLI } from './support/cli.js';
import { removeDir } from './support/remove-dir.js';

// The parse worker's batches reach the folding thread without detaching any ArrayBuffer (src/parser/batch-transfer.ts):
// one transfer takes back V8's promise that no buffer is ever detached, for the whole isolate and for good, and every
// typed array and DataView read of the worker's optimized parser then checks its buffer first (~8 % more instructions
// in the worker at 80 MB). A file of its own: shareColumns holds for every batch this thread parses after it.
const dir = mkdtempSync(join(tmpdir(), 'worker-detaches-nothing-'));
afterAll(() => removeDir(dir));

const text = [
  '2025-11-26 08:00:00,000 - INFO - 📊 Progress: 50/200 (25.0%) | ✅ 40 | ⏭️ 2 | ❌ 8 | ETA: 3min',
  '2025-11-26 08:00:02,000 - INFO -   ✅ Scraped 0022100001 (2021-10-19)',
  '2025-11-26 08:00:04,000 - WARNING -   ❌ Failed 0022100002: HTTP 500',
  '2025-11-26 08:00:05,000 - WARNING -   ❌ Timeout scraping 0022100003',
  '2025-11-26 08:00:06,000 - INFO -   ✅ Scraped player-77 (2021-10-19)',
  '',
].join('\n');

test("a batch parsed with shared columns (the worker's) crosses sharing them: the sender's columns stay whole and are the receiver's", () => {
  shareColumns();
  const batch = parseChunk(Buffer.from(text), compileGrammar(), 0, new LogClock('UTC'), true);
  const sent = linesOf(batch);
  expect(sent.map((l) => l.kind)).toEqual(['progress', 'succeeded', 'failed', 'failed', 'succeeded']);
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(toMessage(batch));
  const got = receiveMessageOnPort(port2)!.message as BatchMessage;
  port1.close();
  // Nothing detached on the sending side: its columns still read.
  const keyed = batch.keyed!;
  for (const column of [keyed.order, keyed.at, keyed.h1, keyed.h2, keyed.keyEnd, keyed.keyBytes]) {
    expect(column.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(column.byteLength).toBeGreaterThan(0);
  }
  expect(linesOf(batch)).toEqual(sent);
  // The receiver's columns are the same memory, not a copy.
  keyed.at[0] = 1234;
  expect(got.keyed!.at[0]).toBe(1234);
  keyed.at[0] = sent[1].at;
  expect(linesOf(fromMessage(got))).toEqual(sent);
});

test('status --json with the parse worker detaches no ArrayBuffer in either thread (V8 --trace-protector-invalidation)', async () => {
  const log = oneRunLog(dir, 1_600_000, 7);
  const timing = join(dir, 'timing.jsonl');
  // Another V8 flag: the shipped code cache is refused and a user cache made, here and not in the user's folder.
  const env = { ...process.env, BACKFILL_TUI_PARSE_WORKER: 'on', BACKFILL_TUI_TIMING: timing, XDG_CACHE_HOME: join(dir, 'cache') };
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['--trace-protector-invalidation', CLI, 'status', '--json', '--log', log.file], { cwd: dir, env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stdout: out, stderr: err }));
  });
  expect(stderr).toBe('');
  expect(code).toBe(0);
  // The worker read the log, in batches (the first read is 64 KiB: a 1.6 MB log is several).
  const marks = (JSON.parse(readFileSync(timing, 'utf8').trim().split('\n').at(-1)!) as { marks: [string, number][] }).marks;
  expect(marks.map((m) => m[0])).toContain('parse worker done');
  expect(stdout).toContain(`"succeeded": ${log.counts.succeeded}`);
  // V8 says so on stdout when a protector is invalidated: `Invalidating protector cell ArrayBufferDetaching`.
  expect(stdout).not.toContain('ArrayBufferDetaching');
}, 60_000);
