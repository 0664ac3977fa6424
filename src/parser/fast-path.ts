import { afterEmoji, type ChunkBytes, httpStatus, skipSpaces, Word } from './bytes.js';
import { errorKind } from '../failures/error-kind.js';
import { KEYED_FAILED, KEYED_SKIPPED, KEYED_SUCCEEDED } from './keyed-lines.js';

/*
 * The frequent line shapes of the reference family, read straight from the bytes: a 1 GB log is almost all
 * Queued / Scraped / Failed lines, and decoding each message to run regexes over it costs several times more
 * than finding the line. Every shape here has a twin text rule in builtin-grammar.ts that gives the same
 * LogLine; when these bytes are not exactly the expected shape we decline and the text rules decide.
 * With `c.rec`, an outcome line whose key can travel as bytes goes there instead of becoming a LogLine
 * (keyed-lines.ts): the same facts, decided by the same code up to the last step.
 */

const QUEUED = new Word('Queued ');
const PROCESSING = new Word('Processing ');
export const SCRAPED = new Word('Scraped ');
const SUCCESSFULLY = new Word('successfully');
export const FAILED = new Word('Failed ');
export const AFTER = new Word('after ');
export const TIMEOUT = new Word('Timeout ');
const ERROR = new Word('Error ');
const SCRAPING = new Word('scraping ');
const SKIPPED = new Word('Skipped ');
const PROGRESS = new Word('Progress:');

/**
 * Recognises a hot line shape in the message [s, end) (no leading or trailing spaces) of the record at
 * `c.at`, and pushes its LogLine to `c.out`. Returns false, pushing nothing, for any other message.
 */
export function fastPath(c: ChunkBytes, s: number, end: number): boolean {
  const b = c.b;
  const first = b[s];
  if (first === 0x5b) return bracketed(c, s + 1, end);
  if (first === 0xe2) {
    const c1 = b[s + 1];
    const c2 = b[s + 2];
    const p = afterEmoji(b, s + 3, end);
    if (c1 === 0x9c && c2 === 0x85) return scraped(c, c.word(p, end, SCRAPED), end); // ✅
    if (c1 === 0x9d && c2 === 0x8c) return crossed(c, p, end); // ❌
    if (c1 === 0x8f && c2 === 0xb1) return timeout(c, c.word(p, end, TIMEOUT), end); // ⏱
    if (c1 === 0x8f && c2 === 0xad) return skipped(c, c.word(p, end, SKIPPED), end); // ⏭
    return false;
  }
  if (first === 0xf0 && b[s + 1] === 0x9f && b[s + 2] === 0x93 && b[s + 3] === 0x8a) {
    return progress(c, c.word(afterEmoji(b, s + 4, end), end, PROGRESS), end); // 📊
  }
  return false;
}

/** `[3/244] Queued KEY` or `[3/244] Processing KEY`, p just after '['. */
function bracketed(c: ChunkBytes, p: number, end: number): boolean {
  const b = c.b;
  const index = c.readInt(p, end);
  if (index < 0 || b[c.intEnd] !== 47) return false;
  const total = c.readInt(c.intEnd + 1, end);
  if (total < 0 || b[c.intEnd] !== 93) return false;
  p = skipSpaces(b, c.intEnd + 1, end);
  let q = c.word(p, end, QUEUED);
  const kind = q < 0 ? 'processing' : 'queued';
  if (q < 0) q = c.word(p, end, PROCESSING);
  if (q < 0) return false;
  const key = c.key(skipSpaces(b, q, end), end, false);
  if (key === null) return false;
  c.out.push({ kind, at: c.at, key, index, total });
  return true;
}

/** `✅ Scraped KEY ...`, p after "Scraped " (or -1); `✅ Scraped successfully (attempt 2)` names no key. */
function scraped(c: ChunkBytes, p: number, end: number): boolean {
  if (p < 0) return false;
  p = skipSpaces(c.b, p, end);
  const bare = c.word(p, end, SUCCESSFULLY);
  if (bare >= 0 && (bare === end || c.b[bare] === 32)) {
    c.out.push({ kind: 'succeeded', at: c.at, key: null });
    return true;
  }
  if (c.rec !== null && c.keyRange(p, end, false)) {
    c.rec.keyed(KEYED_SUCCEEDED, c);
    return true;
  }
  const key = c.key(p, end, false);
  if (key === null) return false;
  c.out.push({ kind: 'succeeded', at: c.at, key });
  return true;
}

/** `❌ Failed KEY: error`, `❌ Failed after 5 attempts: error`, `❌ Timeout ...`, `❌ Error KEY: text`. */
function crossed(c: ChunkBytes, p: number, end: number): boolean {
  const b = c.b;
  const first = b[p];
  if (first === 70) {
    let q = c.word(p, end, FAILED);
    if (q < 0) return false;
    q = skipSpaces(b, q, end);
    const after = c.word(q, end, AFTER);
    if (after >= 0 && b[after] >= 48 && b[after] <= 57) {
      let colon = after;
      while (colon < end && b[colon] !== 58) colon++;
      return failed(c, null, colon < end ? colon + 1 : end, end, 'failed');
    }
    if (c.rec !== null && c.keyRange(q, end, true)) return failed(c, KEYED, c.keyEnd, end, 'failed');
    const key = c.key(q, end, true);
    return key !== null && failed(c, key, c.keyEnd, end, 'failed');
  }
  if (first === 69) {
    const q = c.word(p, end, ERROR);
    if (q < 0) return false;
    const k = scraping(c, q, end);
    if (c.rec !== null && c.keyRange(k, end, true)) return failed(c, KEYED, c.keyEnd, end, 'error');
    const key = c.key(k, end, true);
    return key !== null && failed(c, key, c.keyEnd, end, 'error');
  }
  return first === 84 && timeout(c, c.word(p, end, TIMEOUT), end);
}

/** `Timeout [scraping] KEY ...`, p just after "Timeout " (or -1). */
function timeout(c: ChunkBytes, p: number, end: number): boolean {
  if (p < 0) return false;
  const k = scraping(c, p, end);
  if (c.rec !== null && c.keyRange(k, end, true)) {
    c.rec.keyed(KEYED_FAILED, c);
    c.rec.failures.push('timeout');
    c.rec.errors.push('timeout');
    return true;
  }
  const key = c.key(k, end, true);
  if (key === null) return false;
  c.out.push({ kind: 'failed', at: c.at, key, failure: 'timeout', error: 'timeout' });
  return true;
}

/** `failed`'s key argument when the key is the one `keyRange` just found (it goes to `c.rec`). */
const KEYED = 1;

/**
 * Pushes a failure whose error text starts after spaces at p; any `HTTP nnn` error is its own kind.
 * `key` KEYED: the key is the range `keyRange` found, and the failure goes to `c.rec`.
 */
function failed(c: ChunkBytes, key: string | null | typeof KEYED, p: number, end: number, kind: 'failed' | 'error'): boolean {
  const b = c.b;
  p = skipSpaces(b, p, end);
  const http = kind === 'failed' ? httpStatus(c, p, end) : null;
  const error = http !== null && p + 8 === end ? http : b.toString('utf8', p, end);
  // 'HTTP nnn' read from the bytes (the usual wording, no regex); any other wording through the one classifier.
  const failure = http ?? errorKind({ status: kind, error });
  if (key === KEYED) {
    c.rec!.keyed(KEYED_FAILED, c);
    c.rec!.failures.push(failure);
    c.rec!.errors.push(error);
  } else {
    c.out.push({ kind: 'failed', at: c.at, key, failure, error });
  }
  return true;
}

/** A failure whose key `c.keyRange` just found goes to `c.rec`, its error text after spaces at p (see `failed`). */
export function keyedFailure(c: ChunkBytes, p: number, end: number, kind: 'failed' | 'error'): boolean {
  return failed(c, KEYED, p, end, kind);
}

/** Position after an optional "scraping " (the sibling scripts' `Timeout scraping ID`). */
export function scraping(c: ChunkBytes, p: number, end: number): number {
  p = skipSpaces(c.b, p, end);
  const q = c.word(p, end, SCRAPING);
  return q < 0 ? p : skipSpaces(c.b, q, end);
}

/** `⏭️  Skipped KEY ...`, p after "Skipped " (or -1); `⏭️  Skipped (already in GCS)` names no key. */
function skipped(c: ChunkBytes, p: number, end: number): boolean {
  if (p < 0) return false;
  p = skipSpaces(c.b, p, end);
  if (p === end) return false;
  if (c.b[p] !== 40 && c.rec !== null && c.keyRange(p, end, false)) {
    c.rec.keyed(KEYED_SKIPPED, c);
    return true;
  }
  const key = c.b[p] === 40 ? null : c.key(p, end, false);
  if (key === null && c.b[p] !== 40) return false;
  c.out.push({ kind: 'skipped', at: c.at, key });
  return true;
}

/** `📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min`; percentage shapes go to the text rules. */
function progress(c: ChunkBytes, p: number, end: number): boolean {
  if (p < 0) return false;
  const b = c.b;
  const done = c.readInt(skipSpaces(b, p, end), end);
  if (done < 0 || b[c.intEnd] !== 47) return false;
  const total = c.readInt(c.intEnd + 1, end);
  if (total < 0) return false;
  countsAfter(c, c.intEnd, end);
  c.out.push({ kind: 'progress', at: c.at, done, total, succeeded: orNull(countSucceeded), skipped: orNull(countSkipped), failed: orNull(countFailed) });
  return true;
}

/** What `countsAfter` found last: -1 for none. */
let countSucceeded = -1;
let countSkipped = -1;
let countFailed = -1;

/**
 * The numbers after ✅ (E2 9C 85), ⏭ (E2 8F AD) and ❌ (E2 9D 8C) in [p, end): for each, after the first of its
 * emoji that has one. One pass for the three (a Progress line is one line in fifty of a long run; three scans of it
 * were a few thousand instructions each).
 */
function countsAfter(c: ChunkBytes, p: number, end: number): void {
  const b = c.b;
  let succeeded = -1;
  let skipped = -1;
  let failed = -1;
  for (let q = p; q + 2 < end; q++) {
    if (b[q] !== 0xe2) continue;
    const c1 = b[q + 1];
    const c2 = b[q + 2];
    const which = c1 === 0x9c && c2 === 0x85 ? 0 : c1 === 0x8f && c2 === 0xad ? 1 : c1 === 0x9d && c2 === 0x8c ? 2 : -1;
    if (which < 0 || (which === 0 ? succeeded : which === 1 ? skipped : failed) >= 0) continue;
    const n = c.readInt(afterEmoji(b, q + 3, end), end);
    if (n < 0) continue;
    if (which === 0) succeeded = n;
    else if (which === 1) skipped = n;
    else failed = n;
    if (succeeded >= 0 && skipped >= 0 && failed >= 0) break;
  }
  countSucceeded = succeeded;
  countSkipped = skipped;
  countFailed = failed;
}

function orNull(n: number): number | null {
  return n < 0 ? null : n;
}
