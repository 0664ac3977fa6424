import type { SummaryField } from '../log-line.js';
import type { TaskTally } from './execution-tasks.js';
import { FailedKeys } from './failed-keys.js';
import { RunKeys } from './run-keys.js';

export type { LiveFailure } from './failed-keys.js';

/** Everything one run's log has told us. Built only by `applyLines`; read by selectors. */
export interface RunState {
  title: string | null;
  startedAt: number | null;
  lastActivityAt: number | null;
  /** When the summary banner was written. */
  finishedAt: number | null;
  workers: number | null;
  timeoutSec: number | null;
  serviceUrl: string | null;
  total: number | null;
  queued: number;
  succeeded: number;
  failed: number;
  /** Skips are logged at DEBUG: known only from Progress lines, skip lines of retry scripts, and the summary. */
  skipped: number;
  /** Done count of the newest Progress line (the script's own figure). */
  progressDone: number;
  failures: Record<string, number>;
  /** Failed keys of this run, newest `FAILED_KEYS_LIMIT` (a view fixed to this snapshot). */
  failedKeys: FailedKeys;
  /** Keys still failed but no longer listed in `failedKeys` (past the bound). */
  failedKeysOmitted: number;
  /** Key lines that repeated what the run already knew of the key (doubled logs): counted once. */
  duplicateLines: number;
  /** Per-key store shared by this run's snapshots (null once archived); see run-keys.ts. */
  keys: RunKeys | null;
  /** The version of `keys` this snapshot saw. */
  keysVersion: number;
  /** Key of the last `[i/N] Processing` line: key-less outcome lines belong to it. */
  currentKey: string | null;
  /** Whether that key already has its outcome (then nothing is in flight with one worker). */
  currentKeyDone: boolean;
  /** Timestamps of the newest completions (scraped or failed, never skipped), oldest first, bounded. */
  completions: number[];
  complete: boolean;
  summary: Partial<Record<SummaryField, number>>;
  /**
   * Outcomes the summary counts (processed + failed) beyond the outcome lines read before it: lines still in
   * flight (a Cloud Run log out of order), or a script that counts what it never logs. 0 when every one is in.
   */
  summaryUnseen: number;
  failedSavedPath: string | null;
  /** Lines that move the run (keys, outcomes, progress); a banner alone does not. */
  hasActivity: boolean;
  /** A traceback came after the run's last activity: the script died (a banner after it is a new run). */
  exitTrace: boolean;
  /** The last exception line of a traceback in this run (`FileNotFoundError: ...`), or null. */
  error: string | null;
  /**
   * A traceback's header was read and not yet its exception line, nor a line that moves the run: the next line shaped
   * like an exception's name is its exception line (`StopIteration`, `google.api_core.exceptions.NotFound: 404 …`).
   */
  traceOpen: boolean;
  /** Inside a traceback Python said it ignored (`Exception ignored in: …`): its exception line is not the run's error. */
  traceIgnored: boolean;
  /** Lines that looked like outcomes (an outcome word and a key) but matched no rule. */
  unrecognized: number;
  /** The script said it runs with `--dry-run` (lists its keys, scrapes none): see the `dryRun` LogLine. */
  dryRun?: true;
  /**
   * The run's first line read moved it (an outcome, `[31/200] Processing`, a Progress line) with no banner before it:
   * the log begins mid-run, its earlier lines elsewhere (rotated away: tester X13). Its figures are a part of it.
   */
  beganMidway?: true;
  /** An attempt that died at start after the run before it was over: its error is how (dead-attempt.ts). */
  deadStart?: true;
  /**
   * Another run started in this log while this one went on (a backfill started twice into one log: tester Y8), and
   * is read beside it as a run of its own (apply-lines.ts `beside`: tester AA18).
   */
  foreignStart?: true;
  /**
   * An earlier run's rate (completions a minute) as it was when the run ended, kept when it went to history (its
   * completion times are not: tester Y3, an earlier run read 456/min from its last 20 times where it had 809.8/min).
   */
  endRatePerMin?: number | null;
  /** A Cloud Run execution of several tasks: what each task said of its shard (execution-tasks.ts); else absent. */
  tasks?: TaskTally[] | null;
  /**
   * The run is an execution's kept outcomes, its log gone from Cloud Logging (kept-run.ts): the file they were read
   * from, as the screens name it. Absent for a run read from its log.
   */
  keptFrom?: string;
}

/** How many completion times the rate window keeps. */
export const COMPLETION_WINDOW = 200;

/** A run with nothing known yet. */
export function emptyRun(): RunState {
  return {
    title: null,
    startedAt: null,
    lastActivityAt: null,
    finishedAt: null,
    workers: null,
    timeoutSec: null,
    serviceUrl: null,
    total: null,
    queued: 0,
    succeeded: 0,
    failed: 0,
    skipped: 0,
    progressDone: 0,
    failures: {},
    failedKeys: FailedKeys.empty,
    failedKeysOmitted: 0,
    duplicateLines: 0,
    keys: new RunKeys(),
    keysVersion: 0,
    currentKey: null,
    currentKeyDone: true,
    completions: [],
    complete: false,
    summary: {},
    summaryUnseen: 0,
    failedSavedPath: null,
    hasActivity: false,
    exitTrace: false,
    traceOpen: false,
    traceIgnored: false,
    error: null,
    unrecognized: 0,
  };
}

/**
 * What a run's launch said before its log says anything (a Cloud Run execution whose entries have not reached
 * Cloud Logging yet): when it started (epoch ms), how many keys it was given, its workers and timeout (s).
 * Null where not known (an execution started elsewhere gives only its start).
 */
export interface RunSeed {
  startedAt: number | null;
  total: number | null;
  workers: number | null;
  timeoutSec: number | null;
}

/**
 * A run with nothing in its log yet, from its launch's facts: `0/N`, its workers and timeout, elapsed from its
 * start. No line has come, so its first banner is its own (applyLines merges it); the start stays the
 * execution's, so the run is one run to the alerts before and after its first entries.
 */
export function seededRun(seed: RunSeed): RunState {
  const run = emptyRun();
  run.startedAt = seed.startedAt;
  run.total = seed.total;
  run.workers = seed.workers;
  run.timeoutSec = seed.timeoutSec;
  return run;
}

/**
 * Copy of a run that may be mutated while one batch is applied (the caller's run stays untouched).
 * Only bounded parts are copied (failure kinds, the completion window, summary fields): per-key data
 * lives in `keys`, changed in place and read through versioned views, so a batch costs the same at
 * the millionth key as at the first.
 */
export function cloneRun(run: RunState): RunState {
  const out = copyRun(run);
  out.failures = { ...run.failures };
  out.completions = run.completions.slice();
  out.summary = { ...run.summary };
  // A handful of tasks: copied per batch like the summary.
  if (run.tasks) out.tasks = run.tasks.map((t) => ({ ...t, summary: { ...t.summary } }));
  return out;
}

/**
 * A shallow copy of a run made as `emptyRun` makes one: the same fields in the same order, then the optional ones
 * it has, in one order. So a copy has the hidden class (V8's map) of a fresh run with the same optional fields, where
 * `{ ...run }` made a second one: every batch's fold then met two shapes of run, and its optimised code was thrown
 * away and made again on each cold read (foldKeyed, applyLines).
 */
function copyRun(run: RunState): RunState {
  const out: RunState = {
    title: run.title,
    startedAt: run.startedAt,
    lastActivityAt: run.lastActivityAt,
    finishedAt: run.finishedAt,
    workers: run.workers,
    timeoutSec: run.timeoutSec,
    serviceUrl: run.serviceUrl,
    total: run.total,
    queued: run.queued,
    succeeded: run.succeeded,
    failed: run.failed,
    skipped: run.skipped,
    progressDone: run.progressDone,
    failures: run.failures,
    failedKeys: run.failedKeys,
    failedKeysOmitted: run.failedKeysOmitted,
    duplicateLines: run.duplicateLines,
    keys: run.keys,
    keysVersion: run.keysVersion,
    currentKey: run.currentKey,
    currentKeyDone: run.currentKeyDone,
    completions: run.completions,
    complete: run.complete,
    summary: run.summary,
    summaryUnseen: run.summaryUnseen,
    failedSavedPath: run.failedSavedPath,
    hasActivity: run.hasActivity,
    exitTrace: run.exitTrace,
    traceOpen: run.traceOpen,
    traceIgnored: run.traceIgnored,
    error: run.error,
    unrecognized: run.unrecognized,
  };
  // The optional fields, each only when the run has it (as a spread would copy it).
  if ('dryRun' in run) out.dryRun = run.dryRun;
  if ('beganMidway' in run) out.beganMidway = run.beganMidway;
  if ('deadStart' in run) out.deadStart = run.deadStart;
  if ('foreignStart' in run) out.foreignStart = run.foreignStart;
  if ('endRatePerMin' in run) out.endRatePerMin = run.endRatePerMin;
  if ('tasks' in run) out.tasks = run.tasks;
  if ('keptFrom' in run) out.keptFrom = run.keptFrom;
  // A field added to RunState and not above is still copied (in a shape of its own: add it above).
  for (const k in run) if (!(k in out)) (out as unknown as Record<string, unknown>)[k] = (run as unknown as Record<string, unknown>)[k];
  return out;
}

/** The run's done count: everything that got an outcome, skips included. */
export function doneOf(run: RunState): number {
  return run.succeeded + run.failed + run.skipped;
}

/** A run as kept in history: counts only, no per-key maps (a log may hold hundreds of runs). */
export function archiveRun(run: RunState, endRatePerMin: number | null): RunState {
  const out = copyRun(run);
  out.failedKeys = FailedKeys.empty;
  out.keys = null;
  out.keysVersion = 0;
  out.completions = [];
  out.endRatePerMin = endRatePerMin;
  return out;
}

/**
 * What a run snapshot says, without its bookkeeping: the per-key store and its version depend on how
 * the log was cut into batches, the facts do not. Failed keys as `[key, failure]` pairs, oldest first.
 * For comparing two reads of the same log (tests, tools).
 */
export function runFacts(run: RunState | null) {
  if (!run) return null;
  const { keys: _keys, keysVersion: _version, failedKeys, ...facts } = run;
  return { ...facts, failedKeys: [...failedKeys] };
}
