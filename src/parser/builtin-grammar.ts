import { type ChunkBytes, skipSpaces, trimEnd } from './bytes.js';
import { fastPath } from './fast-path.js';
import { mayMatch, parseText } from './text-rules.js';

/**
 * The built-in grammar on the message [m, end) of the record at `c.at`: the byte fast path, then (for
 * messages that could be one of the rarer shapes) the text rules on the decoded message.
 * Returns whether a LogLine was pushed to `c.out`.
 */
export function parseMessage(c: ChunkBytes, m: number, end: number): boolean {
  const b = c.b;
  const s = skipSpaces(b, m, end);
  const e = trimEnd(b, s, end);
  if (s === e) return false;
  if (fastPath(c, s, e)) return true;
  // Decoding costs more than the rules that fail at once: skip it for lines no rule can start like ('=====').
  return mayMatch(b[s]) && parseText(b.toString('utf8', s, e), c.at, c.out);
}
