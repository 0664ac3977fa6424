/**
 * Byte-level helpers for the fast path. Everything works on [p, end) of a Buffer and returns a position,
 * or -1 when the bytes do not match, so no substring is decoded until a field is known to be wanted.
 */

/** Turns an ASCII word into bytes once, at module load, for `matchWord`. */
export function ascii(word: string): Uint8Array {
  return Uint8Array.from(word, (ch) => ch.charCodeAt(0));
}

/** Position after `word` when the bytes at p spell it, else -1. */
export function matchWord(b: Buffer, p: number, end: number, word: Uint8Array): number {
  const n = word.length;
  if (end - p < n) return -1;
  for (let i = 0; i < n; i++) if (b[p + i] !== word[i]) return -1;
  return p + n;
}

/** First position at or after p that is not a space. */
export function skipSpaces(b: Buffer, p: number, end: number): number {
  while (p < end && b[p] === 32) p++;
  return p;
}

/** Position after the emoji's optional variation selector U+FE0F (EF B8 8F) and the spaces after it. */
export function afterEmoji(b: Buffer, p: number, end: number): number {
  if (b[p] === 0xef && b[p + 1] === 0xb8 && b[p + 2] === 0x8f && p + 3 <= end) p += 3;
  return skipSpaces(b, p, end);
}

/** End of the token starting at p: the next space or the line end. */
export function tokenEnd(b: Buffer, p: number, end: number): number {
  while (p < end && b[p] !== 32) p++;
  return p;
}

/** End of [p, end) with trailing spaces and tabs left out. */
export function trimEnd(b: Buffer, p: number, end: number): number {
  while (end > p && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
  return end;
}

/** Set by `readInt`: where the digits ended (an object, not a `let`, so the hot path pays no binding check). */
export const digits = { end: 0 };

/** Reads 1 to 15 ASCII digits at p (into `digits.end`); -1 when there are none or too many to be exact. */
export function readInt(b: Buffer, p: number, end: number): number {
  let v = 0;
  let q = p;
  while (q < end) {
    const c = b[q] - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    q++;
  }
  if (q === p || q - p > 15) return -1;
  digits.end = q;
  return v;
}

/** Decoded keys by a number that spells their bytes exactly; keys repeat (queued, then scraped, then retried). */
const keyCache = new Map<number, string>();
const KEY_CACHE_LIMIT = 1 << 16;

/**
 * The key in [p, end) as a string. Date keys (YYYY-MM-DD) and all-digit ids come from a cache keyed by
 * their digits: decoding a short string through Buffer costs more than the whole rest of the line.
 */
export function decodeKey(b: Buffer, p: number, end: number): string {
  const id = numericId(b, p, end);
  if (id < 0) return b.toString('utf8', p, end);
  let key = keyCache.get(id);
  if (key === undefined) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    key = b.toString('latin1', p, end);
    keyCache.set(id, key);
  }
  return key;
}

/** A number naming the bytes exactly (digit runs `value*16+length`, dates `yyyymmdd*16+15`), or -1. */
function numericId(b: Buffer, p: number, end: number): number {
  const n = end - p;
  if (n === 10 && b[p + 4] === 45 && b[p + 7] === 45) {
    const y = readInt(b, p, p + 4);
    if (y < 0 || digits.end !== p + 4) return -1;
    const m = readInt(b, p + 5, p + 7);
    if (m < 0 || digits.end !== p + 7) return -1;
    const d = readInt(b, p + 8, p + 10);
    if (d < 0 || digits.end !== p + 10) return -1;
    return (y * 10000 + m * 100 + d) * 16 + 15;
  }
  if (n < 1 || n > 14) return -1;
  const v = readInt(b, p, end);
  return v >= 0 && digits.end === end ? v * 16 + n : -1;
}

const httpCache: string[] = [];

/** 'HTTP nnn' when [p, end) starts with that status, else null; the strings are shared, not re-decoded. */
export function httpStatus(b: Buffer, p: number, end: number): string | null {
  if (end - p < 8 || b[p] !== 72 || b[p + 1] !== 84 || b[p + 2] !== 84 || b[p + 3] !== 80 || b[p + 4] !== 32) {
    return null;
  }
  const code = readInt(b, p + 5, p + 8);
  if (code < 0 || digits.end !== p + 8 || (p + 8 < end && isDigit(b[p + 8]))) return null;
  return (httpCache[code] ??= `HTTP ${b.toString('latin1', p + 5, p + 8)}`);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
