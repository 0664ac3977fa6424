import {
  currentFailures,
  errorLabel,
  fileOlderThan,
  formatGroups,
  formatMonths,
  dayOf,
  groupByError,
  keyHistory,
  persistentSentence,
  keyStreaks,
  runsOfFiles,
  type FailureRow,
  type FailureSummary,
  type KeyHistory,
  type KeySet,
  type RunOutcome,
} from '../failures/analysis.js';
import type { AppState } from './app-state.js';
import { OUTCOME_MASK, OUTCOME_NONE, OUTCOME_SKIPPED, OUTCOME_SUCCEEDED } from './key-ledger.js';
import { phaseOf } from '../phases/calendar.js';
import { summariseFailures } from '../failures/summary.js';

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
}

// History scans every failed file: once per set of files, not per frame.
const historyCache = new WeakMap<object, Map<string, KeyHistory>>();

let last: { inputs: unknown[]; view: FailuresView } | null = null;

/**
 * The runs persistence looks at: one per failed-keys file, plus the live run when its log has failures
 * and no file of its own yet (the newest file was written before it started).
 */
// One set per failed file, built once per set of files (not per frame or per log batch).
const runsCache = new WeakMap<object, { tried: unknown; runs: RunOutcome[] }>();

function runsFor(state: AppState): RunOutcome[] {
  let cached = runsCache.get(state.failed.files);
  if (!cached || cached.tried !== state.failed.tried) {
    cached = { tried: state.failed.tried, runs: runsOfFiles(state.failed.files, state.failed.tried) };
    runsCache.set(state.failed.files, cached);
  }
  const runs = [...cached.runs];
  const live = state.log.current;
  const current = state.failed.current;
  if (live && live.failedKeys.size && live.startedAt !== null && (!current || fileOlderThan(current, live.startedAt))) {
    // Tried by the live run: keys its log gave an outcome (queued alone is not yet tried).
    const ledger = live.keys?.ledger;
    const tried = ledger ? { has: (k: string) => (ledger.peek(k) & OUTCOME_MASK) !== OUTCOME_NONE } : null;
    runs.push({ id: 'live', failed: new Set(live.failedKeys.keys()), tried });
  }
  return runs;
}

/** Keys the live run scraped or skipped, from its per-key store (null when it keeps none). */
function liveSucceeded(run: AppState['log']['current']): KeySet | null {
  const ledger = run?.keys?.ledger;
  if (!ledger) return null;
  return { has: (k) => { const o = ledger.peek(k) & OUTCOME_MASK; return o === OUTCOME_SUCCEEDED || o === OUTCOME_SKIPPED; } };
}

/** Rows: the latest run's failures (log merged with the newest file), recovered when now in storage. */
export function failuresView(state: AppState): FailuresView {
  const run = state.log.current;
  const files = state.failed.files;
  const storage = state.coverage.storage?.keys ?? null;
  const dates = state.coverage.expected?.dates ?? null;
  // Outcome counts move when the live run scrapes a key of an older file: that row then goes.
  const inputs = [run?.failedKeys, run?.startedAt, run?.succeeded, run?.skipped, state.failed.current, storage, files, state.failed.tried, state.ui.filter, state.phases, dates];
  if (last && last.inputs.every((x, i) => x === inputs[i])) return last.view;
  const base = {
    latestFile: state.failed.current,
    liveFailures: run && run.failedKeys.size ? run.failedKeys : null,
    liveRunStartedAt: run?.startedAt ?? null,
    liveSucceeded: liveSucceeded(run),
    presentInStorage: storage,
    calendar: state.phases,
    dates,
  };
  // The summary is one pass over the keys; the table (rows, sorted, with streaks) only when something reads it.
  // Streaks need two runs: without a failed-keys file the live run is the only one.
  let rows: FailureRow[] | undefined;
  let shown: FailureRow[] | undefined;
  let history: Map<string, KeyHistory> | undefined;
  const view: FailuresView = {
    summary: summariseFailures(base, files.length > 0 ? runsFor(state) : null, state.phases.labels),
    get rows() {
      if (rows) return rows;
      // Streaks only for the keys on the table: keys × runs, not every key of every file.
      const keys = currentFailures(base).map((r) => r.key);
      rows = currentFailures({ ...base, streaks: keyStreaks(runsFor(state), keys, storage) });
      return rows;
    },
    get shown() {
      if (shown) return shown;
      const all = view.rows;
      const filter = state.ui.filter.toLowerCase();
      const matching = filter ? all.filter((r) => `${r.key} ${r.status} ${r.error} ${r.phase}`.toLowerCase().includes(filter)) : all;
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

/** One line for the dashboard: "failing 35 · 35 persistent · HTTP 500 23 · timeout 12 · All-Star 8 · Play-In 12 · Playoffs 15". */
export function failureSummaryLine(state: AppState): string | null {
  const { summary } = failuresView(state);
  if (summary.failing + summary.recovered === 0) return null;
  // What decides the next step first (persistent: a retry will not help), then the groups; the line is cut at the width.
  const parts = [`failing ${summary.failing}`];
  if (summary.persistent) parts.push(`${summary.persistent} persistent`);
  if (summary.recovered) parts.push(`${summary.recovered} recovered`);
  if (summary.byError.length) parts.push(formatGroups(summary.byError));
  if (summary.byPhase.length) parts.push(formatGroups(summary.byPhase));
  return parts.join(' · ');
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
    ...summary.byError.map((g) => ({ label: `error ${g.label}`, keys: kinds.get(g.label) ?? [] })),
    ...summary.byPhase.map((g) => ({ label: `phase ${g.label}`, keys: phases.get(g.label) ?? [] })),
    ...summary.byMonth.filter((g) => months.has(g.label)).map((g) => ({ label: `month ${g.label}`, keys: months.get(g.label) ?? [] })),
  ];
}

/** The lines above the failures table: every group shown (months may wrap), then what persistence means. */
export function failureGroupLines(summary: FailureSummary): { label: string; text: string; wrap: boolean }[] {
  const lines = [
    { label: 'by error', text: formatGroups(summary.byError) || '–', wrap: false },
    { label: 'by phase', text: formatGroups(summary.byPhase) || '–', wrap: false },
    { label: 'by month', text: formatMonths(summary.byMonth) || '–', wrap: true },
    { label: 'keys', text: `failing ${summary.failing} · recovered ${summary.recovered} · persistent ${summary.persistent}`, wrap: false },
  ];
  const sentence = persistentSentence(summary);
  if (sentence) lines.push({ label: '', text: sentence, wrap: true });
  return lines;
}

/** "failed in 3 of 3 runs that tried it" */
export function runsText(r: Pick<FailureRow, 'failedIn' | 'triedIn'>): string {
  return `failed in ${r.failedIn} of ${r.triedIn} run${r.triedIn === 1 ? '' : 's'} that tried it`;
}

/** One failed-keys file (one run) for `h` history: when its run started, how many failed, by phase and by kind. */
export interface FileFailures {
  name: string;
  runStartedAt: number | null;
  failed: number;
  byPhase: string;
  byError: string;
}

const fileCache = new WeakMap<object, { phases: unknown; dates: unknown; out: FileFailures[] }>();

/** Every failed-keys file, oldest first, its failures grouped by phase (calendar order) and error kind. */
export function fileFailures(state: AppState): FileFailures[] {
  const files = state.failed.files;
  const dates = state.coverage.expected?.dates ?? null;
  const hit = fileCache.get(files);
  if (hit && hit.phases === state.phases && hit.dates === dates) return hit.out;
  const out = [...files].reverse().map((f) => {
    const counts = new Map<string, number>();
    for (const e of f.entries) {
      const label = phaseOf(state.phases, dayOf(e.key, e.date, dates));
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
    const order = state.phases.labels;
    const byPhase = [...counts].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)).map(([label, count]) => ({ label, count }));
    return { name: f.name, runStartedAt: f.runStartedAt, failed: f.entries.length, byPhase: formatGroups(byPhase), byError: formatGroups(groupByError(f.entries)) };
  });
  fileCache.set(files, { phases: state.phases, dates, out });
  return out;
}
