import { clockSpanMs } from '../format.js';
import { doneOf, type RunState } from './run.js';

/**
 * The five states of the issue, plus `stopped` (we stopped it on the operator's word), and for a Cloud Run
 * execution `stuck` (running past its task timeout or stuckAfter) and `incomplete` (it ended, its last log
 * entries have not reached Cloud Logging yet: its counts are the execution's until they do).
 */
export type RunStatus = 'waiting' | 'running' | 'stalled' | 'stuck' | 'complete' | 'incomplete' | 'ended' | 'stopped';

/** What is known about the process writing the log, from the runner. */
export interface WriterInfo {
  /** true: a writer is known alive; false: known gone; null: unknown. */
  alive: boolean | null;
  stopped?: boolean;
  /** When lines last arrived while the log was followed (our clock), or null: liveness by arrival. */
  arrivedAt?: number | null;
  /** The run's place says tasks are running (Cloud Run): log silence then never makes it stalled. */
  tasksRunning?: boolean;
  /**
   * The newest moment the run's lines can be known to (our clock): a Cloud Run log read up to its newest entry,
   * lines after it not arrived yet. The rate's open interval ends there, not now: the log delay is not idle time
   * (tester W5: 53.8/min shown for 108/min). Absent: now (a local log is read as it is written).
   */
  readUntil?: number | null;
  /** Tasks running the run at once (a Cloud Run execution's running tasks): each runs `workers` keys. */
  tasks?: number;
  /**
   * Why the run's figures are only its place's last look (`Cloud Run cannot be read`), or absent while it answers:
   * a rate, an ETA and keys in flight would then be a past moment's, shown as now's (tester AE5: `rate 61.0/min · ETA
   * 4–5 min` and `⟳ 3 in flight` unchanged for a minute beside `figures as of 1:05 ago (stale)`).
   */
  unseen?: string;
  /** The run's place says it is stuck (a Cloud Run execution past its task timeout or stuckAfter). */
  stuck?: boolean;
  /** The run's place ended, and its log's last entries are still awaited (Cloud Run). */
  logIncomplete?: boolean;
  /**
   * Lines came after the last look at who writes the log, and no writer is known: a look will settle it
   * (see `writersLookDue`). Until then the run is not known to be going on, so its elapsed time is taken
   * from its lines, not the clock: it never runs on and then snaps back when the look finds no writer.
   */
  unproven?: boolean;
  /**
   * When the writer was seen to go (our process's exit, a stop's end record, a Cloud Run execution's completion;
   * our clock), or null: a run that ended without its summary ran until then, not only until its last line
   * (tester V7: a run stalled 5 min then stopped read `5:28`, then `stopped · 0:04`).
   */
  endedAt?: number | null;
  /**
   * The run's place ends after its summary line (a Cloud Run execution: its summary is written, then its container exits
   * and the region marks it done): its end is the later of its summary and `endedAt`, so a time shown from a look that
   * saw it still running is never taken back when the summary is read. Absent: a summary is the run's end.
   */
  endsAfterSummary?: boolean;
  /**
   * When the launch from here that started the run was recorded (our clock), or null/absent: its elapsed counts from
   * there (see RunFigures.startedAt).
   */
  launchedAt?: number | null;
  /**
   * How far the log's clock is behind ours (ms; state.log.clockBehindMs): the run's times are compared with
   * `now` on the log's clock, so a writer whose clock is set wrong is neither stalled nor 9,439 h in.
   */
  clockBehindMs?: number | null;
}

/** Completions needed before a rate is shown: fewer make an ETA that jumps about. */
export const MIN_COMPLETIONS_FOR_RATE = 10;
/** The rate is measured over the newest completions within this window, not since start. */
export const RATE_WINDOW_MS = 10 * 60_000;
const SHORT_WINDOW = 20;

/** A run's derived figures at one moment; every consumer (views, JSON, text) reads these. */
export interface RunFigures {
  status: RunStatus;
  done: number;
  /**
   * The run's total as the log states it, or null when not stated or when more keys are done than it says
   * (a run the log did not tell apart, a wrong `Loaded N`): never `3/2 150 %` (tester V5).
   */
  total: number | null;
  remaining: number | null;
  percent: number | null;
  inFlight: number;
  ratePerMin: number | null;
  etaSeconds: [number, number] | null;
  elapsedMs: number | null;
  /**
   * Where the elapsed time counts from (the log's clock): a run launched here from its launch, on every screen and in
   * `status` (tester AE11: the launcher said `0:17` from the launch, `status` and a second dashboard `0:16` from the
   * script's first line 0.4 s later); any other run from its first line. Null with no start known.
   */
  startedAt: number | null;
  idleMs: number | null;
  stallAfterMs: number;
  /** Why rate, ETA and keys in flight are not known (WriterInfo.unseen); absent when they are. */
  unseen?: string;
  /** How long before its first line the run's end reads (the log's clock went back: endBeforeStart); elapsed, rate and ETA are then null. Absent otherwise. */
  endBeforeStartMs?: number;
  /** An hour of its lines' span did not pass by its summary's own time (hourNotPassed): taken off its elapsed time. Absent otherwise. */
  hourNotPassed?: true;
  /**
   * Every key left is in flight, and has been longer than the rate's estimate said the rest would take (a slow or hung
   * request at a run's end: tester AI1, `ETA 2–5 s` beside one key in flight for 1:35): how long they have been in
   * flight at least (ms, since the run's newest line: a worker takes its next key as it ends one, so none of them
   * started later) and the script's per-request timeout (ms, its `Timeout: 180s` line; null when not stated).
   * `etaSeconds` is then that timeout's bound, `[0, what is left of it]`, or null once it has passed or with no
   * timeout. Absent otherwise.
   */
  tail?: { inFlight: number; forMs: number; timeoutMs: number | null; read?: 'late' };
  /**
   * The run's counts are not known: its execution's log is gone from Cloud Logging and nothing of it was read or kept
   * (current-figures.ts); `done` and the tallies are then said `–`, never zeros. Absent otherwise.
   */
  countsUnknown?: true;
  /**
   * The run's counts are not known yet: a Cloud Run execution whose log has given no entry so far (entries arrive late),
   * its run only its launch's facts. `status` and the overview say so, never `✗ 0 failed` (AJ5 e). Absent otherwise.
   */
  countsAwaited?: true;
}

const HOUR_MS = 3_600_000;
/** How far a summary's own time may be from its lines' span less an hour: `Time: 2.2 minutes` is to 6 s, and its timer starts a moment before the first line. */
const SUMMARY_SLACK_MS = 2 * 60_000;

/**
 * Whether an hour of a finished run's span, first line to summary, did not pass by the script's own measure of it (its
 * summary's `Time: 2.2 minutes` or `Duration: …`, timed by its own clock, not its lines'): the log's clock moved on an
 * hour during the run that the script's timer did not (a writer's own tz rule, a clock set on by hand under a timer
 * that does not follow it: tester AE2's one-shot residue, `1:02:12` for a run whose summary says 2.2 minutes). The log
 * alone never reads a jump forward as that (parser/log-clock.ts byRhythm: an hour's quiet looks the same); a summary
 * that says so is the script's word.
 */
export function hourNotPassed(run: RunState): boolean {
  const d = run.summary.durationSec;
  if (!run.complete || d === undefined || run.startedAt === null || run.finishedAt === null) return false;
  return Math.abs(run.finishedAt - run.startedAt - d * 1000 - HOUR_MS) <= SUMMARY_SLACK_MS;
}

/** A line this far before the run's first is a clock gone back, not a worker's line timed a moment before it was written. */
const BEFORE_START_SLACK_MS = 60_000;

/**
 * How long before its first line the run's end (its summary, else its newest line) reads, or 0: a run ends after it
 * began, so an end that reads before the start is the log's clock gone back within the run by a step no rule could
 * read as a clock change (a clock set back by hand, by other than an hour, or between lines too far apart to tell:
 * parser/log-clock.ts). How much time passed across the step is then not known, nor the run's elapsed time or its rate
 * (tester AE3's one-shot residue: `0:00`, a finish before its start); they are said not known, never a wrong figure.
 */
export function endBeforeStart(run: RunState): number {
  const end = run.finishedAt ?? run.lastActivityAt;
  if (run.startedAt === null || end === null) return 0;
  const before = run.startedAt - end;
  return before > BEFORE_START_SLACK_MS ? before : 0;
}

/** A run still being written (or overdue for its next line): its figures move with the clock. */
export function isLive(status: RunStatus): boolean {
  return status === 'running' || status === 'stalled' || status === 'stuck';
}

/** No line for longer than this means stalled: max(2 × timeout, 5 min). */
export function stallAfterMs(run: RunState): number {
  return Math.max(2 * (run.timeoutSec ?? 60) * 1000, 5 * 60_000);
}

/** The status of a run at `now`; `isCurrent` false for earlier runs of the file (their writer is gone). */
export function runStatus(run: RunState | null, now: number, writer: WriterInfo, isCurrent = true): RunStatus {
  // No line yet, but the place says tasks run (a Cloud Run execution whose entries Cloud Logging has not
  // delivered): the run is going on; `waiting` would file it with jobs never launched (tester T22).
  if (!run) return writer.stuck ? 'stuck' : writer.tasksRunning ? 'running' : 'waiting';
  // A run is complete only once its log is: a Cloud Run execution's summaries can come before the outcome lines they
  // count (tasks write to one log, Cloud Logging keeps no order between them), and the header said `complete` for 15 s
  // over `log incomplete: last entries not yet in Cloud Logging` (tester AI11). The same rule for the header, `status`
  // and the `completed` alert (alert-events.ts fires it when this turns `complete`): one moment, said once.
  if (run.complete) {
    if (isCurrent && writer.logIncomplete) return 'incomplete';
    // Every summary in while the region still says tasks run, with outcome lines they count not read yet: the run goes
    // on until its execution ends (then `incomplete` until those lines come), never `complete` before its log is.
    if (isCurrent && writer.endsAfterSummary && writer.tasksRunning && run.summaryUnseen > 0) return 'running';
    return 'complete';
  }
  if (writer.stopped) return 'stopped';
  // A re-run that died at start said so itself (dead-attempt lines): over, whoever writes the log.
  if (run.deadStart) return 'ended';
  if (isCurrent && writer.logIncomplete) return 'incomplete';
  if (!isCurrent || writer.alive === false) return 'ended';
  if (writer.stuck) return 'stuck';
  const last = run.lastActivityAt ?? run.startedAt;
  const stall = stallAfterMs(run);
  // A line that arrived lately proves a writer, whatever its timestamp says (clock changes, DST).
  const arrived = writer.arrivedAt ?? null;
  if (arrived !== null && now - arrived <= stall) return 'running';
  if (!writer.tasksRunning && last !== null && logNow(now, writer) - last > stall) return 'stalled';
  return 'running';
}

/**
 * Completions per minute over the newest window ending at `end`, or null until enough exist.
 * n completions span n − 1 intervals from the first to the last (n over the span from the first to now
 * reads high right after each completion); once the time since the last completion is longer than an
 * interval, the interval still open counts too, so the rate decays while nothing completes.
 */
export function rateOver(completions: number[], end: number, count: number): number | null {
  const from = end - RATE_WINDOW_MS;
  let first = completions.length;
  while (first > 0 && completions[first - 1] >= from && completions.length - (first - 1) <= count) first--;
  const n = completions.length - first;
  if (n < MIN_COMPLETIONS_FOR_RATE) return null;
  const span = completions[completions.length - 1] - completions[first];
  if (span <= 0) return null;
  const idle = Math.max(0, end - completions[completions.length - 1]);
  return Math.min((n - 1) / span, n / (span + idle)) * 60_000;
}

/**
 * Derives progress, rate and ETA. Skips are excluded from the rate: they cost no time. `skipsAhead`:
 * keys of the run not done yet that storage already holds (see current-figures.ts), left out of the ETA.
 */
export function runFigures(run: RunState | null, machineNow: number, writer: WriterInfo, isCurrent = true, skipsAhead = 0, opts: { linesOnly?: boolean } = {}): RunFigures {
  const status = runStatus(run, machineNow, writer, isCurrent);
  // The run's own times are on the log's clock: so is the `now` they are compared with (U17's second shape).
  const now = logNow(machineNow, writer);
  if (!run) {
    return { status, done: 0, total: null, remaining: null, percent: null, inFlight: 0, ratePerMin: null, etaSeconds: null, elapsedMs: null, startedAt: null, idleMs: null, stallAfterMs: 5 * 60_000 };
  }
  // `linesOnly`: lines of the run may be lost (rotation-note.ts linesLost): done is what its ✓ ✗ ↷ count, from the same
  // lines, never a Progress line's count over them (tester AG10: `100/300` beside `✓ 84 ✗ 5`).
  const done = opts.linesOnly ? doneOf(run) : Math.max(doneOf(run), run.progressDone);
  const total = run.total !== null && run.total >= done ? run.total : null;
  const remaining = total === null ? null : total - done;
  const percent = total ? (done / total) * 100 : null;
  const live = isLive(status);
  const end = live ? (writer.readUntil != null ? Math.min(now, logNow(writer.readUntil, writer)) : now) : (run.finishedAt ?? run.lastActivityAt ?? now);
  const long = run.endRatePerMin !== undefined ? run.endRatePerMin : rateOver(run.completions, end, Number.POSITIVE_INFINITY);
  const short = rateOver(run.completions, end, SHORT_WINDOW);
  let etaSeconds: [number, number] | null = null;
  if (live && remaining !== null && long !== null) {
    const rates = [long, short ?? long];
    const fast = Math.max(...rates);
    const slow = Math.min(...rates);
    // Keys the script will skip (already in storage) take milliseconds, not a scrape each.
    const work = Math.max(0, remaining - skipsAhead);
    let lo = (work / fast) * 60;
    let hi = (work / slow) * 60;
    // Two windows that agree still leave uncertainty; never show a falsely exact ETA.
    if (hi - lo < hi * 0.2) {
      const mid = (lo + hi) / 2;
      lo = mid * 0.9;
      hi = mid * 1.1;
    }
    etaSeconds = [Math.round(lo), Math.round(hi)];
  }
  let inFlight = 0;
  if (live && run.hasActivity) {
    // Every running task has its own workers (tester W5: 3 in flight shown for 2 tasks × 3 workers).
    const workers = (run.workers ?? 1) * Math.max(1, writer.tasks ?? 1);
    if (workers <= 1) inFlight = run.currentKeyDone ? 0 : 1;
    else inFlight = Math.max(0, Math.min(workers, (run.total ?? run.queued) - done));
  }
  const last = run.lastActivityAt ?? run.startedAt;
  // A log read late (a Cloud Run execution's: readUntil) is judged up to now too: its entries' delay hides whether the
  // keys left ended, never that none was seen ending (h84: `ETA 4–5 s` for minutes, `log delay` growing to 2:16).
  const tail = tailOf(remaining, inFlight, etaSeconds, now, last, run.timeoutSec, writer.readUntil != null);
  if (tail) etaSeconds = tail.timeoutMs === null || tail.forMs >= tail.timeoutMs ? null : [0, Math.ceil((tail.timeoutMs - tail.forMs) / 1000)];
  // The clock counts only for a run known to go on; otherwise its lines say how long it ran.
  // A clock that stepped back (or a line older than the start) never makes a time negative.
  const counting = live && !writer.unproven;
  // A run launched here began at its launch (its script's first line comes a moment later), never after its first line.
  const startedAt = run.startedAt === null ? null : writer.launchedAt != null ? Math.min(run.startedAt, logNow(writer.launchedAt, writer)) : run.startedAt;
  // Over, with no line of its own and no end known (an execution gone from the region, its log with it, that no
  // dashboard saw end: its launch is all there is): how long it ran is not known, never `0:00` from its launch to itself
  // (tester AF1).
  const endless = !counting && writer.alive === false && writer.endedAt == null && run.lastActivityAt === null && run.finishedAt === null;
  const elapsedMs = startedAt === null || endless ? null : Math.max(0, (counting ? now : endOf(run, last, now, writer.endedAt == null ? null : logNow(writer.endedAt, writer), writer.endsAfterSummary === true)) - startedAt);
  const unseen = live && writer.unseen ? writer.unseen : undefined;
  // Whole seconds of the clock, as the elapsed time beside it is (format.ts clockSpanMs): `no line for 5:07` under a
  // log whose last line reads 10:07:00 and a header at 12:07 from 10:00:00, never 5:06.
  const idle = last === null ? null : clockSpanMs(last, now);
  const back = endBeforeStart(run);
  // A finished run whose summary says an hour of its span did not pass: that hour is not its time.
  if (elapsedMs !== null && !live && hourNotPassed(run)) return { status, done, total, remaining, percent, inFlight, ratePerMin: long, etaSeconds: null, elapsedMs: Math.max(0, elapsedMs - HOUR_MS), startedAt, idleMs: idle, stallAfterMs: stallAfterMs(run), hourNotPassed: true };
  if (back > 0) return { status, done, total, remaining, percent, inFlight: unseen ? 0 : inFlight, ratePerMin: null, etaSeconds: null, elapsedMs: null, startedAt, idleMs: idle, stallAfterMs: stallAfterMs(run), endBeforeStartMs: back, ...(unseen ? { unseen } : {}) };
  return {
    status,
    done,
    total,
    remaining,
    percent,
    inFlight: unseen ? 0 : inFlight,
    ratePerMin: !unseen && (live || status === 'complete' || status === 'ended' || status === 'stopped') ? long : null,
    etaSeconds: remaining === 0 || unseen ? null : etaSeconds,
    ...(tail && !unseen ? { tail } : {}),
    elapsedMs,
    startedAt,
    idleMs: idle,
    stallAfterMs: stallAfterMs(run),
    ...(unseen ? { unseen } : {}),
  };
}

/**
 * RunFigures.tail: every key left in flight (`remaining` ≤ `inFlight`) for longer than the rate's ETA at its upper end
 * (`eta`, seconds from now), counted from `last` (the run's newest line, the latest any of them can have started) to
 * `end` (now); null otherwise, or before a rate gives an ETA. `late`: the log is read late (Cloud Run), so that time
 * is how long no key was seen ending, not how long they are in flight.
 */
export function tailOf(remaining: number | null, inFlight: number, eta: [number, number] | null, end: number, last: number | null, timeoutSec: number | null, late = false): RunFigures['tail'] | null {
  if (remaining === null || remaining <= 0 || inFlight < remaining || eta === null || last === null) return null;
  // Whole seconds of the clock, as every time on the screen (format.ts clockSpanMs).
  const forMs = clockSpanMs(last, end);
  if (forMs <= eta[1] * 1000) return null;
  return { inFlight: remaining, forMs, timeoutMs: timeoutSec === null ? null : timeoutSec * 1000, ...(late ? { read: 'late' as const } : {}) };
}

/** A writer's end this far past the run's last line is not this run's (a log read long after, another run's end). */
const END_AFTER_LAST_MAX_MS = 24 * 3_600_000;

/**
 * Where a run that is not counting with the clock ends: its summary (or, `afterSummary`, the later of it and when its
 * writer was seen to go or last seen going on: a Cloud Run execution), else the later of its last line and when
 * its writer was seen to go (so elapsed never snaps back when a stalled run is stopped), else now.
 */
function endOf(run: RunState, last: number | null, now: number, writerEnd: number | null, afterSummary = false): number {
  if (run.finishedAt !== null) return afterSummary && writerEnd !== null && writerEnd > run.finishedAt && writerEnd - run.finishedAt <= END_AFTER_LAST_MAX_MS ? writerEnd : run.finishedAt;
  if (last === null) return writerEnd ?? now;
  return writerEnd !== null && writerEnd > last && writerEnd - last <= END_AFTER_LAST_MAX_MS ? writerEnd : last;
}

/** `now` on the log's clock (see WriterInfo.clockBehindMs). */
function logNow(now: number, writer: WriterInfo): number {
  return now - (writer.clockBehindMs ?? 0);
}
