import type { LogLine } from '../log-line.js';
import type { PrefixReader } from './timestamp.js';
import { isStartDeathLine } from './start-death.js';

/*
 * Lines whose record prefix does not start the physical line. Real machines put bytes in front of a
 * record: NULs after a copytruncate of a log written with `>`, `\r`-overwritten progress bars (tqdm) on
 * the same line, terminal escapes, a byte-order mark, another writer's output without a newline. The
 * record after them is still a record. Only lines without a prefix at their start come here, so the
 * cost falls on continuations and junk, never on the ordinary record.
 */

/** " - " as it separates time, level and message. */
const SEP = Buffer.from(' - ', 'latin1');
/** Bytes from the start of `YYYY-MM-DD HH:MM:SS,mmm` (or without `,mmm`) to the " - " after it. */
const STAMP_LENGTHS = [23, 19];

/**
 * Finds a record prefix inside lines that do not start with one. One per chunk: it remembers where the
 * next " - " is, so a run of lines without any costs one search, not one per line.
 */
export class LineStart {
  /** Where the record found by the last `find` starts (its timestamp). */
  start = -1;
  private nextSep = -1;
  private searchedFrom = Infinity;

  constructor(
    private readonly b: Buffer,
    private readonly prefix: PrefixReader,
  ) {}

  /**
   * The message start of a record whose prefix begins after other bytes in the line [p, end), or -1;
   * `start` then tells where its timestamp begins.
   */
  find(p: number, end: number): number {
    for (let sep = this.sepAt(p + 19); sep >= 0 && sep < end; sep = this.sepAt(sep + 1)) {
      for (const len of STAMP_LENGTHS) {
        const q = sep - len;
        if (q <= p) continue;
        const m = this.prefix.read(q, end);
        if (m >= 0) {
          this.start = q;
          return m;
        }
      }
    }
    return -1;
  }

  /** The first " - " at or after `from` (anywhere in the chunk), or -1. */
  private sepAt(from: number): number {
    // The last search from `searchedFrom` found nothing before `nextSep` (nothing at all when -1).
    if (from >= this.searchedFrom && (this.nextSep === -1 || from <= this.nextSep)) return this.nextSep;
    this.searchedFrom = from;
    this.nextSep = this.b.indexOf(SEP, from);
    return this.nextSep;
  }
}

/**
 * What the operator should see of the bytes before a record: their text, or null when they are only
 * terminal noise. NULs, escape sequences, a BOM and other control bytes are dropped; text that a `\r`
 * overwrote, or that ends in one (a progress bar redrawn in place), was never meant to be read as a line.
 */
export function junkText(b: Buffer, p: number, end: number): string | null {
  const raw = b.toString('utf8', p, end);
  if (raw.includes('\r')) return null;
  const text = raw
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]/g, '')
    .replace(/[\x00-\x1f\x7f\uFEFF\uFFFD]/g, '')
    .trim();
  return text === '' ? null : text;
}

const TRACEBACK = 'Traceback (most recent call last):';
/** How Python's unraisable-exception hook begins (`Exception ignored in: …`, 3.13's `Exception ignored while …`). */
const IGNORED = 'Exception ignored ';
/**
 * The last line of a traceback: the exception's name, qualified by its module unless it is a builtin or the script's
 * own (`requests.exceptions.ConnectionError`, `urllib3.exceptions.ReadTimeoutError`), then `: ` and its message, or
 * nothing (`KeyboardInterrupt`). A name ending in a word only exceptions end in says it is one wherever it stands.
 */
const EXCEPTION_LINE = /^(?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Interrupt|Exit)(?::\s*(.*))?$/;
/**
 * Any other exception name (`StopIteration`, `requests.exceptions.Timeout`, `google.api_core.exceptions.NotFound`,
 * `socket.timeout`, a class of the script's own): only a line right after a traceback's frames is one (apply-lines).
 */
const BARE_EXCEPTION_LINE = /^(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::(?:\s.*)?)?$/;

/**
 * A traceback's first or last line, written outside any record when the script dies (a line with no
 * prefix): pushes a `trace` LogLine. It has no time of its own (`at` 0: the record before it may be in
 * another chunk). Indented frame lines are not looked at.
 */
export function parseTrace(b: Buffer, p: number, end: number, out: LogLine[]): boolean {
  const at = 0;
  const first = b[p];
  // Short enough to be an exception line rather than a dump.
  if (end - p > 2048 || end === p) return false;
  // An ASCII letter or `_`: a traceback's first or last line (a frame line is indented).
  if ((first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95) {
    const text = b.toString('utf8', p, end).trimEnd();
    if (text === TRACEBACK) {
      out.push({ kind: 'trace', at, error: null });
      return true;
    }
    // Python printed an exception it ignored (unraisable: `Exception ignored in: <module 'threading' …>`, then maybe
    // a traceback and its exception line): what follows is never why the run ended (tester AC8).
    if (text.startsWith(IGNORED)) {
      out.push({ kind: 'trace', at, error: null, ignored: true });
      return true;
    }
    if (EXCEPTION_LINE.test(text)) {
      out.push({ kind: 'trace', at, error: text });
      return true;
    }
    // A start's death line is never taken for a bare name (`python3: can't open file …` has spaces in its name part).
    if (BARE_EXCEPTION_LINE.test(text) && !isStartDeathLine(text)) {
      out.push({ kind: 'trace', at, error: text, bare: true });
      return true;
    }
  }
  // A start that died before its first record says why on one line with a colon (start-death.ts): its error too.
  const colon = b.indexOf(58, p);
  if (colon < 0 || colon >= end || first === 32) return false;
  const text = b.toString('utf8', p, end).trimEnd();
  if (!isStartDeathLine(text)) return false;
  out.push({ kind: 'trace', at, error: text });
  return true;
}
