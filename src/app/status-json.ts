import { keysListedTwice, repeatedLines } from '../state/run-notes.js';
import { isActive } from '../cloud-run/execution.js';
import { clockStepHours, shownClockStep } from '../state/clock-step-text.js';
import { keysForTarget } from '../coverage/math.js';
import { clockSpanMs, floorPercent } from '../format.js';
import { stuckOf } from '../state/place-state.js';
import type { AppState } from '../state/app-state.js';
import { coverageView, type SourceCoverage } from '../state/coverage-view.js';
import { isLive, runFigures, type RunFigures } from '../state/run-view.js';
import type { RunState } from '../state/run.js';
import { currentFigures } from '../state/current-figures.js';
import { failuresView } from '../state/failures-view.js';
import { NO_DATE, type GroupCount } from '../failures/analysis.js';
import { NO_STORAGE, PERSISTENCE_UNKNOWN } from '../failures/verdicts.js';
import { runUnknown } from '../overview/row-problem.js';
import { deadStartCause } from '../state/dead-start.js';
import { rotationJson } from '../state/rotation-note.js';
import { readingLog } from '../state/log-reading.js';
import { failuresUnknown } from '../state/failures-known.js';
import { allRuns, earlierRuns } from '../state/log-runs.js';
import { launchOfRun } from '../state/run-notes.js';
import { behindByLaunch } from '../state/launch-match.js';

/** The `run` object of the status contract (README, "status --json"): keys are stable. */
export interface RunJson {
  state: string;
  total: number | null;
  done: number;
  succeeded: number;
  failed: number;
  skipped: number;
  failures: Record<string, number>;
  ratePerMin: number | null;
  etaSeconds: [number, number] | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Seconds the run's end reads before its start (the log's clock went back within it: run-view.ts endBeforeStart): elapsed, rate and finishedAt are then null. Null otherwise. */
  endBeforeStartSeconds: number | null;
  inFlight: number;
  /**
   * Seconds every key left has been in flight at least, once longer than the rate's ETA allowed (run-view.ts tail: a
   * slow last key); `etaSeconds` is then `[0, what is left of the per-request timeout]`, or null past it. Null otherwise.
   */
  inFlightForSeconds: number | null;
  lastActivityAt: string | null;
  /** The exception line of a traceback the script died with (`FileNotFoundError: ...`), or null. */
  error: string | null;
  /** The script ran with `--dry-run` (`DRY RUN MODE`): it listed its keys and scraped none. */
  dryRun: boolean;
  /** Key lines a doubled log repeated (a logger with two handlers), each counted once; never those of `keysListedTwice` (run-notes.ts repeatedLines). */
  duplicateLines: number;
  /** Keys the run's own list held twice, each done twice (run-notes.ts keysListedTwice; their repeated lines are not in `duplicateLines`); 0 until its summary. */
  keysListedTwice: number;
  /** Failed keys not listed in the failures view (past its bound of the newest 200,000). */
  failedKeysOmitted: number;
  /** Lines that looked like outcomes (an outcome word and a key) but matched no rule. */
  unrecognized: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const round1 = (n: number | null) => (n === null ? null : Math.round(n * 10) / 10);

/** A run that ended before its first record: its error is the log's last line (tester X11), where none was read. */
const withCause = (r: RunJson, cause: string | null): RunJson => (cause && r.error === null ? { ...r, error: cause } : r);

/**
 * When the run ended: its summary's time; for a run that ended without one (stopped, killed, died) where its elapsed
 * time ends (its last line, or when its writer was seen to go), as the text's `elapsed` says (tester X9: a stopped
 * run read `finishedAt: null`, "still going" to a script). Null while it goes on.
 */
function finishedAt(run: RunState | null, f: RunFigures): number | null {
  if (!run) return null;
  // Never an end before its start (the log's clock went back: run-view.ts endBeforeStart): not known.
  if (f.endBeforeStartMs) return null;
  // An hour of its span did not pass (its summary says so: run-view.ts hourNotPassed): its end where its elapsed ends.
  if (f.hourNotPassed && f.startedAt !== null && f.elapsedMs !== null) return f.startedAt + f.elapsedMs;
  if (run.finishedAt !== null) return run.finishedAt;
  if (isLive(f.status) || f.status === 'waiting' || f.startedAt === null || f.elapsedMs === null) return null;
  return f.startedAt + f.elapsedMs;
}

function runJson(run: RunState | null, f: RunFigures, unknown = false): RunJson {
  return {
    // `error` where no run can be read (its log is not a file, Cloud Run refuses): as every screen says it.
    state: unknown ? 'error' : f.status,
    total: f.total,
    done: f.done,
    succeeded: run?.succeeded ?? 0,
    failed: run?.failed ?? 0,
    skipped: run?.skipped ?? 0,
    failures: { ...(run?.failures ?? {}) },
    ratePerMin: round1(f.ratePerMin),
    etaSeconds: f.etaSeconds,
    // From its launch when launched here, as its elapsed counts (tester AE11).
    startedAt: iso(f.startedAt ?? run?.startedAt ?? null),
    finishedAt: iso(finishedAt(run, f)),
    endBeforeStartSeconds: f.endBeforeStartMs ? Math.round(f.endBeforeStartMs / 1000) : null,
    inFlight: f.inFlight,
    inFlightForSeconds: f.tail ? Math.floor(f.tail.forMs / 1000) : null,
    // On the clock of the run's start when an hour of its span did not pass (as finishedAt): never an hour after its end.
    lastActivityAt: iso(run?.lastActivityAt == null ? null : run.lastActivityAt - (f.hourNotPassed ? 3_600_000 : 0)),
    error: run?.error ?? null,
    dryRun: run?.dryRun === true,
    // The two notes' figures, apart: a doubled log's repeated lines, and keys its list held twice (tester h68's nit:
    // `duplicateLines: 2` beside `keysListedTwice: 1` for one key listed twice, read as a doubled log too).
    duplicateLines: run ? repeatedLines(run) : 0,
    keysListedTwice: run ? keysListedTwice(run) : 0,
    failedKeysOmitted: run?.failedKeysOmitted ?? 0,
    unrecognized: run?.unrecognized ?? 0,
  };
}

/** One source; `present`, `extra` and `percent` are null until it has answered once (never 0 for unknown). */
function sourceJson(s: SourceCoverage | null) {
  if (!s) return null;
  const c = s.coverage;
  return {
    present: c ? c.present : null,
    extra: c ? c.extra : null,
    percent: c ? floorPercent(c.present, c.expected, 2) : null,
    checkedAt: iso(s.checkedAt),
    stale: s.stale,
    error: s.error === null ? null : s.hint ? `${s.error} (${s.hint})` : s.error,
    bytesBilled: s.bytesBilled,
    method: s.method,
    // Or why it was not looked at (the warehouse without the expected keys' kind: AJ2), as the text says.
    note: s.note ?? s.waits ?? null,
  };
}

/** The one JSON snapshot `status --json` prints; the dashboard shows the same figures. */
export function statusJson(state: AppState) {
  const now = state.now;
  const current = state.log.current;
  // A second writer's run beside the current one is among them, once (tester AA18): going on while a writer not
  // started here is seen, its state then by its lines.
  const beside = state.log.beside;
  // An earlier run launched here counts from its launch to the end its records say, as `h` shows it (tester AC3
  // residue: `runs[]` dated it by its lines, `h` by its launch: two figures for one run).
  const behindMs = state.log.clockBehindMs ?? null;
  const starts = allRuns(state.log).map((r) => r.startedAt).filter((t): t is number => t !== null);
  const runs = earlierRuns(state.log).map((r) => {
    const launch = launchOfRun(r, state.process.history, starts.filter((t) => t !== r.startedAt), behindMs);
    // A run stopped with `x` (its launch's end record says so) is `stopped`, as it was while it was the newest (tester AG6 f).
    // A writer a little behind ours, its run its launch's by the skew allowance: read on its clock (launch-match.ts).
    const writer = { alive: r === beside && state.process.external && !r.complete ? null : false, launchedAt: launch?.startedAt ?? null, endedAt: launch?.endedAt ?? null, clockBehindMs: behindMs || behindByLaunch(r.startedAt, launch?.startedAt ?? null), stopped: launch?.reason === 'stopped' && !r.complete };
    return runJson(r, runFigures(r, now, writer, false));
  });
  const cov = coverageView(state);
  const expected = state.coverage.expected;
  const coverage = expected || state.coverage.expectedError
    ? {
        expected: expected?.keys.length ?? 0,
        expectedFile: expected?.file ?? null,
        expectedProblems: {
          error: state.coverage.expectedError,
          blank: expected?.blank ?? 0,
          duplicates: expected?.duplicates ?? 0,
          invalid: expected?.invalid ?? [],
        },
        storage: sourceJson(cov.storage),
        warehouse: sourceJson(cov.warehouse),
        lag: cov.lag ? cov.lag.length : null,
        targets: state.coverage.targets.map((percent) => ({
          percent,
          keys: keysForTarget(percent, expected?.keys.length ?? 0),
          storage: targetJson(cov.storage, percent),
          warehouse: targetJson(cov.warehouse, percent),
        })),
      }
    : null;
  const p = state.process;
  // A log not read to its end (`--timeout` ended the read first): no figure from the part read, which a later run in
  // the rest may contradict (tester W12, Z12: `failing 714` as a fact, 785 once read whole).
  const reading = readingLog(state);
  return {
    job: state.job,
    log: state.log.path,
    /** The log moved aside while a process goes on writing it (tester W20): the file read instead, and its writers; else null. */
    logMoved: state.log.moved ? { to: state.log.moved.to, pids: state.log.moved.pids } : null,
    /**
     * The log rotated under its run (tester X13): the rotated files read first, oldest first (`readFirst`), and
     * whether the run read begins mid-way all the same (`partial`: its figures count from its first line read); else null.
     */
    logRotated: rotationJson(state),
    /** With no `timezone`, the zone the log's times were guessed to be in (log-zone-guess.ts), else null. */
    logZoneGuess: zoneGuessJson(state),
    /** A skipped or repeated hour of a DST night the zone read does not have, read as that change, in the current run; else null. */
    logClockStep: clockStepJson(state),
    /** Keys longer than 200 characters in the log: cut for display, never launched (null: the log not read to its end). */
    suspiciousKeys: reading ? null : state.log.suspiciousKeys,
    // A log not read to its end (`--timeout` ended the read first): no run figures from half a history, as the
    // text says `reading… 39 %` (tester W12: `ended` with 4,167 of 5,299 paged a cron on a slow disk).
    run: reading ? { ...runJson(null, runFigures(null, state.now, { alive: null })), state: 'reading' } : withCause(runJson(current, currentFigures(state), runUnknown(state)), deadStartCause(state)),
    /** The log's read when it did not reach the end ({bytesRead, size} in bytes), else null. */
    reading: reading ? { bytesRead: state.log.bytesRead, size: state.log.size } : null,
    // The runs read so far are not the log's runs (its newest are in the part not read): none (tester Z12).
    runs: reading ? [] : runs,
    coverage,
    // A stop asked and not over (tester Y9): its stage ('sigint' | 'sigterm' | 'needs-kill') and when it was asked.
    process: { pid: p.pid, attached: p.attached, external: p.external, externalPids: p.externalPids, runId: p.runId, stopping: p.stopping, stopRequestedAt: iso(p.stopSignals[0]?.at ?? null), writersHidden: p.writersHidden === true },
    failures: failuresJsonOrWhyNot(state),
    // Only for a job with `cloudRun`: the execution the figures come from.
    ...(state.place ? { execution: executionJson(state) } : {}),
  };
}

/** `{zone: "UTC-05:00", behindMinutes: 300, from: "file" | "arrival"}`: how the log's times were read, when guessed. */
function zoneGuessJson(state: AppState) {
  const g = state.log.zoneGuess;
  return g ? { zone: g.zone, behindMinutes: Math.round(g.behindMs / 60_000), from: g.from, readAhead: g.readAhead ?? null } : null;
}

/**
 * `{change: "skip" | "set-back", date: "2026-03-08", from: "02:00", to: "03:00", zone: "America/New_York", at, timezone}`:
 * the clock change taken in the current run (clock-step-text.ts shownClockStep), `at` the first line after it as read.
 */
function clockStepJson(state: AppState) {
  const step = readingLog(state) ? null : shownClockStep(state);
  if (!step) return null;
  const { from, to, date } = clockStepHours(step);
  const seen = step.alone ? 'log' : step.zone === null ? 'arrival' : 'zone';
  return { change: step.kind, date, from, to, zone: step.zone, seen, at: new Date(step.at).toISOString(), timezone: step.timezone };
}

/**
 * The `execution` object of a Cloud Run job (README, "status for a Cloud Run job"): the followed execution (the
 * running one, else the newest), null when none is known; times ISO 8601, the log delay in seconds.
 */
export function executionJson(state: AppState) {
  const p = state.place!;
  const e = p.execution;
  // No execution (or none could be listed: `problems` says why).
  if (!e) return null;
  return {
    name: e.name,
    id: e.id,
    state: e.state,
    /** false: started outside a dashboard (gcloud, the console). */
    ours: p.ours,
    tasks: { count: e.taskCount, running: e.runningCount, succeeded: e.succeededCount, failed: e.failedCount, cancelled: e.cancelledCount, retried: e.retriedCount },
    createdAt: iso(e.createTime),
    startedAt: iso(e.startTime),
    completedAt: iso(e.completionTime),
    message: e.message,
    /** Why it is from runs.jsonl, not the region's listing (`no longer listed by the region`: tester Z3), else null. */
    unlisted: e.unlisted ?? null,
    /** Its log gone from Cloud Logging, `run` and `failures` are its outcomes kept when a dashboard read it: that file; else null. */
    keptFrom: state.log.current?.keptFrom ?? null,
    /**
     * Age of the newest log entry read, whole seconds of the clock as the screen's `log delay` (Cloud Logging delivers
     * entries late); null once the execution ended
     * and its log is whole: then it would only say how long ago it ended (tester W23: 620 for one ended 10 min ago).
     */
    logDelaySeconds: p.logNewestAt === null || (!isActive(e) && p.logIncomplete === null) ? null : clockSpanMs(p.logNewestAt, state.now) / 1000,
    logReadAt: iso(p.logReadAt),
    /** 'waiting': the execution ended before its last entries arrived; 'gave-up': they never did (deadline). */
    logIncomplete: p.logIncomplete,
    // The text's stuck line's words, at the moment its look proves (place-state.ts runningKnownTo), not the clock's now.
    stuck: stuckOf(state),
    error: p.error === null ? null : p.hint ? `${p.error} (${p.hint})` : p.error,
  };
}

/** The `failures` object of the status contract (README, "status --json"). */
export interface FailuresJson {
  file: string | null;
  /** Key counts; null while not known (the log not read to its end; `persistent` also while storage is not listed). */
  failing: number | null;
  recovered: number | null;
  persistent: number | null;
  /** Why `persistent` is null, else null. */
  persistentUnknown: string | null;
  byError: Record<string, number>;
  byPhase: Record<string, number>;
  byMonth: Record<string, number>;
  persistentByPhase: Record<string, number>;
  /** Runs of the log read whose failures count here but that `runs` no longer lists (older than its newest 200): 0 when none, null while failures are not known (tester AF3). */
  unlistedRuns: number | null;
}

/** The `failures` object: keys still failing (not recovered in storage), grouped as the failures view groups them. */
export function failuresJson(state: AppState): FailuresJson {
  const { summary } = failuresView(state);
  const obj = (groups: GroupCount[]) => Object.fromEntries(groups.map((g) => [g.label, g.count]));
  return {
    file: state.failed.current?.path ?? null,
    failing: summary.failing,
    recovered: summary.recovered,
    persistent: summary.persistent,
    // Why `persistent` is null (storage not listed: a run silent about a key may have scraped it), else null.
    persistentUnknown: summary.persistent === null ? (state.coverage.storage ? PERSISTENCE_UNKNOWN : NO_STORAGE) : null,
    byError: obj(summary.byError),
    byPhase: obj(summary.byPhase),
    // Keys without any date (ids with no game_date) have no month: they are in byError, and in byPhase as "no date".
    byMonth: obj(summary.byMonth.filter((g) => g.label !== NO_DATE)),
    persistentByPhase: obj(summary.persistentByPhase),
    unlistedRuns: state.log.unlisted ?? 0,
  };
}

/**
 * The `failures` object; while which keys fail is not known (failures-known.ts: the log not read to its end, the
 * failed-keys files not read, the execution's log not read) the counts null and the groups empty, as for a source
 * that has not answered, and why in `persistentUnknown`.
 */
function failuresJsonOrWhyNot(state: AppState): FailuresJson {
  const why = failuresUnknown(state);
  if (!why) return failuresJson(state);
  return { file: state.failed.current?.path ?? null, failing: null, recovered: null, persistent: null, persistentUnknown: why, byError: {}, byPhase: {}, byMonth: {}, persistentByPhase: {}, unlistedRuns: null };
}

/** A target's figures by its percent: the coverage keeps targets sorted, the config may not be. */
function targetJson(s: SourceCoverage | null, percent: number) {
  const t = s?.coverage?.targets.find((x) => x.percent === percent);
  return t ? { met: t.met, needed: t.needed } : null;
}
