import type { LogLine } from '../log-line.js';
import { archiveRun, cloneRun, emptyRun, type RunState } from './run.js';
import { rateOver } from './run-view.js';
import { KeyedCursor, beginBatch, beginCompletions, countOutcome, endBatch, firstAnnouncement, flushCompletions, foldKeyed, warmKeyed, warmKeys } from './run-keys.js';
import { GENERAL, KEYED_SKIPPED, KEYED_SUCCEEDED, type KeyedLines } from '../parser/keyed-lines.js';
import { completion } from './completions.js';
import { OUTCOME_MASK, OUTCOME_NONE, SEEN_QUEUED } from './key-ledger.js';
import { trailAfter, type LogTrail } from './log-trail.js';
import { applyTaskLine, type TaskOf } from './execution-tasks.js';
import { isStartDeath } from '../parser/start-death.js';
import { LAUNCH_AFTER_MS } from './launch-match.js';

/** The current run plus the earlier runs of the same log file. */
export interface LogRuns {
  current: RunState | null;
  history: RunState[];
  /** What the earlier runs said last about the keys they failed (see log-trail.ts); absent: nothing yet. */
  trail?: LogTrail | null;
  /**
   * A second run written into the same log at the same time as `current` (two writers: a backfill started twice, one
   * by hand beside ours: tester AA18), each line read as the run's it is shown to be (see laneOf). Absent or null for
   * one writer. Which of the two is `current` is only which one the screen follows (see labelled).
   */
  beside?: RunState | null;
  /**
   * The run a later run's start sent to history while it had not ended (no summary, no traceback), kept whole so that
   * a line proven its own (laneOf's evidence) brings it back beside the later one: its writer goes on. Dropped once it
   * has been quiet for BANNER_GAP_MS of the log's time, or when a third run starts. Never shown.
   */
  resumable?: RunState | null;
  /**
   * Runs read whose outcomes the trail holds but that left `history` (past HISTORY_LIMIT): the oldest run a history
   * read begins at (read for where the runs after it begin: history-start.ts), and runs that ended while a dashboard
   * followed. Their failures still count (a key they failed fails until a later run scrapes it), so the screens say how
   * many runs the failures come from where `h` lists fewer (tester AF3). Absent: 0.
   */
  unlisted?: number;
}

/**
 * The runs of a log state, in an object of their own whose hidden class is always the same: what the reducer hands
 * applyLines. The log state's own hidden class changes as a read goes on (V8 generalizes its fields one after another
 * between the two spreads that make it, after progress and after batch events, in the first alternations or once held
 * batches are folded: round 15), and optimized applyLines, compiled for the maps it had met, was thrown away at its
 * first look at `runs` ('wrong map') partway through a long read.
 */
export function runsOf(log: LogRuns): LogRuns {
  return { current: log.current, history: log.history, trail: log.trail, beside: log.beside, resumable: log.resumable, unlisted: log.unlisted };
}

/** How many earlier runs are kept (a log appended to for months stays bounded). */
export const HISTORY_LIMIT = 200;

/**
 * Folds a batch of parsed log lines into the runs, without touching the input objects.
 * One copy per batch (not per line) keeps a 1 GB cold read linear.
 * `keyed`: the batch's keyed outcome lines and the order of all its records (parseChunk's `keyed`);
 * `lines` then holds the other records. The result is the same as folding `linesOf` the batch.
 * `task`: the batch is one task's lines of a Cloud Run execution of several (execution-tasks.ts): the execution
 * is one run, so no line of it starts another, and each task's total, progress and summary are its share.
 * `oursSince`: a run launched here is live (a local job), and a run of the log that began then or after (the launch's
 * time on the log's clock) is it; null when none is. Only that run is kept followed beside another writer's: an
 * earlier run of the log read while ours is live is history (tester AC9).
 */
export function applyLines(runs: LogRuns, lines: LogLine[], keyed?: KeyedLines | null, task?: TaskOf | null, oursSince: number | null = null): LogRuns {
  /** The run launched here that is live now (see `oursSince`). */
  const ours = (r: RunState) => oursSince !== null && r.startedAt !== null && r.startedAt >= oursSince - LAUNCH_AFTER_MS;
  if (task && task.count < 2) task = null;
  const records = keyed ? keyed.size : lines.length;
  if (records === 0) return runs;
  let history = runs.history;
  let trail = runs.trail ?? null;
  let run = runs.current ? cloneRun(runs.current) : null;
  // foldKeyed's completion times wait in its ring until a line other than Progress, a new run or the batch's end.
  beginCompletions();
  if (run) {
    beginBatch(run);
    warmKeys(run, lines);
    if (keyed) warmKeyed(run, keyed);
  }
  let changes = run?.keys?.failed.changes ?? 0;
  // A second writer's run beside this one (see LogRuns.beside), and a run that may still be going (resumable).
  let beside = task ? null : claimed(runs.beside);
  let besideChanges = beside?.keys?.failed.changes ?? 0;
  let resumable = task ? null : claimed(runs.resumable);
  /** Sends `r` to history, its failures to the trail. */
  let unlisted = runs.unlisted ?? 0;
  const archive = (r: RunState) => {
    [history, trail, unlisted] = archived(history, trail, unlisted, r);
    // Two writers' runs end in any order: history stays in the order they began.
    const n = history.length;
    if (n > 1 && later(history[n - 2], r)) history = [...history.slice(0, n - 2), history[n - 1], history[n - 2]];
  };
  /**
   * A new run begins after `run`: a run that may go on (moving, not over) stays beside it when a live run of ours is
   * that run (its writer is proven to go on), else goes to history as resumable; a run over goes to history. With two
   * already, a third writer's start: the one over or quiet longest goes to history, nothing is resumable.
   */
  const makeRoom = () => {
    if (!run) return;
    if (beside) {
      // A third start beside two: the run over goes, else the one quiet longest; nothing stays resumable.
      const drop = over(beside) ? beside : over(run) ? run : (beside.lastActivityAt ?? 0) <= (run.lastActivityAt ?? 0) ? beside : run;
      const [keep, keepChanges] = drop === beside ? [run, changes] : [beside, besideChanges];
      archive(drop);
      if (mayGoOn(keep)) {
        beside = keep;
        besideChanges = keepChanges;
      } else {
        archive(keep);
        beside = null;
      }
      resumable = null;
      return;
    }
    if (mayGoOn(run) && ours(run)) {
      run.foreignStart = true;
      beside = run;
      besideChanges = changes;
      resumable = null;
      return;
    }
    archive(run);
    resumable = mayGoOn(run) ? run : null;
  };
  if (task && !run) {
    // An execution's log read without its launch's facts (one-shot status): its run from its first line.
    run = emptyRun();
    ({ changes } = beginNew(run));
    run.startedAt = keyed && keyed.order[0] !== GENERAL ? keyed.at[0] : lines[0].at;
  }
  // The next LogLine, and where the keyed columns are.
  let g = 0;
  const cursor = keyed ? new KeyedCursor(keyed, task !== null && task !== undefined) : null;
  for (let r = 0; r < records; ) {
    const code = keyed ? keyed.order[r] : GENERAL;
    // Two runs at once (or one that may go on): each outcome is routed by what it says, one at a time, below.
    if (code !== GENERAL && !beside && !resumable) {
      // Succeeded, failed and skipped lines with their keys (run-keys.ts: what the LogLine path below does
      // for each). Before any run, or after a summary, a success or failure starts one; a skip does not.
      if (!run || (!task && ((run.complete && code !== KEYED_SKIPPED) || run.deadStart))) {
        // An outcome before any run of the log: it begins mid-run (see RunState.beganMidway).
        const midway = !run && runs.history.length === 0;
        if (run) {
          flushCompletions(run);
          makeRoom();
        }
        run = emptyRun();
        ({ changes } = beginNew(run));
        if (midway) run.beganMidway = true;
        run.startedAt = keyed!.at[cursor!.k];
      }
      r = foldKeyed(run, cursor!, r);
      continue;
    }
    const line = code === GENERAL ? lines[g++] : keyedLine(keyed!, cursor!, code);
    r++;
    // Every line but Progress may read the run's window or add to it (an outcome, a run's end, a new run).
    if (run && keyed && line.kind !== 'progress') flushCompletions(run);
    if (run && !task && resumable) {
      // A run sent to history by a later start that goes on writing (tester AA18): a line proven its own brings it
      // back beside the later one. Long quiet, it is over.
      if (line.at > 0 && resumable.lastActivityAt !== null && line.at - resumable.lastActivityAt > BANNER_GAP_MS) resumable = null;
      else if (provenOf(resumable, run, line)) {
        const last = history.at(-1);
        if (last && last.startedAt === resumable.startedAt) history = history.slice(0, -1);
        flushCompletions(run);
        beside = run;
        besideChanges = changes;
        run = resumable;
        run.foreignStart = true;
        // Its failed-keys view is pinned again at the batch's end, whatever changed since it was set aside.
        changes = -1;
        resumable = null;
      }
    }
    if (run && beside && !task) {
      // Two writers: the line goes to the run it is shown to be of (laneOf), the other waits beside.
      if (laneOf(run, beside, line) === 'beside') {
        flushCompletions(run);
        [run, beside] = [beside, run];
        [changes, besideChanges] = [besideChanges, changes];
      }
      // The other run is over once this one moves after its summary (or its death), or after a long quiet.
      if (movesRun(line.kind) && (over(beside) || (line.at > 0 && beside.lastActivityAt !== null && line.at - beside.lastActivityAt > BANNER_GAP_MS))) {
        archive(beside);
        beside = null;
      }
    }
    if (task && run) {
      // One execution, one run: its tasks' lines come in no set order against each other.
      if (line.at > (run.lastActivityAt ?? 0)) run.lastActivityAt = line.at;
      wentOn(run, line.kind);
      if (movesRun(line.kind)) {
        run.hasActivity = true;
        run.exitTrace = false;
        run.traceOpen = false;
        run.traceIgnored = false;
      }
      if (line.kind === 'trace') {
        if (line.bare && !run.traceOpen) continue;
        if (ignoredTrace(run, line)) continue;
        if (!run.complete) run.exitTrace = true;
        if (line.error !== null && !run.complete) run.error = line.error;
        run.traceOpen = line.error === null;
      } else if (!applyTaskLine(run, task, line)) applyOne(run, line);
      continue;
    }
    if (line.kind === 'start') {
      // A second banner of the same run (init line, then the title banner) must not split it.
      if (run && !startsNewRun(run, line.at)) {
        run.title = preferTitle(run.title, line.title);
        run.lastActivityAt = line.at;
        continue;
      }
      makeRoom();
      run = emptyRun();
      ({ changes } = beginNew(run));
      run.title = line.title;
      run.startedAt = line.at;
      run.lastActivityAt = line.at;
      continue;
    }
    if (line.kind === 'trace') {
      // A name alone (`StopIteration`, `requests.exceptions.Timeout: …`) is an exception line only right after a
      // traceback's header (tester Z13); anywhere else it is a print, `Terminated`, `nohup: ignoring input`: nothing.
      if (line.bare && !run?.traceOpen) continue;
      if (run && ignoredTrace(run, line)) continue;
      // A traceback has no time of its own, and before any run it ends nothing; after a run was over (its summary, or
      // it died of another error), a start that died (start-death.ts) is the newest attempt: `ended`, saying why,
      // never the finished run before it (tester X11: a re-run appended with `>>` read `complete`).
      if (run && line.error !== null && (run.complete || (run.exitTrace && run.error !== null && !run.deadStart)) && isStartDeath(line.error)) {
        makeRoom();
        run = emptyRun();
        ({ changes } = beginNew(run));
        run.deadStart = true;
      }
      if (run && !run.complete) {
        run.exitTrace = true;
        if (line.error !== null) run.error = line.error;
      }
      // Its header opens it; its exception line closes it (a chained traceback's last one is the run's error).
      if (run) run.traceOpen = line.error === null;
      continue;
    }
    if (!run) {
      // Lines before any banner (a log that starts mid-run): they still describe a run.
      run = emptyRun();
      ({ changes } = beginNew(run));
      run.startedAt = line.at;
      // A first line that moves the run, not its opening (`Loaded N`, `[1/N] …`): the log begins mid-run (X13).
      if (runs.history.length === 0 && movesRun(line.kind) && !((line.kind === 'queued' || line.kind === 'processing') && line.index === 1)) run.beganMidway = true;
    } else if ((run.complete && isRunActivity(line)) || opensNextRun(run, line) || run.deadStart) {
      // Activity after a summary, or a key list opened after this run's keys moved, without a new banner:
      // a new run whose banner we missed (or a script that writes none). Any record after a dead start is another's.
      makeRoom();
      run = emptyRun();
      ({ changes } = beginNew(run));
      run.startedAt = line.at;
    }
    run.lastActivityAt = line.at;
    wentOn(run, line.kind);
    if (movesRun(line.kind)) {
      run.hasActivity = true;
      run.exitTrace = false;
      run.traceOpen = false;
      run.traceIgnored = false;
    }
    applyOne(run, line);
  }
  if (run) {
    if (keyed) flushCompletions(run);
    // Tasks' batches come one task at a time: the rate window wants its times in order.
    if (task) run.completions.sort((a, b) => a - b);
    endBatch(run, changes);
  }
  if (beside) endBatch(beside, besideChanges);
  if (resumable) endBatch(resumable, -1);
  if (run && beside) {
    const [current, other] = labelled(run, beside, ours);
    return { current, history, trail, beside: other, resumable: null, unlisted };
  }
  return { current: run, history, trail, beside: null, resumable, unlisted };
}

/** A lane of the runs before this batch, copied for it (its key store's next version claimed), or null. */
function claimed(run: RunState | null | undefined): RunState | null {
  if (!run) return null;
  const out = cloneRun(run);
  beginBatch(out);
  return out;
}

/** The keyed record at the cursor as the LogLine it stands for (the two-writer path reads records one at a time). */
function keyedLine(rec: KeyedLines, c: KeyedCursor, code: number): LogLine {
  const k = c.k++;
  const at = rec.at[k];
  const key = rec.key(k);
  if (code === KEYED_SUCCEEDED) return { kind: 'succeeded', at, key };
  if (code === KEYED_SKIPPED) return { kind: 'skipped', at, key };
  const f = c.f++;
  return { kind: 'failed', at, key, failure: rec.failures[f], error: rec.errors[f] };
}

/** Whether `a` began after `b`, both with a known start (a run with none, a start that died, stays where it is). */
export function later(a: RunState, b: RunState): boolean {
  return a.startedAt !== null && b.startedAt !== null && a.startedAt > b.startedAt;
}

/** Over: its summary written, or it died (a traceback, or a start that died). */
function over(run: RunState): boolean {
  return run.complete || run.exitTrace || run.deadStart === true;
}

/** Moving and not over: its writer may write more of it beside a later run. */
function mayGoOn(run: RunState): boolean {
  return run.hasActivity && !over(run);
}

/**
 * Which of the two is `current` (the run the screen follows, `status`'s `run`): our run while its process lives (the
 * other writer's run beside it: tester Y8, x stops ours; its summary is its own `complete`, alerted as such), else the
 * one still going when the other is over, else the newer. Only a label: each run's lines are its own either way.
 */
function labelled(a: RunState, b: RunState, ours: (r: RunState) => boolean): [RunState, RunState] {
  const [older, newer] = (a.startedAt ?? 0) <= (b.startedAt ?? 0) ? [a, b] : [b, a];
  if (ours(older) && older.hasActivity && !older.deadStart) return [older, newer];
  if (over(newer) && !over(older)) return [older, newer];
  return [newer, older];
}

/** Whether `run` has announced `key` (queued) without an outcome for it yet. */
function pending(run: RunState, key: string): boolean {
  const state = run.keys?.ledger.peek(key) ?? 0;
  return (state & SEEN_QUEUED) !== 0 && (state & OUTCOME_MASK) === OUTCOME_NONE;
}

/** Whether `run` is working on `key` now (`[i/N] Processing KEY`, no outcome yet). */
function onKey(run: RunState, key: string | null): boolean {
  return !run.currentKeyDone && run.currentKey !== null && (key === null || run.currentKey === key);
}

/**
 * The index `run` would give its next `[i/N] Queued` line (they come up front, one a key, in order); null for
 * `Processing`, whose index also counts keys skipped without a line (the reference scripts log a skip at DEBUG).
 */
function nextIndex(run: RunState, kind: 'queued' | 'processing'): number | null {
  return kind === 'queued' ? run.queued + 1 : null;
}

/**
 * Whether `line` is provably the resumable run's own, not the later run's (tester AA18): an `[i/N]` line of its total
 * where the later run's differs, or the next index of its own list where the later run's is another; an outcome of the
 * key it works on or has queued, where the later run, whose keys are known (queued or processing), has not; a Progress
 * line of its total. Nothing else: a restart's lines (the same keys queued again) stay the restart's.
 */
function provenOf(old: RunState, later: RunState, line: LogLine): boolean {
  if (over(old)) return false;
  switch (line.kind) {
    case 'queued':
    case 'processing':
      if (old.total !== null && later.total !== null && old.total !== later.total) return line.total === old.total;
      return old.total === line.total && nextIndex(old, line.kind) === line.index && nextIndex(later, line.kind) !== line.index && line.kind === 'queued';
    case 'succeeded':
    case 'failed':
    case 'skipped': {
      if (line.key === null) return false;
      const announced = later.queued > 0 || later.currentKey !== null;
      return announced && (onKey(old, line.key) || pending(old, line.key)) && !onKey(later, line.key) && !pending(later, line.key) && !(later.keys?.ledger.peek(line.key) ?? 0);
    }
    case 'progress':
      return old.total !== null && later.total !== null && old.total !== later.total && line.total === old.total && line.done >= old.progressDone;
    default:
      return false;
  }
}

/**
 * Which of two runs writing one log at once a line is of (tester AA18), by what the line says: an outcome of the key
 * one of them works on or has queued (and the other not); an `[i/N]` or Progress line of one's total, or the next
 * index of one's list; a banner's settings and `Loaded N` the run whose banner has no keys yet; the summary the run
 * it completes (the one whose keys are all done), its fields the run just completed. Else the newer run that is not
 * over: as a line after a banner is that banner's run. Lines name no writer, so two runs of the same keys can only be
 * told apart where they are at different places of the list.
 */
function laneOf(run: RunState, beside: RunState, line: LogLine): 'run' | 'beside' {
  const only = (test: (r: RunState) => boolean): 'run' | 'beside' | null => {
    const [a, b] = [test(run), test(beside)];
    return a === b ? null : a ? 'run' : 'beside';
  };
  const newerIsRun = (run.startedAt ?? 0) >= (beside.startedAt ?? 0);
  const fallback = (): 'run' | 'beside' => {
    const [newer, older]: Array<'run' | 'beside'> = newerIsRun ? ['run', 'beside'] : ['beside', 'run'];
    return over(newerIsRun ? run : beside) && !over(newerIsRun ? beside : run) ? older : newer;
  };
  switch (line.kind) {
    case 'succeeded':
    case 'failed':
    case 'skipped':
      return only((r) => onKey(r, line.key)) ?? (line.key !== null ? only((r) => pending(r, line.key!)) : null) ?? fallback();
    case 'queued':
    case 'processing':
      return only((r) => r.total === line.total) ?? only((r) => nextIndex(r, line.kind) === line.index) ?? fallback();
    case 'progress':
      return only((r) => r.total === line.total) ?? fallback();
    case 'start':
      return only((r) => !r.hasActivity && !startsNewRun(r, line.at)) ?? fallback();
    case 'setting':
    case 'loaded':
      return only((r) => !r.hasActivity && !over(r)) ?? fallback();
    case 'complete': {
      const live = only((r) => !over(r));
      if (live) return live;
      if (over(run) && over(beside)) return fallback();
      const share = (r: RunState) => (r.total ? Math.max(r.succeeded + r.failed + r.skipped, r.progressDone) / r.total : 0);
      return share(run) === share(beside) ? (newerIsRun ? 'beside' : 'run') : share(run) > share(beside) ? 'run' : 'beside';
    }
    case 'summary':
    case 'failedSaved':
      return only((r) => r.complete) ?? (run.complete && beside.complete ? ((run.finishedAt ?? 0) >= (beside.finishedAt ?? 0) ? 'run' : 'beside') : fallback());
    default:
      return fallback();
  }
}

/** A run started inside a batch claims its first version (the run it replaced went to history). */
/**
 * Python's `Exception ignored in: …` block (a traceback it printed and went on from: tester AC8, a pool's threads
 * interrupted at shutdown after the main thread had died of its own error): its header opens the block, its traceback
 * header keeps it open, and its exception line closes it without touching the run. True when `line` was one of those.
 */
function ignoredTrace(run: RunState, line: Extract<LogLine, { kind: 'trace' }>): boolean {
  if (line.ignored) {
    run.traceIgnored = true;
    run.traceOpen = false;
    return true;
  }
  if (!run.traceIgnored) return false;
  // The ignored block's own traceback header: the name after it is its exception line (a bare one too).
  if (line.error === null) run.traceOpen = true;
  else run.traceIgnored = run.traceOpen = false;
  return true;
}

/**
 * A record of the run after a traceback: the script went on, so the traceback was not what ended it. A worker's
 * `logger.exception(...)` for one key prints the key's traceback and the run goes on (tester AK12: `ValueError: boom`
 * then `✅ Scraped 2022-01-03` and a summary read as a run that died of it). Its error is that key's (its failure line
 * says it), never the run's: a traceback is the run's end only when nothing of the run follows it.
 */
export function wentOn(run: RunState, kind: LogLine['kind']): void {
  if (run.exitTrace && (movesRun(kind) || kind === 'complete' || kind === 'summary')) run.error = null;
}

function beginNew(run: RunState): { changes: number } {
  beginBatch(run);
  return { changes: run.keys?.failed.changes ?? 0 };
}

/**
 * A banner more than this after the line before it starts a new run even when nothing moved the one
 * before: a script that died before its first key (banner at 10:00, a new banner at 14:00) is not the
 * same run. The init line and the title banner of one run are written within milliseconds.
 */
export const BANNER_GAP_MS = 5 * 60_000;

/**
 * Whether a banner at `at` starts a new run after `run`; otherwise it is another banner of the same run.
 * After activity, a summary, or a traceback (the script died) it always does, and after a long quiet.
 * The backward banner scan (history-start.ts) follows the same rule through `startsAfter`.
 */
export function startsNewRun(run: RunState, at: number): boolean {
  return run.hasActivity || run.complete || run.exitTrace || startsAfter(run.lastActivityAt, at);
}

/** Whether a banner at `at` is long enough after the state line at `previous` to start a new run. */
export function startsAfter(previous: number | null, at: number): boolean {
  return previous !== null && at - previous > BANNER_GAP_MS;
}

/**
 * Lines that move a run (keys, outcomes, progress): after one, a banner starts a new run; before any,
 * a second banner (init line, then title) belongs to the same run.
 */
export function movesRun(kind: LogLine['kind']): boolean {
  return kind === 'queued' || kind === 'processing' || kind === 'succeeded' || kind === 'failed' || kind === 'skipped' || kind === 'progress';
}

/** Whether a start line after this line begins a new run (see applyLines); 'start' itself decides nothing. */
export function endsBannerMerge(kind: LogLine['kind']): boolean {
  return movesRun(kind) || kind === 'complete' || kind === 'trace';
}

/**
 * Whether `line` opens the key list of a run after `run` (tester V5: a script without a banner, or with
 * one no rule knows, ran twice into one log and read as one run at `3/2 150 %`): `Loaded N …` or a first
 * key (`[1/N] Queued|Processing`) once this run's keys had outcomes, its summary was written or it died.
 * Before any outcome they are this run's own: a `Loaded N` after the banner or among the queued keys, a
 * `[1/N]` written twice by a doubled logger.
 */
function opensNextRun(run: RunState, line: LogLine): boolean {
  const opens = line.kind === 'loaded' || ((line.kind === 'queued' || line.kind === 'processing') && line.index === 1);
  return opens && (run.complete || run.exitTrace || run.succeeded + run.failed + run.skipped + run.progressDone > 0);
}

/**
 * Beside a live run launched here that has moved (and is not over), another run's start is another writer's: a
 * backfill started twice into one log (tester Y8: its banner took the run panel, `Loaded 200`, its settings and ETA,
 * while x offered to stop ours). The run stays ours, both writers' lines mixed in (the screen says so).
 */
function keepsOurs(run: RunState): boolean {
  return run.hasActivity && !run.complete && !run.exitTrace && !run.deadStart;
}

function isRunActivity(line: LogLine): boolean {
  return line.kind === 'queued' || line.kind === 'processing' || line.kind === 'succeeded' || line.kind === 'failed';
}

/**
 * `run` sent to history and its failures to the trail; a run a full history pushes out is counted in `unlisted` (its
 * failures stay in the trail: LogRuns.unlisted). The one way a run leaves the current place, for applyLines and a launch.
 */
export function archived(history: RunState[], trail: LogTrail | null | undefined, unlisted: number, run: RunState): [RunState[], LogTrail | null, number] {
  return [pushHistory(history, run), trailAfter(trail, run), history.length >= HISTORY_LIMIT ? unlisted + 1 : unlisted];
}

/** `run` archived at the end of `history` (bounded by HISTORY_LIMIT). */
export function pushHistory(history: RunState[], run: RunState): RunState[] {
  const next = history.length >= HISTORY_LIMIT ? history.slice(1) : history.slice();
  // Its rate as runFigures gives an ended run: over its newest completions up to its end.
  next.push(archiveRun(run, rateOver(run.completions, run.finishedAt ?? run.lastActivityAt ?? 0, Number.POSITIVE_INFINITY)));
  return next;
}

function preferTitle(old: string | null, next: string): string {
  // "X initialized" is the init line; the banner title without it reads better.
  if (!old) return next;
  return /initiali[sz]ed\s*$/i.test(old) && !/initiali[sz]ed\s*$/i.test(next) ? next : old;
}

/** `keepTotal`: the run's total stays whatever a progress line says (another writer's lines are mixed in). */
function applyOne(run: RunState, line: LogLine, keepTotal = false): void {
  switch (line.kind) {
    case 'setting':
      if (line.name === 'workers') run.workers = toInt(line.value) ?? run.workers;
      else if (line.name === 'timeout') run.timeoutSec = toInt(line.value) ?? run.timeoutSec;
      else if (line.name === 'service') run.serviceUrl = line.value;
      return;
    case 'loaded':
      run.total = line.total;
      return;
    case 'queued':
      if (run.total === null) run.total = line.total;
      // A doubled log queues each key twice: count it once.
      if (firstAnnouncement(run, line.key, SEEN_QUEUED)) run.queued++;
      return;
    case 'processing':
      run.currentKey = line.key;
      run.currentKeyDone = false;
      if (run.total === null) run.total = line.total;
      return;
    case 'succeeded':
    case 'failed':
    case 'skipped': {
      // One outcome per key per run, the latest winning; repeats are counted as duplicate lines.
      const failure = line.kind === 'failed' ? { failure: line.failure, error: line.error, at: line.at } : null;
      const fresh = countOutcome(run, line.key ?? run.currentKey, line.kind, failure);
      run.currentKeyDone = true;
      if (fresh && line.kind !== 'skipped') completion(run, line.at);
      return;
    }
    case 'progress':
      run.progressDone = Math.max(run.progressDone, line.done);
      if (line.total > 0 && !keepTotal) run.total = line.total;
      if (line.skipped !== null) run.skipped = Math.max(run.skipped, line.skipped);
      else run.skipped = Math.max(run.skipped, line.done - run.succeeded - run.failed);
      return;
    case 'complete':
      run.complete = true;
      run.finishedAt = line.at;
      return;
    case 'summary':
      // Summary fields count only inside a summary block: a stray `❌ Failed: 202` mid-run is not one.
      if (!run.complete) return;
      run.summary[line.field] = line.value;
      // A log that begins mid-run counts from its first line read, as it says (rotation-note.ts): the summary's counts,
      // the whole run's, are said beside them, never in their place (tester AG6 l: `✓ 234 ✗ 66` over kinds of 60 read).
      if (run.beganMidway && line.field !== 'total') return;
      // The summary is the script's final word: its counts replace ours.
      if (line.field === 'total') run.total = line.value;
      else if (line.field === 'processed') {
        run.summaryUnseen += Math.max(0, line.value - run.succeeded);
        run.succeeded = line.value;
      } else if (line.field === 'skipped') run.skipped = line.value;
      else if (line.field === 'failed') {
        run.summaryUnseen += Math.max(0, line.value - run.failed);
        run.failed = line.value;
      }
      return;
    case 'failedSaved':
      run.failedSavedPath = line.path;
      return;
    case 'dryRun':
      // A dry run lists its keys and scrapes none: over at its `DRY RUN complete.`, never `ended` (tester X15).
      run.dryRun = true;
      if (line.done) {
        run.complete = true;
        run.finishedAt = line.at;
      }
      return;
    case 'unrecognized':
      run.unrecognized++;
      return;
  }
}

function toInt(text: string): number | null {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : null;
}
