import { mkdtempSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, test } from 'vitest';
import { oneRunLog } from '../bench/one-run.js';
import { historyStartFor, SURE_BYTES } from '../src/app/history-start.js';
import { MAX_LINE_BYTES, type UnsureStart } from '../src/log-follower.js';
import { compileGrammar } from '../src/parser/index.js';
import { removeDir } from './support/remove-dir.js';
import { waitFor } from './support/wait-for.js';

// Round 19 (h89): the look back stopped after a one-run log's last SURE_BYTES (history-start.ts `unsure`) kept its two
// 4 MiB blocks for the whole read that followed and to the exit: status's peak RSS on the bench's 80 MB log rose
// 101 → 108 MB with round 18's bet (process.memoryUsage().arrayBuffers at exit 8.3 → 16.6 MB). A parked look holds
// none; asked to go on, it still answers.
const dir = mkdtempSync(join(tmpdir(), 'history-start-park-'));
afterAll(() => removeDir(dir));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('a look stopped for the read to bet on holds no block while the read goes on, and still answers when asked', async () => {
  // One run: its banner at the file's start, none in the last SURE_BYTES.
  const log = oneRunLog(dir, SURE_BYTES + (2 << 20), 19);
  const handle = await open(log.file, 'r');
  try {
    const size = (await handle.stat()).size;
    const pick = historyStartFor(compileGrammar(), undefined, { unsure: true })!;
    gc();
    const before = process.memoryUsage().arrayBuffers;
    const start = await pick({ handle, size, maxLineBytes: MAX_LINE_BYTES });
    expect(typeof start).toBe('object');
    // Two default blocks are 8 MiB; a parked look holds none (what else moved meanwhile is far less than a block). V8
    // frees a collected ArrayBuffer's memory on a thread of its own after the collection: asked again until it has.
    const held = () => {
      gc();
      return process.memoryUsage().arrayBuffers - before;
    };
    await waitFor(() => held() < 1 << 20, 'the look to hold less than 1 MiB of blocks', 5000).catch(() => undefined);
    expect(held()).toBeLessThan(1 << 20);
    expect((start as UnsureStart).at).toBe(0);
    // Asked after all, it looks the rest of the way: one run, so its history starts at 0.
    expect(await (start as UnsureStart).settle()).toBe(0);
  } finally {
    await handle.close();
  }
});
