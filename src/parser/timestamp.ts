/** Severity of a record, from its `LEVEL` field; only the tone of the log pane depends on it. */
export type Level = typeof INFO | typeof WARNING | typeof ERROR;
/** INFO, DEBUG and any level we do not know. */
export const INFO = 0;
/** WARNING or WARN. */
export const WARNING = 1;
/** ERROR, CRITICAL or FATAL. */
export const ERROR = 2;

/** Bytes every record prefix must hold: `YYYY-MM-DD HH:MM:SS - X - `. */
const MIN_PREFIX = 25;
/** Longest level name we look for (CRITICAL); a longer word means this is not a record prefix. */
const MAX_LEVEL = 8;

/**
 * Reads the Python logging prefix `YYYY-MM-DD HH:MM:SS,mmm - LEVEL - ` at the start of a line, by bytes.
 * The milliseconds are optional because some scripts of the family set `datefmt` without them.
 * One reader serves one chunk: it caches the epoch of the current minute, so a Date is built only when
 * the minute changes (a few times per chunk), not once per line.
 */
export class PrefixReader {
  /** Epoch ms of the last prefix read, as local time. */
  at = 0;
  /** Level of the last prefix read. */
  level: Level = INFO;
  private minuteKey = -1;
  private minuteStart = 0;

  /** Returns where the message starts, or -1 when the line carries no record prefix (a continuation). */
  read(b: Buffer, p: number, end: number): number {
    if (end - p < MIN_PREFIX || b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 32) return -1;
    if (b[p + 13] !== 58 || b[p + 16] !== 58) return -1;
    const y = digits4(b, p);
    const mo = digits2(b, p + 5);
    const d = digits2(b, p + 8);
    const h = digits2(b, p + 11);
    const mi = digits2(b, p + 14);
    const s = digits2(b, p + 17);
    if ((y | mo | d | h | mi | s) < 0) return -1;
    let q = p + 19;
    let ms = 0;
    if (b[q] === 44 || b[q] === 46) {
      ms = digits3(b, q + 1);
      if (ms < 0) return -1;
      q += 4;
    }
    if (b[q] !== 32 || b[q + 1] !== 45 || b[q + 2] !== 32) return -1;
    const levelStart = q + 3;
    const sp = levelEnd(b, levelStart, end);
    // The message may be empty ("... - INFO - " before a "\n=====" message), so " -" at the end is enough.
    if (sp < 0 || b[sp + 1] !== 45 || (sp + 2 < end && b[sp + 2] !== 32)) return -1;
    const first = b[levelStart];
    // ERROR, CRITICAL, FATAL; WARNING, WARN; everything else (INFO, DEBUG, custom levels) reads as info.
    this.level = first === 69 || first === 67 || first === 70 ? ERROR : first === 87 ? WARNING : INFO;
    const key = (((y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi;
    if (key !== this.minuteKey) {
      this.minuteKey = key;
      this.minuteStart = new Date(y, mo - 1, d, h, mi).getTime();
    }
    this.at = this.minuteStart + s * 1000 + ms;
    return sp + 3 < end ? sp + 3 : end;
  }
}

/** Where the level word that starts at p ends (the space before " - "), or -1. */
function levelEnd(b: Buffer, p: number, end: number): number {
  // The usual names first, by length, so most lines need no scan.
  const c = b[p];
  const guess = c === 73 ? p + 4 : c === 87 ? p + 7 : c === 69 || c === 68 ? p + 5 : c === 67 ? p + 8 : -1;
  if (guess > 0 && guess < end && b[guess] === 32) return guess;
  const limit = Math.min(end, p + MAX_LEVEL + 1);
  let sp = p;
  while (sp < limit && b[sp] !== 32) sp++;
  return sp === p || sp >= limit ? -1 : sp;
}

// A byte outside '0'..'9' makes (c - 48) or (57 - c) negative, and so the OR of all of them: one test per field.
function digits2(b: Buffer, p: number): number {
  const c0 = b[p];
  const c1 = b[p + 1];
  return ((c0 - 48) | (57 - c0) | (c1 - 48) | (57 - c1)) < 0 ? -1 : c0 * 10 + c1 - 528;
}

function digits3(b: Buffer, p: number): number {
  const c = b[p + 2];
  const head = digits2(b, p);
  return head < 0 || ((c - 48) | (57 - c)) < 0 ? -1 : head * 10 + c - 48;
}

function digits4(b: Buffer, p: number): number {
  const head = digits2(b, p);
  const tail = digits2(b, p + 2);
  return (head | tail) < 0 ? -1 : head * 100 + tail;
}
