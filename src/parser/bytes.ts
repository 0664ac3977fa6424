import type { LogLine } from '../log-line.js';
import { hashView, unhashed } from '../key-hash.js';
import { MAX_KEY_CHARS } from '../key-safety.js';
import { cachedKey, printable4 } from './key-cache.js';
import { isNumbered, type KeyedLines } from './keyed-lines.js';

/*
 * Byte-level reading for the fast path. Reading a byte costs about as much as a few arithmetic steps, so
 * fixed words and keys are compared 4 or 8 bytes at a time through a DataView, and positions come back as
 * numbers (-1 for "no match") so nothing is decoded until a field is known to be wanted.
 */

/**
 * An ASCII word of 4 to 12 bytes prepared for `ChunkBytes.word`: compared as three 32-bit words (at 0, at 4
 * and the last four bytes, overlapping as needed), so a match is three loads and never a loop.
 */
export class Word {
  readonly length: number;
  readonly head: number;
  readonly middle: number;
  readonly last: number;

  constructor(text: string) {
    const bytes = Buffer.from(text, 'latin1');
    if (bytes.length < 4 || bytes.length > 12) throw new RangeError(`Word needs 4 to 12 bytes: ${text}`);
    this.length = bytes.length;
    this.head = bytes.readInt32LE(0);
    this.middle = bytes.readInt32LE(Math.min(4, bytes.length - 4));
    this.last = bytes.readInt32LE(bytes.length - 4);
  }
}

/**
 * One chunk's bytes and the record being read, shared by the fast-path readers so the hot values travel as
 * fields rather than arguments (a double passed to a call is boxed each time).
 */
export class ChunkBytes {
  /** Epoch ms of the record being read. */
  at = 0;
  /** Where the digits of the last `readInt` ended. */
  intEnd = 0;
  /** Where the token of the last `key` or `keyRange` ended (after its colon, if any). */
  keyEnd = 0;
  /** The key found by the last `keyRange` that answered true: the bytes [keyStart, keyStop). */
  keyStart = 0;
  keyStop = 0;
  /** Lines the last `hotRun` read, and the newest of their times (hot-run.ts). */
  runLines = 0;
  runMaxAt = 0;
  readonly dv: DataView;

  constructor(
    readonly b: Buffer,
    readonly out: LogLine[],
    /** Where keyed outcome lines go instead of `out` (see keyed-lines.ts); null: every line is a LogLine. */
    readonly rec: KeyedLines | null = null,
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** Position after `word` when the bytes at p spell it, else -1. */
  word(p: number, end: number, word: Word): number {
    const n = word.length;
    if (end - p < n) return -1;
    const dv = this.dv;
    if (dv.getInt32(p, true) !== word.head || dv.getInt32(p + n - 4, true) !== word.last) return -1;
    return n <= 8 || dv.getInt32(p + 4, true) === word.middle ? p + n : -1;
  }

  /** Reads 1 to 15 ASCII digits at p; -1 when there are none or too many to be exact. */
  readInt(p: number, end: number): number {
    const b = this.b;
    let v = 0;
    let q = p;
    while (q < end) {
      const c = b[q] - 48;
      if (c < 0 || c > 9) break;
      v = v * 10 + c;
      q++;
    }
    if (q === p || q - p > 15) return -1;
    this.intEnd = q;
    return v;
  }

  /**
   * The key token at p: the family's keys, dates (2021-10-31) and game ids (0022100001), are ten printable
   * ASCII bytes and come from a cache that compares them as three words; any other token is decoded.
   * `colon` lets the token end with ':' (left out of the key), as in `Failed KEY: HTTP 500`.
   * Returns null when there is no token at p; `keyEnd` tells where the token ended.
   */
  key(p: number, end: number, colon: boolean): string | null {
    const b = this.b;
    const after = p + 10;
    const next = after < end ? b[after] : 32;
    const ends = next === 32 || (colon && next === 58 && (after + 1 === end || b[after + 1] === 32));
    // A ten-byte token that ends in ':' is a nine-byte key; the general path below takes the colon off.
    if (after <= end && ends && !(colon && b[p + 9] === 58)) {
      const dv = this.dv;
      const lo = dv.getInt32(p, true);
      const hi = dv.getInt32(p + 4, true);
      const tail = dv.getUint16(p + 8, true);
      if (printable4(lo) && printable4(hi) && printable4(tail | 0x21210000)) {
        this.keyEnd = next === 58 ? after + 1 : after;
        return cachedKey(b, p, lo, hi, tail);
      }
    }
    let e = p;
    while (e < end && b[e] !== 32) e++;
    this.keyEnd = e;
    if (colon && e > p && b[e - 1] === 58) e--;
    return e === p ? null : b.toString('utf8', p, e);
  }

  /**
   * The key `key` would read at p, as the bytes [keyStart, keyStop), when it can travel as bytes: ASCII
   * (so its bytes are its characters) and at most MAX_KEY_CHARS long (so it is never cut). False, with
   * nothing to read, when there is no key or it is not such a key: then `key` reads it as text.
   * Sets `keyEnd` as `key` does; when true, the key's hash is in key-hash.ts's `lanes` (0:0 for a numbered
   * key, whose hash is made only when needed: see keyed-lines.ts).
   */
  keyRange(p: number, end: number, colon: boolean): boolean {
    const b = this.b;
    let e = p;
    let bits = 0;
    while (e < end) {
      const x = b[e];
      if (x === 32) break;
      bits |= x;
      e++;
    }
    this.keyEnd = e;
    if (colon && e > p && b[e - 1] === 58) e--;
    if (e === p || bits >= 0x80 || e - p > MAX_KEY_CHARS) return false;
    this.keyStart = p;
    this.keyStop = e;
    if (isNumbered(this.dv, b, p, e)) unhashed();
    else hashView(this.dv, b, p, e);
    return true;
  }
}

/** First position at or after p that is not a space. */
export function skipSpaces(b: Buffer, p: number, end: number): number {
  while (p < end && b[p] === 32) p++;
  return p;
}

/** End of [p, end) with trailing spaces and tabs left out. */
export function trimEnd(b: Buffer, p: number, end: number): number {
  while (end > p && (b[end - 1] === 32 || b[end - 1] === 9)) end--;
  return end;
}

/** Position after the emoji's optional variation selector U+FE0F (EF B8 8F) and the spaces after it. */
export function afterEmoji(b: Buffer, p: number, end: number): number {
  if (b[p] === 0xef && b[p + 1] === 0xb8 && b[p + 2] === 0x8f && p + 3 <= end) p += 3;
  return skipSpaces(b, p, end);
}

const httpCache: string[] = [];
/** "HTTP" as a little-endian 32-bit word. */
const HTTP_WORD = 0x50545448;

/** 'HTTP nnn' when [p, end) starts with that status, else null; the strings are shared, not re-decoded. */
export function httpStatus(c: ChunkBytes, p: number, end: number): string | null {
  const b = c.b;
  if (end - p < 8 || c.dv.getInt32(p, true) !== HTTP_WORD || b[p + 4] !== 32) return null;
  const d0 = b[p + 5] - 48;
  const d1 = b[p + 6] - 48;
  const d2 = b[p + 7] - 48;
  if (!isDigit(d0) || !isDigit(d1) || !isDigit(d2) || (p + 8 < end && isDigit(b[p + 8] - 48))) return null;
  return httpText(d0 * 100 + d1 * 10 + d2);
}

/** 'HTTP nnn' for a status of three digits (0 to 999), the one string per status `httpStatus` gives. */
export function httpText(code: number): string {
  return (httpCache[code] ??= `HTTP ${String(code).padStart(3, '0')}`);
}

function isDigit(value: number): boolean {
  return value >= 0 && value <= 9;
}
