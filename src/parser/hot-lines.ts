import { afterEmoji, type ChunkBytes, trimEnd } from './bytes.js';
import { AFTER, FAILED, keyedFailure, SCRAPED, scraping, TIMEOUT } from './fast-path.js';
import { isNumbered, KEYED_FAILED, KEYED_SUCCEEDED } from './keyed-lines.js';
import type { PrefixReader } from './timestamp.js';
import { hashView, unhashed } from '../key-hash.js';
import { MAX_KEY_CHARS } from '../key-safety.js';

/*
 * The three lines a long run is made of, `✅ Scraped KEY …`, `❌ Failed KEY: …` and `❌ Timeout scraping KEY`
 * under an INFO or WARNING prefix, read in one pass from the line's start: the prefix, the words and the key
 * are compared byte for byte as they come (so a line that ends sooner never matches), the key's end found and
 * the key hashed four bytes at a time, and the line's end is looked for only after the key, a few bytes on. The general path finds the
 * end of every line first (a native call per line, the dearest step left) and then reads it again. Anything
 * else, or any doubt, is left to the general path, which gives these lines the same records
 * (fast-path.ts; test/keyed-lines.test.ts holds the two equal).
 */

/** Bytes a line start must have before the chunk's end for `hotLine` to look (the prefix and words fit). */
export const HOT_ROOM = 64;
/** The line end is looked for byte by byte this far after the key, then natively. */
const NEAR_END = 32;

/**
 * Reads the line at `pos` as a keyed record into `c.rec` when it is one of the three shapes; returns where
 * the next line starts. -1 when it is not (nothing recorded): the general path reads the line.
 * Needs `pos + HOT_ROOM <= len`; `c.rec` set.
 */
export function hotLine(c: ChunkBytes, prefix: PrefixReader, pos: number, len: number): number {
  const b = c.b;
  const m = prefix.readHot(pos);
  if (m < 0) return -1;
  let s = m;
  while (b[s] === 32) s++;
  if (b[s] !== 0xe2) return -1;
  const c1 = b[s + 1];
  const c2 = b[s + 2];
  const p = afterEmoji(b, s + 3, len);
  if (c1 === 0x9c && c2 === 0x85) {
    // ✅ Scraped KEY; `Scraped successfully` (a retry's key-less line) is the general path's.
    let q = c.word(p, len, SCRAPED);
    if (q < 0) return -1;
    while (b[q] === 32) q++;
    if (b[q] === 0x73) return -1;
    const stop = keyAt(c, q, false);
    if (stop < 0) return -1;
    c.at = prefix.at;
    c.rec!.keyed(KEYED_SUCCEEDED, c);
    return afterLine(c, stop, len);
  }
  if (c1 !== 0x9d || c2 !== 0x8c) return -1;
  let q = c.word(p, len, FAILED);
  let timeout = false;
  if (q < 0) {
    const t = c.word(p, len, TIMEOUT);
    if (t < 0) return -1;
    q = scraping(c, t, len);
    timeout = true;
  } else {
    while (b[q] === 32) q++;
    // `Failed after 5 attempts: …` names no key.
    const after = c.word(q, len, AFTER);
    if (after >= 0 && b[after] >= 48 && b[after] <= 57) return -1;
  }
  const stop = keyAt(c, q, true);
  if (stop < 0) return -1;
  c.at = prefix.at;
  const next = afterLine(c, stop, len);
  if (timeout) {
    c.rec!.keyed(KEYED_FAILED, c);
    c.rec!.failures.push('timeout');
    c.rec!.errors.push('timeout');
  } else {
    const nl = next - 1;
    const end = nl > pos && b[nl] === 10 && b[nl - 1] === 13 ? nl - 1 : b[nl] === 10 ? nl : next;
    keyedFailure(c, c.keyEnd, trimEnd(b, s, end), 'failed');
  }
  return next;
}

/**
 * The key token at p as `keyRange` reads it (ASCII, up to MAX_KEY_CHARS, a trailing ':' left out with
 * `colon`), when it ends at a space or at the line's end (\n or \r\n): then its
 * range and hash are in `c` (keyStart, keyStop, keyEnd, key-hash `lanes`) and the position after it is
 * returned. -1 for any other token (a tab or control byte in it or after it, non-ASCII, too long, empty).
 */
function keyAt(c: ChunkBytes, p: number, colon: boolean): number {
  const b = c.b;
  const dv = c.dv;
  const len = b.length;
  let e = p;
  // Four bytes at a time while none is a space, a control byte or non-ASCII: (w - 0x21…) borrows into a
  // byte's top bit only below 0x21 (and only from the first such byte up), `| w` adds the bytes from 0x80.
  while (e + 4 <= len) {
    const w = dv.getInt32(e, true);
    if ((((w - 0x21212121) | w) & 0x80808080) !== 0) break;
    e += 4;
  }
  let bits = 0;
  let x = b[e];
  while (x > 32) {
    bits |= x;
    x = b[++e];
  }
  if (x !== 32 && x !== 10 && !(x === 13 && b[e + 1] === 10)) return -1;
  const stop = e;
  if (colon && e > p && b[e - 1] === 58) e--;
  if (e === p || bits >= 0x80 || e - p > MAX_KEY_CHARS) return -1;
  c.keyStart = p;
  c.keyStop = e;
  c.keyEnd = stop;
  // A numbered key is not hashed here: the fold seldom needs its hash (see keyed-lines.ts).
  if (isNumbered(dv, b, p, e)) unhashed();
  else hashView(dv, b, p, e);
  return stop;
}

/** Where the line that goes on at `from` ends, plus one (the next line's start); `len` when it has no '\n'. */
export function afterLine(c: ChunkBytes, from: number, len: number): number {
  const b = c.b;
  const dv = c.dv;
  // A per-game backfill's line ends ` (2021-10-19)`: its shape, and no '\n' inside, in a few loads.
  if (from + 14 <= len && b[from + 13] === 10 && b[from] === 32 && b[from + 1] === 40 && b[from + 12] === 41 && b[from + 10] !== 10 && b[from + 11] !== 10) {
    const x = dv.getInt32(from + 2, true) ^ 0x0a0a0a0a;
    const y = dv.getInt32(from + 6, true) ^ 0x0a0a0a0a;
    if (((((x - 0x01010101) & ~x) | ((y - 0x01010101) & ~y)) & 0x80808080) === 0) return from + 14;
  }
  // Else four bytes at a time: a word holds a '\n' when (w ^ 0x0a0a0a0a) has a zero byte.
  const near = Math.min(len, from + NEAR_END) - 4;
  let q = from;
  for (; q <= near; q += 4) {
    const x = dv.getInt32(q, true) ^ 0x0a0a0a0a;
    if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
  }
  const stop = Math.min(len, from + NEAR_END);
  while (q < stop && b[q] !== 10) q++;
  if (q === stop && q < len) {
    q = b.indexOf(10, q);
    if (q < 0) return len;
  }
  return q < len ? q + 1 : len;
}
