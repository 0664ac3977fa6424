import { compareNewestFirst, type FailedEntry, type FailedFile } from './failed-file.js';

/** What grouping needs of a failure: its status and error text, and a date when the key is an id. */
type Failure = Pick<FailedEntry, 'key' | 'status' | 'error' | 'date'>;

/** One error group and how many failures fall in it. */
export interface ErrorGroup {
  label: string;
  count: number;
}

/** Failures of one calendar month, `month` as YYYY-MM. */
export interface MonthCount {
  month: string;
  count: number;
}

/** Failures in one part of the season, out of all failures that carry a date. */
export interface PhaseCount {
  label: string;
  count: number;
  of: number;
}

/** What the failed-keys files say about one key across runs. */
export interface KeyHistory {
  /** Files (runs) it appears in. */
  runs: number;
  /** Distinct error groups (see `errorLabel`), oldest first. */
  errors: string[];
  lastError: string;
  lastStatus: string;
}

/** One row of the failures table. A recovered key is in storage now and no longer counts as failing. */
export interface FailureRow extends FailedEntry {
  recovered: boolean;
  persistent: boolean;
  source: 'log' | 'file';
}

/** The grouped line above the failures table. */
export interface FailureSummary {
  byError: string;
  byMonth: string;
  persistent: number;
  failing: number;
  recovered: number;
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/;
/** NBA terms: regular season, then play-in and playoffs (where the real 244-date retry failed), then the off-season. */
const PHASES: { label: string; months: number[] }[] = [
  { label: 'Oct–Mar', months: [10, 11, 12, 1, 2, 3] },
  { label: 'Apr–Jun', months: [4, 5, 6] },
  { label: 'Jul–Sep', months: [7, 8, 9] },
];

/** The error a failure is grouped under: 'HTTP 500' for any HTTP code, 'timeout' whatever its seconds, else the status. */
export function errorLabel(f: Pick<FailedEntry, 'status' | 'error'>): string {
  // 'HTTP 500' (the scripts), 'HTTP Error 503: ...' (urllib), '502 Server Error: ...' (requests).
  const http = /\bHTTP(?:\s+Error)?\s*(\d{3})\b/i.exec(f.error) ?? /^(\d{3}) (?:Client|Server) Error\b/.exec(f.error);
  if (http) return `HTTP ${http[1]}`;
  if (f.status === 'timeout' || /\btime(d\s*)?out\b/i.test(f.error)) return 'timeout';
  return f.status || 'other';
}

/** Failures per error group, most first (ties by label, so the order is stable between refreshes). */
export function groupByError(entries: Failure[]): ErrorGroup[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(errorLabel(e), (counts.get(errorLabel(e)) ?? 0) + 1);
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** Per-month counts (oldest first) and per-phase counts (most first, ties in season order). Keys with no date: empty. */
export function groupByMonth(entries: Failure[]): { months: MonthCount[]; phases: PhaseCount[] } {
  const months = new Map<string, number>();
  for (const e of entries) {
    const date = DATE.test(e.key) ? e.key : e.date && DATE.test(e.date) ? e.date : null;
    if (date) months.set(date.slice(0, 7), (months.get(date.slice(0, 7)) ?? 0) + 1);
  }
  const of = [...months.values()].reduce((a, b) => a + b, 0);
  const phases = PHASES.map(({ label, months: ms }) => {
    const count = [...months].filter(([m]) => ms.includes(Number(m.slice(5)))).reduce((a, [, n]) => a + n, 0);
    return { label, count, of };
  });
  return {
    months: [...months].sort(([a], [b]) => a.localeCompare(b)).map(([month, count]) => ({ month, count })),
    phases: phases.filter((p) => p.count > 0).sort((a, b) => b.count - a.count),
  };
}

/** Per key: how many failed-keys files (runs) list it and with which errors. */
export function keyHistory(files: FailedFile[]): Map<string, KeyHistory> {
  const history = new Map<string, KeyHistory>();
  for (const file of [...files].sort(compareNewestFirst).reverse()) {
    for (const e of file.entries) {
      const h = history.get(e.key) ?? { runs: 0, errors: [], lastError: '', lastStatus: '' };
      h.runs++;
      if (!h.errors.includes(errorLabel(e))) h.errors.push(errorLabel(e));
      h.lastError = e.error;
      h.lastStatus = e.status;
      history.set(e.key, h);
    }
  }
  return history;
}

/**
 * Keys that retrying will not fix. Each failed-keys file is one run; a file only lists what failed, so which
 * keys a run tried is unknown unless `triedKeysPerRun` (file path → keys that run was given) says so.
 * The rule is conservative: a key is persistent when it appears in at least 2 files, with the same error group
 * in all of them, and in every file newer than its first appearance. A newer file without it means it either
 * recovered or was not tried, and we cannot tell which, so it is not persistent, unless `triedKeysPerRun`
 * shows that run was not given the key; then that file is skipped.
 */
export function persistentKeys(files: FailedFile[], triedKeysPerRun?: Map<string, Set<string>>): Set<string> {
  const ordered = [...files].sort(compareNewestFirst).reverse();
  const verdict = new Map<string, { label: string; runs: number; ok: boolean }>();
  for (const file of ordered) {
    const here = new Map(file.entries.map((e) => [e.key, errorLabel(e)]));
    const tried = triedKeysPerRun?.get(file.path);
    for (const [key, v] of verdict) {
      const label = here.get(key);
      if (label === undefined) {
        // Missing from a newer run: recovered or not tried. Only a known "not tried" keeps it persistent.
        if (!tried || tried.has(key)) v.ok = false;
      } else {
        v.runs++;
        if (label !== v.label) v.ok = false;
      }
    }
    for (const [key, label] of here) if (!verdict.has(key)) verdict.set(key, { label, runs: 1, ok: true });
  }
  return new Set([...verdict].filter(([, v]) => v.ok && v.runs >= 2).map(([key]) => key));
}

/** Inputs of `currentFailures`: the latest file, the running run's log, and what storage holds now. */
export interface CurrentFailuresInput {
  latestFile: FailedFile | null;
  /** Failures the running (or last logged) run's log reported, by key. */
  liveFailures: Map<string, { failure: string; error: string }> | null;
  liveRunStartedAt: number | null;
  presentInStorage: Set<string> | null;
  /** Keys the live run has scraped since: dropped from an older file. Storage catches the rest, a poll later. */
  liveSucceeded?: Set<string> | null;
  persistent?: Set<string> | null;
}

/**
 * The failures table: the latest file's entries merged with the live run's log failures. On a key in both,
 * the newer source wins: the log, unless the file was written after the live run started (then it is that
 * run's own final list). A file written before the live run started is from an older run: its keys stay
 * (still failed as far as we know) except those the live run has since succeeded on.
 */
export function currentFailures(input: CurrentFailuresInput): FailureRow[] {
  const { latestFile, liveFailures, liveRunStartedAt, presentInStorage } = input;
  const fileIsOlder = latestFile !== null && liveRunStartedAt !== null && writtenMs(latestFile) < liveRunStartedAt;
  const rows = new Map<string, Omit<FailureRow, 'recovered' | 'persistent'>>();
  for (const e of latestFile?.entries ?? []) {
    if (liveFailures && fileIsOlder && input.liveSucceeded?.has(e.key)) continue;
    rows.set(e.key, { ...e, source: 'file' });
  }
  for (const [key, f] of liveFailures ?? []) {
    if (rows.has(key) && !fileIsOlder) continue;
    rows.set(key, { key, status: statusOf(f.failure), error: f.error || f.failure, source: 'log' });
  }
  return [...rows.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((r) => ({ ...r, recovered: presentInStorage?.has(r.key) ?? false, persistent: input.persistent?.has(r.key) ?? false }));
}

/** Rows that still count as failing: a key now in storage has recovered. */
export function failingCount(rows: FailureRow[]): number {
  return rows.filter((r) => !r.recovered).length;
}

/** The summary line over the rows still failing: 'HTTP 500: 192 · timeout: 10', 'Apr–Jun: 193 of 202'. */
export function summarise(rows: FailureRow[]): FailureSummary {
  const failing = rows.filter((r) => !r.recovered);
  const phase = groupByMonth(failing).phases[0];
  return {
    byError: groupByError(failing).map((g) => `${g.label}: ${g.count}`).join(' · '),
    byMonth: phase ? `${phase.label}: ${phase.count} of ${phase.of}` : '',
    persistent: failing.filter((r) => r.persistent).length,
    failing: failing.length,
    recovered: rows.length - failing.length,
  };
}

/** The log's failure kind ('HTTP 500', 'timeout', 'error', 'exception') as a file status. */
function statusOf(failure: string): string {
  if (/^HTTP\b/i.test(failure)) return 'failed';
  return ['timeout', 'error', 'exception', 'failed'].includes(failure) ? failure : 'other';
}

/** When the file was written: its `timestamp` field (local time, as Python's isoformat writes it), else mtime. */
function writtenMs(file: FailedFile): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(file.writtenAt ?? '');
  if (!m) return file.mtimeMs;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000)).getTime();
}
