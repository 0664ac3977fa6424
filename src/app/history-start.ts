import { BackwardLines } from '../follow/backward-lines.js';
import type { HistoryStart } from '../log-follower.js';
import { type Grammar, LogClock, parseChunk } from '../parser/index.js';
import { START_WORDS } from '../parser/text-rules.js';
import { HISTORY_LIMIT, endsBannerMerge, startsAfter } from '../state/apply-lines.js';

const NL = Buffer.from('\n');
const MARKERS = START_WORDS.map((w) => Buffer.from(w));

/**
 * Where a history read may begin so that what it shows is exactly what reading the whole log shows.
 * The state keeps the current run and HISTORY_LIMIT earlier ones, and the log pane its last TAIL_LIMIT
 * lines: anything older never shows. So the history read may start at a banner with HISTORY_LIMIT + 1
 * run starts after it (the run that banner opens then falls out of the history, whatever came before
 * it). Each of those runs has at least two lines (its banner and what moved it), so the log pane's
 * TAIL_LIMIT lines are in there too (a test holds TAIL_LIMIT to that). A log appended to for months
 * then costs what its last 200 runs cost.
 *
 * A banner starts a run only when something moved the run before it (applyLines merges an init line and
 * a title banner): reading backwards, a banner counts once the nearest state line before it is activity,
 * COMPLETE or a traceback, or when the state line just before it is long before it (startsAfter); another
 * banner first means the two are one run. Only banners are looked at closely: lines without a start word
 * are skipped a block at a time.
 *
 * Config grammars may redefine any line kind, so for them the whole log is read (undefined).
 */
export function historyStartFor(grammar: Grammar, blockSize?: number): HistoryStart | undefined {
  if (grammar.custom.length > 0) return undefined;
  return async ({ handle, size, maxLineBytes }) => {
    const lines = await BackwardLines.open(handle, size, { maxLineBytes, blockSize });
    // One clock for the scan, as the read has one: the repeated hour resolves by neighbouring lines.
    const clock = new LogClock(grammar.zone, false);
    let runStarts = 0;
    /** A banner whose run-start status is not known yet, and its time. */
    let pending = false;
    let pendingAt = 0;
    /** Whether a state line with a time came between that banner and here (the gap rule looks at the nearest). */
    let timed = false;
    for (;;) {
      const line = await lines.prev(pending ? undefined : MARKERS);
      if (!line) return 0;
      const parsed = parseChunk(Buffer.concat([line.bytes, NL]), grammar, 0, clock).lines;
      for (let i = parsed.length - 1; i >= 0; i--) {
        const rec = parsed[i];
        // A name alone is a traceback's exception line only after its header, which the scan counts: nothing more.
        if (rec.kind === 'trace' && rec.bare) continue;
        const { kind, at } = rec;
        // A traceback line alone carries no time; it counts by its kind.
        const gap = pending && !timed && kind !== 'trace' && startsAfter(at, pendingAt);
        if (kind !== 'trace') timed = true;
        if (pending && (gap || (kind !== 'start' && endsBannerMerge(kind)))) {
          runStarts++;
          pending = false;
        }
        if (kind === 'start') {
          if (runStarts > HISTORY_LIMIT) return line.start;
          pending = true;
          pendingAt = at;
          timed = false;
          break;
        }
      }
    }
  };
}
