import { compareNewestFirst, type FailedEntry, type FailedFile } from './failed-file.js';
import type { FailureCounts } from '../state/failed-keys.js';
import { scrapedSince, type LogTrail, type TrailEntry } from '../state/log-trail.js';

/** What a set of keys must answer here: a Set, or a view over a run's per-key store. */
export interface KeySet {
  has(key: string): boolean;
}

/**
 * One key across every run that has a word on it. The rule (the one the failures view, `r`, `R`,
 * `missing --from failures` and `status --json` all use): a key is failing when the latest run that
 * tried it failed it; a run that did not try it changes nothing (a group retry of the Play-In dates
 * leaves the other failures failing); a later run that scraped or skipped it makes it recovered.
 */
export interface KeyVerdict {
  /** How the latest run that failed it failed it. */
  status: string;
  error: string;
  /** The newest `game_date` any entry gave it (id keys). */
  date: string | undefined;
  source: 'file' | 'log';
  /** Runs that failed it, and runs that tried it (failed or not). */
  failedIn: number;
  triedIn: number;
  /** The latest run that tried it failed it. */
  failing: boolean;
  /** When the latest run that failed it started (epoch ms; a file's run: the start in its name, else when it was written). */
  failedAt: number | null;
}

/**
 * One run as the rule sees it: the keys it failed, and the keys it is known to have tried without failing
 * them (scraped or skipped: its keys file for runs launched here, its log's outcomes for the log's run).
 * `succeeded` null: unknown. Its silence about a key then changes nothing in the counts, which are positive
 * evidence only ("failed in 3 of 3 runs known to have tried it"). Whether a silent run tried the key is
 * known only once storage is listed: had it been tried and scraped it would be in storage (and a key in
 * storage has recovered anyway). So persistence is known only with storage listed (see `isPersistent`).
 */
export interface FailureRun {
  /** An entry may say where it came from (a live run's own file merged with its log). */
  failed: (FailedEntry & { source?: 'file' | 'log' })[];
  succeeded: KeySet | null;
  source: 'file' | 'log';
  /** When the run started (epoch ms), null when unknown. */
  startedAt: number | null;
}

/**
 * Folds runs, oldest first, into `verdicts` (a copy of `base`, whose records are never changed: a cached
 * fold of the files can be shared by every frame). Cost: the failed entries, plus the keys known so far
 * for each run whose tried keys are known.
 */
export function foldRuns(runs: FailureRun[], base?: ReadonlyMap<string, KeyVerdict>): Map<string, KeyVerdict> {
  const verdicts = new Map(base ?? []);
  for (const run of runs) {
    const failedHere = new Set<string>();
    for (const e of run.failed) {
      const had = verdicts.get(e.key);
      // A key listed twice in one run counts once; its last entry says how.
      const again = failedHere.has(e.key);
      failedHere.add(e.key);
      // An earlier log run's entry says how many runs of the log failed and tried the key before it (its trail counts
      // them all, with or without a failed-keys file): at least that many, never the same run twice (tester AA12).
      const before = e.runsBefore;
      const failedIn = (had?.failedIn ?? 0) + (again ? 0 : 1);
      const triedIn = (had?.triedIn ?? 0) + (again ? 0 : 1);
      verdicts.set(e.key, {
        status: e.status,
        error: e.error,
        date: e.date ?? had?.date,
        source: e.source ?? run.source,
        failedIn: before ? Math.max(failedIn, before.failed + 1) : failedIn,
        triedIn: before ? Math.max(triedIn, before.tried + 1, before.failed + 1) : triedIn,
        failing: true,
        failedAt: run.startedAt ?? had?.failedAt ?? null,
      });
    }
    const succeeded = run.succeeded;
    if (!succeeded) continue;
    for (const [key, v] of verdicts) {
      if (!failedHere.has(key) && succeeded.has(key)) verdicts.set(key, { ...v, triedIn: v.triedIn + 1, failing: false });
    }
  }
  return verdicts;
}

/** A file's run: its entries; what it tried when its keys file is known (`tried`: file path → keys). */
export function fileRun(file: FailedFile, tried?: ReadonlyMap<string, ReadonlySet<string>> | null): FailureRun {
  const keys = tried?.get(file.path);
  const startedAt = file.runStartedAt ?? writtenMs(file);
  if (!keys) return { failed: file.entries, succeeded: null, source: 'file', startedAt };
  const failed = new Set(file.entries.map((e) => e.key));
  return { failed: file.entries, succeeded: { has: (k) => keys.has(k) && !failed.has(k) }, source: 'file', startedAt };
}

/** Files oldest first: by the run start in the name, then mtime, then name. */
export function oldestFirst(files: FailedFile[]): FailedFile[] {
  return [...files].sort(compareNewestFirst).reverse();
}

/**
 * Whether a key is persistent: failing, failed in every run that tried it, in at least 2 runs, not in
 * storage now. `inStorage` null: storage not listed (not configured, not answered yet, or failing), and
 * then no key is known to be persistent: a run that is silent about a key may have scraped it.
 */
export function isPersistent(v: KeyVerdict, inStorage: boolean | null): boolean {
  return inStorage === false && v.failing && v.failedIn >= 2 && v.failedIn === v.triedIn;
}

/** Why persistence is not known, as every view says it (`persistent: not known (storage not listed)`). */
export const PERSISTENCE_UNKNOWN = 'storage not listed';
/** Why persistence is not known for a job with no storage at all: it will never be listed (tester X9). */
export const NO_STORAGE = 'no storage configured';

/**
 * When the file was written: its `timestamp` field in the log's zone (file-times.ts inZone), else its mtime. Only a
 * file read from disk has a `timestamp` (failed-file.ts gives it `walls`, read into `writtenAtMs` in the log's zone);
 * one made from a log's run or an execution has none. (A reading of `writtenAt` in this machine's zone for a file
 * without `walls`, which only tests built, is gone: it read a file outside the log's zone.)
 */
export function writtenMs(file: FailedFile): number {
  return file.writtenAtMs ?? file.mtimeMs;
}

/**
 * The log run's failures by key. A run's own store (FailedKeys) also walks them without a pair per key,
 * and in parts whose sums a reader may keep (see FailedKeys.forEachPart).
 */
export type LogFailures = Iterable<[string, { failure: string; error: string }]> & {
  forEachFailure?(fn: (key: string, failure: string, error: string) => void): void;
  forEachPart?(fn: (part: object | null, stamp: number, walk: (visit: (key: string, failure: string, error: string) => void) => void, counts?: (isDate: (key: string) => boolean) => FailureCounts) => void): void;
  has?(key: string): boolean;
};

function eachFailure(failures: LogFailures, fn: (key: string, failure: string, error: string) => void): void {
  if (failures.forEachFailure) failures.forEachFailure(fn);
  else for (const [key, f] of failures) fn(key, f.failure, f.error);
}

/** The log's newest run as the rule needs it. */
export interface LogRun {
  failures: LogFailures;
  /** Its first and its newest line's times (epoch ms); null when unknown. */
  startedAt: number | null;
  lastActivityAt: number | null;
  /** Keys it scraped or skipped (its per-key store); null when it keeps none. */
  succeeded: KeySet | null;
  /** What the log's earlier runs said last about the keys they failed (see log-trail.ts). */
  trail?: LogTrail | null;
}

/**
 * Where the log's run sits among the files, oldest first (`at`: how many files are older), and whether the
 * file at `at` is its own list. Files written before it started are older runs. The first file written
 * after is its own list when that run had started by the log run's last line (the script names the file
 * by its start and writes it at its end); a file of a run started later is a later run. A log run with no
 * start time is taken as the latest file's.
 */
export function logRunPlace(files: FailedFile[], run: LogRun): { at: number; own: boolean } {
  if (run.startedAt === null) return { at: Math.max(0, files.length - 1), own: files.length > 0 && files.at(-1)!.execution === undefined };
  const at = files.findIndex((f) => (f.execution !== undefined ? (f.runStartedAt ?? f.mtimeMs) >= run.startedAt! : writtenMs(f) >= run.startedAt!));
  if (at === -1) return { at: files.length, own: false };
  if (files[at].execution !== undefined) return { at, own: false };
  const started = files[at].runStartedAt;
  return { at, own: started === null || run.lastActivityAt === null || started <= run.lastActivityAt };
}

/**
 * The log's run as one run, merged with its own file when it wrote one: the file is its final word on the
 * keys it lists, the log adds failures the file does not list, and the log's outcomes say what it scraped.
 */
export function logRunWith(own: FailedFile | null, run: LogRun, tried?: ReadonlyMap<string, ReadonlySet<string>> | null): FailureRun {
  const fromFile = own ? fileRun(own, tried) : null;
  const listed = new Set(own?.entries.map((e) => e.key) ?? []);
  const failed: FailureRun['failed'] = [...(own?.entries ?? [])];
  for (const [key, f] of run.failures) {
    if (!listed.has(key)) failed.push({ key, status: statusOf(f.failure), error: f.error || f.failure, source: 'log' });
  }
  const a = run.succeeded;
  const b = fromFile?.succeeded ?? null;
  const succeeded = a && b ? { has: (k: string) => a.has(k) || b.has(k) } : (a ?? b);
  return { failed, succeeded, source: own ? 'file' : 'log', startedAt: run.startedAt };
}

/** The log's failure kind ('HTTP 500', 'timeout', 'error', 'exception') as a file status. */
export function statusOf(failure: string): string {
  if (/^HTTP\b/i.test(failure)) return 'failed';
  return ['timeout', 'error', 'exception', 'failed'].includes(failure) ? failure : 'other';
}

/** Visits one key's verdict. The object may be reused for the next visit: copy what you keep. */
export type VerdictVisit = (key: string, v: Readonly<KeyVerdict>) => void;

/** Verdicts as a map, or as a walk over them (`forEachVerdict`, which allocates nothing per key). */
export type VerdictSource = ReadonlyMap<string, KeyVerdict> | ((visit: VerdictVisit) => void);

export function visitVerdicts(source: VerdictSource, visit: VerdictVisit): void {
  if (typeof source === 'function') source(visit);
  else for (const [key, v] of source) visit(key, v);
}

/** Every key any run failed, with its verdict, as a map (see `forEachVerdict`). */
export function failureVerdicts(
  files: FailedFile[],
  tried: ReadonlyMap<string, ReadonlySet<string>> | null | undefined,
  run: LogRun | null,
  base?: (upTo: number) => ReadonlyMap<string, KeyVerdict>,
): Map<string, KeyVerdict> {
  const out = new Map<string, KeyVerdict>();
  forEachVerdict(files, tried, run, (key, v) => out.set(key, { ...v }), base);
  return out;
}

/**
 * Visits every key any run failed with its verdict: the files oldest first with the log's run in its place
 * (see `logRunPlace`). `base` gives a cached fold of the files older than the log's run, when the caller
 * keeps one. When the log's run is the newest (the usual case, and every batch of a live run) nothing is
 * copied: each of its failures and each key of `base` is visited once, with a few lookups.
 */
export function forEachVerdict(
  files: FailedFile[],
  tried: ReadonlyMap<string, ReadonlySet<string>> | null | undefined,
  run: LogRun | null,
  visit: VerdictVisit,
  base?: (upTo: number) => ReadonlyMap<string, KeyVerdict>,
): void {
  forEachVerdictPart(files, tried, run, (_part, _stamp, walk) => walk(visit), base);
}

/**
 * A part of the verdicts, for a reader that keeps a sum per part: the same `part` with an equal `stamp`
 * (element by element) holds the same verdicts; `part` null is not to be kept. `counts`, when given, says the
 * same verdicts in sum (see `LogRunCounts`), for a reader that needs no more of them.
 */
export type VerdictPart = (part: object | null, stamp: readonly unknown[], walk: (visit: VerdictVisit) => void, counts?: (isDate: (key: string) => boolean) => LogRunCounts) => void;

/**
 * A part of the verdicts that are the log run's own failures alone (no earlier run failed or tried those keys,
 * and the run wrote no file of its own), in sum: each key is failing, failed and tried in this run only
 * (failedIn = triedIn = 1), with the status `statusOf(failure)` and the error `error || failure`, no date of
 * its own, failedAt the run's start; counted per failure kind and error as the log said them (`pairs`), and per
 * key that is a date (`dates`, by `isDate`) or not (`undated`). The walk visits the same verdicts one by one.
 */
export type LogRunCounts = FailureCounts;

/**
 * The verdicts of `forEachVerdict`, in parts (the walk itself: `forEachVerdict` reads every part in
 * turn). In the usual case (the log's run is the newest) the parts are the log run's own file, its
 * failures, and the keys of the older files; when the failures are a run's own store, each chunk of it
 * is a part that stays the same until a key in it is added or recovers, so a summary after a batch sums
 * only the chunks the batch touched. The older files' keys are walked afresh (the log's run decides
 * whether each is still failing). Otherwise (no log run, or files newer than it) the whole fold is one
 * part that is not kept.
 */
export function forEachVerdictPart(
  files: FailedFile[],
  tried: ReadonlyMap<string, ReadonlySet<string>> | null | undefined,
  run: LogRun | null,
  onPart: VerdictPart,
  base?: (upTo: number) => ReadonlyMap<string, KeyVerdict>,
): void {
  const ordered = oldestFirst(files);
  const place = run ? logRunPlace(ordered, run) : { at: ordered.length, own: false };
  const before = base ? base(place.at) : foldRuns(ordered.slice(0, place.at).map((f) => fileRun(f, tried)));
  if (!run) {
    onPart(null, [], (visit) => {
      for (const [key, v] of before) visit(key, v);
    });
    return;
  }
  const own = place.own ? ordered[place.at] : null;
  const later = ordered.slice(place.at + (place.own ? 1 : 0));
  const trail = run.trail ?? null;
  if (later.length > 0) {
    // The log's run is older than some file (a run elsewhere since): fold in order.
    onPart(null, [], (visit) => {
      for (const [key, v] of foldRuns([logRunWith(own, run, tried), ...later.map((f) => fileRun(f, tried))], withTrailCounts(before, trail))) {
        // The scrape is among the tries already when the trail raised the key's counts (withTrailCounts).
        visit(key, v.failing && scrapedSince(run.trail, key, v.failedAt) ? recoveredInLog(v, before.has(key) && trail !== null && trail.keys.has(key)) : v);
      }
    });
    return;
  }
  const listed = own ? entriesByKey(own) : null;
  const ownSucceeded = own ? fileRun(own, tried).succeeded : null;
  const a = run.succeeded;
  const succeeded = a && ownSucceeded ? { has: (k: string) => a.has(k) || ownSucceeded.has(k) } : (a ?? ownSucceeded);
  const failures = run.failures;
  // A key the log's run (or its own file) failed: visited with that failure, as failing.
  const failedNow = (visit: VerdictVisit, scratch: KeyVerdict, key: string, status: string, error: string, date: string | undefined, source: 'file' | 'log') => {
    // No earlier file (most runs): no lookup (and no hash of a key string made just now).
    const had = before.size === 0 ? undefined : before.get(key);
    scratch.status = status;
    scratch.error = error;
    scratch.date = date ?? had?.date;
    scratch.source = source;
    scratch.failedIn = had?.failedIn ?? 0;
    scratch.triedIn = had?.triedIn ?? 0;
    // A key an earlier file failed: the log's earlier runs may know of more runs that tried it (trailRuns).
    const t = had && trail !== null ? trail.keys.get(key) : undefined;
    if (t) trailRuns(scratch, t);
    scratch.failedIn += 1;
    scratch.triedIn += 1;
    scratch.failing = true;
    scratch.failedAt = run.startedAt ?? had?.failedAt ?? null;
    visit(key, scratch);
  };
  const fresh = (): KeyVerdict => ({ status: '', error: '', date: undefined, source: 'log', failedIn: 0, triedIn: 0, failing: true, failedAt: null });
  if (listed) {
    onPart(null, [], (visit) => {
      const scratch = fresh();
      for (const e of listed.values()) failedNow(visit, scratch, e.key, e.status, e.error, e.date, 'file');
    });
  }
  const logPart = (walk: (fn: (key: string, failure: string, error: string) => void) => void) => (visit: VerdictVisit) => {
    const scratch = fresh();
    const statuses = new Map<string, string>();
    // A run's keys repeat their failure kind: the last one's status is checked first.
    let lastFailure: string | null = null;
    let lastStatus = '';
    walk((key, failure, error) => {
      if (listed?.has(key)) return;
      let status = lastStatus;
      if (failure !== lastFailure) {
        const known = statuses.get(failure);
        if (known === undefined) statuses.set(failure, (status = statusOf(failure)));
        else status = known;
        lastFailure = failure;
        lastStatus = status;
      }
      failedNow(visit, scratch, key, status, error || failure, undefined, 'log');
    });
  };
  // With no earlier file and no own file, each of the run's failures is its verdict as it is: the parts' sums can
  // be counted from the store without a verdict (or a key's text) per key.
  const alone = listed === null && before.size === 0;
  if (failures.forEachPart) failures.forEachPart((part, stamp, walk, counts) => onPart(part, [stamp, before, listed], logPart(walk), alone ? counts : undefined));
  else onPart(null, [], logPart((fn) => eachFailure(failures, fn)));
  onPart(null, [], (visit) => {
    if (before.size === 0) return;
    // Whether the log's run failed a key: its store (or map) answers; anything else is read into a set once.
    let failedByLog = failures.has ? (k: string) => failures.has!(k) : null;
    if (!failedByLog) {
      const keys = new Set<string>();
      eachFailure(failures, (k) => keys.add(k));
      failedByLog = (k) => keys.has(k);
    }
    const scratch = fresh();
    for (const [key, had] of before) {
      // Keys the log's run (or its own file) failed were visited with that failure.
      if (listed?.has(key) || failedByLog(key)) continue;
      // The log's earlier runs may know of more runs that failed or tried it (trailRuns).
      const t = trail?.keys.get(key);
      let v: KeyVerdict = had;
      if (t && trailRuns(Object.assign(scratch, had), t)) v = scratch;
      // Scraped since: by the log's run, or by an earlier run of the log after the run that failed it.
      if (!succeeded?.has(key) && !(had.failing && trail !== null && scrapedSince(trail, key, had.failedAt))) {
        visit(key, v);
        continue;
      }
      if (v !== scratch) Object.assign(scratch, had);
      // The log's run tried it; a scrape by an earlier run of the log is among the tries already when the trail
      // holds the key (trailRuns counted its runs that tried it without failing it).
      if (succeeded?.has(key) || !t) scratch.triedIn += 1;
      scratch.failing = false;
      visit(key, scratch);
    }
  });
}

/**
 * The runs the log's earlier runs say failed and tried a key (its trail entry), when they say more than the files'
 * fold: a run that scraped the key between two failing runs writes no line for it in its failed-keys file, so the
 * files alone read `failed in 2 of 2 runs`, persistent, where the log knows `2 of 3` (tester AG7). A run that wrote a
 * file and logged is in both, so each count is the larger of the two, never their sum: the runs that failed it, and
 * apart from them the runs that tried it without failing it (so a scrape either side knows of is never lost).
 * Returns whether `v` changed.
 */
function trailRuns(v: KeyVerdict, t: TrailEntry): boolean {
  const failed = Math.max(v.failedIn, t.failedRuns ?? 1);
  const tried = failed + Math.max(v.triedIn - v.failedIn, (t.triedRuns ?? 1) - (t.failedRuns ?? 1));
  if (failed === v.failedIn && tried === v.triedIn) return false;
  v.failedIn = failed;
  v.triedIn = tried;
  return true;
}

/** `before` with each key's counts raised to its trail's (see trailRuns); `before` itself when the trail adds nothing. */
function withTrailCounts(before: ReadonlyMap<string, KeyVerdict>, trail: LogTrail | null): ReadonlyMap<string, KeyVerdict> {
  if (trail === null || before.size === 0) return before;
  let out: Map<string, KeyVerdict> | null = null;
  for (const [key, v] of before) {
    const t = trail.keys.get(key);
    const raised = { ...v };
    if (!t || !trailRuns(raised, t)) continue;
    (out ??= new Map(before)).set(key, raised);
  }
  return out ?? before;
}

/** A key an earlier run of the log scraped after its latest failure (see log-trail.ts): recovered; `counted`: that run is among its tries already. */
function recoveredInLog(v: KeyVerdict, counted: boolean): KeyVerdict {
  return { ...v, triedIn: v.triedIn + (counted ? 0 : 1), failing: false };
}

// A file's entries by key (a key listed twice: its last entry), once per file read, not per refresh.
const entriesCache = new WeakMap<FailedFile, Map<string, FailedEntry>>();

function entriesByKey(file: FailedFile): ReadonlyMap<string, FailedEntry> {
  let byKey = entriesCache.get(file);
  if (!byKey) {
    byKey = new Map();
    for (const e of file.entries) {
      // A key listed twice: its last entry, with the date an earlier one gave (as `foldRuns` reads it).
      const prev = byKey.get(e.key);
      byKey.delete(e.key);
      byKey.set(e.key, prev?.date !== undefined && e.date === undefined ? { ...e, date: prev.date } : e);
    }
    entriesCache.set(file, byKey);
  }
  return byKey;
}
