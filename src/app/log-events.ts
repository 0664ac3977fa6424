import type { FollowHandlers } from '../log-follower.js';
import { LogClock, parseChunk, type Grammar } from '../parser/index.js';
import { TAIL_LIMIT } from '../state/app-state.js';
import type { AppEvent } from '../state/events.js';

/** Only chunks this close to the end of the file can hold lines the log pane will show. */
const TAIL_ZONE_BYTES = 1 << 20;

/**
 * The follower's handlers for the log: parsed batches and follow states as events. While a long history
 * is read, chunks far from its end skip decoding lines for the log pane: only the last ones are shown.
 * With `now`, batches that arrive after the history carry their arrival time (liveness, run-view.ts).
 * Outcome lines come as keyed columns (parseChunk's `keyed`) unless `keyed` is false (tests compare both).
 */
export function logHandlers(grammar: Grammar, dispatch: (e: AppEvent) => void, now?: () => number, keyed = true): FollowHandlers {
  let bytesRead = 0;
  let size = 0;
  let historyDone = false;
  // One clock per file: the repeated hour of a DST change is resolved by the order of its lines.
  let clock = new LogClock(grammar.zone);
  return {
    onChunk: (chunk) => {
      const farFromEnd = size - bytesRead - chunk.length > TAIL_ZONE_BYTES;
      const batch = parseChunk(chunk, grammar, farFromEnd ? 0 : TAIL_LIMIT, clock, keyed);
      // Lines appended while we follow prove a live writer whatever their timestamps say.
      dispatch({ type: 'log/batch', batch, ...(historyDone && now ? { arrivedAt: now() } : {}) });
    },
    onReset: (reason) => {
      // The new file's size is not known until its first progress report: until then nothing is far from its
      // end (keeping the old file's size would skip decoding the new file's first lines for the pane).
      bytesRead = 0;
      size = 0;
      clock = new LogClock(grammar.zone);
      dispatch({ type: 'log/reset', reason });
    },
    onWaiting: () => dispatch({ type: 'log/waiting' }),
    onProgress: (p) => {
      bytesRead = p.bytesRead;
      size = p.size;
      historyDone ||= p.historyDone;
      dispatch({ type: 'log/progress', ...p });
    },
    onOverlong: (bytes) => dispatch({ type: 'log/overlong', bytes }),
  };
}
