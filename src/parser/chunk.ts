import type { LogLine, ParsedBatch, TailLine, Tone } from '../log-line.js';
import { parseMessage } from './builtin-grammar.js';
import { ChunkBytes } from './bytes.js';
import { HOT_ROOM, hotLine } from './hot-lines.js';
import { hotRunEnabled, hotRuns } from './hot-run.js';
import { KEYED_FAILED, KEYED_SUCCEEDED, KeyedLines } from './keyed-lines.js';
import { type CustomRule, type GrammarKind, parseCustom } from './custom-grammar.js';
import { LineStart, junkText, parseTrace } from './line-start.js';
import { LogClock } from './log-clock.js';
import { ERROR, type Level, PrefixReader, WARNING } from './timestamp.js';
import { MAX_KEY_CHARS } from '../key-safety.js';
import { parseText } from './text-rules.js';
import { parseLoose } from './loose-rules.js';

/** A compiled grammar. Build it with `compileGrammar`; its fields are the parser's own business. */
export interface Grammar {
  /** Config patterns, tried before the built-in rules; empty for the built-in grammar. */
  readonly custom: readonly CustomRule[];
  /** Kinds whose built-in rule a config pattern replaced. */
  readonly replaced: ReadonlySet<GrammarKind>;
  /** IANA zone the log's wall-clock times are read in (config `timezone`); undefined: the system's. */
  readonly zone: string | undefined;
}

/** A tail line longer than this is cut: a runaway line (binary junk, a huge dump) must not flood the pane. */
const TAIL_MAX_BYTES = 4096;

/**
 * Parses a chunk of complete lines. Never throws: unknown lines, invalid UTF-8 and binary junk are just lines.
 * Only state-changing lines become LogLine objects, and only the last `tailLimit` lines are decoded.
 * `clock` reads the wall-clock times; pass the same one for every chunk of a log (see log-clock.ts).
 * `keyed`: outcome lines whose key can travel as bytes come in the batch's `keyed` columns instead of
 * `lines` (see keyed-lines.ts; built-in grammar only); `linesOf` gives every record as LogLines.
 */
export function parseChunk(chunk: Buffer, grammar: Grammar, tailLimit = 200, clock: LogClock = new LogClock(grammar.zone), keyed = false): ParsedBatch {
  // Arrays of objects from the start (see objectArray).
  const lines = objectArray<LogLine>();
  const tail = objectArray<TailLine>();
  const len = chunk.length;
  const tailStart = tailLimit >= 1 ? startOfLastLines(chunk, Math.floor(tailLimit)) : len + 1;
  const prefix = new PrefixReader(chunk, clock);
  const custom = grammar.custom.length > 0;
  // Config patterns decide after the built-in rules which kinds stand (parseWithConfig): LogLines only.
  // About 74 bytes a line in a long run.
  const columns = keyed && !custom ? new KeyedLines(len >>> 6) : null;
  const bytes = new ChunkBytes(chunk, lines, columns);
  const inner = new LineStart(chunk, prefix);
  let lineCount = 0;
  let suspiciousKeys = 0;
  let damagedKeys = 0;
  // A number, not number | null: a variable that may hold null keeps each new value boxed on the heap.
  let lastAt = -Infinity;
  let pos = 0;
  // Lines that can show in the log pane take the general path (it decodes them).
  const hotBefore = columns === null ? 0 : Math.min(tailStart, len - HOT_ROOM);
  const runs = hotRunEnabled();
  while (pos < len) {
    if (pos < hotBefore) {
      if (runs) {
        // The usual lines in one loop (hot-run.ts); it stops before any other line, which the paths below read.
        const after = hotRuns(bytes, prefix, columns!, pos, hotBefore);
        if (after > pos) {
          lineCount += bytes.runLines;
          if (bytes.runMaxAt > lastAt) lastAt = bytes.runMaxAt;
          pos = after;
          continue;
        }
      }
      const next = hotLine(bytes, prefix, pos, len);
      if (next >= 0) {
        lineCount++;
        if (prefix.at > lastAt) lastAt = prefix.at;
        pos = next;
        continue;
      }
    }
    let nl = chunk.indexOf(10, pos);
    if (nl < 0) nl = len;
    const end = nl > pos && chunk[nl - 1] === 13 ? nl - 1 : nl;
    lineCount++;
    let m = prefix.read(pos, end);
    // Where the record starts: the line's start, or after bytes in front of its prefix (see line-start.ts).
    let rec = pos;
    if (m < 0) {
      m = inner.find(pos, end);
      if (m >= 0) rec = inner.start;
    }
    if (m >= 0 && prefix.at > lastAt) lastAt = prefix.at;
    const before = lines.length;
    const keyedBefore = columns === null ? 0 : columns.count;
    if (m >= 0) bytes.at = prefix.at;
    else if (custom) bytes.at = lastAt === -Infinity ? 0 : lastAt;
    if (custom) parseWithConfig(bytes, rec, m, end, grammar);
    else if (m >= 0) parseMessage(bytes, m, end);
    if (m < 0 && lines.length === before) parseTrace(chunk, pos, end, lines);
    // No key is this long: cut it once here, so nothing downstream (tables, filters, widths) pays for its length.
    for (let i = before; i < lines.length; i++) {
      columns?.general();
      const rec = lines[i] as { key?: string | null };
      const key = rec.key;
      if (typeof key !== 'string') continue;
      if (key.length > MAX_KEY_CHARS) {
        rec.key = cutKey(key);
        suspiciousKeys++;
      } else if (key.indexOf('\uFFFD') >= 0) {
        // Only keys decoded from bytes that are not UTF-8 get here (the clean path never does): see repairKey.
        const fixed = repairKey(lines[i], key, chunk, m, end, custom);
        if (fixed === null || fixed.kind === 'unrecognized') damagedKeys++;
        if (fixed !== null) lines[i] = fixed;
      }
    }
    if (pos >= tailStart) {
      if (rec > pos) {
        const junk = junkText(chunk, pos, rec);
        if (junk !== null) tail.push({ text: cutText(junk), tone: 'dim' });
      }
      const tone =
        lines.length > before
          ? lineTone(lines[lines.length - 1])
          : columns !== null && columns.count > keyedBefore
            ? keyedTone(columns)
            : plainTone(chunk, m, end, prefix.level);
      tail.push({ text: decodeLine(chunk, rec, end), tone });
    }
    pos = nl + 1;
  }
  return { lines, lineCount, lastAt: lastAt === -Infinity ? null : lastAt, tail, ...(suspiciousKeys > 0 && { suspiciousKeys }), ...(damagedKeys > 0 && { damagedKeys }), ...(columns !== null && { keyed: columns }) };
}

/**
 * An empty array whose elements are objects from the start: an empty `[]` starts as an array of small integers
 * and changes kind at its first object, and optimized code made on one kind is thrown away when it meets the
 * other (the parse worker's parseChunk, at every read; see keyed-lines.ts stringArray).
 */
function objectArray<T extends object>(): T[] {
  const a: T[] = [{} as T];
  a.pop();
  return a;
}

/**
 * A record whose key holds U+FFFD (bytes that are not UTF-8 where the key is). A key that is mostly such bytes
 * (`❌ Failed \xff\xfe 2021-11-11: HTTP 500` reads the key `\uFFFD\uFFFD`) is no key: two such lines for two dates
 * compared equal and the second was dropped as a repeated line (tester AK2). The line is read again without it,
 * and the key after it (the date) is the key; a line with no key after it is a line that looked like an outcome and
 * matched no rule (`unrecognized`), counted as suspicious. A key only partly damaged (`2021-11-1\uFFFD`) stays the
 * key it reads (null), counted as suspicious too: never launched (key-safety.ts).
 */
function repairKey(line: LogLine, key: string, chunk: Buffer, m: number, end: number, custom: boolean): LogLine | null {
  if (!mostlyDamaged(key)) return null;
  const at = line.at;
  if (!custom && m >= 0) {
    const msg = chunk.toString('utf8', m, end).trim();
    const p = msg.indexOf(key);
    if (p > 0) {
      const again = `${msg.slice(0, p)}${msg.slice(p + key.length).trimStart()}`;
      const out: LogLine[] = [];
      if (parseText(again, at, out) || parseLoose(again, at, out)) {
        const read = out.length === 1 ? (out[0] as { key?: string | null }) : null;
        if (read !== null && out[0].kind === line.kind && typeof read.key === 'string' && read.key.indexOf('\uFFFD') < 0 && /[0-9A-Za-z]/.test(read.key)) return out[0];
      }
    }
  }
  return { kind: 'unrecognized', at };
}

/** Whether at least half of the key is U+FFFD, or nothing but U+FFFD and punctuation. */
function mostlyDamaged(key: string): boolean {
  let bad = 0;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) === 0xfffd) bad++;
  return bad * 2 >= key.length || !/[0-9A-Za-z]/.test(key);
}

/** Every record of the batch as a LogLine, in file order (its keyed columns made into LogLines). */
export function linesOf(batch: ParsedBatch): LogLine[] {
  return batch.keyed ? batch.keyed.lines(batch.lines) : batch.lines;
}

/** A key past MAX_KEY_CHARS: its first MAX_KEY_CHARS characters and `…` (never a key to launch: see key-safety). */
export function cutKey(key: string): string {
  return `${key.slice(0, MAX_KEY_CHARS)}…`;
}

/**
 * Config patterns run on the message, or on the whole line when it has no prefix (logs written without
 * Python's logging format); the built-in rules still cover the kinds the config did not replace.
 * A line with no prefix takes the chunk's last timestamp, or 0 when none came before it.
 */
function parseWithConfig(bytes: ChunkBytes, pos: number, m: number, end: number, grammar: Grammar): void {
  const out = bytes.out;
  if (parseCustom(grammar.custom, bytes.b.toString('utf8', m >= 0 ? m : pos, end), bytes.at, out)) return;
  if (m < 0) return;
  const before = out.length;
  if (!parseMessage(bytes, m, end)) return;
  let keep = before;
  let outcome = false;
  for (let i = before; i < out.length; i++) {
    const kind = out[i].kind;
    if (!grammar.replaced.has(kind as GrammarKind)) out[keep++] = out[i];
    else if (kind === 'succeeded' || kind === 'failed') outcome = true;
  }
  out.length = keep;
  // An outcome line of the built-in shape (`✅ Scraped 2024-01-04`) whose kind the config replaced is read by no rule:
  // counted as one that looked like an outcome, never dropped in silence (tester AA15: it was counted nowhere, and
  // a Progress line then made it a skip).
  if (outcome) out.push({ kind: 'unrecognized', at: bytes.at });
}

/** Offset where the last `n` lines of the chunk start (0 when it has fewer). */
function startOfLastLines(chunk: Buffer, n: number): number {
  // The chunk's final '\n' ends its last line; the line starts after the newline before it.
  let p = chunk.length > 0 && chunk[chunk.length - 1] === 10 ? chunk.length - 1 : chunk.length;
  for (let i = 0; i < n; i++) {
    const q = p > 0 ? chunk.lastIndexOf(10, p - 1) : -1;
    if (q < 0) return 0;
    p = q;
  }
  return p + 1;
}

function lineTone(line: LogLine): Tone {
  switch (line.kind) {
    case 'succeeded':
      return 'ok';
    case 'failed':
      return line.failure === 'timeout' ? 'warn' : 'fail';
    case 'progress':
    case 'complete':
    case 'summary':
      return 'progress';
    case 'trace':
      // A name alone may be no exception at all (`Terminated`, a print): dim, as any line without a record prefix.
      return line.bare ? 'dim' : 'fail';
    case 'unrecognized':
      return 'warn';
    default:
      return 'info';
  }
}

/** Tone of the last keyed record, as `lineTone` gives it for its LogLine. */
function keyedTone(rec: KeyedLines): Tone {
  const kind = rec.order[rec.size - 1];
  if (kind === KEYED_SUCCEEDED) return 'ok';
  if (kind === KEYED_FAILED) return rec.failures[rec.failures.length - 1] === 'timeout' ? 'warn' : 'fail';
  return 'info';
}

/** Tone of a line that changed nothing: continuations and `=====` rules are dim, the rest by level. */
function plainTone(b: Buffer, m: number, end: number, level: Level): Tone {
  if (m < 0) return 'dim';
  let s = m;
  while (s < end && b[s] === 32) s++;
  if (s === end || b[s] === 61) return 'dim';
  return level === ERROR ? 'fail' : level === WARNING ? 'warn' : 'info';
}

/** Junk text shown as its own line, cut like any other. */
function cutText(text: string): string {
  return text.length > TAIL_MAX_BYTES ? `${text.slice(0, TAIL_MAX_BYTES)}…` : text;
}

/** The line as text: invalid UTF-8 becomes U+FFFD, control characters too (they would move the cursor). */
function decodeLine(b: Buffer, p: number, end: number): string {
  let stop = end;
  if (stop - p > TAIL_MAX_BYTES) {
    stop = p + TAIL_MAX_BYTES;
    // Back up to a character boundary so the cut itself does not add a replacement character.
    while (stop > p && (b[stop] & 0xc0) === 0x80) stop--;
  }
  let text = b.toString('utf8', p, stop);
  if (stop < end) text += '…';
  return /[\x00-\x1f\x7f]/.test(text) ? text.replace(/\t/g, ' ').replace(/[\x00-\x1f\x7f]/g, '\uFFFD') : text;
}
