import { BackwardLines } from '../follow/backward-lines.js';
import type { LogLine } from '../log-line.js';
import type { HistoryStart, UnsureStart } from '../log-follower.js';
import { type Grammar, LogClock, parseChunk } from '../parser/index.js';
import { START_WORDS } from '../parser/text-rules.js';
import { HISTORY_LIMIT, endsBannerMerge, startsAfter } from '../state/apply-lines.js';

const NL = Buffer.from('\n');
const MARKERS = START_WORDS.map((w) => Buffer.from(w));

/**
 * Bytes looked through from the end before a long log with no run start in them is taken for one long run (see
 * historyStartFor's `unsure`): a few hundred runs of the usual size, and a millisecond or two of the search.
 */
export const SURE_BYTES = 4 << 20;

/**
 * Run starts (`start` lines) a read from the file's start may meet before it stops betting that the history starts
 * there (app/log-events.ts readBulk): a one-run log has its banner, perhaps an init line and a title banner. At most
 * HISTORY_LIMIT + 1: with no more than that in the whole file, the look back below finds no start but the file's.
 */
export const UNSURE_STARTS = 2;

/**
 * Lines of kind `start` among `lines`. A function of its own: its loop, run for each batch, makes it alone hot (a small
 * TurboFan job), not the batch handler that calls it, whose arguments' maps vary (a deopt and a second job, h85).
 */
export function startsIn(lines: readonly LogLine[]): number {
  let n = 0;
  for (let i = 0; i < lines.length; i++) if (lines[i].kind === 'start') n++;
  return n;
}

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
 * The look back answers a start only past HISTORY_LIMIT + 1 banners (lines of kind `start`): a log with no
 * more than that starts at 0, which a read from its start can tell by itself, and a one-run log is the one the
 * look back reads whole (80 MB of copies and searches beside the read's own). So with `unsure` (a reader that can
 * bet: FollowHandlers.readBulk with BulkRange.unsure), a long log whose last SURE_BYTES hold no banner is answered
 * "0, unless the read says otherwise": an UnsureStart whose `settle` looks the rest of the way back from where
 * this look stopped.
 *
 * Config grammars may redefine any line kind, so for them the whole log is read (undefined).
 */
export function historyStartFor(grammar: Grammar, blockSize?: number): ((file: Parameters<HistoryStart>[0]) => Promise<number>) | undefined;
export function historyStartFor(grammar: Grammar, blockSize: number | undefined, opts: { unsure?: boolean; sureBytes?: number }): HistoryStart | undefined;
export function historyStartFor(grammar: Grammar, blockSize?: number, opts: { unsure?: boolean; sureBytes?: number } = {}): HistoryStart | undefined {
  if (grammar.custom.length > 0) return undefined;
  return async ({ handle, size, maxLineBytes }) => {
    const scan = new StartScan(await BackwardLines.open(handle, size, { maxLineBytes, blockSize }), grammar);
    const sure = opts.sureBytes ?? SURE_BYTES;
    if (!opts.unsure || size <= sure) return scan.whole();
    const start = await scan.to(size - sure);
    if (start !== undefined) return start;
    // A banner in the last megabytes: runs of the usual size, whose history the look back finds soon.
    if (scan.starts > 0) return scan.whole();
    // The read from the start most likely answers by itself: the look's blocks are not kept for the whole read.
    scan.park();
    return unsureStart(() => scan.whole());
  };
}

/** An UnsureStart at 0 whose start, once asked, is looked for by `look`, once. */
function unsureStart(look: () => Promise<number>): UnsureStart {
  let settled: Promise<number> | null = null;
  return {
    at: 0,
    settle: () => (settled ??= look()),
    decide: (start) => {
      settled ??= Promise.resolve(start);
    },
  };
}

/** The look back, in steps (`to`): the banners it has met, and whether the nearest one counts yet. */
class StartScan {
  // One clock for the scan, as the read has one: the repeated hour resolves by neighbouring lines.
  private readonly clock: LogClock;
  private runStarts = 0;
  /** A banner whose run-start status is not known yet, and its time. */
  private pending = false;
  private pendingAt = 0;
  /** Whether a state line with a time came between that banner and here (the gap rule looks at the nearest). */
  private timed = false;
  /** Banners (lines of kind `start`) met so far. */
  starts = 0;

  constructor(
    private readonly lines: BackwardLines,
    private readonly grammar: Grammar,
  ) {
    this.clock = new LogClock(grammar.zone, false);
  }

  /** Lets go of the look's blocks until it is asked to go on (BackwardLines.park). */
  park(): void {
    this.lines.park();
  }

  /** Looks back to the file's start, or where the history starts. */
  async whole(): Promise<number> {
    return (await this.to(0)) ?? 0;
  }

  /** Looks back to `floor`: where the history starts, or undefined when it stopped there not knowing yet. */
  async to(floor: number): Promise<number | undefined> {
    for (;;) {
      const line = await this.lines.prev(this.pending ? undefined : MARKERS, floor);
      if (!line) return this.lines.position > 0 ? undefined : 0;
      const parsed = parseChunk(Buffer.concat([line.bytes, NL]), this.grammar, 0, this.clock).lines;
      for (let i = parsed.length - 1; i >= 0; i--) {
        const rec = parsed[i];
        // A name alone is a traceback's exception line only after its header, which the scan counts: nothing more.
        if (rec.kind === 'trace' && rec.bare) continue;
        const { kind, at } = rec;
        // A traceback line alone carries no time; it counts by its kind.
        const gap = this.pending && !this.timed && kind !== 'trace' && startsAfter(at, this.pendingAt);
        if (kind !== 'trace') this.timed = true;
        if (this.pending && (gap || (kind !== 'start' && endsBannerMerge(kind)))) {
          this.runStarts++;
          this.pending = false;
        }
        if (kind === 'start') {
          this.starts++;
          if (this.runStarts > HISTORY_LIMIT) return line.start;
          this.pending = true;
          this.pendingAt = at;
          this.timed = false;
          break;
        }
      }
    }
  }
}
