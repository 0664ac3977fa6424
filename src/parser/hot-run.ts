import type { ChunkBytes } from './bytes.js';
import { httpText } from './bytes.js';
import { afterLine } from './hot-lines.js';
import { hotProgress, PROGRESS_A, PROGRESS_B } from './hot-progress.js';
import { GENERAL, isNumbered, KEYED_FAILED, KEYED_SUCCEEDED, type KeyedLines } from './keyed-lines.js';
import { INFO, INFO_RULE, type Level, type PrefixReader, secondsMs, WARNING, WARNING_RULE } from './timestamp.js';
import { hashView, lanes } from '../key-hash.js';
import { MAX_KEY_CHARS } from '../key-safety.js';

/*
 * The run of lines a long backfill is made of, read in one loop: `✅ Scraped KEY …`, `❌ Failed KEY: HTTP nnn` and
 * `❌ Timeout scraping KEY` under an INFO or WARNING prefix of the minute the prefix reader holds, and the Progress
 * lines among them (hot-progress.ts). hotLine
 * (hot-lines.ts) reads the same lines one call at a time, through the chunk's and the prefix reader's fields and
 * four more calls per line (~1,300 instructions a line in the parse worker); here the prefix, the words, the key and
 * the record's columns stay in locals from one line to the next. Only lines of exactly these shapes are read: at any
 * other byte (a new minute, another level, another word, a key hotLine would read differently, an error text that is
 * not `HTTP nnn` alone, a CRLF end) the run stops before that line and hotLine or the general path reads it, so every
 * record is the one hotLine gives (test/hot-run.test.ts compares the two on generated logs of every kind of damage).
 */

/** `BACKFILL_TUI_HOT_RUN=off` leaves every line to hotLine and the general path (to compare the two). */
let enabled = process.env.BACKFILL_TUI_HOT_RUN !== 'off';

/** Turns the run reader on or off in this thread (tests compare the records either way). */
export function setHotRun(on: boolean): void {
  enabled = on;
}

export function hotRunEnabled(): boolean {
  return enabled;
}

/** Lines read by hotRun in this thread so far (tests check that the usual lines do go through it). */
let linesRead = 0;

export function hotRunLinesRead(): number {
  return linesRead;
}

/** "HTTP" as a little-endian word. */
const HTTP = 0x50545448;

/**
 * The three usual lines byte for byte from the prefix's "- " on, as little-endian doubles (none of these byte
 * patterns is a NaN or a zero, so == on the doubles is == on the bytes): `-   ✅ Scraped ` after " - INFO ";
 * `NG -   ❌ Failed ` and `NG -   ❌ Timeout scraping ` after " - WARNI".
 */
const OK_A = bytesDouble([0x2d, 0x20, 0x20, 0x20, 0xe2, 0x9c, 0x85, 0x20]);
const OK_B = bytesDouble([0x53, 0x63, 0x72, 0x61, 0x70, 0x65, 0x64, 0x20]);
const WARN_A = bytesDouble([0x4e, 0x47, 0x20, 0x2d, 0x20, 0x20, 0x20, 0xe2]);
const FAIL_B = bytesDouble([0x9d, 0x8c, 0x20, 0x46, 0x61, 0x69, 0x6c, 0x65]);
/** "d " */
const FAIL_C = 0x2064;
const TIME_B = bytesDouble([0x9d, 0x8c, 0x20, 0x54, 0x69, 0x6d, 0x65, 0x6f]);
const TIME_C = bytesDouble([0x75, 0x74, 0x20, 0x73, 0x63, 0x72, 0x61, 0x70]);
/** "ing " */
const TIME_D = 0x20676e69;

function bytesDouble(bytes: number[]): number {
  return Buffer.from(bytes).readDoubleLE(0);
}

/** No line hotRun reads is shorter (`… - INFO -   ✅ Scraped K\n` is 49 bytes). */
const MIN_LINE = 46;
/** Room asked for in one go when a run would stop short for the want of it (records of MIN_LINE bytes). */
const GROW_RECORDS = 4096;

/**
 * Reads the hot lines from `pos` on, while each starts before `stop` (stop + HOT_ROOM <= the chunk's length), into
 * `rec`; returns where the first line it did not read starts (`pos` itself when it read none). `c.runLines` and
 * `c.runMaxAt` say how many it read and their newest time; the prefix reader's `at` and `level` are the last line's,
 * as its own reading would leave them.
 */
export function hotRun(c: ChunkBytes, prefix: PrefixReader, rec: KeyedLines, pos: number, stop: number): number {
  let head = prefix.minuteHead;
  let tail = prefix.minuteTail;
  let minute = prefix.minuteStart;
  // Records for every line that can start before `limit` (one each), so that the loop writes them without a check
  // (their arrays never change inside it); key bytes for the longest key (the loop stops when the next one has none).
  let limit = roomLimit(rec, pos, stop);
  if (limit < stop && limit - pos < GROW_RECORDS * MIN_LINE) {
    rec.reserve(GROW_RECORDS, 0);
    limit = roomLimit(rec, pos, stop);
  }
  if (rec.keyBytes.length - rec.bytesUsed < MAX_KEY_CHARS) rec.reserve(0, MAX_KEY_CHARS);
  const b = c.b;
  const dv = c.dv;
  const len = b.length;
  const out = c.out;
  const order = rec.order;
  const ats = rec.at;
  const h1s = rec.h1;
  const h2s = rec.h2;
  const keyEnds = rec.keyEnd;
  const keyBytes = rec.keyBytes;
  const keyView = rec.keyView;
  const keyRoom = keyBytes.length;
  const failures = rec.failures;
  const errors = rec.errors;
  let size = rec.size;
  let count = rec.count;
  let used = rec.bytesUsed;
  let lines = 0;
  let maxAt = -Infinity;
  let lastAt = 0;
  let lastLevel: Level = INFO;
  // The line loop, LINE_LOOP_DEPTH loops deep: each loop around it tests `once` at its head (a head of its own: loops
  // that share one are given one back edge, the outermost's, at its depth) and ends in a break (no back edge at all).
  const once = true;
  for (; once; ) {
    for (; once; ) {
      while (pos < limit) {
        // The prefix, as PrefixReader.readHot reads it: a new minute (or the first) is taken by the reader as readHot
        // takes it, and stays taken whatever the rest of the line is (readHot then finds it held).
        if (dv.getFloat64(pos, true) !== head || dv.getFloat64(pos + 8, true) !== tail) {
          // The clock may weigh the new minute against the line before it (log-clock.ts byRhythm): that line's time, as read.
          if (lines > 0) prefix.at = lastAt;
          if (!prefix.takeMinute(pos)) break;
          head = prefix.minuteHead;
          tail = prefix.minuteTail;
          minute = prefix.minuteStart;
        }
        const ms = secondsMs(dv.getInt32(pos + 16, true), dv.getInt32(pos + 20, true));
        if (ms < 0) break;
        const at = minute + ms;
        const rule = dv.getFloat64(pos + 23, true);
        let level: Level;
        if (rule === INFO_RULE) level = INFO;
        else if (rule === WARNING_RULE) level = WARNING;
        else break;
        // The words, byte for byte from the prefix's "- " on (any other spacing, emoji form or word: hotLine's).
        let kind = KEYED_SUCCEEDED;
        let timeout = false;
        let q: number;
        if (level === INFO) {
          const a = dv.getFloat64(pos + 31, true);
          if (a !== OK_A || dv.getFloat64(pos + 39, true) !== OK_B) {
            // A Progress line (hot-progress.ts): a LogLine of the batch's `lines`, and the run goes on past it.
            const after = a === PROGRESS_A && dv.getFloat64(pos + 39, true) === PROGRESS_B && b[pos + 47] === 32 ? hotProgress(b, pos + 48, len, at, out) : -1;
            if (after < 0) break;
            order[size++] = GENERAL;
            lines++;
            if (at > maxAt) maxAt = at;
            lastAt = at;
            lastLevel = level;
            pos = after;
            continue;
          }
          q = pos + 47;
        } else {
          if (dv.getFloat64(pos + 31, true) !== WARN_A) break;
          const w = dv.getFloat64(pos + 39, true);
          kind = KEYED_FAILED;
          if (w === FAIL_B && dv.getUint16(pos + 47, true) === FAIL_C) q = pos + 49;
          else if (w === TIME_B && dv.getFloat64(pos + 47, true) === TIME_C && dv.getInt32(pos + 55, true) === TIME_D) {
            q = pos + 59;
            timeout = true;
          } else break;
        }
        // The key token, as hot-lines.ts keyAt reads it: printable ASCII up to a space or the line's end, four bytes at
        // a time while none is a space, a control byte or non-ASCII.
        let e = q;
        let bits = 0;
        let x = 0;
        // A ten-digit key (game ids), with a colon or without, ended by a space or a control byte: where the scan below
        // would stop too.
        let ten = false;
        if (q + 12 <= len && tenDigits(dv, q)) {
          const y = b[q + 10];
          if (y <= 32) {
            ten = true;
            e = q + 10;
            x = y;
          } else if (y === 58 && b[q + 11] <= 32) {
            ten = true;
            e = q + 11;
            x = b[e];
          }
        }
        if (!ten) {
          while (e + 4 <= len) {
            const w = dv.getInt32(e, true);
            if ((((w - 0x21212121) | w) & 0x80808080) !== 0) break;
            e += 4;
          }
          x = b[e];
          while (x > 32) {
            bits |= x;
            x = b[++e];
          }
        }
        const n = e - q;
        // `Scraped successfully` and `Failed after 5 attempts: …` name no key; a key that starts with their letter is
        // hotLine's to tell.
        if (n === 0 || bits >= 0x80 || b[q] === 0x73 || b[q] === 0x61) break;
        let next: number;
        let error = '';
        if (kind === KEYED_SUCCEEDED) {
          if (x !== 32 && x !== 10) break;
          if (n > MAX_KEY_CHARS) break;
          // afterLine's first shape read here (` (2021-10-19)` and the line's end, no '\n' inside): hotRun is too large for
          // V8 to inline afterLine, and its call on each success line was ~140 instructions of the parse worker's ~900.
          if (e + 14 <= len && b[e + 13] === 10 && b[e] === 32 && b[e + 1] === 40 && b[e + 12] === 41 && b[e + 10] !== 10 && b[e + 11] !== 10) {
            const y0 = dv.getInt32(e + 2, true) ^ 0x0a0a0a0a;
            const y1 = dv.getInt32(e + 6, true) ^ 0x0a0a0a0a;
            next = ((((y0 - 0x01010101) & ~y0) | ((y1 - 0x01010101) & ~y1)) & 0x80808080) === 0 ? e + 14 : afterLine(c, e, len);
          } else next = afterLine(c, e, len);
        } else if (timeout) {
          // A colon after the key is not the key's (hotLine takes it off).
          if (x !== 10 || b[e - 1] === 58 || n > MAX_KEY_CHARS) break;
          next = e + 1;
        } else {
          // `KEY: HTTP nnn` and the line's end: the colon is not the key's.
          if (x !== 32 || b[e - 1] !== 58 || n - 1 > MAX_KEY_CHARS || n === 1 || e + 9 > len) break;
          if (dv.getInt32(e + 1, true) !== HTTP || b[e + 5] !== 32 || b[e + 9] !== 10) break;
          const d0 = b[e + 6] - 48;
          const d1 = b[e + 7] - 48;
          const d2 = b[e + 8] - 48;
          if ((d0 | (9 - d0) | d1 | (9 - d1) | d2 | (9 - d2)) < 0) break;
          error = httpText(d0 * 100 + d1 * 10 + d2);
          next = e + 10;
          e--;
        }
        // The record, as KeyedLines.keyed writes it (room made above).
        const k = e - q;
        if (used + k > keyRoom) break;
        order[size++] = kind;
        // Whether the key is numbered (keyed-lines.ts isNumbered): a ten-digit key found above is, with its colon left out.
        if (ten ? k === 10 : k === 10 ? tenDigits(dv, q) : isNumbered(dv, b, q, e)) {
          // A numbered key travels unhashed (keyed-lines.ts).
          h1s[count] = 0;
          h2s[count] = 0;
        } else {
          hashView(dv, b, q, e);
          h1s[count] = lanes.h1;
          h2s[count] = lanes.h2;
        }
        if (k === 10) {
          keyView.setInt32(used, dv.getInt32(q, true), true);
          keyView.setInt32(used + 4, dv.getInt32(q + 4, true), true);
          keyView.setUint16(used + 8, dv.getUint16(q + 8, true), true);
        } else {
          for (let i = 0; i < k; i++) keyBytes[used + i] = b[q + i];
        }
        used += k;
        keyEnds[count] = used;
        ats[count] = at;
        count++;
        if (kind === KEYED_FAILED) {
          if (timeout) {
            failures.push('timeout');
            errors.push('timeout');
          } else {
            failures.push(error);
            errors.push(error);
          }
        }
        lines++;
        if (at > maxAt) maxAt = at;
        lastAt = at;
        lastLevel = level;
        pos = next;
      }
      break;
    }
    break;
  }
  rec.size = size;
  rec.count = count;
  rec.bytesUsed = used;
  c.runLines = lines;
  c.runMaxAt = maxAt;
  linesRead += lines;
  if (lines > 0) {
    prefix.at = lastAt;
    prefix.level = lastLevel;
  }
  return pos;
}

/**
 * How deep in loops hotRun's line loop is (the two around it run once). V8 replaces a running loop with optimized code
 * (on-stack replacement: a TurboFan job of its own) at a back edge once the function's OSR urgency exceeds the loop's
 * depth, and a tick of the interrupt budget raises that urgency by one when it lands in a call still running unoptimized
 * code while optimized code is ready. With the line loop at depth 0 one tick was enough: hotRun's optimized code is
 * installed at such a tick (the budget interrupt handles V8's install request first), in the call that was running, so
 * the parse worker compiled hotRun twice in 3 of 6 reads of the 80 MB one-run log (`--trace-osr`: urgency 0 → 1 right
 * after `completed optimizing hotRun`, then an OSR job as long as the first); at depth 2 it takes three ticks in one call
 * of HOT_RUN_BYTES (each a small part of a tick): 0 of 6. test/hot-run-osr.test.ts reads the depth in V8's bytecode.
 */
export const LINE_LOOP_DEPTH = 2;

/**
 * Bytes of lines one hotRun call reads at most (about 55 usual lines). A call that read a whole 1 MiB batch was one
 * long loop, and V8 optimised hotRun twice in every parse worker: on a tick of that loop once it was marked hot
 * (on-stack replacement, during the first long batch), and again for its next call: the two longest TurboFan jobs
 * of the run, on the cores the read runs on. A call this short spans less than one of V8's interrupt ticks (~132 KB
 * of bytecode run), so the tick that marks it ends no loop: the next call starts the one compile.
 */
const HOT_RUN_BYTES = 4096;

/**
 * hotRun from `pos` on in calls of HOT_RUN_BYTES, up to the first line it does not read (the same records, `c.runLines`
 * and `c.runMaxAt` for all of them). The loop is its own small function: in parseChunk's, it made that large function
 * hot and optimised too.
 */
export function hotRuns(c: ChunkBytes, prefix: PrefixReader, rec: KeyedLines, pos: number, stop: number): number {
  let lines = 0;
  let maxAt = -Infinity;
  for (;;) {
    const end = Math.min(stop, pos + HOT_RUN_BYTES);
    const after = hotRun(c, prefix, rec, pos, end);
    lines += c.runLines;
    if (c.runMaxAt > maxAt) maxAt = c.runMaxAt;
    pos = after;
    // Stopped before `end`: at a line it does not read (or for room in `rec`); at `stop`: done.
    if (after < end || end === stop) break;
  }
  c.runLines = lines;
  c.runMaxAt = maxAt;
  return pos;
}

/** Where the room in `rec`'s record columns ends for lines from `pos` (see hotRun), at most `stop`. */
function roomLimit(rec: KeyedLines, pos: number, stop: number): number {
  return Math.min(stop, pos + Math.min(rec.order.length - rec.size, rec.at.length - rec.count) * MIN_LINE);
}

/** Whether the ten bytes at p are decimal digits (keyed-lines.ts isNumbered, for ten). */
function tenDigits(dv: DataView, p: number): boolean {
  const w0 = dv.getInt32(p, true);
  const w1 = dv.getInt32(p + 4, true);
  const w2 = dv.getUint16(p + 8, true) | 0x30300000;
  return (((w0 - 0x30303030) | (0x39393939 - w0) | (w1 - 0x30303030) | (0x39393939 - w1) | (w2 - 0x30303030) | (0x39393939 - w2)) & 0x80808080) === 0;
}
