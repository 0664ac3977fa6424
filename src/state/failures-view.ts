import { readingLog } from './log-reading.js';
import { executionLogUnread, executionsUnlisted } from './failures-known.js';
import { countOf, formatCount } from '../format.js';
import {
  currentFailures,
  errorLabel,
  formatGroups,
  formatMonths,
  dayOf,
  groupByError,
  keyHistory,
  persistentSentence,
  persistentUnknown,
  type FailureRow,
  type FailureSummary,
  type KeyHistory,
  type KeySet,
} from '../failures/analysis.js';
import { fileRun, foldRuns, forEachVerdict, forEachVerdictPart, oldestFirst, statusOf, type KeyVerdict, type LogRun, type VerdictPart, type VerdictVisit } from '../failures/verdicts.js';
import type { AppState } from './app-state.js';
import { compareNewestFirst, type FailedEntry, type FailedFile } from '../failures/failed-file.js';
import { withLogRunFailures } from './log-run-failures.js';
import { OUTCOME_MASK, OUTCOME_SKIPPED, OUTCOME_SUCCEEDED } from './key-ledger.js';
import { phaseOf } from '../phases/calendar.js';
import { summariseFailures } from '../failures/summary.js';
import { earlierRuns, trailWithBeside } from './log-runs.js';

/**
 * The failures table and its grouped summary, as the failures view, the dashboard line and status show them.
 * `summary` is counted when the view is made; `rows`, `shown` and `history` are built on first read.
 */
export interface FailuresView {
  readonly rows: FailureRow[];
  readonly shown: FailureRow[];
  summary: FailureSummary;
  /** Per key: in how many failed-keys files (runs) it appears, and with which errors. */
  readonly history: Map<string, KeyHistory>;
  /** The keys still failing (not recovered), for the calendar: without building the table. */
  readonly failing: ReadonlySet<string>;
}

// History scans every failed file: once per set of files, not per frame.
const historyCache = new WeakMap<object, Map<string, KeyHistory>>();

let last: { inputs: unknown[]; view: FailuresView } | null = null;

// The files older than the log's run, folded once per set of files (not per frame or per log batch).
const foldCache = new WeakMap<object, { tried: unknown; upTo: number; verdicts: ReadonlyMap<string, KeyVerdict> }>();

function filesFold(state: AppState, files: FailedFile[], upTo: number): ReadonlyMap<string, KeyVerdict> {
  const { tried } = state.failed;
  const hit = foldCache.get(files);
  if (hit && hit.tried === tried && hit.upTo === upTo) return hit.verdicts;
  const verdicts = foldRuns(oldestFirst(files).slice(0, upTo).map((f) => fileRun(f, tried)));
  foldCache.set(files, { tried, upTo, verdicts });
  return verdicts;
}

/** Keys the run scraped or skipped, from its per-key store (null when it keeps none). */
function succeededIn(run: AppState['log']['current']): KeySet | null {
  const ledger = run?.keys?.ledger;
  if (!ledger) return null;
  return { has: (k) => { const o = ledger.peek(k) & OUTCOME_MASK; return o === OUTCOME_SUCCEEDED || o === OUTCOME_SKIPPED; } };
}

/** The log's newest run, as the failure rule reads it. */
function logRun(state: AppState): LogRun | null {
  const run = state.log.current;
  if (!run) return null;
  return { failures: run.failedKeys, startedAt: run.startedAt, lastActivityAt: run.lastActivityAt, succeeded: succeededIn(run), trail: trailWithBeside(state.log) };
}

/**
 * Every key a run failed, failing while the latest run that tried it failed it (see `KeyVerdict`),
 * recovered when a later run scraped it (the log's run, an earlier run of the log: see log-trail.ts, a
 * run launched from here) or storage holds it now. Persistence only with storage listed (isPersistent).
 */
export function failuresView(state: AppState): FailuresView {
  const run = state.log.current;
  // The failed-keys files, and the failures of earlier runs of the log that wrote none (tester U12).
  // A second writer's run beside the current one counts as an earlier run of the log (tester AA18).
  const trail = trailWithBeside(state.log);
  const files = withLogRunFailures(state.failed.files, trail, earlierRuns(state.log));
  const storage = state.coverage.storage?.keys ?? null;
  const dates = state.coverage.expected?.dates ?? null;
  // Outcome counts move when the log's run scrapes a key an older run failed: that row then recovers.
  const inputs = [run?.failedKeys, run?.startedAt, run?.lastActivityAt, run?.succeeded, run?.skipped, run?.keys, trail, storage, files, state.failed.tried, state.ui.filter, state.phases, dates];
  if (last && last.inputs.every((x, i) => x === inputs[i])) return last.view;
  const log = logRun(state);
  const each = (visit: VerdictVisit) => forEachVerdict(files, state.failed.tried, log, visit, (upTo) => filesFold(state, files, upTo));
  const parts = (onPart: VerdictPart) => forEachVerdictPart(files, state.failed.tried, log, onPart, (upTo) => filesFold(state, files, upTo));
  const input = { verdicts: each, verdictParts: parts, presentInStorage: storage, calendar: state.phases, dates };
  // The summary is one pass over the keys; the table (rows, sorted) only when something reads it.
  let rows: FailureRow[] | undefined;
  let shown: FailureRow[] | undefined;
  let history: Map<string, KeyHistory> | undefined;
  let failing: Set<string> | undefined;
  const view: FailuresView = {
    summary: withoutPhases(summariseFailures(input, state.phases.labels), state.phases.none === true),
    get failing() {
      if (failing) return failing;
      const keys = new Set<string>();
      each((key, v) => v.failing && !storage?.has(key) && keys.add(key));
      return (failing = keys);
    },
    get rows() {
      rows ??= currentFailures(input);
      return rows;
    },
    get shown() {
      if (shown) return shown;
      const all = view.rows;
      const filter = state.ui.filter.toLowerCase();
      const matching = filter ? all.filter((r) => filterText(r).includes(filter)) : all;
      // Keys still failing first; recovered ones (now in storage) at the end, for the record.
      shown = [...matching.filter((r) => !r.recovered), ...matching.filter((r) => r.recovered)];
      return shown;
    },
    get history() {
      history ??= historyCache.get(files);
      if (!history) {
        history = keyHistory(files);
        historyCache.set(files, history);
      }
      return history;
    },
  };
  last = { inputs, view };
  return view;
}

/** One line for the dashboard: "failing 35 · 35 persistent (All-Star 8, Play-In 12, Playoffs 15) · HTTP 500 23 · timeout 12". */
export function failureSummaryLine(state: AppState): string | null {
  const { summary } = failuresView(state);
  if (summary.failing + summary.recovered === 0) return null;
  // What decides the next step first (persistent: a retry will not help), then the groups; the line is cut at the width.
  // While the history is read the figures are of the part read: said first, never shown as the facts (W23).
  const partial = partialNote(state);
  const parts = [`${partial ? `${partial}: ` : ''}failing ${formatCount(summary.failing)}`];
  if (summary.persistent === null) parts.push(`persistent: ${persistentUnknown(state.coverage.storage !== null)}`);
  // The persistent keys' days with them, before anything the width may cut (tester AD4: `… · All-Sta…`).
  else if (summary.persistent) parts.push(`${formatCount(summary.persistent)} persistent${summary.persistentByPhase.length ? ` (${formatGroups(summary.persistentByPhase, ', ')})` : ''}`);
  if (summary.recovered) parts.push(`${formatCount(summary.recovered)} recovered`);
  if (summary.byError.length) parts.push(formatGroups(summary.byError));
  // Every failing key persistent: its phases were just said.
  if (summary.byPhase.length && summary.persistent !== summary.failing) parts.push(formatGroups(summary.byPhase));
  return parts.join(' · ');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * What `/` matches a row by (lower case): its key, status, error and phase, and its date with its month's name, the
 * words the `by month` line reads (tester AK6: a game-id key's date was nowhere to match, `/2023-0` and `/Apr` found
 * none of the 15 keys `by month` listed for April 2023).
 */
export function filterText(r: Pick<FailureRow, 'key' | 'status' | 'error' | 'phase' | 'day'>): string {
  const month = r.day ? (MONTHS[Number(r.day.slice(5, 7)) - 1] ?? '') : '';
  return `${r.key} ${r.status} ${r.error} ${r.phase} ${r.day ?? ''} ${month}`.toLowerCase();
}

/** A group `R` offers: its kind, what the operator reads, and the keys still failing in it. */
export interface RetryGroup {
  label: string;
  keys: string[];
}

/** The groups `R` offers: error kinds (most first), then phases (calendar order), then months (oldest first). */
export function retryGroups(state: AppState): RetryGroup[] {
  const failing = failuresView(state).rows.filter((r) => !r.recovered);
  const { summary } = failuresView(state);
  const keysBy = (label: (r: FailureRow) => string | null) => {
    const m = new Map<string, string[]>();
    for (const r of failing) {
      const l = label(r);
      if (l !== null) m.set(l, [...(m.get(l) ?? []), r.key]);
    }
    return m;
  };
  const kinds = keysBy(errorLabel);
  const phases = keysBy((r) => r.phase);
  const months = keysBy((r) => (r.day ? r.day.slice(0, 7) : null));
  return [
    ...summary.byError.map((g) => ({ label: groupLabel('error', g.label), keys: kinds.get(g.label) ?? [] })),
    ...summary.byPhase.map((g) => ({ label: groupLabel('phase', g.label), keys: phases.get(g.label) ?? [] })),
    ...summary.byMonth.filter((g) => months.has(g.label)).map((g) => ({ label: groupLabel('month', g.label), keys: months.get(g.label) ?? [] })),
  ];
}

/**
 * A group's label as `R` lists it and its box says it: `error HTTP 500`, `phase Playoffs`; a name that already begins
 * with the group's word is said alone, never the word twice (AJ5: a failure whose status is `error` read
 * `error error: 1 key`; a phase named `Phase 2`, `phase Phase 2`).
 */
export function groupLabel(word: string, name: string): string {
  const first = name.trim().split(/\s+/)[0]?.toLowerCase();
  return first === word ? name : `${word} ${name}`;
}

/** The lines above the failures table: every group shown (months may wrap), then what persistence means. */
export function failureGroupLines(summary: FailureSummary, phases = true, partial: string | null = null, storageConfigured = true): { label: string; text: string; wrap: boolean }[] {
  const lines = [
    // The history still being read: every figure below is of the part read (W23: `failing 709` at 5 %, truth 11,806).
    ...(partial ? [{ label: '', text: `${partial}: the figures below grow as it is read`, wrap: false }] : []),
    { label: 'by error', text: formatGroups(summary.byError) || '–', wrap: false },
    ...(phases ? [{ label: 'by phase', text: formatGroups(summary.byPhase) || '–', wrap: false }] : []),
    { label: 'by month', text: formatMonths(summary.byMonth) || '–', wrap: true },
    { label: 'keys', text: `failing ${formatCount(summary.failing)} · recovered ${formatCount(summary.recovered)} · persistent ${summary.persistent === null ? persistentUnknown(storageConfigured) : formatCount(summary.persistent)}`, wrap: false },
  ];
  // Not known: said once, on the keys line.
  const sentence = summary.persistent === null ? null : persistentSentence(summary);
  if (sentence) lines.push({ label: '', text: sentence, wrap: true });
  return lines;
}

/**
 * "failed in 3 of 3 runs from its first failure on"; with storage not listed the counts are of the runs known to have
 * tried it (a silent run may have too): "failed in 3 of 3 runs known to have tried it, from its first failure on".
 */
export function runsText(r: Pick<FailureRow, 'failedIn' | 'triedIn'> & { persistentKnown?: boolean }): string {
  // Counted from its first failure on (README, Failures view): a run keeps the keys it tried only while it is the
  // log's current one, so the runs that scraped it before it ever failed are not known. Said, so that `22 of 149` in a
  // log of 150 runs is not read as 149 runs tried it (tester AD8).
  return `failed in ${r.failedIn} of ${countOf(r.triedIn, 'run')}${r.persistentKnown === false ? ' known to have tried it,' : ''} from its first failure on`;
}

/** The failures table's `now` cell: recovered, persistent, missing (from storage), or failing (storage not listed). */
export function nowText(r: Pick<FailureRow, 'recovered' | 'persistent' | 'persistentKnown'>): string {
  return r.recovered ? 'recovered' : r.persistent ? 'persistent' : r.persistentKnown ? 'missing' : 'failing';
}

/** One failed-keys file (one run) for `h` history: when its run started, how many failed, by phase and by kind. */
export interface FileFailures {
  name: string;
  runStartedAt: number | null;
  failed: number;
  byPhase: string;
  byError: string;
  /** A Cloud Run execution's outcomes read from its log, not a file. */
  fromExecution: boolean;
}

const fileCache = new WeakMap<object, { phases: unknown; dates: unknown; out: FileFailures[] }>();

/** Every failed-keys file, oldest first, its failures grouped by phase (calendar order) and error kind. */
export function fileFailures(state: AppState): FileFailures[] {
  // The files alone: a Cloud Run job's earlier executions are runs of the rule, not files (see `h`'s executions).
  const files = state.failed.fromFiles ?? state.failed.files;
  const dates = state.coverage.expected?.dates ?? null;
  const hit = fileCache.get(files);
  if (hit && hit.phases === state.phases && hit.dates === dates) return hit.out;
  // Oldest first by when each run began: a Cloud Run job's executions come oldest first, its files newest first (tester
  // AC2: `h` listed an earlier execution under a later one in a section headed `newest first`).
  const out = [...files].sort(compareNewestFirst).reverse().map((f) => fileFailuresOf(state, f.name, f.runStartedAt, f.entries, f.execution !== undefined));
  fileCache.set(files, { phases: state.phases, dates, out });
  return out;
}

function fileFailuresOf(state: AppState, name: string, runStartedAt: number | null, entries: FailedEntry[], fromExecution: boolean): FileFailures {
  const dates = state.coverage.expected?.dates ?? null;
  const counts = new Map<string, number>();
  for (const e of entries) {
    const label = phaseOf(state.phases, dayOf(e.key, e.date, dates));
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const order = state.phases.labels;
  const byPhase = [...counts].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([label, count]) => ({ label, count }));
  return { name, runStartedAt, failed: entries.length, byPhase: state.phases.none ? '' : formatGroups(byPhase), byError: formatGroups(groupByError(entries)), fromExecution };
}

/**
 * The followed Cloud Run execution's failures, from its log (the log's run), for `h`: the executions before it are
 * kept files, and it is none of them (tester AC2: the newest execution's 2 failures were never in `h`). [] before a line
 * of it is read, and for a local job (its run's failed-keys file is written at its end).
 */
export function followedFailures(state: AppState): FileFailures[] {
  const e = state.place?.execution;
  const run = state.log.current;
  // Read, it is listed, `no failures` when it failed none (tester AE13's nit: the followed one was left out then, as
  // README has each execution read listed); a run standing in from its kept file is listed from that file.
  if (!e || !run || run.keptFrom !== undefined || (!run.hasActivity && !run.complete)) return [];
  const entries: FailedEntry[] = [];
  for (const [key, f] of run.failedKeys) entries.push({ key, status: statusOf(f.failure), error: f.error || f.failure });
  return [fileFailuresOf(state, `execution ${e.id}`, e.startTime ?? e.createTime, entries, true)];
}

/** With `"phases": null` no key has a phase: no `by phase` line, group or count anywhere (tester U16). */
function withoutPhases(summary: FailureSummary, none: boolean): FailureSummary {
  return none ? { ...summary, byPhase: [], persistentByPhase: [] } : summary;
}

/** `so far (log 5 % read)` while the history is read, else null (log-reading.ts). */
export function partialNote(state: AppState): string | null {
  // A Cloud Run job's failures without the newest execution's (its log not read, or the executions not listed):
  // what was read, said as such, as status says `not known` (tester AD10).
  if (executionLogUnread(state)) return "so far (the execution's log not read)";
  if (executionsUnlisted(state)) return 'so far (the executions not listed)';
  // A read under way with its size known (before the follower's first look no failure can have been read from it).
  const { bytesRead, size } = state.log;
  if (!readingLog(state) || size <= 0) return null;
  return `so far (log ${Math.floor((bytesRead / size) * 100)} % read)`;
}
