/*
 * Decoded keys by their bytes. Decoding a short string through Buffer costs more than all the rest of a
 * line, and a log names the same keys again and again (queued, scraped, retried, next run), so the family's
 * ten-byte keys are looked up by their bytes, read as three words. Module-wide: keys repeat across chunks,
 * and an entry is only ever a function of its bytes.
 */

/** Slots of the key cache (a power of two); a run's keys (853 dates, 5,299 games) fit with room to spare. */
const KEY_BITS = 13;
const KEY_SLOTS = 1 << KEY_BITS;
// The three words of slot i at 4i, 4i+1, 4i+2: a set of four slots is one cache line.
const keyWords = new Int32Array(KEY_SLOTS * 4).fill(-1);
const keyText: string[] = new Array<string>(KEY_SLOTS).fill('');

/** Per set of four slots: the slot its next new key replaces (round robin). */
const nextVictim = new Uint8Array(KEY_SLOTS >>> 2);

/**
 * The ten bytes at p decoded, given as their words (bytes 0-3, 4-7, 8-9). Each hash value owns a set of
 * four slots, filled in turn, so keys that collide do not evict each other at once. A run of distinct
 * keys (a per-game backfill names each key once) misses every time, so a miss must stay cheap: no
 * shifting of the set, and the text made by `String.fromCharCode` (a third of the cost of a Buffer decode
 * for ten bytes).
 */
export function cachedKey(b: Buffer, p: number, lo: number, hi: number, tail: number): string {
  let h = Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca6b) ^ Math.imul(tail, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  const set = h >>> (32 - KEY_BITS + 2);
  const slot = set << 2;
  for (let i = slot, w = slot << 2; i < slot + 4; i++, w += 4) {
    if (keyWords[w] === lo && keyWords[w + 1] === hi && keyWords[w + 2] === tail) return keyText[i];
  }
  const victim = slot + nextVictim[set];
  nextVictim[set] = (nextVictim[set] + 1) & 3;
  // Printable ASCII (the caller checked): each byte is its own character.
  const text = String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3], b[p + 4], b[p + 5], b[p + 6], b[p + 7], b[p + 8], b[p + 9]);
  const w = victim << 2;
  keyWords[w] = lo;
  keyWords[w + 1] = hi;
  keyWords[w + 2] = tail;
  keyText[victim] = text;
  return text;
}

/** Whether all four bytes of a little-endian word are printable ASCII ('!' to '~', no space). */
export function printable4(x: number): boolean {
  // Per byte: below 0x21 shows as a borrow into bit 7 (the classic "has less than" test), 0x7F+ as bit 7 set.
  return ((((x - 0x21212121) & ~x) | x | (x + 0x01010101)) & 0x80808080) === 0;
}

