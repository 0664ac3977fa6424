import type { LogLine } from '../log-line.js';

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

/**
 * One chunk's bytes and the record being read, shared by the fast-path readers so the hot values travel as
 * fields rather than arguments. `readInt` reports where its digits ended in `intEnd`.
 */
export class ChunkBytes {
  /** Epoch ms of the record being read. */
  at = 0;
  /** Where the digits of the last `readInt` ended. */
  intEnd = 0;

  constructor(
    readonly b: Buffer,
    readonly out: LogLine[],
  ) {}

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

  /** The key in [p, end) as a string. */
  key(p: number, end: number): string {
    // Decoding through Buffer costs more than all the rest of the line, so the family's keys, dates
    // (2021-10-31) and game ids (0022100001), both ten ASCII bytes, are built from their char codes.
    if (end - p !== 10) return this.b.toString('utf8', p, end);
    const b = this.b;
    const c0 = b[p], c1 = b[p + 1], c2 = b[p + 2], c3 = b[p + 3], c4 = b[p + 4];
    const c5 = b[p + 5], c6 = b[p + 6], c7 = b[p + 7], c8 = b[p + 8], c9 = b[p + 9];
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7 | c8 | c9) >= 0x80) return b.toString('utf8', p, end);
    return String.fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7, c8, c9);
  }
}

const httpCache: string[] = [];

/** 'HTTP nnn' when [p, end) starts with that status, else null; the strings are shared, not re-decoded. */
export function httpStatus(b: Buffer, p: number, end: number): string | null {
  if (end - p < 8 || b[p] !== 72 || b[p + 1] !== 84 || b[p + 2] !== 84 || b[p + 3] !== 80 || b[p + 4] !== 32) {
    return null;
  }
  const d0 = b[p + 5] - 48;
  const d1 = b[p + 6] - 48;
  const d2 = b[p + 7] - 48;
  if (!isDigit(d0) || !isDigit(d1) || !isDigit(d2) || (p + 8 < end && isDigit(b[p + 8] - 48))) return null;
  const code = d0 * 100 + d1 * 10 + d2;
  return (httpCache[code] ??= `HTTP ${b.toString('latin1', p + 5, p + 8)}`);
}

function isDigit(value: number): boolean {
  return value >= 0 && value <= 9;
}
