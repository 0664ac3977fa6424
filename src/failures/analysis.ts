import { formatCount } from '../format.js';
import { DEFAULT_LABEL, NO_DATE, phaseOf, type PhaseCalendar } from '../phases/calendar.js';
import { compareNewestFirst, type FailedEntry, type FailedFile } from './failed-file.js';
import { errorLabel } from './error-kind.js';
import { NO_STORAGE, PERSISTENCE_UNKNOWN, failureVerdicts, isPersistent, visitVerdicts, type VerdictPart, type VerdictSource } from './verdicts.js';

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
  /** False as well when persistence is not known (storage not listed): see `persistentKnown`. */
  persistent: boolean;
  /** Storage was listed, so `persistent` is an answer (see isPersistent). */
  persistentKnown: boolean;
  source: 'log' | 'file';
  /** The key's date: the key itself, its entry's game_date, or the expected-keys CSV's date column; null if none. */
  day: string | null;
  /** Its phase label (the calendar's default label when no range holds its date, or it has none). */
  phase: string;
  /** Runs that failed it, and runs that tried it (see `KeyVerdict`). */
  failedIn: number;
  triedIn: number;
}

/** The grouped summary over the keys still failing (recovered ones are counted apart). */
export interface FailureSummary {
  failing: number;
  recovered: number;
  /** Null: not known, storage not listed (see isPersistent); `persistentByPhase` is then empty. */
  persistent: number | null;
  /** Most first, ties by label. */
  byError: GroupCount[];
  /** In the calendar's label order; only phases with failures. */
  byPhase: GroupCount[];
  /** Every month YYYY-MM with failures, oldest first; keys without a date last as `no date`. */
  byMonth: GroupCount[];
  persistentByPhase: GroupCount[];
}

/** The month bucket of keys that carry no date (game ids without a game_date anywhere). */
export { NO_DATE };

/**
 * Whether `s` is a date YYYY-MM-DD with a month 01–12 (what /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/ matches), read
 * character by character: the summary asks it of every failed key (200,000 in a long run), and a key
 * that is no date (a game id) is told by its length or its fifth character without running a regex.
 */
export function isDateKey(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  const m1 = s.charCodeAt(5);
  const m2 = s.charCodeAt(6);
  const month = (m1 === 48 && m2 >= 49 && m2 <= 57) || (m1 === 49 && m2 >= 48 && m2 <= 50);
  return month && digit(s, 0) && digit(s, 1) && digit(s, 2) && digit(s, 3) && digit(s, 8) && digit(s, 9);
}

function digit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

export { errorLabel };

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
  if (isDateKey(key)) return key;
  if (entryDate && isDateKey(entryDate)) return entryDate;
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

export type { KeySet, KeyVerdict } from './verdicts.js';

/**
 * Keys failing and persistent (see `KeyVerdict`, `isPersistent`) among the keys the files list, the files
 * alone, with `present` what storage holds now (null: not listed, and then no key is known to be persistent).
 */
export function persistentKeys(files: FailedFile[], tried: ReadonlyMap<string, ReadonlySet<string>> | null | undefined, present: ReadonlySet<string> | null): Set<string> {
  const verdicts = failureVerdicts(files, tried, null);
  return new Set([...verdicts].filter(([k, v]) => isPersistent(v, present ? present.has(k) : null)).map(([k]) => k));
}

/** Inputs of `currentFailures` and `summariseFailures`: every key's verdict over the runs, and what storage holds now. */
export interface CurrentFailuresInput {
  /** See `forEachVerdict`. */
  verdicts: VerdictSource;
  /** The same verdicts in parts (see `forEachVerdictPart`): the summary keeps a sum per part that stays the same. */
  verdictParts?: (onPart: VerdictPart) => void;
  presentInStorage: ReadonlySet<string> | null;
  /** Phases for the `phase` of each row; without it every row is `calendar default`. */
  calendar?: PhaseCalendar | null;
  /** Dates of id keys from the expected keys file. */
  dates?: ReadonlyMap<string, string> | null;
}

/**
 * The failures table: one row per key any run failed, sorted by key. A row is failing when the latest run
 * that tried it failed it and storage does not hold it now; otherwise it has recovered (kept for the record).
 */
export function currentFailures(input: CurrentFailuresInput): FailureRow[] {
  const { presentInStorage } = input;
  const calendar = input.calendar ?? null;
  const rows: FailureRow[] = [];
  visitVerdicts(input.verdicts, (key, v) => {
    const inStorage = presentInStorage ? presentInStorage.has(key) : null;
    const day = dayOf(key, v.date, input.dates);
    // Fields spelled out, one shape for every row: rows built by spreading objects of two shapes made V8
    // build each row slowly as a dictionary (40,000 rows: 2.3 s against 0.14 s under load).
    rows.push({
      key,
      status: v.status,
      error: v.error,
      date: v.date,
      source: v.source,
      recovered: !v.failing || inStorage === true,
      persistent: isPersistent(v, inStorage),
      persistentKnown: inStorage !== null,
      day,
      phase: calendar ? phaseOf(calendar, day) : DEFAULT_LABEL,
      failedIn: v.failedIn,
      triedIn: v.triedIn,
    });
  });
  // Code-unit order: localeCompare over a long run's 200,000 failed keys took a quarter of `status`.
  return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
    persistent: failing.length > 0 && !failing[0].persistentKnown ? null : persistent.length,
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
  // Keys with no date come after every phase (tester W8).
  const rank = (l: string) => (l === NO_DATE ? labels.length + 1 : labels.indexOf(l) === -1 ? labels.length : labels.indexOf(l));
  return (a: string, b: string) => rank(a) - rank(b) || a.localeCompare(b);
}

/** Months oldest first, `no date` last. */
export function monthOrder(a: string, b: string): number {
  if (a === NO_DATE || b === NO_DATE) return (a === NO_DATE ? 1 : 0) - (b === NO_DATE ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "All-Star 8 · Play-In 12 · Playoffs 15" */
export function formatGroups(groups: GroupCount[], sep = ' · '): string {
  return groups.map((g) => `${g.label} ${formatCount(g.count)}`).join(sep);
}

/**
 * `keys` counted by their rows' phases, in calendar order: "All-Star 8 · Play-In 12 · Playoffs 15" (keys with no row
 * are not counted); null when the job has no phases (`"phases": null`) or none of the keys has a row.
 */
export function keysByPhase(rows: readonly FailureRow[], calendar: PhaseCalendar): (keys: readonly string[]) => string | null {
  if (calendar.none) return () => null;
  const phase = new Map(rows.map((r) => [r.key, r.phase]));
  return (keys) => {
    const counts = new Map<string, number>();
    for (const k of keys) {
      const p = phase.get(k);
      if (p !== undefined) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    return counts.size ? formatGroups(groupsInOrder(counts, phaseOrder(calendar.labels))) : null;
  };
}

/** "35 keys failed in every run that tried them (All-Star 8 · Play-In 12 · Playoffs 15): a gentler retry will not help" */
export function persistentSentence(s: FailureSummary, storageConfigured = true): string | null {
  if (s.persistent === null) return s.failing > 0 ? `persistent: ${persistentUnknown(storageConfigured)}` : null;
  if (s.persistent === 0) return null;
  const split = s.persistentByPhase.length ? ` (${formatGroups(s.persistentByPhase)})` : '';
  const what = s.persistent === 1 ? '1 key failed in every run that tried it' : `${s.persistent} keys failed in every run that tried them`;
  return `${what}${split}: a gentler retry will not help`;
}

/**
 * "not known (storage not listed)": what every view says for persistence when storage has no answer; a job with no
 * storage at all says so (`not known (no storage configured)`), since its storage will never be listed (tester X9).
 */
export function persistentUnknown(storageConfigured = true): string {
  return `not known (${storageConfigured ? PERSISTENCE_UNKNOWN : NO_STORAGE})`;
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
    parts.push(`${NAMES[Number(m.label.slice(5, 7)) - 1]} ${formatCount(m.count)}`);
  }
  flush();
  const none = months.find((m) => m.label === NO_DATE);
  if (none) years.push(`${NO_DATE} ${formatCount(none.count)}`);
  return years.join(' · ');
}
