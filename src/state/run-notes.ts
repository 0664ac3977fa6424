import { formatClock, formatCount, formatEta } from '../format.js';
import { FAILED_KEYS_LIMIT } from './failed-keys.js';
import type { AppState, RecordedRun } from './app-state.js';
import type { RunState } from './run.js';
import { launchBehind, launchFor, launchOfCurrentLogRun, onOurClock } from './launch-match.js';
import { pidsText } from './writer.js';
import { placeErrorSource } from './place-state.js';
import { earlierRuns } from './log-runs.js';
import { endBeforeStart, hourNotPassed, type RunFigures } from './run-view.js';

/**
 * The launch from here (runs.jsonl, as the history holds it) that started `run`: the newest record made
 * before the run's first line, within two minutes, whose run had not ended before it and that no other run
 * (`otherStarts`) began after (launch-match.ts); null for a run started by hand, or no start time read yet.
 */
export function launchOfRun(run: RunState, history: RecordedRun[], otherStarts: number[] = [], behindMs: number | null = null): RecordedRun | null {
  if (run.startedAt === null) return null;
  // The log's times on our clock, as the records are (a writer's clock off: tester AA1).
  const began = onOurClock(run.startedAt, behindMs);
  const others = otherStarts.map((t) => onOurClock(t, behindMs));
  // A finished run of a writer a little behind ours (tester AJ3's class; the skew allowance, launch-match.ts): nothing
  // on our clock says when it was written, but its launch's end record, whose counts are its own (the dashboard that
  // watched it wrote them from its lines), proves it its launch's run.
  const normal = launchFor(began, history, others);
  const behind = launchBehind(began, history, others, Infinity, (l) => l.endedAt !== null && sameCounts(l.counts, run));
  // An earlier launch's window, but its end record has other counts, the later launch's its own (tester AK3).
  if (normal && behind && normal.counts && !sameCounts(normal.counts, run)) return behind;
  return normal ?? behind;
}

/** The end record's counts are the run's own ✓ ✗ ↷, not all zero (a run that did nothing proves nothing). */
function sameCounts(c: RecordedRun['counts'], run: RunState): boolean {
  return !!c && c.succeeded + c.failed + c.skipped > 0 && c.succeeded === run.succeeded && c.failed === run.failed && c.skipped === run.skipped;
}

/**
 * The launch of the log's current run, as the job screen and `status` name it: none while a process this
 * dashboard did not start writes the log, or for a Cloud Run execution started elsewhere (tester V1: such a
 * run got `the script read 199 of the 5,299 keys launched` from a launch stopped before it began).
 */
export function launchOfCurrentRun(state: AppState): RecordedRun | null {
  const run = state.log.current;
  if (!run) return null;
  if (state.place ? !state.place.ours : state.process.external && !state.process.attached) return null;
  const earlier = earlierRuns(state.log).map((r) => r.startedAt).filter((t): t is number => t !== null);
  // With the skew allowance for a writer a little behind ours (tester AJ3: the note missed its launch at 5 s).
  return launchOfCurrentLogRun(state, state.process.history, earlier.map((t) => onOurClock(t, state.log.clockBehindMs)));
}

/**
 * How the run's log arrives: `false` as it is written (a local log), `true` late (a Cloud Run execution's, through Cloud
 * Logging), `'unread'` late and not readable now (Cloud Logging failing): see lateLogOf.
 */
export type LateLog = boolean | 'unread';

/** The run's log as runNotes weighs it: a Cloud Run job's arrives late, and is `unread` while Cloud Logging fails. */
export function lateLogOf(state: AppState): LateLog {
  const p = state.place;
  if (!p) return false;
  return p.error !== null && placeErrorSource(p.error) === 'Cloud Logging' ? 'unread' : true;
}

/**
 * What the operator should know about how a run was counted, one short line each: a script that read
 * another number of keys than the launch from here gave it (`launched`: its record; a header rule or a
 * filter of the script's own dropped some), lines that looked like outcomes but no rule read, repeated key
 * lines (a logger with two handlers) and failed keys past the listing bound. Empty when none happened.
 * `others`: pids not started here writing the log beside our live run (writer.ts otherWriters): said first, as
 * the figures are then both runs' lines together (tester V18). `skipping`: keys of the run not done yet that storage
 * holds (current-figures.ts skipsAhead), which the script skips with no line: the ETA leaves them out, the bar
 * cannot show them, so they are said (tester W13: `27/300 9.0 %` beside `ETA ~1 s`).
 */
export function runNotes(run: RunState | null, launched: RecordedRun | null = null, others: number[] = [], skipping = 0, lateLog: LateLog = false): string[] {
  if (!run) return [];
  const notes: string[] = [];
  // Its end reads before its start: the log's clock went back within it, by what no rule reads (run-view.ts).
  const back = endBeforeStart(run);
  if (back > 0) notes.push(`elapsed and rate not known: its end reads ${formatClock(back)} before its start (the log's clock set back?)`);
  // Its summary's own time is an hour less than its lines' span: that hour did not pass (run-view.ts).
  if (hourNotPassed(run)) notes.push(`an hour of its lines' times did not pass: its summary says ${formatClock((run.summary.durationSec ?? 0) * 1000)} (the log's clock set on an hour?)`);
  // The reference script's --dry-run (tester X15: read `ended · 0/3`, alerted "ended without a summary").
  if (run.dryRun) notes.push(`dry run: the script lists its keys and scrapes none (DRY RUN MODE)`);
  // A log that arrives late (a Cloud Run execution's, through Cloud Logging) has not yet reported keys this run has
  // scraped already: in storage, they are not "skipped" until the execution ended (tester W13's note on Cloud Run).
  // While Cloud Logging cannot be read they are unreported for that, not for its delay (tester AG6 e).
  if (skipping > 0) notes.push(lateLog ? `~${formatCount(skipping)} of its keys in storage, not yet reported in its log (${lateLog === 'unread' ? 'it cannot be read now' : 'entries arrive late'})` : `~${formatCount(skipping)} of its keys already in storage: the script skips them`);
  // With its start read, the other writer's lines are a run of their own (apply-lines.ts laneOf: tester AA18); a
  // writer that wrote no start cannot be told apart, its lines are counted here.
  const apart = run.foreignStart ? 'its run is counted apart' : null;
  if (others.length) notes.push(`${pidsText(others)}, not started here, also write${others.length === 1 ? 's this log: ' : ' this log: '}${apart ?? `${others.length === 1 ? 'its' : 'their'} lines are mixed in`}`);
  // Another run's start read beside ours, its writer not (or no longer) seen: still said.
  else if (apart) notes.push(`another run started in this log during this one: ${apart}`);
  if (launched && run.total !== null && launched.keyCount > 0 && run.total !== launched.keyCount) {
    notes.push(`the script read ${formatCount(run.total)} of the ${formatCount(launched.keyCount)} keys launched`);
  }
  if (run.unrecognized > 0) notes.push(`${formatCount(run.unrecognized)} line${run.unrecognized === 1 ? '' : 's'} looked like outcomes but matched no rule`);
  const twice = keysListedTwice(run);
  if (twice > 0) notes.push(`${formatCount(twice)} key${twice === 1 ? '' : 's'} its list held twice (done twice)`);
  const doubled = repeatedLines(run);
  if (doubled > 0) notes.push(`${formatCount(doubled)} repeated key line${doubled === 1 ? '' : 's'} counted once`);
  if (run.failedKeysOmitted > 0) notes.push(failedOmittedNote(run));
  return notes;
}

/**
 * Key lines a doubled log repeated (a logger with two handlers: every line twice), each counted once: the run's repeated
 * key lines less those of the keys its own list held twice, which repeat their outcome line, and their Queued line when
 * keys are queued up front, and are no doubled log (status --json `duplicateLines`, beside `keysListedTwice`).
 */
export function repeatedLines(run: RunState): number {
  return Math.max(0, run.duplicateLines - keysListedTwice(run) * (run.queued > 0 ? 2 : 1));
}

/**
 * Keys the run's own list held twice (a keys file naming a date twice: the script does it twice), once its summary
 * is in: its total less the keys it logged, and, with one worker, less those it skipped (a skip is logged at DEBUG, and
 * with one worker so is its `Processing` line; with several every key is queued first). A doubled log repeats lines, not
 * keys, so its keys still add up to the total (tester AE7: `2 repeated key lines counted once` beside the script's own
 * `✓ 4` for a list of 4 holding one date twice). 0 while not known.
 */
export function keysListedTwice(run: RunState): number {
  const seen = run.keys?.ledger.size;
  const skipped = run.queued > 0 ? 0 : run.summary.skipped;
  if (!run.complete || run.total === null || seen === undefined || skipped === undefined || run.duplicateLines === 0) return 0;
  return Math.max(0, Math.min(run.total - seen - skipped, run.duplicateLines));
}

/** "1,234 more failed keys not listed (the newest 200,000 are)". */
export function failedOmittedNote(run: RunState): string {
  return `${formatCount(run.failedKeysOmitted)} more failed keys not listed (the newest ${formatCount(FAILED_KEYS_LIMIT)} are)`;
}

/**
 * The ETA after `ETA ` on the job screen and in `status`: the range (format.ts formatEta), and while every key left is
 * in flight longer than the rate allowed (RunFigures.tail), why it is the timeout's bound or not known (tester AI1:
 * `ETA 2–5 s` beside a last key in flight for 1:35): `≤ 2 min (1 key in flight ≥ 1:35 of its 200 s timeout)`.
 */
export function etaText(f: Pick<RunFigures, 'etaSeconds' | 'ratePerMin' | 'tail'>): string {
  const t = f.tail;
  if (!t) return formatEta(f.etaSeconds, f.ratePerMin === null);
  const n = `${formatCount(t.inFlight)} ${t.inFlight === 1 ? 'key' : 'keys'}`;
  // Read late (Cloud Run), the entries' delay hides whether they ended: only that none was seen to.
  const keys = t.read === 'late' ? `${n} left, none seen ending for ${formatClock(t.forMs)}` : `${n} in flight ≥ ${formatClock(t.forMs)}`;
  if (t.timeoutMs === null) return `not known (${keys}, no timeout stated)`;
  const timeout = `${Math.round(t.timeoutMs / 1000)} s timeout`;
  if (t.read === 'late') return `${f.etaSeconds ? formatEta(f.etaSeconds, false) : 'not known'} (${keys}; ${f.etaSeconds ? '' : 'past its '}${timeout})`;
  return f.etaSeconds ? `${formatEta(f.etaSeconds, false)} (${keys} of its ${timeout})` : `not known (${keys}, past its ${timeout})`;
}
