import type { LogLine } from '../log-line.js';
import { parseText } from './text-rules.js';

/*
 * Outcome lines whose emoji did not survive the trip to the log. When Python's stderr is not UTF-8
 * (a Windows code page, LANG=C, PYTHONIOENCODING with backslashreplace) the script writes
 * `\u2705 Scraped 2021-10-19` literally, `? Scraped ...`, or mojibake like `âœ… Scraped ...`. The words
 * and the shape after the marker are the same, so they are read by their words, whatever stands where
 * the emoji was. Only messages no exact rule took come here.
 */

/** Python's escapes for characters the stream could not encode: \xNN, \uNNNN, \UNNNNNNNN. */
const ESCAPE = /\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g;
/** What may stand where an emoji was: no ASCII letter, digit or space, at most a few characters. */
const MARKER = /^[^A-Za-z0-9\s]{1,12}\s*/;
/** The word after the marker, and the emoji the exact rules expect before it. */
const EMOJI_FOR: Record<string, string> = {
  Scraped: '✅',
  Failed: '❌',
  Error: '❌',
  Timeout: '❌',
  Skipped: '⏭',
};
const WORD = /^(Scraped|Failed|Error|Timeout|Skipped)\b/;
/** A key of the family has digits (a date, a game id); `Failed to connect` names no key. */
const KEY_LIKE = /\d/;

/**
 * Reads a message with a stand-in for its emoji; pushes the LogLine the exact rules give once the
 * escapes are decoded or the marker is put back, and says whether it did.
 */
export function parseLoose(msg: string, at: number, out: LogLine[]): boolean {
  if (msg.includes('\\')) {
    const decoded = msg.replace(ESCAPE, (_m, x?: string, u?: string, U?: string) => String.fromCodePoint(Number.parseInt(x ?? u ?? U ?? '0', 16)));
    if (decoded !== msg) return parseText(decoded.trim(), at, out) || parseLoose(decoded, at, out);
  }
  const marker = MARKER.exec(msg);
  const rest = marker ? msg.slice(marker[0].length) : msg;
  if (rest === '') return false;
  // Lines whose exact rule allows no emoji (Progress, summary fields, the end banner, failed file saved).
  if (marker && parseText(rest, at, out)) return true;
  const word = WORD.exec(rest);
  if (!word) return false;
  const found: LogLine[] = [];
  if (!parseText(`${EMOJI_FOR[word[1]]} ${rest}`, at, found)) return false;
  const line = found[0];
  const key = 'key' in line ? line.key : null;
  if (key !== null && !KEY_LIKE.test(key)) return false;
  out.push(...found);
  return true;
}

/** An outcome word and a key-like token (a date, a long number): what an outcome line looks like. */
const OUTCOME_WORD = /\b(?:scraped|failed|failure|timeout|timed out|skipped|succeeded|success(?:ful)?)\b/i;
const KEY_TOKEN = /(?:^|[^\d])(?:\d{4}-\d{2}-\d{2}|\d{6,})(?!\d)/;

/**
 * A message that looks like an outcome (an outcome word and a key) but that no rule read: counted per
 * run (`unrecognized`) so a grammar that misses lines never does so in silence.
 */
export function looksLikeOutcome(msg: string): boolean {
  return OUTCOME_WORD.test(msg) && KEY_TOKEN.test(msg);
}
