import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { compareNewestFirst, parseFailedFile, readFailedFile, runStartFromName, type FailedFile } from '../src/failures/failed-file.js';

/** A failed-keys file as the script writes it: json.dump(indent=2), no trailing newline. */
function scriptJson(listField: string, entries: unknown[], extra: Record<string, unknown> = {}): string {
  const doc = { timestamp: '2025-11-26T23:49:49.094932', total_failed: entries.length, [listField]: entries, ...extra };
  return JSON.stringify(doc, null, 2);
}

const dates = [
  { game_date: '2022-04-17', status: 'failed', error: 'HTTP 500' },
  { game_date: '2022-02-01', status: 'timeout', error: 'Timeout after 180s' },
];

describe('parseFailedFile: shapes', () => {
  test.each([
    {
      name: 'failed_dates',
      text: scriptJson('failed_dates', dates),
      keys: ['2022-04-17', '2022-02-01'],
      statuses: ['failed', 'timeout'],
      dates: [undefined, undefined],
    },
    {
      name: 'failed_games with game_id and game_date',
      text: scriptJson('failed_games', [
        { game_id: '0022100001', game_date: '2021-10-19', status: 'failed', error: 'HTTP 500' },
        { game_id: '0022100002', status: 'exception', error: 'worker died' },
      ]),
      keys: ['0022100001', '0022100002'],
      statuses: ['failed', 'exception'],
      dates: ['2021-10-19', undefined],
    },
    {
      name: 'a generic failed_keys list with key',
      text: JSON.stringify({ failed_keys: [{ key: 'a', status: 'error', error: 'boom' }] }),
      keys: ['a'],
      statuses: ['error'],
      dates: [undefined],
    },
    {
      name: 'a bare array',
      text: JSON.stringify([{ key: 'b', status: 'TIMEOUT', error: '' }, { key: 'c', status: 'weird', error: 'x' }]),
      keys: ['b', 'c'],
      statuses: ['timeout', 'other'],
      dates: [undefined, undefined],
    },
  ])('$name', ({ text, keys, statuses, dates: ds }) => {
    const r = parseFailedFile('/runs/failed_dates_20251126_231710.json', text);
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.entries.map((e) => e.key)).toEqual(keys);
    expect(r.file.entries.map((e) => e.status)).toEqual(statuses);
    expect(r.file.entries.map((e) => e.date)).toEqual(ds);
    expect(r.file.problems).toEqual([]);
  });

  test('file fields: name, run start from the name (local time), written-at, total', () => {
    const r = parseFailedFile('/runs/failed_dates_20251126_231710.json', scriptJson('failed_dates', dates));
    if (!r.ok) throw new Error(r.reason);
    expect(r.file).toMatchObject({
      path: '/runs/failed_dates_20251126_231710.json',
      name: 'failed_dates_20251126_231710.json',
      runStartedAt: new Date(2025, 10, 26, 23, 17, 10).getTime(),
      writtenAt: '2025-11-26T23:49:49.094932',
      totalFailed: 2,
    });
  });
});

describe('parseFailedFile: wrong types are reported, readable entries kept', () => {
  test.each([
    { entry: { game_date: 20220417, status: 'failed', error: 'HTTP 500' }, problem: 'entry 2: game_date is not a string', kept: false },
    { entry: { status: 'failed', error: 'HTTP 500' }, problem: 'entry 2: no game_date or key', kept: false },
    { entry: '2022-04-17', problem: 'entry 2: not an object', kept: false },
    { entry: { game_date: '2022-02-01', status: 'failed', error: 'x' }, problem: 'entry 2: 2022-02-01 listed twice', kept: false },
    { entry: { game_date: '2022-05-01', status: 3, error: 'HTTP 500' }, problem: 'entry 2: status is not a string', kept: true },
    { entry: { game_date: '2022-05-01', status: 'failed', error: { code: 500 } }, problem: 'entry 2: error is not a string', kept: true },
    { entry: { game_date: '2022-05-01', status: 'failed', error: 'x', attempts: 5 }, problem: 'unknown entry field attempts (1 entry)', kept: true },
  ])('$problem', ({ entry, problem, kept }) => {
    const r = parseFailedFile('/r/failed_dates_20251126_231710.json', scriptJson('failed_dates', [dates[1], entry, dates[0]]));
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.problems).toContain(problem);
    expect(r.file.entries.length).toBe(kept ? 3 : 2);
    expect(r.file.entries.map((e) => e.key)).toContain('2022-04-17');
  });

  test.each([
    { extra: { host: 'x' }, problem: 'unknown field host' },
    { extra: { timestamp: 17 }, problem: 'timestamp is not a string' },
    { extra: { total_failed: '2' }, problem: 'total_failed is not a number' },
    { extra: { total_failed: 5 }, problem: 'total_failed is 5 but the list has 2 entries' },
  ])('top level: $problem', ({ extra, problem }) => {
    const r = parseFailedFile('/r/f.json', scriptJson('failed_dates', dates, extra));
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.problems).toEqual([problem]);
    expect(r.file.entries).toHaveLength(2);
  });

  // Tester AI10 b: `the list has 1 entries`.
  test('top level: a list of one is one entry', () => {
    const r = parseFailedFile('/r/f.json', scriptJson('failed_dates', dates.slice(0, 1), { total_failed: 2 }));
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.problems).toEqual(['total_failed is 2 but the list has 1 entry']);
  });

  test('many bad entries: the first 20 problems, then a count', () => {
    const bad = Array.from({ length: 30 }, () => ({ game_date: 1 }));
    const r = parseFailedFile('/r/f.json', scriptJson('failed_dates', [...bad, dates[0]]));
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.problems).toHaveLength(21);
    expect(r.file.problems[20]).toBe('… and 10 more');
    expect(r.file.entries.map((e) => e.key)).toEqual(['2022-04-17']);
  });
});

describe('parseFailedFile: files it cannot use', () => {
  test('every proper prefix of a file (a half-written file) is refused as incomplete, never a half list', () => {
    const text = scriptJson('failed_dates', [...dates, { game_date: '2022-05-01', status: 'error', error: 'a "quoted" \\ text' }], {
      extra_number: -2.5e3,
      extra_flag: true,
      extra_null: null,
    });
    for (let cut = 0; cut < text.length; cut++) {
      const r = parseFailedFile('/r/f.json', text.slice(0, cut));
      expect(r.ok, `cut at ${cut}`).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/^(incomplete JSON|empty file) \(still being written\?\)$/);
    }
  });

  test.each([
    { text: '{"failed_dates": [}', reason: /^not valid JSON/ },
    { text: '{"failed_dates": []} trailing', reason: /^not valid JSON/ },
    { text: "{'failed_dates': []}", reason: /^not valid JSON/ },
    { text: '"just a string"', reason: /^no list of failed keys/ },
    { text: '{"timestamp": "x", "total_failed": 0}', reason: /^no list of failed keys/ },
    { text: '\uFEFF', reason: /^empty file/ },
  ])('$text', ({ text, reason }) => {
    const r = parseFailedFile('/r/f.json', text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe('names and order', () => {
  test.each([
    { name: 'failed_dates_20251126_231710.json', at: new Date(2025, 10, 26, 23, 17, 10).getTime() },
    { name: 'retry_failed_dates_20251127_085942.json', at: new Date(2025, 10, 27, 8, 59, 42).getTime() },
    { name: 'failed_dates_20251326_231710.json', at: null },
    { name: 'failed_dates_20251126_256010.json', at: null },
    { name: 'failed.json', at: null },
  ])('$name', ({ name, at }) => expect(runStartFromName(name)).toBe(at));

  const f = (name: string, mtimeMs: number): FailedFile => ({
    path: `/r/${name}`,
    name,
    runStartedAt: runStartFromName(name),
    writtenAt: null,
    mtimeMs,
    totalFailed: 0,
    entries: [],
    problems: [],
  });

  test('newest first by the name timestamp, then mtime', () => {
    const files = [
      f('failed_dates_20251126_162719.json', 9_000_000_000_000),
      f('failed_dates_20251127_085942.json', 1),
      f('failed_games_20251126_231710.json', 2),
      f('failed_dates_20251126_231710.json', 3),
    ];
    expect(files.sort(compareNewestFirst).map((x) => x.name)).toEqual([
      'failed_dates_20251127_085942.json',
      'failed_dates_20251126_231710.json',
      'failed_games_20251126_231710.json',
      'failed_dates_20251126_162719.json',
    ]);
  });
});

describe('readFailedFile', () => {
  let dir = '';
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('reads a real file with its mtime; a missing one is ok:false, not a throw', async () => {
    dir = await mkdtemp(join(tmpdir(), 'failed-file-'));
    const path = join(dir, 'failed_dates_20251126_231710.json');
    await writeFile(path, scriptJson('failed_dates', dates));
    const r = await readFailedFile(path);
    if (!r.ok) throw new Error(r.reason);
    expect(r.file.entries).toHaveLength(2);
    expect(r.file.mtimeMs).toBeGreaterThan(0);
    expect(r.size).toBe(Buffer.byteLength(scriptJson('failed_dates', dates)));
    expect(await readFailedFile(join(dir, 'nope.json'))).toEqual({ ok: false, reason: 'missing', mtimeMs: null, size: null });
  });
});
