import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  currentFailures,
  dayOf,
  errorLabel,
  failingCount,
  formatMonths,
  groupByError,
  isDateKey,
  keyHistory,
  persistentKeys,
  persistentSentence,
  summarise,
} from '../src/failures/analysis.js';
import { failureVerdicts, type LogRun } from '../src/failures/verdicts.js';
import { NBA_CALENDAR } from '../src/phases/calendar.js';
import { readFailedFile, type FailedEntry, type FailedFile } from '../src/failures/failed-file.js';
import { inZone, isoWall, nameWall } from '../src/failures/file-times.js';

const H500 = { status: 'failed', error: 'HTTP 500' };
const T180 = { status: 'timeout', error: 'Timeout after 180s' };

/**
 * A run's failed file from `key → failure`; `stamp` is the name's YYYYMMDD_HHMMSS. Its times read as a file's are (its
 * walls, in this machine's zone, UTC here: failed-file.ts then the reducer's inZone).
 */
function file(stamp: string, failures: Failures, writtenAt: string | null = null): FailedFile {
  const name = `failed_dates_${stamp}.json`;
  const entries = Object.entries(failures).map(([key, f]) => ({ key, ...f }));
  return inZone({ path: `/runs/${name}`, name, runStartedAt: null, writtenAt, writtenAtMs: null, walls: { name: nameWall(name), written: isoWall(writtenAt) }, mtimeMs: 0, totalFailed: entries.length, entries, problems: [] }, undefined);
}

/**
 * The shape of the real 244-date recovery run: 202 failures, 192 HTTP 500 and 10 timeouts, 164 of them in
 * April to June across four seasons (the scraper asked for "Regular Season" data on playoff dates).
 */
function recoveryRun(): { game_date: string; status: string; error: string }[] {
  const out: { game_date: string; status: string; error: string }[] = [];
  const day = (n: number) => String(n + 1).padStart(2, '0');
  for (let i = 0; i < 164; i++) {
    const month = [4, 5, 6][Math.floor(i / 4) % 3];
    out.push({ game_date: `${2022 + (i % 4)}-0${month}-${day(Math.floor(i / 12))}`, ...H500 });
  }
  for (let i = 0; i < 38; i++) {
    const month = [11, 12, 1, 2, 3][Math.floor(i / 4) % 5];
    const year = 2022 + (i % 4) - (month > 6 ? 1 : 0);
    out.push({ game_date: `${year}-${String(month).padStart(2, '0')}-${day(Math.floor(i / 20))}`, ...(i < 10 ? T180 : H500) });
  }
  return out;
}

describe('grouping', () => {
  test.each([
    { status: 'failed', error: 'HTTP 500', label: 'HTTP 500' },
    { status: 'failed', error: 'HTTP Error 503: Service Unavailable', label: 'HTTP 503' },
    { status: 'error', error: '502 Server Error: Bad Gateway for url: https://x/scrape', label: 'HTTP 502' },
    { status: 'failed', error: 'HTTPConnectionPool: 5000 retries', label: 'failed' },
    { status: 'timeout', error: 'Timeout after 120s', label: 'timeout' },
    { status: 'timeout', error: '', label: 'timeout' },
    { status: 'error', error: 'ReadTimeout: read timed out', label: 'timeout' },
    { status: 'error', error: 'ConnectionError: reset by peer', label: 'error' },
    { status: 'exception', error: 'worker died', label: 'exception' },
    { status: 'other', error: 'strange', label: 'other' },
    // Tester AJ6: other common wordings of a status code, each its HTTP NNN.
    { status: 'failed', error: '503 Service Unavailable', label: 'HTTP 503' },
    { status: 'failed', error: '500 Internal Server Error', label: 'HTTP 500' },
    { status: 'failed', error: '429 Too Many Requests', label: 'HTTP 429' },
    { status: 'failed', error: '504 Gateway Timeout', label: 'HTTP 504' },
    { status: 'error', error: 'HTTPError: 500 Server Error: Internal Server Error for url: https://x/scrape', label: 'HTTP 500' },
    { status: 'failed', error: 'Unexpected status code: 504', label: 'HTTP 504' },
    { status: 'failed', error: 'status=503', label: 'HTTP 503' },
    { status: 'failed', error: 'Server returned 502', label: 'HTTP 502' },
    // Numbers that are no status: a count, a key, a port.
    { status: 'failed', error: '500 keys left', label: 'failed' },
    { status: 'error', error: 'ConnectionError: 127.0.0.1:5000 refused', label: 'error' },
    { status: 'failed', error: 'game 0022100503 Not Found', label: 'failed' },
  ])('$status / $error → $label', ({ status, error, label }) => expect(errorLabel({ status, error })).toBe(label));

  test('a generated recovery-run file reads back as 192 HTTP 500 + 10 timeouts, 164 of 202 in Apr–Jun', async () => {
    const entries = recoveryRun();
    expect(new Set(entries.map((e) => e.game_date)).size).toBe(202);
    const dir = await mkdtemp(join(tmpdir(), 'failure-analysis-'));
    try {
      const path = join(dir, 'failed_dates_20251126_231710.json');
      await writeFile(path, JSON.stringify({ timestamp: '2025-11-26T23:49:49.094932', total_failed: 202, failed_dates: entries }, null, 2));
      const read = await readFailedFile(path);
      if (!read.ok) throw new Error(read.reason);
      expect(groupByError(read.file.entries)).toEqual([
        { label: 'HTTP 500', count: 192 },
        { label: 'timeout', count: 10 },
      ]);
      const rows = currentFailures({ verdicts: failureVerdicts([read.file], null, null), presentInStorage: null, calendar: NBA_CALENDAR });
      const s = summarise(rows, NBA_CALENDAR.labels);
      expect(s).toMatchObject({ persistent: null, failing: 202, recovered: 0, byError: [{ label: 'HTTP 500', count: 192 }, { label: 'timeout', count: 10 }] });
      // Every month is there, the 8 February failures too, oldest first.
      const months = new Map<string, number>();
      for (const e of entries) months.set(e.game_date.slice(0, 7), (months.get(e.game_date.slice(0, 7)) ?? 0) + 1);
      expect(s.byMonth).toEqual([...months].sort(([a], [b]) => a.localeCompare(b)).map(([label, count]) => ({ label, count })));
      expect(s.byMonth.filter((m) => m.label.endsWith('-02')).reduce((a, m) => a + m.count, 0)).toBe(8);
      expect(s.byMonth.reduce((a, m) => a + m.count, 0)).toBe(202);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test.each([
    {
      name: 'dates by phase (season order) and by month',
      entries: [{ key: '2022-04-17' }, { key: '2022-04-13' }, { key: '2022-05-01' }, { key: '2021-11-02' }, { key: '2022-02-19' }, { key: '2022-08-01' }],
      phases: { 'Regular season': 2, 'All-Star': 1, 'Play-In': 1, Playoffs: 2 },
      months: { '2021-11': 1, '2022-02': 1, '2022-04': 2, '2022-05': 1, '2022-08': 1 },
    },
    {
      name: 'game ids: the entry\'s game_date, else the expected keys\' date column, else no date: in no month and no phase (tester W8: not Regular season)',
      entries: [{ key: '0042100101', date: '2022-04-16' }, { key: '0022100001', date: '2021-10-19' }, { key: '0052100211' }, { key: '0022100002' }],
      phases: { 'Regular season': 1, 'Play-In': 1, Playoffs: 1, 'no date': 1 },
      months: { '2021-10': 1, '2022-04': 2, 'no date': 1 },
    },
  ])('$name', ({ entries, phases, months }) => {
    const latestFile = { ...file('20251127_085942', {}), entries: entries.map((e) => ({ ...H500, ...e })) as FailedEntry[] };
    const dates = new Map([['0052100211', '2022-04-13']]);
    const rows = currentFailures({ verdicts: failureVerdicts([latestFile], null, null), presentInStorage: null, calendar: NBA_CALENDAR, dates });
    const s = summarise(rows, NBA_CALENDAR.labels);
    expect(s.byPhase.map((g) => [g.label, g.count])).toEqual(Object.entries(phases));
    expect(s.byMonth.map((g) => [g.label, g.count])).toEqual(Object.entries(months));
  });

  test('months read compactly, every one of them; the persistent sentence says what follows', () => {
    expect(formatMonths([{ label: '2021-11', count: 3 }, { label: '2022-02', count: 8 }, { label: '2022-04', count: 1 }, { label: 'no date', count: 2 }])).toBe('2021: Nov 3 · 2022: Feb 8 Apr 1 · no date 2');
    expect(formatMonths([{ label: '2022-04', count: 1_500 }, { label: 'no date', count: 200_002 }])).toBe('2022: Apr 1,500 · no date 200,002');
    const s = { failing: 35, recovered: 0, persistent: 35, byError: [], byPhase: [], byMonth: [], persistentByPhase: [{ label: 'All-Star', count: 8 }, { label: 'Play-In', count: 12 }, { label: 'Playoffs', count: 15 }] };
    expect(persistentSentence(s)).toBe('35 keys failed in every run that tried them (All-Star 8 · Play-In 12 · Playoffs 15): a gentler retry will not help');
    expect(persistentSentence({ ...s, persistent: 1, persistentByPhase: [{ label: 'Playoffs', count: 1 }] })).toBe('1 key failed in every run that tried it (Playoffs 1): a gentler retry will not help');
    expect(persistentSentence({ ...s, persistent: 0 })).toBeNull();
  });

  test('groups: most first, ties by label', () => {
    const g = groupByError([{ key: 'a', ...T180 }, { key: 'b', status: 'error', error: 'x' }, { key: 'c', ...H500 }, { key: 'd', ...T180 }]);
    expect(g).toEqual([
      { label: 'timeout', count: 2 },
      { label: 'error', count: 1 },
      { label: 'HTTP 500', count: 1 },
    ]);
  });
});

type Failures = Record<string, { status: string; error: string }>;
interface PersistCase {
  name: string;
  runs: Failures[];
  tried: string[] | null;
  persistent: boolean;
  present?: boolean;
}

describe('history and persistent keys', () => {
  const run1 = '20251126_162719';
  const run2 = '20251126_231710';
  const run3 = '20251127_085942';
  const T120 = { status: 'timeout', error: 'Timeout after 120s' };

  test.each([
    { name: 'failed in two runs', runs: [{ k: H500 }, { k: H500 }], tried: null, persistent: true },
    { name: 'one run only', runs: [{}, { k: H500 }], tried: null, persistent: false },
    { name: 'a different error in each run: still failed every time', runs: [{ k: H500 }, { k: T180 }], tried: null, persistent: true },
    { name: 'absent from a run whose keys are unknown, not in storage: that run did not try it', runs: [{ k: H500 }, {}, { k: H500 }], tried: null, persistent: true },
    { name: 'absent from a run known not to have tried it', runs: [{ k: H500 }, {}, { k: H500 }], tried: [], persistent: true },
    { name: 'absent from a run known to have tried it: it did not fail there', runs: [{ k: H500 }, {}, { k: H500 }], tried: ['k'], persistent: false },
    { name: 'in storage now: recovered, never persistent', runs: [{ k: H500 }, { k: H500 }, { k: H500 }], tried: null, persistent: false, present: true },
    { name: 'first failed later: older runs do not count', runs: [{}, { k: H500 }, { k: H500 }], tried: null, persistent: true },
    { name: 'three runs', runs: [{ k: H500 }, { k: H500 }, { k: H500 }], tried: null, persistent: true },
  ] as PersistCase[])('$name → $persistent', ({ runs, tried, persistent, present }) => {
    const stamps = [run1, run2, run3];
    // Given newest first (the watcher's order) and shuffled: the rule orders by the name timestamp itself.
    const files = runs.map((r, i) => file(stamps[i], r)).reverse();
    // `tried`: the keys the middle run was given, when known.
    const triedMap = tried ? new Map([[file(run2, {}).path, new Set(tried)]]) : undefined;
    const inStorage = new Set(present ? ['k'] : []);
    expect(persistentKeys(files, triedMap, inStorage).has('k')).toBe(persistent);
    expect(persistentKeys([files[1], files[0], ...files.slice(2)], triedMap, inStorage).has('k')).toBe(persistent);
  });

  test('keyHistory: runs, distinct error groups oldest first, last error of the newest run', () => {
    const h = keyHistory([file(run3, { a: H500 }), file(run1, { a: T120, b: H500 }), file(run2, { a: T180 })]);
    expect(h.get('a')).toEqual({ runs: 3, errors: ['timeout', 'HTTP 500'], lastError: 'HTTP 500', lastStatus: 'failed' });
    expect(h.get('b')).toEqual({ runs: 1, errors: ['HTTP 500'], lastError: 'HTTP 500', lastStatus: 'failed' });
    expect(h.has('c')).toBe(false);
  });
});

describe('currentFailures: a key is failing when the latest run that tried it failed it', () => {
  const liveStart = new Date(2025, 10, 27, 9, 0, 0).getTime();
  const older = file('20251126_231710', { a: H500, b: T180, c: H500 }, '2025-11-26T23:49:49.094932');
  const ofLiveRun = file('20251127_085959', { a: T180, b: T180 }, '2025-11-27T09:25:11.038410');
  const later = file('20251127_120000', { a: T180 }, '2025-11-27T12:30:00.000000');
  const failures = new Map([
    ['a', { failure: 'HTTP 500', error: 'HTTP 502' }],
    ['d', { failure: 'timeout', error: '' }],
  ]);
  const live = (succeeded: string[] = []): LogRun => ({ failures, startedAt: liveStart, lastActivityAt: liveStart + 600_000, succeeded: new Set(succeeded) });
  const show = (files: FailedFile[], run: LogRun | null, opts: { present?: string[]; tried?: Map<string, Set<string>> } = {}) =>
    currentFailures({ verdicts: failureVerdicts(files, opts.tried ?? null, run), presentInStorage: new Set(opts.present ?? []) }).map(
      (r) => `${r.key} ${r.status} ${r.error} ${r.source} ${r.failedIn}/${r.triedIn}${r.recovered ? ' recovered' : ''}${r.persistent ? ' persistent' : ''}`,
    );

  test.each([
    {
      name: 'no live run: the file',
      rows: show([older], null),
      want: ['a failed HTTP 500 file 1/1', 'b timeout Timeout after 180s file 1/1', 'c failed HTTP 500 file 1/1'],
    },
    {
      name: 'live run, no file yet',
      rows: show([], live()),
      want: ['a failed HTTP 502 log 1/1', 'd timeout timeout log 1/1'],
    },
    {
      name: 'file of an older run: the log wins on the keys it failed, a key it scraped has recovered, the rest stay failing',
      rows: show([older], live(['c'])),
      want: ['a failed HTTP 502 log 2/2 persistent', 'b timeout Timeout after 180s file 1/1', 'c failed HTTP 500 file 1/2 recovered', 'd timeout timeout log 1/1'],
    },
    {
      name: 'file written by the live run: it is that run\'s final word; the log adds what the file does not list',
      rows: show([ofLiveRun], live(['b'])),
      want: ['a timeout Timeout after 180s file 1/1', 'b timeout Timeout after 180s file 1/1', 'd timeout timeout log 1/1'],
    },
    {
      name: 'an older run\'s keys the newest run did not try keep their failure (tester F9)',
      rows: show([ofLiveRun, older], live()),
      want: ['a timeout Timeout after 180s file 2/2 persistent', 'b timeout Timeout after 180s file 2/2 persistent', 'c failed HTTP 500 file 1/1', 'd timeout timeout log 1/1'],
    },
    {
      name: 'a group retry launched here (its keys file: only b) leaves a and c failing',
      rows: show([older, file('20251127_085959', { b: T180 })], null, { tried: new Map([['/runs/failed_dates_20251127_085959.json', new Set(['b'])]]) }),
      want: ['a failed HTTP 500 file 1/1', 'b timeout Timeout after 180s file 2/2 persistent', 'c failed HTTP 500 file 1/1'],
    },
    {
      name: 'a later run known to have tried a key and not failed it: recovered, though storage was not listed since',
      rows: show([older, file('20251127_085959', { b: T180 })], null, { tried: new Map([['/runs/failed_dates_20251127_085959.json', new Set(['a', 'b'])]]) }),
      want: ['a failed HTTP 500 file 1/2 recovered', 'b timeout Timeout after 180s file 2/2 persistent', 'c failed HTTP 500 file 1/1'],
    },
    {
      name: 'no written-at field: the mtime says when it was written (after the live run started: its own)',
      rows: show([{ ...older, writtenAt: null, writtenAtMs: null, walls: { ...older.walls!, written: null }, mtimeMs: liveStart + 1 }], live()),
      want: ['a failed HTTP 500 file 1/1', 'b timeout Timeout after 180s file 1/1', 'c failed HTTP 500 file 1/1', 'd timeout timeout log 1/1'],
    },
    {
      name: 'a file of a run started after the log\'s run ended is a later run, not the log run\'s own',
      rows: show([later], live()),
      want: ['a timeout Timeout after 180s file 2/2 persistent', 'd timeout timeout log 1/1'],
    },
    {
      name: 'in storage now: recovered, never persistent',
      rows: show([older, ofLiveRun], null, { present: ['b', 'zz'] }),
      want: ['a timeout Timeout after 180s file 2/2 persistent', 'b timeout Timeout after 180s file 2/2 recovered', 'c failed HTTP 500 file 1/1'],
    },
  ])('$name', ({ rows, want }) => expect(rows).toEqual(want));

  test('recovered keys do not count as failing, nor in the summary groups', () => {
    const rows = currentFailures({ verdicts: failureVerdicts([older, ofLiveRun], null, null), presentInStorage: new Set(['b']) });
    expect(failingCount(rows)).toBe(2);
    expect(summarise(rows)).toEqual({
      byError: [{ label: 'HTTP 500', count: 1 }, { label: 'timeout', count: 1 }],
      byPhase: [{ label: 'Other', count: 2 }],
      byMonth: [{ label: 'no date', count: 2 }],
      persistentByPhase: [{ label: 'Other', count: 1 }],
      persistent: 1,
      failing: 2,
      recovered: 1,
    });
  });
});

test('a key is a date exactly when it reads YYYY-MM-DD with a month 01–12 (the summary tells it per key without a regex)', () => {
  const regex = /^\d{4}-(0[1-9]|1[0-2])-\d{2}$/;
  const shapes = ['2021-10-19', '2021-01-01', '2021-12-31', '2021-09-00', '0000-10-99', '2021-00-19', '2021-13-19', '2021-1-019', '2021/10/19', '20211019xx', '2021-10-19 ', ' 2021-10-19', '2021-10-1a', 'a021-10-19', '2021-1a-19', '2021-10-19\n', '２021-10-19', '0022100001', '', '2021-10', '2021-10-190'];
  // Every one-character change of a date, through the characters around the digits and the dash.
  for (let i = 0; i < 10; i++) for (const c of '/,-.09:19a ') shapes.push(`2021-10-19`.slice(0, i) + c + `2021-10-19`.slice(i + 1));
  const wrong = shapes.filter((s) => isDateKey(s) !== regex.test(s));
  expect(wrong).toEqual([]);
  expect(shapes.filter((s) => isDateKey(s)).length).toBeGreaterThan(20);
  expect(dayOf('0022100001', '2021-10-19', null)).toBe('2021-10-19');
  expect(dayOf('0022100001', '2021-13-19', new Map([['0022100001', '2021-10-20']]))).toBe('2021-10-20');
});
