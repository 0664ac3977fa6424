import type { LogLine } from '../log-line.js';
import { archiveRun, cloneRun, emptyRun, type RunState } from './run.js';
import { rateOver } from './run-view.js';
import { KeyedCursor, beginBatch, beginCompletions, countOutcome, endBatch, firstAnnouncement, flushCompletions, foldKeyed, warmKeyed, warmKeys } from './run-keys.js';
import { GENERAL, KEYED_SKIPPED, type KeyedLines } from '../parser/keyed-lines.js';
import { completion } from './completions.js';
import { SEEN_QUEUED } from './key-ledger.js';
import { trailAfter, type LogTrail } from './log-trail.js';
import { applyTaskLine, type TaskOf } from './execution-tasks.js';
import { isStartDeath } from '../parser/start-death.js';

/** The current run plus the earlier runs of the same log file. */
export interface LogRuns {
  current: RunState | null;
  history: RunState[];
  /** What the earlier runs said last about the keys they failed (see log-trail.ts); absent: nothing yet. */
  trail?: LogTrail | null;
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
 * `oursLive`: a run launched here is live (a local job): see {@link keepsOurs}.
 */
export function applyLines(runs: LogRuns, lines: LogLine[], keyed?: KeyedLines | null, task?: TaskOf | null, oursLive = false): LogRuns {
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
    if (code !== GENERAL) {
      // Succeeded, failed and skipped lines with their keys (run-keys.ts: what the LogLine path below does
      // for each). Before any run, or after a summary, a success or failure starts one; a skip does not.
      if (!run || (!task && ((run.complete && code !== KEYED_SKIPPED) || run.deadStart))) {
        // An outcome before any run of the log: it begins mid-run (see RunState.beganMidway).
        const midway = !run && runs.history.length === 0;
        if (run) {
          flushCompletions(run);
          trail = trailAfter(trail, run);
          history = pushHistory(history, run);
        }
        run = emptyRun();
        ({ changes } = beginNew(run));
        if (midway) run.beganMidway = true;
        run.startedAt = keyed!.at[cursor!.k];
      }
      r = foldKeyed(run, cursor!, r);
      continue;
    }
    const line = lines[g++];
    r++;
    // Every line but Progress may read the run's window or add to it (an outcome, a run's end, a new run).
    if (run && keyed && line.kind !== 'progress') flushCompletions(run);
    if (task && run) {
      // One execution, one run: its tasks' lines come in no set order against each other.
      if (line.at > (run.lastActivityAt ?? 0)) run.lastActivityAt = line.at;
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
      if (run && oursLive && keepsOurs(run)) {
        run.foreignStart = true;
        continue;
      }
      if (run) {
        trail = trailAfter(trail, run);
        history = pushHistory(history, run);
      }
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
        trail = trailAfter(trail, run);
        history = pushHistory(history, run);
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
    } else if (oursLive && keepsOurs(run) && opensNextRun(run, line)) {
      run.foreignStart = true;
    } else if ((run.complete && isRunActivity(line)) || opensNextRun(run, line) || run.deadStart) {
      // Activity after a summary, or a key list opened after this run's keys moved, without a new banner:
      // a new run whose banner we missed (or a script that writes none). Any record after a dead start is another's.
      trail = trailAfter(trail, run);
      history = pushHistory(history, run);
      run = emptyRun();
      ({ changes } = beginNew(run));
      run.startedAt = line.at;
    }
    run.lastActivityAt = line.at;
    if (movesRun(line.kind)) {
      run.hasActivity = true;
      run.exitTrace = false;
      run.traceOpen = false;
      run.traceIgnored = false;
    }
    // After another writer's start, its `Loaded N`, settings and progress totals are not ours to take.
    if (run.foreignStart && (line.kind === 'loaded' || line.kind === 'setting')) continue;
    applyOne(run, line, run.foreignStart === true);
  }
  if (run) {
    if (keyed) flushCompletions(run);
    // Tasks' batches come one task at a time: the rate window wants its times in order.
    if (task) run.completions.sort((a, b) => a - b);
    endBatch(run, changes);
  }
  return { current: run, history, trail };
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
