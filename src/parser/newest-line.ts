import { LineStart } from './line-start.js';
import { LogClock } from './log-clock.js';
import { PrefixReader } from './timestamp.js';

/**
 * The newest record time in `chunk` (complete lines), epoch ms, or null when no line has a record prefix:
 * the `lastAt` that `parseChunk(chunk, grammar, 0, clock)` gives, found by reading only each line's prefix
 * (at its start, or after bytes in front of it: line-start.ts) through the same clock in the same order, so
 * the repeated hour of a DST night resolves as it does there. The messages are never parsed: the zone guess
 * (app/log-zone-guess.ts) needs this time only, and parsing the whole last 64 KB of the log for it cost
 * `status` about a fifth of its log read. Any grammar: parseChunk takes `lastAt` from record prefixes only.
 */
export function newestRecordAt(chunk: Buffer, clock: LogClock = new LogClock()): number | null {
  const len = chunk.length;
  const prefix = new PrefixReader(chunk, clock);
  const inner = new LineStart(chunk, prefix);
  let lastAt = -Infinity;
  let pos = 0;
  while (pos < len) {
    let nl = chunk.indexOf(10, pos);
    if (nl < 0) nl = len;
    const end = nl > pos && chunk[nl - 1] === 13 ? nl - 1 : nl;
    const m = prefix.read(pos, end);
    if ((m >= 0 || inner.find(pos, end) >= 0) && prefix.at > lastAt) lastAt = prefix.at;
    pos = nl + 1;
  }
  return lastAt === -Infinity ? null : lastAt;
}
