import { LogClock } from './log-clock.js';

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
/** Length of `YYYY-MM-DD HH:MM:SS,mmm - INFO - `, the prefix of nearly every record. */
const INFO_PREFIX = 33;
/** The bytes " - INFO " (after the milliseconds) as one little-endian double, and "- " after them. */
export const INFO_RULE = Buffer.from(' - INFO ', 'latin1').readDoubleLE(0);
const DASH_SPACE = Buffer.from('- ', 'latin1').readUInt16LE(0);
/** `YYYY-MM-DD HH:MM:SS,mmm - WARNING - `: " - WARNI" as a double, "NG -" as an int32, then a space. */
const WARNING_PREFIX = 36;
export const WARNING_RULE = Buffer.from(' - WARNI', 'latin1').readDoubleLE(0);
const WARNING_TAIL = Buffer.from('NG -', 'latin1').readInt32LE(0);

/**
 * The milliseconds `:SS,mmm` adds to its minute, from the prefix's bytes 16-19 (`time`: `:`, S, S, `,`) and 20-22
 * (`millis`: m, m, m) read as little-endian 32-bit words; -1 when they are not that shape. The one decode of the
 * usual prefix's time for PrefixReader and the parse worker's loop (hot-run.ts), both on the hot path: no branch
 * per digit, no allocation.
 */
export function secondsMs(time: number, millis: number): number {
  const s1 = (time >>> 8) & 0xff;
  const s2 = (time >>> 16) & 0xff;
  const m1 = millis & 0xff;
  const m2 = (millis >>> 8) & 0xff;
  const m3 = (millis >>> 16) & 0xff;
  // A byte outside '0'..'9' makes (c - 48) or (57 - c) negative, and so the OR of them all.
  const digits = (s1 - 48) | (57 - s1) | (s2 - 48) | (57 - s2) | (m1 - 48) | (57 - m1) | (m2 - 48) | (57 - m2) | (m3 - 48) | (57 - m3);
  if ((time & 0xff) !== 58 || time >>> 24 !== 44 || digits < 0) return -1;
  return (s1 * 10 + s2 - 528) * 1000 + m1 * 100 + m2 * 10 + m3 - 5328;
}

/**
 * Reads the Python logging prefix `YYYY-MM-DD HH:MM:SS,mmm - LEVEL - ` at the start of a line, by bytes.
 * The milliseconds are optional because some scripts of the family set `datefmt` without them.
 * One reader serves one chunk. Consecutive records nearly always share `YYYY-MM-DD HH:MM`, so those 16
 * bytes are compared as two 8-byte words with the last valid prefix, and only a new minute is checked
 * digit by digit and turned into an epoch by the log's clock (its zone, and the repeated hour by order).
 */
export class PrefixReader {
  /** Epoch ms of the last prefix read, its wall-clock time read in the clock's zone. */
  at = 0;
  /** Level of the last prefix read. */
  level: Level = INFO;
  // NaN never equals a word read from the chunk, so the first prefix is always checked in full.
  // The minute last read: its first 16 bytes as two doubles and its epoch ms (hot-run.ts reads them too).
  minuteHead = NaN;
  minuteTail = NaN;
  minuteStart = 0;
  private readonly dv: DataView;

  constructor(
    private readonly b: Buffer,
    private readonly clock: LogClock = new LogClock(),
  ) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.length);
  }

  /** Returns where the message of the line [p, end) starts, or -1 when it has no record prefix (a continuation). */
  read(p: number, end: number): number {
    if (end - p < MIN_PREFIX) return -1;
    const dv = this.dv;
    // Words of printable ASCII are never NaN or ±0, so == on the doubles is == on the bytes.
    const head = dv.getFloat64(p, true);
    const tail = dv.getFloat64(p + 8, true);
    if (head !== this.minuteHead || tail !== this.minuteTail) {
      if (!this.newMinute(p)) return -1;
      this.minuteHead = head;
      this.minuteTail = tail;
    }
    // The usual rest, `:SS,mmm - INFO - `, as words: two loads for the time, two for the level.
    const info = end - p >= INFO_PREFIX && dv.getFloat64(p + 23, true) === INFO_RULE;
    if (info && dv.getUint16(p + 31, true) === DASH_SPACE) {
      const ms = secondsMs(dv.getInt32(p + 16, true), dv.getInt32(p + 20, true));
      if (ms >= 0) {
        this.level = INFO;
        this.at = this.minuteStart + ms;
        return p + INFO_PREFIX;
      }
    }
    return this.readRest(p, end);
  }

  /**
   * `read` for the two prefixes of nearly every outcome line, `YYYY-MM-DD HH:MM:SS,mmm - INFO - ` and
   * `… - WARNING - `, at p of a chunk whose line end is not known yet: every byte is compared with the exact
   * shape, so a line that ends sooner never matches. Reads at most p + 36 (the caller has the room). -1 for
   * any other prefix (then `read` decides); the minute it read stays cached either way, as `read` would keep it.
   */
  readHot(p: number): number {
    const dv = this.dv;
    const head = dv.getFloat64(p, true);
    const tail = dv.getFloat64(p + 8, true);
    if (head !== this.minuteHead || tail !== this.minuteTail) {
      if (!this.newMinute(p)) return -1;
      this.minuteHead = head;
      this.minuteTail = tail;
    }
    const rule = dv.getFloat64(p + 23, true);
    let m: number;
    let level: Level;
    if (rule === INFO_RULE && dv.getUint16(p + 31, true) === DASH_SPACE) {
      m = p + INFO_PREFIX;
      level = INFO;
    } else if (rule === WARNING_RULE && dv.getInt32(p + 31, true) === WARNING_TAIL && this.b[p + 35] === 32) {
      m = p + WARNING_PREFIX;
      level = WARNING;
    } else return -1;
    const ms = secondsMs(dv.getInt32(p + 16, true), dv.getInt32(p + 20, true));
    if (ms < 0) return -1;
    this.level = level;
    this.at = this.minuteStart + ms;
    return m;
  }

  /**
   * Takes the minute `YYYY-MM-DD HH:MM` at p (the chunk has 16 bytes there) as `readHot` takes a new one, before it
   * reads the rest: false, with the minute held unchanged, when it is not one. hot-run.ts goes on past a new minute so.
   */
  takeMinute(p: number): boolean {
    if (!this.newMinute(p)) return false;
    this.minuteHead = this.dv.getFloat64(p, true);
    this.minuteTail = this.dv.getFloat64(p + 8, true);
    return true;
  }

  /** The prefix after `YYYY-MM-DD HH:MM` in any of its shapes (other levels, no milliseconds). */
  private readRest(p: number, end: number): number {
    const b = this.b;
    if (b[p + 16] !== 58) return -1;
    const s = digits2(b, p + 17);
    if (s < 0) return -1;
    let q = p + 19;
    let ms = 0;
    if (b[q] === 44 || b[q] === 46) {
      ms = digits2(b, q + 1);
      const last = b[q + 3] - 48;
      if (ms < 0 || last < 0 || last > 9) return -1;
      ms = ms * 10 + last;
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
    this.at = this.minuteStart + s * 1000 + ms;
    return sp + 3 < end ? sp + 3 : end;
  }

  /** Checks `YYYY-MM-DD HH:MM` at p and takes its epoch; false when it is not one. */
  private newMinute(p: number): boolean {
    const b = this.b;
    if (b[p + 4] !== 45 || b[p + 7] !== 45 || b[p + 10] !== 32 || b[p + 13] !== 58) return false;
    const y1 = digits2(b, p);
    const y2 = digits2(b, p + 2);
    const mo = digits2(b, p + 5);
    const d = digits2(b, p + 8);
    const h = digits2(b, p + 11);
    const mi = digits2(b, p + 14);
    if ((y1 | y2 | mo | d | h | mi) < 0) return false;
    this.minutePos = p;
    this.minuteStart = this.clock.minute(y1 * 100 + y2, mo, d, h, mi, this);
    return true;
  }

  /** Where the line of the minute last read starts (continuesRun's line). */
  private minutePos = 0;

  /**
   * The milliseconds into its minute of the line of the minute last read (`:SS` and `,mmm` when it has them), NaN when
   * it has none: asked by the clock only at its first minute and when it weighs an hour's step (log-clock.ts byRhythm),
   * never per line. (`at`, meanwhile, is still the line before it: the clock reads how close the two came.)
   */
  msIntoMinute(): number {
    const b = this.b;
    const p = this.minutePos;
    if (p + 19 > b.length || b[p + 16] !== 58) return Number.NaN;
    const s = digits2(b, p + 17);
    if (s < 0) return Number.NaN;
    const sep = b[p + 19];
    const ms = (sep === 44 || sep === 46) && p + 23 <= b.length ? digits2(b, p + 20) * 10 + b[p + 22] - 48 : 0;
    return s * 1000 + (ms >= 0 && ms <= 999 ? ms : 0);
  }

  /**
   * Whether the line of the minute last read goes on with a run (an outcome, a Progress line, `[i/N]`: its message
   * starts with a space, an emoji or `[`), not one that begins a run or ends one (a banner, `=====`, the summary): asked
   * by the clock only when it weighs an hour's step from the log alone (log-clock.ts byRhythm), which must lie inside a
   * run, never between two runs appended an hour apart (an hourly cron's quick runs).
   */
  continuesRun(): boolean {
    const b = this.b;
    // `YYYY-MM-DD HH:MM:SS[,mmm] - LEVEL - message`: the message after the second ` - ` of the line.
    const end = Math.min(b.length, this.minutePos + 80);
    let dashes = 0;
    let q = this.minutePos + 19;
    for (; q + 2 < end && dashes < 2; q++) if (b[q] === 32 && b[q + 1] === 45 && b[q + 2] === 32) dashes++;
    if (dashes < 2) return false;
    const first = b[q + 2];
    return first === 32 || first === 91 || first >= 0x80;
  }
}

/** Where the level word that starts at p ends (the space before " - "), or -1. */
function levelEnd(b: Buffer, p: number, end: number): number {
  const limit = Math.min(end, p + MAX_LEVEL + 1);
  let sp = p;
  while (sp < limit && b[sp] !== 32) sp++;
  return sp === p || sp >= limit ? -1 : sp;
}

/** Two ASCII digits as a number, or -1; one test covers both bytes. */
function digits2(b: Buffer, p: number): number {
  const c0 = b[p];
  const c1 = b[p + 1];
  // A byte outside '0'..'9' makes (c - 48) or (57 - c) negative, and so their OR.
  return ((c0 - 48) | (57 - c0) | (c1 - 48) | (57 - c1)) < 0 ? -1 : c0 * 10 + c1 - 528;
}
