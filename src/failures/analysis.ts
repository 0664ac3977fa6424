import { DEFAULT_LABEL, phaseOf, type PhaseCalendar } from '../phases/calendar.js';
import { compareNewestFirst, type FailedEntry, type FailedFile } from './failed-file.js';

/** A group (error kind, phase or month) and how many keys fall in it. */
export interface GroupCount {
  label: string;
  count: number;
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
  /** The key's date: the key itself, its entry's game_date, or the expected-keys CSV's date column; null if none. */
  day: string | null;
  /** Its phase label (the calendar's default label when no range holds its date, or it has none). */
  phase: string;
  /** Runs that failed it, and runs that tried it (see `keyStreaks`). */
  failedIn: number;
  triedIn: number;
}

/** The grouped summary over the keys still failing (recovered ones are counted apart). */
export interface FailureSummary {
  failing: number;
  recovered: number;
  persistent: number;
  /** Most first, ties by label. */
  byError: GroupCount[];
  /** In the calendar's label order; only phases with failures. */
  byPhase: GroupCount[];
  /** Every month YYYY-MM with failures, oldest first; keys without a date last as `no date`. */
  byMonth: GroupCount[];
  persistentByPhase: GroupCount[];
}

/** The month bucket of keys that carry no date (game ids without a game_date anywhere). */
export const NO_DATE = 'no date';

const DATE = /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/;

/** The error a failure is grouped under: 'HTTP 500' for any HTTP code, 'timeout' whatever its seconds, else the status. */
export function errorLabel(f: Pick<FailedEntry, 'status' | 'error'>): string {
  // 'HTTP 500' (the scripts), 'HTTP Error 503: ...' (urllib), '502 Server Error: ...' (requests).
  const http = /\bHTTP(?:\s+Error)?\s*(\d{3})\b/i.exec(f.error) ?? /^(\d{3}) (?:Client|Server) Error\b/.exec(f.error);
  if (http) return `HTTP ${http[1]}`;
  if (f.status === 'timeout' || /\btime(d\s*)?out\b/i.test(f.error)) return 'timeout';
  return f.status || 'other';
}

/** Failures per error group, most first (ties by label, so the order is stable between refreshes). */
export function groupByError(entries: Pick<FailedEntry, 'status' | 'error'>[]): GroupCount[] {
  const counts = new Map<string, number>();
  for (const e of entries) counts.set(errorLabel(e), (counts.get(errorLabel(e)) ?? 0) + 1);
  return errorGroups(counts);
}

/** Counts by error group as `groupByError` orders them: most first, ties by label. */
export function errorGroups(counts: ReadonlyMap<string, number>): GroupCount[] {
  return [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));
}

/** A key's date: the key when it is a date, else the entry's game_date, else the expected keys' date column. */
export function dayOf(key: string, entryDate: string | undefined, dates: ReadonlyMap<string, string> | null | undefined): string | null {
  if (DATE.test(key)) return key;
  if (entryDate && DATE.test(entryDate)) return entryDate;
  return dates?.get(key) ?? null;
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
 * One run as persistence sees it: the keys it failed, and the keys it tried when that is known (its keys
 * file for runs launched here); null when unknown.
 */
export interface RunOutcome {
  id: string;
  failed: ReadonlySet<string>;
  tried: KeySet | null;
}

/** What a set of keys must answer here: a Set, or a view over a run's per-key store. */
export interface KeySet {
  has(key: string): boolean;
}

/** A key across runs: the runs that failed it and the runs that tried it (failed or not). */
export interface KeyStreak {
  failedIn: number;
  triedIn: number;
  /** Failed in every run that tried it, in at least 2 runs, and not in storage now. */
  persistent: boolean;
}

/**
 * Which runs tried each key, and whether it failed in all of them. A run that did not try a key never
 * breaks its streak. A run tried a key when it failed it, or when its known keys list holds it. When the
 * list is unknown, absence from its failed list means it did not try the key: had it been tried and
 * succeeded (or been skipped) it would be in storage, and a key in storage now has recovered, which is
 * never persistent. Cost: keys × runs set lookups.
 */
export function keyStreaks(runs: RunOutcome[], keys: Iterable<string>, present: ReadonlySet<string> | null): Map<string, KeyStreak> {
  const out = new Map<string, KeyStreak>();
  for (const key of keys) out.set(key, streakOf(runs, key, present));
  return out;
}

/** One key's streak (see `keyStreaks`): `runs.length` set lookups. */
export function streakOf(runs: RunOutcome[], key: string, present: ReadonlySet<string> | null): KeyStreak {
  let failedIn = 0;
  let triedIn = 0;
  for (const run of runs) {
    if (run.failed.has(key)) {
      failedIn++;
      triedIn++;
    } else if (run.tried?.has(key)) triedIn++;
  }
  return { failedIn, triedIn, persistent: failedIn >= 2 && failedIn === triedIn && !present?.has(key) };
}

/** The runs of a set of failed-keys files, with what each tried where known (`tried`: file path → keys). */
export function runsOfFiles(files: FailedFile[], tried?: ReadonlyMap<string, ReadonlySet<string>> | null): RunOutcome[] {
  return files.map((f) => ({ id: f.path, failed: new Set(f.entries.map((e) => e.key)), tried: tried?.get(f.path) ?? null }));
}

/** Keys that failed in every run that tried them, in at least 2 runs (see `keyStreaks`), among the keys the files list. */
export function persistentKeys(files: FailedFile[], tried?: ReadonlyMap<string, ReadonlySet<string>> | null, present: ReadonlySet<string> | null = null): Set<string> {
  const keys = new Set(files.flatMap((f) => f.entries.map((e) => e.key)));
  const streaks = keyStreaks(runsOfFiles(files, tried), keys, present);
  return new Set([...streaks].filter(([, s]) => s.persistent).map(([k]) => k));
}

/** Inputs of `currentFailures`: the latest file, the running run's log, and what storage holds now. */
export interface CurrentFailuresInput {
  latestFile: FailedFile | null;
  /** Failures the running (or last logged) run's log reported, by key. */
  liveFailures: Iterable<[string, { failure: string; error: string }]> | null;
  liveRunStartedAt: number | null;
  presentInStorage: Set<string> | null;
  /** Keys the live run has scraped since: dropped from an older file. Storage catches the rest, a poll later. */
  liveSucceeded?: KeySet | null;
  /** Per key: runs that failed and tried it (see `keyStreaks`). Keys absent count as failed once, tried once. */
  streaks?: Map<string, KeyStreak> | null;
  /** Phases for the `phase` of each row; without it every row is `calendar default`. */
  calendar?: PhaseCalendar | null;
  /** Dates of id keys from the expected keys file. */
  dates?: ReadonlyMap<string, string> | null;
}

/**
 * The failures table: the latest file's entries merged with the live run's log failures. On a key in both,
 * the newer source wins: the log, unless the file was written after the live run started (then it is that
 * run's own final list). A file written before the live run started is from an older run: its keys stay
 * (still failed as far as we know) except those the live run has since succeeded on.
 */
export function currentFailures(input: CurrentFailuresInput): FailureRow[] {
  const { presentInStorage } = input;
  const rows: Pick<FailureRow, 'key' | 'status' | 'error' | 'date' | 'source'>[] = [];
  forEachFailure(input, (key, status, error, date, source) => {
    rows.push({ key, status, error, date, source });
  });
  const calendar = input.calendar ?? null;
  // Code-unit order: localeCompare over a long run's 200,000 failed keys took a quarter of `status`.
  return rows
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => {
      const recovered = presentInStorage?.has(r.key) ?? false;
      const streak = input.streaks?.get(r.key);
      const day = dayOf(r.key, r.date, input.dates);
      // Fields spelled out, one shape for every row: `{ ...r, … }` over rows of two shapes (file and log)
      // made V8 build each row slowly as a dictionary (40,000 rows: 2.3 s against 0.14 s under load).
      return {
        key: r.key,
        status: r.status,
        error: r.error,
        date: r.date,
        source: r.source,
        recovered,
        persistent: !recovered && (streak?.persistent ?? false),
        day,
        phase: calendar ? phaseOf(calendar, day) : DEFAULT_LABEL,
        failedIn: streak?.failedIn ?? 1,
        triedIn: streak?.triedIn ?? 1,
      };
    });
}

/** Visits one merged row of the failures table (before storage, streaks and phases are looked at). */
export type FailureVisit = (key: string, status: string, error: string, date: string | undefined, source: 'file' | 'log') => void;

// A file's entries by key (a key listed twice: its last entry), once per file read, not per refresh.
const entriesCache = new WeakMap<FailedFile, Map<string, FailedEntry>>();

function entriesByKey(file: FailedFile | null): ReadonlyMap<string, FailedEntry> {
  if (!file) return new Map();
  let byKey = entriesCache.get(file);
  if (!byKey) {
    byKey = new Map();
    for (const e of file.entries) {
      // Re-inserted so the map's order is the file's order of each key's last entry.
      byKey.delete(e.key);
      byKey.set(e.key, e);
    }
    entriesCache.set(file, byKey);
  }
  return byKey;
}

/**
 * The merge behind `currentFailures`, one visit per key of the table in no promised order: the newest
 * file's entries and the live run's log failures. On a key in both the newer source wins: the log,
 * unless the file was written after the live run started (then it is that run's own final list). A file
 * written before the live run started is from an older run: its keys stay (still failed as far as we
 * know) except those the live run has since succeeded on. Linear in the file's entries and the live
 * failures; allocates nothing per key but the small set of keys both hold.
 */
export function forEachFailure(input: CurrentFailuresInput, visit: FailureVisit): void {
  const { latestFile, liveFailures, liveRunStartedAt } = input;
  const fileIsOlder = latestFile !== null && liveRunStartedAt !== null && writtenMs(latestFile) < liveRunStartedAt;
  const fileRows = entriesByKey(latestFile);
  const statuses = new Map<string, string>();
  const liveStatus = (failure: string) => {
    let status = statuses.get(failure);
    if (status === undefined) statuses.set(failure, (status = statusOf(failure)));
    return status;
  };
  if (fileIsOlder && liveFailures) {
    const shadowed = new Set<string>();
    for (const [key, f] of liveFailures) {
      if (fileRows.has(key)) shadowed.add(key);
      visit(key, liveStatus(f.failure), f.error || f.failure, undefined, 'log');
    }
    for (const e of fileRows.values()) {
      if (!shadowed.has(e.key) && !input.liveSucceeded?.has(e.key)) visit(e.key, e.status, e.error, e.date, 'file');
    }
    return;
  }
  for (const e of fileRows.values()) visit(e.key, e.status, e.error, e.date, 'file');
  for (const [key, f] of liveFailures ?? []) {
    if (!fileRows.has(key)) visit(key, liveStatus(f.failure), f.error || f.failure, undefined, 'log');
  }
}

/** Whether a file was written before a run started: then it is an older run's list, not that run's own. */
export function fileOlderThan(file: FailedFile, startedAt: number): boolean {
  return writtenMs(file) < startedAt;
}

/** Rows that still count as failing: a key now in storage has recovered. */
export function failingCount(rows: FailureRow[]): number {
  return rows.filter((r) => !r.recovered).length;
}

/** Counts of the keys still failing by error kind, phase (in `labels` order) and month; recovered ones apart. */
export function summarise(rows: FailureRow[], labels: string[] = []): FailureSummary {
  const failing = rows.filter((r) => !r.recovered);
  const persistent = failing.filter((r) => r.persistent);
  return {
    failing: failing.length,
    recovered: rows.length - failing.length,
    persistent: persistent.length,
    byError: groupByError(failing),
    byPhase: countBy(failing, (r) => r.phase, phaseOrder(labels)),
    byMonth: countBy(failing, (r) => (r.day ? r.day.slice(0, 7) : NO_DATE), monthOrder),
    persistentByPhase: countBy(persistent, (r) => r.phase, phaseOrder(labels)),
  };
}

function countBy(rows: FailureRow[], label: (r: FailureRow) => string, order: (a: string, b: string) => number): GroupCount[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(label(r), (counts.get(label(r)) ?? 0) + 1);
  return groupsInOrder(counts, order);
}

/** Counts as groups in `order` (see `phaseOrder`, `monthOrder`). */
export function groupsInOrder(counts: ReadonlyMap<string, number>, order: (a: string, b: string) => number): GroupCount[] {
  return [...counts].sort(([a], [b]) => order(a, b)).map(([label, count]) => ({ label, count }));
}

/** Phases in the calendar's label order; labels it does not know after them, by name. */
export function phaseOrder(labels: string[]) {
  const rank = (l: string) => (labels.indexOf(l) === -1 ? labels.length : labels.indexOf(l));
  return (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
}

/** Months oldest first, `no date` last. */
export function monthOrder(a: string, b: string): number {
  if (a === NO_DATE || b === NO_DATE) return (a === NO_DATE ? 1 : 0) - (b === NO_DATE ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "All-Star 8 · Play-In 12 · Playoffs 15" */
export function formatGroups(groups: GroupCount[], sep = ' · '): string {
  return groups.map((g) => `${g.label} ${g.count}`).join(sep);
}

/** "35 keys failed in every run that tried them (All-Star 8 · Play-In 12 · Playoffs 15): a gentler retry will not help" */
export function persistentSentence(s: FailureSummary): string | null {
  if (s.persistent === 0) return null;
  const split = s.persistentByPhase.length ? ` (${formatGroups(s.persistentByPhase)})` : '';
  const what = s.persistent === 1 ? '1 key failed in every run that tried it' : `${s.persistent} keys failed in every run that tried them`;
  return `${what}${split}: a gentler retry will not help`;
}

/** "2021: Oct 3 Nov 8 · 2022: Feb 2 Apr 5 · no date 4": every month, compact, oldest first. */
export function formatMonths(months: GroupCount[]): string {
  const NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const years: string[] = [];
  let year = '';
  let parts: string[] = [];
  const flush = () => parts.length && years.push(`${year}: ${parts.join(' ')}`);
  for (const m of months) {
    if (m.label === NO_DATE) continue;
    if (m.label.slice(0, 4) !== year) {
      flush();
      year = m.label.slice(0, 4);
      parts = [];
    }
    parts.push(`${NAMES[Number(m.label.slice(5, 7)) - 1]} ${m.count}`);
  }
  flush();
  const none = months.find((m) => m.label === NO_DATE);
  if (none) years.push(`${NO_DATE} ${none.count}`);
  return years.join(' · ');
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
