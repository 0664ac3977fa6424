import { currentFailures, errorLabel, keyHistory, persistentKeys, summarise, type FailureRow, type FailureSummary, type KeyHistory } from '../failures/analysis.js';
import type { AppState } from './app-state.js';

/** The failures table and its grouped summary, as the failures view and the dashboard line show them. */
export interface FailuresView {
  rows: FailureRow[];
  shown: FailureRow[];
  summary: FailureSummary;
  /** Per key: in how many failed-keys files (runs) it appears, and with which errors. */
  history: Map<string, KeyHistory>;
}

// Persistence and history scan every failed file: once per set of files, not per frame.
const persistentCache = new WeakMap<object, { tried: unknown; keys: Set<string> }>();
const historyCache = new WeakMap<object, Map<string, KeyHistory>>();

let last: { inputs: unknown[]; view: FailuresView } | null = null;

/** Rows: the latest run's failures (log merged with the newest file), recovered when now in storage. */
export function failuresView(state: AppState): FailuresView {
  const run = state.log.current;
  const files = state.failed.files;
  const storage = state.coverage.storage?.keys ?? null;
  const tried = state.failed.tried;
  const inputs = [run?.failedKeys, state.failed.current, storage, files, tried, state.ui.filter];
  if (last && last.inputs.every((x, i) => x === inputs[i])) return last.view;
  let cached = persistentCache.get(files);
  if (!cached || cached.tried !== tried) {
    cached = { tried, keys: persistentKeys(files, tried ?? undefined) };
    persistentCache.set(files, cached);
  }
  const persistent = cached.keys;
  const rows = currentFailures({
    latestFile: state.failed.current,
    liveFailures: run && run.failedKeys.size ? run.failedKeys : null,
    liveRunStartedAt: run?.startedAt ?? null,
    presentInStorage: storage,
    persistent,
  });
  const filter = state.ui.filter.toLowerCase();
  const matching = filter ? rows.filter((r) => `${r.key} ${r.status} ${r.error}`.toLowerCase().includes(filter)) : rows;
  // Keys still failing first; recovered ones (now in storage) at the end, for the record.
  const shown = [...matching.filter((r) => !r.recovered), ...matching.filter((r) => r.recovered)];
  let history = historyCache.get(files);
  if (!history) {
    history = keyHistory(files);
    historyCache.set(files, history);
  }
  const view = { rows, shown, summary: summarise(rows), history };
  last = { inputs, view };
  return view;
}

/** One line for the dashboard: "failing 202 · HTTP 500: 192 · timeout: 10 · Apr–Jun: 164 of 202 · 12 persistent". */
export function failureSummaryLine(state: AppState): string | null {
  const { rows, summary } = failuresView(state);
  if (rows.length === 0) return null;
  const parts = [`failing ${summary.failing}`];
  if (summary.byError) parts.push(summary.byError);
  if (summary.byMonth) parts.push(summary.byMonth);
  if (summary.persistent) parts.push(`${summary.persistent} persistent`);
  if (summary.recovered) parts.push(`${summary.recovered} recovered`);
  return parts.join(' · ');
}

/** The error groups `R` offers: each with the keys still failing in it. */
export function retryGroups(state: AppState): { label: string; keys: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const r of failuresView(state).rows) {
    if (r.recovered) continue;
    const label = errorLabel(r);
    groups.set(label, [...(groups.get(label) ?? []), r.key]);
  }
  return [...groups.entries()].map(([label, keys]) => ({ label, keys })).sort((a, b) => b.keys.length - a.keys.length);
}
