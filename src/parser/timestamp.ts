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
    if (end - p < MIN_PREFIX) return -1;
    if (b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 32 || b[p + 13] !== 58 || b[p + 16] !== 58) return -1;
    const y = digits4(b, p);
    const mo = digits2(b, p + 5);
    const d = digits2(b, p + 8);
    const h = digits2(b, p + 11);
    const mi = digits2(b, p + 14);
    const s = digits2(b, p + 17);
    // digits2/4 return a negative number for a non-digit; one test covers all six fields.
    if ((y | mo | d | h | mi | s) < 0) return -1;
    let q = p + 19;
    let ms = 0;
    if (b[q] === 44 || b[q] === 46) {
      ms = digits2(b, q + 1) * 10 + digit(b[q + 3]);
      if (ms < 0) return -1;
      q += 4;
    }
    if (b[q] !== 32 || b[q + 1] !== 45 || b[q + 2] !== 32) return -1;
    const levelStart = q + 3;
    const limit = Math.min(end, levelStart + MAX_LEVEL + 1);
    let sp = levelStart;
    while (sp < limit && b[sp] !== 32) sp++;
    // The message may be empty ("... - INFO - " before a "\n=====" message), so " -" at the end is enough.
    if (sp === levelStart || sp >= limit || b[sp + 1] !== 45 || (sp + 2 < end && b[sp + 2] !== 32)) return -1;
    this.level = levelOf(b[levelStart]);
    const key = (((y * 100 + mo) * 100 + d) * 100 + h) * 100 + mi;
    if (key !== this.minuteKey) {
      this.minuteKey = key;
      this.minuteStart = new Date(y, mo - 1, d, h, mi).getTime();
    }
    this.at = this.minuteStart + s * 1000 + ms;
    return Math.min(end, sp + 3);
  }
}

function levelOf(first: number): Level {
  // ERROR, CRITICAL, FATAL; WARNING, WARN; everything else (INFO, DEBUG, custom levels) reads as info.
  if (first === 69 || first === 67 || first === 70) return ERROR;
  return first === 87 ? WARNING : INFO;
}

function digit(c: number): number {
  const v = c - 48;
  return v >= 0 && v <= 9 ? v : -1000;
}

function digits2(b: Buffer, p: number): number {
  return digit(b[p]) * 10 + digit(b[p + 1]);
}

function digits4(b: Buffer, p: number): number {
  return digits2(b, p) * 100 + digits2(b, p + 2);
}
