import { type ChunkBytes, skipSpaces, trimEnd } from './bytes.js';
import { fastPath } from './fast-path.js';
import { looksLikeOutcome, parseLoose } from './loose-rules.js';
import { parseText } from './text-rules.js';

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
  // Decoding costs more than the rules that fail at once: skip it for rule lines ('=====', '-----').
  const first = b[s];
  if (first === 0x3d || first === 0x2d) return false;
  const msg = b.toString('utf8', s, e);
  if (parseText(msg, c.at, c.out) || parseLoose(msg, c.at, c.out)) return true;
  if (!looksLikeOutcome(msg)) return false;
  c.out.push({ kind: 'unrecognized', at: c.at });
  return true;
}
