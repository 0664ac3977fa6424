import type { LogLine } from '../log-line.js';
import { afterEmoji, ascii, type ChunkBytes, httpStatus, matchWord, skipSpaces, tokenEnd } from './bytes.js';

/*
 * The frequent line shapes of the reference family, read straight from the bytes: a 1 GB log is almost all
 * Queued / Scraped / Failed lines, and decoding each message to run regexes over it costs several times more
 * than finding the line. Every shape here has a twin text rule in builtin-grammar.ts that gives the same
 * LogLine; when these bytes are not exactly the expected shape we decline and the text rules decide.
 */

const QUEUED = ascii('Queued ');
const PROCESSING = ascii('Processing ');
const SCRAPED = ascii('Scraped ');
const SUCCESSFULLY = ascii('successfully');
const FAILED = ascii('Failed ');
const AFTER = ascii('after ');
const TIMEOUT = ascii('Timeout ');
const ERROR = ascii('Error ');
const SCRAPING = ascii('scraping ');
const SKIPPED = ascii('Skipped ');
const PROGRESS = ascii('Progress:');

/**
 * Recognises a hot line shape in the message [s, end) (no leading or trailing spaces) and pushes its
 * LogLine. Returns false, pushing nothing, when the message is not one of those shapes.
 */
export function fastPath(c: ChunkBytes, s: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  const first = b[s];
  if (first === 0x5b) return bracketed(c, s + 1, end, at, out);
  if (first === 0xe2) {
    const c1 = b[s + 1];
    const c2 = b[s + 2];
    const p = afterEmoji(b, s + 3, end);
    if (c1 === 0x9c && c2 === 0x85) return scraped(c, p, end, at, out); // ✅
    if (c1 === 0x9d && c2 === 0x8c) return crossed(c, p, end, at, out); // ❌
    if (c1 === 0x8f && c2 === 0xb1) return timeout(c, matchWord(b, p, end, TIMEOUT), end, at, out); // ⏱
    if (c1 === 0x8f && c2 === 0xad) return skipped(c, p, end, at, out); // ⏭
    return false;
  }
  if (first === 0xf0 && b[s + 1] === 0x9f && b[s + 2] === 0x93 && b[s + 3] === 0x8a) {
    return progress(c, afterEmoji(b, s + 4, end), end, at, out); // 📊
  }
  return false;
}

/** `[3/244] Queued KEY` or `[3/244] Processing KEY`, p just after '['. */
function bracketed(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  const index = c.readInt(p, end);
  if (index < 0 || b[c.intEnd] !== 47) return false;
  const total = c.readInt(c.intEnd + 1, end);
  if (total < 0 || b[c.intEnd] !== 93) return false;
  p = skipSpaces(b, c.intEnd + 1, end);
  let q = matchWord(b, p, end, QUEUED);
  const kind = q < 0 ? 'processing' : 'queued';
  if (q < 0) q = matchWord(b, p, end, PROCESSING);
  if (q < 0) return false;
  q = skipSpaces(b, q, end);
  const e = tokenEnd(b, q, end);
  if (e === q) return false;
  out.push({ kind, at, key: c.key(q, e), index, total });
  return true;
}

/** `✅ Scraped KEY ...`; `✅ Scraped successfully (attempt 2)` names no key. */
function scraped(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  p = matchWord(b, p, end, SCRAPED);
  if (p < 0) return false;
  p = skipSpaces(b, p, end);
  const e = tokenEnd(b, p, end);
  if (e === p) return false;
  const key = e - p === SUCCESSFULLY.length && matchWord(b, p, e, SUCCESSFULLY) === e ? null : c.key(p, e);
  out.push({ kind: 'succeeded', at, key });
  return true;
}

/** `❌ Failed KEY: error`, `❌ Failed after 5 attempts: error`, `❌ Timeout ...`, `❌ Error KEY: text`. */
function crossed(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  let q = matchWord(b, p, end, FAILED);
  if (q >= 0) {
    q = skipSpaces(b, q, end);
    const after = matchWord(b, q, end, AFTER);
    if (after >= 0 && b[after] >= 48 && b[after] <= 57) {
      let colon = after;
      while (colon < end && b[colon] !== 58) colon++;
      return failed(c, null, colon < end ? colon + 1 : end, end, at, 'failed', out);
    }
    return keyed(c, q, end, at, 'failed', out);
  }
  q = matchWord(b, p, end, ERROR);
  if (q >= 0) return keyed(c, scraping(b, q, end), end, at, 'error', out);
  return timeout(c, matchWord(b, p, end, TIMEOUT), end, at, out);
}

/** `Timeout [scraping] KEY ...`, p just after "Timeout " (or -1). */
function timeout(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  if (p < 0) return false;
  p = scraping(b, p, end);
  let e = tokenEnd(b, p, end);
  if (e > p && b[e - 1] === 58) e--;
  if (e === p) return false;
  out.push({ kind: 'failed', at, key: c.key(p, e), failure: 'timeout', error: 'timeout' });
  return true;
}

/** `KEY: error text` (the colon optional), for Failed and Error lines. */
function keyed(c: ChunkBytes, p: number, end: number, at: number, kind: 'failed' | 'error', out: LogLine[]): boolean {
  const b = c.b;
  const t = tokenEnd(b, p, end);
  const e = t > p && b[t - 1] === 58 ? t - 1 : t;
  if (e === p) return false;
  return failed(c, c.key(p, e), t, end, at, kind, out);
}

/** Pushes a failure whose error text starts after spaces at p; any `HTTP nnn` error is its own kind. */
function failed(
  c: ChunkBytes,
  key: string | null,
  p: number,
  end: number,
  at: number,
  kind: 'failed' | 'error',
  out: LogLine[],
): boolean {
  const b = c.b;
  p = skipSpaces(b, p, end);
  const http = kind === 'failed' ? httpStatus(b, p, end) : null;
  const error = http !== null && p + 8 === end ? http : b.toString('utf8', p, end);
  out.push({ kind: 'failed', at, key, failure: http ?? kind, error });
  return true;
}

function scraping(b: Buffer, p: number, end: number): number {
  const q = matchWord(b, skipSpaces(b, p, end), end, SCRAPING);
  return skipSpaces(b, q < 0 ? p : q, end);
}

/** `⏭️  Skipped KEY ...`; `⏭️  Skipped (already in GCS)` names no key. */
function skipped(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  p = matchWord(b, p, end, SKIPPED);
  if (p < 0) return false;
  p = skipSpaces(b, p, end);
  const e = tokenEnd(b, p, end);
  if (e === p) return false;
  out.push({ kind: 'skipped', at, key: b[p] === 40 ? null : c.key(p, e) });
  return true;
}

/** `📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min`; percentage shapes go to the text rules. */
function progress(c: ChunkBytes, p: number, end: number, at: number, out: LogLine[]): boolean {
  const b = c.b;
  p = matchWord(b, p, end, PROGRESS);
  if (p < 0) return false;
  const done = c.readInt(skipSpaces(b, p, end), end);
  if (done < 0 || b[c.intEnd] !== 47) return false;
  const total = c.readInt(c.intEnd + 1, end);
  if (total < 0) return false;
  const rest = c.intEnd;
  const succeeded = countAfter(c, rest, end, 0x9c, 0x85);
  const skippedCount = countAfter(c, rest, end, 0x8f, 0xad);
  const failedCount = countAfter(c, rest, end, 0x9d, 0x8c);
  out.push({ kind: 'progress', at, done, total, succeeded, skipped: skippedCount, failed: failedCount });
  return true;
}

/** The number after the first E2 c1 c2 emoji in [p, end) that has one, or null. */
function countAfter(c: ChunkBytes, p: number, end: number, c1: number, c2: number): number | null {
  const b = c.b;
  for (let q = p; q + 2 < end; q++) {
    if (b[q] !== 0xe2 || b[q + 1] !== c1 || b[q + 2] !== c2) continue;
    const n = c.readInt(afterEmoji(b, q + 3, end), end);
    if (n >= 0) return n;
  }
  return null;
}
