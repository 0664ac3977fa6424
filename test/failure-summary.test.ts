import { expect, test } from 'vitest';
import { currentFailures, summarise, type CurrentFailuresInput } from '../src/failures/analysis.js';
import { fileRun, foldRuns, forEachVerdict, forEachVerdictPart, logRunPlace, logRunWith, oldestFirst, type KeyVerdict, type LogRun, type VerdictPart } from '../src/failures/verdicts.js';
import { compileGrammar, parseText } from '../src/parser/index.js';
import { applyLines } from '../src/state/apply-lines.js';
import { FailedKeys, FailedStore } from '../src/state/failed-keys.js';
import { banner, logOf, T0 } from './support/log-text.js';
import type { FailedEntry, FailedFile } from '../src/failures/failed-file.js';
import { inZone, isoWall } from '../src/failures/file-times.js';
import { summariseFailures } from '../src/failures/summary.js';
import { NBA_CALENDAR, resolvePhases } from '../src/phases/calendar.js';
import { hashKey, lanes } from '../src/key-hash.js';

/*
 * `status`, the dashboard's summary line and the overview count failures in one pass (summary.ts) instead
 * of building the failures table: the counts must be the table's, whatever the mix of sources. The table
 * (`currentFailures` + `summarise`) is the reference; each case below is a different mix.
 */

/** No failed-keys files: the fold of none, kept (a part's sum depends on the fold's identity). */
const NO_FILES = new Map<string, KeyVerdict>();

/** mulberry32: the same cases on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ERRORS: Pick<FailedEntry, 'status' | 'error'>[] = [
  { status: 'failed', error: 'HTTP 500' },
  { status: 'failed', error: 'HTTP Error 503: Service Unavailable' },
  { status: 'timeout', error: 'Timeout after 180s' },
  { status: 'error', error: 'ReadTimeout: read timed out' },
  { status: 'error', error: 'ConnectionError: reset by peer' },
  { status: 'exception', error: 'worker died' },
];
const LIVE = [
  { failure: 'HTTP 500', error: 'HTTP 500' },
  { failure: 'HTTP 502', error: '' },
  { failure: 'timeout', error: 'timeout' },
  { failure: 'error', error: 'KeyError: boxscore' },
  { failure: 'exception', error: 'worker crashed' },
];

/** A key of the pool: dates across seasons (some phases, months) and game ids (dated only through `dates`). */
function keyOf(i: number): string {
  if (i % 3 === 0) return `00221${String(i).padStart(5, '0')}`;
  const month = [1, 2, 4, 5, 6, 10, 11, 12][i % 8];
  return `${2021 + (i % 4)}-${String(month).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
}

function failedFile(rnd: () => number, pool: string[], name: string, writtenAt: string | null): FailedFile {
  const entries: FailedEntry[] = [];
  for (const key of pool) {
    if (rnd() < 0.4) continue;
    const e = { key, ...ERRORS[Math.floor(rnd() * ERRORS.length)] };
    // Some id entries carry their game_date; some keys are listed twice (the last entry counts).
    entries.push(rnd() < 0.3 && key.startsWith('00') ? { ...e, date: `2022-0${1 + Math.floor(rnd() * 6)}-15` } : e);
    if (rnd() < 0.05) entries.push({ key, ...ERRORS[Math.floor(rnd() * ERRORS.length)] });
  }
  // Its `timestamp` read as a file's is (this machine's zone, UTC here); no run start from its name, as before.
  return inZone({ path: `/runs/${name}`, name, runStartedAt: null, writtenAt, writtenAtMs: null, walls: { name: null, written: isoWall(writtenAt) }, mtimeMs: 0, totalFailed: entries.length, entries, problems: [] }, undefined);
}

interface Case {
  files: FailedFile[];
  tried: Map<string, Set<string>>;
  run: LogRun | null;
  input: Omit<CurrentFailuresInput, 'verdicts'>;
  labels: string[];
}

function caseOf(seed: number): Case {
  const rnd = random(seed);
  const pool = Array.from({ length: 300 }, (_, i) => keyOf(i + seed));
  const files = Array.from({ length: Math.floor(rnd() * 4) }, (_, i) => failedFile(rnd, pool, `failed_dates_2025112${i}_080000.json`, `2025-11-2${i}T09:00:00`));
  const live = new Map<string, { failure: string; error: string }>();
  for (const key of pool) if (rnd() < 0.35) live.set(key, LIVE[Math.floor(rnd() * LIVE.length)]);
  const succeeded = new Set(pool.filter((k) => !live.has(k) && rnd() < 0.5));
  const storage = seed % 4 === 0 ? null : new Set(pool.filter(() => rnd() < 0.2));
  const dates = new Map(pool.filter((k) => k.startsWith('00') && rnd() < 0.5).map((k) => [k, `2023-0${1 + Math.floor(rnd() * 9)}-0${1 + Math.floor(rnd() * 9)}`]));
  const calendar = seed % 3 === 0 ? NBA_CALENDAR : resolvePhases([{ label: 'Spring', from: '2022-03-01', to: '2022-05-31' }]);
  // Runs launched here: their keys files say what they tried.
  const tried = new Map(files.filter(() => rnd() < 0.5).map((f) => [f.path, new Set(pool.filter(() => rnd() < 0.8))]));
  // The log's run: before, between and after the files were written (older, the run's own, newest), or none.
  const startedAt = [null, Date.UTC(2025, 10, 20), Date.UTC(2025, 10, 21, 12), Date.UTC(2025, 11, 5)][seed % 4];
  const run: LogRun | null = seed % 5 === 0 ? null : { failures: live, startedAt, lastActivityAt: startedAt === null ? null : startedAt + 3_600_000, succeeded: seed % 7 === 0 ? null : succeeded };
  return { files, tried, run, input: { presentInStorage: storage, calendar, dates: seed % 2 ? dates : null }, labels: calendar.labels };
}

/** The rule spelled out: every run folded in order, the log's run in its place (no shortcut). */
function reference({ files, tried, run }: Case): Map<string, KeyVerdict> {
  const ordered = oldestFirst(files);
  if (!run) return foldRuns(ordered.map((f) => fileRun(f, tried)));
  const { at, own } = logRunPlace(ordered, run);
  const runs = [...ordered.slice(0, at).map((f) => fileRun(f, tried)), logRunWith(own ? ordered[at] : null, run, tried), ...ordered.slice(at + (own ? 1 : 0)).map((f) => fileRun(f, tried))];
  return foldRuns(runs);
}

test.each(Array.from({ length: 24 }, (_, i) => i + 1))('the one-pass walk and summary are the rule folded in order and its table summarised (case %i)', (seed) => {
  const c = caseOf(seed);
  const walk = (visit: (key: string, v: Readonly<KeyVerdict>) => void) => forEachVerdict(c.files, c.tried, c.run, visit);
  const walked = new Map<string, KeyVerdict>();
  walk((key, v) => walked.set(key, { ...v }));
  expect(walked).toEqual(reference(c));
  const table = summarise(currentFailures({ ...c.input, verdicts: reference(c) }), c.labels);
  expect(summariseFailures({ ...c.input, verdicts: walk }, c.labels)).toEqual(table);
  // The log's failures in a run's own store, summed by parts as the dashboard does: the same counts,
  // and again from the sums kept per part.
  if (!c.run) return;
  const store = new FailedStore();
  for (const [key, f] of c.run.failures) store.add(key, { ...f, at: 0 }, 1);
  const stored = { ...c.run, failures: FailedKeys.of(store, 1) };
  // The files older than the log's run folded once, as the view keeps them: a kept part's sum depends on them.
  const folds = new Map<number, Map<string, KeyVerdict>>();
  const base = (upTo: number) => folds.get(upTo) ?? folds.set(upTo, foldRuns(oldestFirst(c.files).slice(0, upTo).map((f) => fileRun(f, c.tried)))).get(upTo)!;
  const parts = (onPart: VerdictPart) => forEachVerdictPart(c.files, c.tried, stored, onPart, base);
  const byParts = { ...c.input, verdicts: walk, verdictParts: parts };
  expect(summariseFailures(byParts, c.labels)).toEqual(table);
  expect(summariseFailures(byParts, c.labels)).toEqual(table);
});

test('the cases cover what the summary counts apart: recovered, persistent, undated keys, several phases', () => {
  const all = Array.from({ length: 24 }, (_, i) => caseOf(i + 1)).map((c) => summariseFailures({ ...c.input, verdicts: reference(c) }, c.labels));
  expect(all.filter((s) => s.failing > 0).length).toBeGreaterThan(20);
  expect(all.some((s) => s.recovered > 0)).toBe(true);
  expect(all.some((s) => (s.persistent ?? 0) > 0)).toBe(true);
  expect(all.some((s) => s.byMonth.some((g) => g.label === 'no date'))).toBe(true);
  expect(all.some((s) => s.byPhase.length >= 2)).toBe(true);
  // The log's run in each place: newest with no file of its own, newest with its own file, older than a file.
  const places = Array.from({ length: 24 }, (_, i) => caseOf(i + 1)).filter((c) => c.run && c.files.length).map((c) => {
    const ordered = oldestFirst(c.files);
    const { at, own } = logRunPlace(ordered, c.run!);
    return at + (own ? 1 : 0) < ordered.length ? 'older' : own ? 'own' : 'newest';
  });
  expect(new Set(places)).toEqual(new Set(['older', 'own', 'newest']));
});



test('sums kept per part follow the run: a key recovering after a summary, a new failure, and storage answering later all show in the next one', () => {
  const grammar = compileGrammar();
  let runs = applyLines(
    { current: null, history: [] },
    parseText(logOf(T0, [...banner(2, 180, 4), ['WARNING', '  ❌ Failed 2021-10-19: HTTP 500'], ['WARNING', '  ❌ Failed 2021-10-20: HTTP 500']]), grammar).lines,
  );
  let files: FailedFile[] = [];
  let fold = NO_FILES;
  const summary = (present: Set<string> | null) => {
    const run: LogRun = { failures: runs.current!.failedKeys, startedAt: runs.current!.startedAt, lastActivityAt: runs.current!.lastActivityAt, succeeded: null };
    const walk = (visit: (key: string, v: Readonly<KeyVerdict>) => void) => forEachVerdict(files, null, run, visit);
    const parts = (onPart: VerdictPart) => forEachVerdictPart(files, null, run, onPart, () => fold);
    return summariseFailures({ verdicts: walk, verdictParts: parts, presentInStorage: present, calendar: NBA_CALENDAR }, NBA_CALENDAR.labels);
  };
  const older = runs;
  expect(summary(null)).toMatchObject({ failing: 2, recovered: 0 });
  runs = applyLines(runs, parseText(logOf(T0 + 60_000, [['INFO', '  ✅ Scraped 2021-10-19'], ['WARNING', '  ❌ Timeout 2021-10-21']]), grammar).lines);
  expect(summary(null)).toMatchObject({ failing: 2, byError: [{ label: 'HTTP 500', count: 1 }, { label: 'timeout', count: 1 }] });
  expect(summary(new Set(['2021-10-20']))).toMatchObject({ failing: 1, recovered: 1 });
  expect(summary(null)).toMatchObject({ failing: 2, recovered: 0 });
  // A run before this one had failed 2021-10-20 too (its file shows up): now it failed in every run that tried it.
  const earlier: FailedFile = inZone({ path: '/runs/failed_dates_20251120_080000.json', name: 'failed_dates_20251120_080000.json', runStartedAt: null, writtenAt: '2025-11-20T09:00:00', writtenAtMs: null, walls: { name: null, written: isoWall('2025-11-20T09:00:00') }, mtimeMs: 0, totalFailed: 1, entries: [{ key: '2021-10-20', status: 'failed', error: 'HTTP 500' }], problems: [] }, undefined);
  files = [earlier];
  fold = foldRuns([fileRun(earlier)]);
  expect(summary(new Set())).toMatchObject({ failing: 2, persistent: 1 });
  // Storage not listed: a run silent about a key may have scraped it, so no key is known to be persistent.
  expect(summary(null)).toMatchObject({ failing: 2, persistent: null, persistentByPhase: [] });
  files = [];
  fold = NO_FILES;
  // The older snapshot still shows what it showed.
  runs = older;
  expect(summary(null)).toMatchObject({ failing: 2, byError: [{ label: 'HTTP 500', count: 2 }] });
});

test('a summary after a batch reads only the parts the batch changed: the other chunks of the store are summed from what was kept', () => {
  const store = new FailedStore();
  for (let i = 0; i < 10_000; i++) store.add(`00221${String(i).padStart(5, '0')}`, { failure: 'HTTP 500', error: 'HTTP 500', at: 0 }, 1);
  let view = FailedKeys.of(store, 1);
  let walks = 0;
  const summary = () => {
    const run: LogRun = { failures: view, startedAt: null, lastActivityAt: null, succeeded: null };
    const parts = (onPart: VerdictPart) =>
      forEachVerdictPart([], null, run, (part, stamp, walk) => onPart(part, stamp, (visit) => (part && walks++, walk(visit))), () => NO_FILES);
    return summariseFailures({ verdicts: new Map(), verdictParts: parts, presentInStorage: null }, []);
  };
  expect(summary().failing).toBe(10_000);
  // 10,000 keys are three chunks of 4,096.
  expect(walks).toBe(3);
  walks = 0;
  store.add('0022199999', { failure: 'timeout', error: 'timeout', at: 0 }, 2);
  store.remove('0022100001', 2);
  view = FailedKeys.of(store, 2);
  expect(summary()).toMatchObject({ failing: 10_000, byError: [{ label: 'HTTP 500', count: 9_999 }, { label: 'timeout', count: 1 }] });
  // The first chunk (a key recovered) and the last (a key added) again; the middle one was kept.
  expect(walks).toBe(2);
});

test("a run's own failures summed from its store's parts (no storage, dates or files) count as the walk of their verdicts does", () => {
  // Keys as bytes (dates, ids, ten bytes with dashes that are no date) and as text (non-ASCII), over several
  // chunks of the store; failures with and without their own error text; some recover later, and a view older
  // than that still lists them.
  const store = new FailedStore();
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  // Each key once (a store lists a key once): dates by i over the years, ten bytes with dashes that are no date.
  const keyAt = (i: number) =>
    i % 7 === 0 ? `partido-${i}-é` : i % 5 === 0 ? `${1900 + Math.floor(i / 336)}-${pad(1 + (Math.floor(i / 28) % 12), 2)}-${pad(1 + (i % 28), 2)}` : i % 11 === 0 ? `${pad(i, 4)}-ab-cd` : `00221${pad(i, 5)}`;
  const add = (i: number, version: number) => {
    const key = keyAt(i);
    const f = LIVE[i % LIVE.length];
    hashKey(key);
    if (/^[\x21-\x7e]+$/.test(key)) {
      const b = Buffer.from(key, 'latin1');
      store.addBytes(lanes.h1, lanes.h2, b, 0, b.length, f.failure, f.error, T0 + i, version);
    } else store.addText(key, lanes.h1, lanes.h2, f.failure, f.error, T0 + i, version);
  };
  for (let i = 0; i < 9_000; i++) add(i, 1);
  const older = FailedKeys.of(store, 1);
  for (let i = 0; i < 9_000; i += 3) store.remove(keyAt(i), 2);
  for (let i = 9_000; i < 9_500; i++) add(i, 2);
  const newer = FailedKeys.of(store, 2);
  for (const [failures, dates] of [[older, null], [newer, null], [newer, new Map([[keyAt(1), '2023-01-05']])]] as const) {
    const run: LogRun = { failures, startedAt: T0, lastActivityAt: T0 + 10_000, succeeded: null };
    const input = { presentInStorage: null, calendar: NBA_CALENDAR, dates };
    const walk = (visit: (key: string, v: Readonly<KeyVerdict>) => void) => forEachVerdict([], null, run, visit);
    const table = summarise(currentFailures({ ...input, verdicts: walk }), NBA_CALENDAR.labels);
    let summed = 0;
    const parts = (onPart: VerdictPart) =>
      forEachVerdictPart([], null, run, (part, stamp, visitAll, counts) =>
        onPart(part, stamp, visitAll, counts && ((isDate) => (summed++, counts(isDate)))),
      );
    expect(summariseFailures({ ...input, verdicts: walk, verdictParts: parts }, NBA_CALENDAR.labels)).toEqual(table);
    // Taken where nothing but a key's date is asked of it, and only there.
    expect(summed > 2, `dates ${dates !== null}`).toBe(dates === null);
  }
  const s = summarise(currentFailures({ presentInStorage: null, calendar: NBA_CALENDAR, dates: null, verdicts: (visit) => forEachVerdict([], null, { failures: newer, startedAt: T0, lastActivityAt: T0, succeeded: null }, visit) }), NBA_CALENDAR.labels);
  expect(s.byError.length).toBeGreaterThanOrEqual(4);
  expect(s.byMonth.length).toBeGreaterThan(10);
  expect(s.failing).toBe(9_500 - 3_000);
});

test("a store's parts counted as their entries came (every entry seen, none a date) sum as the walk of their verdicts does", () => {
  // Chunks (4,096 entries each) of game ids whose counts were kept as they were listed, beside chunks those counts
  // cannot answer for, each for one reason: keys recovered, more error texts than a chunk keeps, a key given as text,
  // ten bytes shaped like a date, and entries born after an older view.
  const store = new FailedStore();
  const id = (i: number) => `00221${String(i).padStart(5, '0')}`;
  const add = (key: string, f: { failure: string; error: string }, version: number) => {
    hashKey(key);
    if (/^[\x21-\x7e]+$/.test(key)) {
      const b = Buffer.from(key, 'latin1');
      store.addBytes(lanes.h1, lanes.h2, b, 0, b.length, f.failure, f.error, T0, version);
    } else store.addText(key, lanes.h1, lanes.h2, f.failure, f.error, T0, version);
  };
  const CHUNK = 4_096;
  // Chunks 0 and 1: the kinds in runs (the pair changes now and then, and comes back); chunk 1 loses a key later.
  for (let i = 0; i < 2 * CHUNK; i++) add(id(i), LIVE[Math.floor(i / 700) % LIVE.length], 1);
  // Chunk 2: errors that name their key.
  for (let i = 2 * CHUNK; i < 3 * CHUNK; i++) add(id(i), { failure: 'error', error: `KeyError: ${i % 40}` }, 1);
  // Chunk 3: a key given as text among ids; chunk 4: a key of ten bytes with dashes at 4 and 7 (a date).
  for (let i = 3 * CHUNK; i < 5 * CHUNK; i++) add(i === 3 * CHUNK + 9 ? 'partido-é' : i === 4 * CHUNK + 9 ? '2022-01-05' : id(i), LIVE[i % 2], 1);
  // Chunk 5: half of it listed after the older view.
  for (let i = 5 * CHUNK; i < 5 * CHUNK + 1_000; i++) add(id(i), LIVE[3], 1);
  const older = FailedKeys.of(store, 1);
  for (let i = 5 * CHUNK + 1_000; i < 5 * CHUNK + 2_000; i++) add(id(i), LIVE[2], 2);
  store.remove(id(CHUNK + 5), 2);
  const newer = FailedKeys.of(store, 2);
  for (const failures of [older, newer]) {
    const run: LogRun = { failures, startedAt: T0, lastActivityAt: T0 + 10_000, succeeded: null };
    const input = { presentInStorage: null, calendar: NBA_CALENDAR, dates: null };
    const walk = (visit: (key: string, v: Readonly<KeyVerdict>) => void) => forEachVerdict([], null, run, visit);
    const table = summarise(currentFailures({ ...input, verdicts: walk }), NBA_CALENDAR.labels);
    const parts = (onPart: VerdictPart) => forEachVerdictPart([], null, run, onPart);
    expect(summariseFailures({ ...input, verdicts: walk, verdictParts: parts }, NBA_CALENDAR.labels)).toEqual(table);
    expect(table.failing).toBe(failures === older ? 5 * CHUNK + 1_000 : 5 * CHUNK + 1_999);
  }
});
