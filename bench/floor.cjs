/**
 * The least any Node program pays to answer a question about a log: Node's start, the file read to its end in
 * 1 MiB reads (the parse worker's read size), and each byte looked at once: it prints the count of newlines, as
 * `wc -l` does, and parses nothing. The scale bench (bench/scale.js) times it beside `grep -c` and `node -e 0` at
 * every size, so the reader can see how much of `status --json`'s ratio to grep is Node's own start and read.
 *
 * `node bench/floor.cjs FILE` → `N\n` on stdout. CommonJS, no imports beyond node:fs: nothing to load but Node.
 * The newlines are counted four bytes at a time, one call per read (so V8 optimizes the loop after a few reads,
 * not by on-stack replacement in the first), the few bytes past the last whole word one by one. On the 80 MB
 * one-run log the read takes ~10 ms and the count ~33 ms of its run (performance.now() around each, load 4).
 */
'use strict';
const { closeSync, openSync, readSync } = require('node:fs');

const READ = 1 << 20;

/** Newlines in words[0, to): each word's 0x0A bytes marked 0x80 (the exact, borrow-free zero-byte test), then summed. */
function newlines(words, to) {
  let n = 0;
  for (let i = 0; i < to; i++) {
    const t = words[i] ^ 0x0a0a0a0a;
    const m = ~(((t & 0x7f7f7f7f) + 0x7f7f7f7f) | t | 0x7f7f7f7f);
    // 1 in the low bit of each marked byte, the four summed into the top byte.
    n += Math.imul((m >>> 7) & 0x01010101, 0x01010101) >>> 24;
  }
  return n;
}

const fd = openSync(process.argv[2], 'r');
const buf = Buffer.allocUnsafe(READ);
// 1 MiB is past Buffer's pool: its own ArrayBuffer, at offset 0, so the words are aligned.
const words = new Int32Array(buf.buffer, buf.byteOffset, READ >> 2);
let lines = 0;
for (;;) {
  const n = readSync(fd, buf, 0, READ, null);
  if (n <= 0) break;
  lines += newlines(words, n >> 2);
  for (let i = n & ~3; i < n; i++) if (buf[i] === 10) lines++;
}
closeSync(fd);
process.stdout.write(`${lines}\n`);
