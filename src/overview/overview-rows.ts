import { readingLog } from '../state/log-reading.js';
import { failuresUnknown } from '../state/failures-known.js';
import { nextUnmetTarget, type TargetStatus } from '../coverage/math.js';
import type { AppState } from '../state/app-state.js';
import { coverageView, type SourceCoverage } from '../state/coverage-view.js';
import { currentFigures } from '../state/current-figures.js';
import { failuresView } from '../state/failures-view.js';
import { isLive, type RunStatus } from '../state/run-view.js';
import { problemKind, rowProblems, runUnknown, type RowProblem } from './row-problem.js';
import { strangerRun } from '../state/writer.js';

/** One source of a job as the overview shows it: percent, and the next unmet target with what it needs. */
export interface OverviewSource {
  present: number | null;
  expected: number | null;
  percent: number | null;
  next: TargetStatus | null;
  error: string | null;
  /** The error's kind in a few words (`no access (403)`), or null. */
  errorKind: string | null;
  /** No figures because the expected keys could not be read (not this source's fault). */
  noExpected: boolean;
  /** No answer yet and none failed: its first look is to come or under way, the cell says `checking…`, not `unknown`. */
  firstLook?: boolean;
  /** Not looked at until the expected keys are read (the warehouse's query needs them). */
  waits?: boolean;
}

/** One job's row of the overview. */
export interface OverviewRow {
  job: string;
  status: RunStatus;
  /** The log's history is still being read: the run figures are partial (a finished run can look half done). */
  reading: boolean;
  done: number;
  total: number | null;
  ratePerMin: number | null;
  etaSeconds: [number, number] | null;
  /** Keys still failing (the latest failed-keys file and the live run, minus keys now in storage), as the failures view counts them. */
  failed: number;
  /** Which keys fail is not known (the failed-keys files not read by a one-shot look: failures-known.ts): no count. */
  failedUnknown?: true;
  /** The run's counts are not known (RunFigures.countsUnknown): the run cell says `not known`. */
  runCountsUnknown?: true;
  /** No entry of its execution's log read yet (RunFigures.countsAwaited): with no failure known, the failing cell says `waiting`. */
  runCountsAwaited?: true;
  /** The error kind with the most failing keys, and how many keys it has. */
  worstError: string | null;
  worstCount: number;
  /** Failures of the current run (its bar's failed part). */
  runFailed: number;
  /** The run's scraped and skipped keys (with runFailed: its bar's segments, as on the job screen). */
  runSucceeded: number;
  runSkipped: number;
  storage: OverviewSource | null;
  warehouse: OverviewSource | null;
  /** Age of the newest coverage figures (or of the newest log line for a job with no coverage source). */
  ageMs: number | null;
  /** No figures yet, the first look of a source under way: the age cell is blank, never `never` beside `checking…`. */
  ageAwaited?: true;
  /**
   * The first failing source (Cloud Run, Cloud Logging or the log before the expected keys, storage, warehouse),
   * and how many fail; a job whose run figures cannot be read is in state `error`, never a calm `waiting`.
   */
  problem: RowProblem | null;
  problems: number;
  /** The run's state is unknown: its source (Cloud Run, Cloud Logging, the log file) fails and nothing was read. */
  runUnknown: boolean;
  /**
   * The run is not one started here (a process this dashboard did not launch writes the log, or a Cloud Run execution
   * from gcloud or the console): its job screen says `running (external)` and `x` cannot stop it (tester AH5 c).
   */
  external?: true;
  /** A stop (local SIGINT/SIGTERM grace) or a cancel is under way: the row says `stopping`, as the job screen (tester W23). */
  stopping?: boolean;
  /** The run is a `--dry-run` (it lists its keys, scrapes none): the row says `dry run` once it is over (tester X15). */
  dryRun?: boolean;
  /** 0 stalled, ended without summary, or a source failing; 1 running, 2 under target, 3 done: what needs the operator first. */
  rank: number;
}

function source(s: SourceCoverage | null, expectedError: string | null): OverviewSource | null {
  if (!s) return null;
  const c = s.coverage;
  return { present: c?.present ?? null, expected: c?.expected ?? null, percent: c ? c.percent : null, next: c ? nextUnmetTarget(c.targets) : null, error: s.error, errorKind: s.error ? problemKind(s.error) : null, noExpected: !c && expectedError !== null, firstLook: s.checkedAt === null && !s.error && !s.waits, waits: !!s.waits };
}


// A row per state object: the overview redraws when any job changes, and the others' rows stay as they were.
const rowCache = new WeakMap<AppState, OverviewRow>();

/** The overview row of one job's state. */
export function overviewRow(state: AppState): OverviewRow {
  let row = rowCache.get(state);
  if (!row) {
    row = computeRow(state);
    rowCache.set(state, row);
  }
  return row;
}

export { readingLog };

function computeRow(state: AppState): OverviewRow {
  const run = state.log.current;
  const reading = readingLog(state);
  const f = currentFigures(state);
  const cov = coverageView(state);
  const storage = source(cov.storage, state.coverage.expectedError);
  const warehouse = source(cov.warehouse, state.coverage.expectedError);
  const failing = failuresView(state).summary;
  const worst = failing.byError[0];
  const checked = [cov.storage?.checkedAt, cov.warehouse?.checkedAt].filter((t): t is number => typeof t === 'number');
  // Not from a log read in part: its newest line read is not the log's (tester Z12). Nor the log's age for a job that has
  // coverage sources none of which answered yet: beside `checking…` it read as the age of figures not yet there (AJ5 d).
  const sources = [storage, warehouse].filter((x): x is OverviewSource => x !== null);
  const newest = checked.length ? Math.max(...checked) : reading || sources.length ? null : (run?.lastActivityAt ?? null);
  const firstLook = checked.length === 0 && sources.some((x) => x.firstLook);
  const firstTarget = Math.min(...state.coverage.targets);
  // Under target: a source below the lowest target, or not known yet.
  const short = (s: OverviewSource | null) => s !== null && (s.percent === null || (s.next !== null && s.next.percent <= firstTarget));
  const problems = rowProblems(state);
  // Nothing read of the run and its source failing: `waiting` would say all is calm (tester T18).
  const unknown = runUnknown(state);
  let rank = 3;
  // A failing source needs the operator (credentials, a region, a table name) whatever the run does.
  if (problems.length) rank = 0;
  // Half-read, nothing is known yet: among the jobs under target, never above a job known to need the operator.
  else if (reading) rank = 2;
  else if (f.status === 'stalled' || f.status === 'stuck' || f.status === 'ended') rank = 0;
  else if (f.status === 'incomplete') rank = 1;
  else if (isLive(f.status)) rank = 1;
  else if (short(storage) || short(warehouse) || (!storage && !warehouse && f.status !== 'complete')) rank = 2;
  return {
    job: state.job,
    status: f.status,
    reading,
    done: f.done,
    total: f.total,
    ratePerMin: f.ratePerMin,
    etaSeconds: f.etaSeconds,
    failed: failing.failing,
    worstError: worst ? worst.label : null,
    worstCount: worst ? worst.count : 0,
    runFailed: run?.failed ?? 0,
    runSucceeded: run?.succeeded ?? 0,
    runSkipped: run?.skipped ?? 0,
    storage,
    warehouse,
    ageMs: newest === null ? null : Math.max(0, state.now - newest),
    ...(firstLook ? { ageAwaited: true as const } : {}),
    problem: problems[0] ?? null,
    ...(run?.dryRun ? { dryRun: true } : {}),
    // Not known as status says it (failed-keys files unread, an execution's log unread, executions not listed):
    // `not known`, never `0` (tester AD10's nit: the overview's text said 0 for a job whose Cloud Logging was down).
    ...(failuresUnknown(state) ? { failedUnknown: true as const } : {}),
    // Its log gone and nothing kept: `not known`, never `0/342` (tester AF1).
    ...(f.countsUnknown ? { runCountsUnknown: true as const } : {}),
    // Its execution's log with no entry read yet: the failing cell waits, never a `0` made of nothing (AJ5 e).
    ...(f.countsAwaited ? { runCountsAwaited: true as const } : {}),
    problems: problems.length,
    runUnknown: unknown,
    stopping: state.process.stopping !== null || state.place?.cancelling === true,
    ...(strangerRun(state.process) ? { external: true as const } : {}),
    rank,
  };
}

/** Rows sorted by what needs the operator; config order among equals. */
export function overviewRows(states: AppState[]): OverviewRow[] {
  return states
    .map((s, i) => ({ row: overviewRow(s), i }))
    .sort((a, b) => a.row.rank - b.row.rank || a.i - b.i)
    .map((x) => x.row);
}
