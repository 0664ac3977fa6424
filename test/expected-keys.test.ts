import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isCalendarDate, parseExpectedKeys, readExpectedKeys, splitCsv } from '../src/coverage/expected-keys.js';

describe('isCalendarDate', () => {
  test.each([
    ['2021-10-19', true],
    ['2024-02-29', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['2023-02-29', false],
    ['2023-02-30', false],
    ['1900-02-29', false], // divisible by 100, not 400
    ['2023-04-31', false],
    ['2023-12-31', true],
    ['2023-13-01', false],
    ['2023-00-10', false],
    ['2023-01-00', false],
    ['2023-1-5', false],
    [' 2023-01-05', false],
    ['20230105', false],
  ])('%s → %s', (s, ok) => {
    expect(isCalendarDate(s)).toBe(ok);
  });
});

describe('splitCsv', () => {
  test.each([
    ['a,b,c', ['a', 'b', 'c']],
    [' a , b ', ['a', 'b']],
    ['"a,b",c', ['a,b', 'c']],
    ['"say ""hi""",x', ['say "hi"', 'x']],
    ['a,,', ['a', '', '']],
    ['', ['']],
  ])('%j', (line, cells) => {
    expect(splitCsv(line)).toEqual(cells);
  });
});

const parse = (text: string, spec: { column?: string; format?: 'date' | 'id' } = {}) => parseExpectedKeys(text, { file: 'keys.csv', ...spec });

describe('parseExpectedKeys', () => {
  test.each([
    { name: 'one date a line, no header', text: '2021-10-20\n2021-10-19\n', keys: ['2021-10-19', '2021-10-20'], format: 'date' },
    { name: 'CRLF and a BOM', text: '\uFEFF2021-10-19\r\n2021-10-20\r\n', keys: ['2021-10-19', '2021-10-20'], format: 'date' },
    { name: 'no final newline', text: '2021-10-19\n2021-10-20', keys: ['2021-10-19', '2021-10-20'], format: 'date' },
    { name: 'header game_id,game_date, first column by default', text: 'game_id,game_date\n0022100002,2021-10-19\n0022100001,2021-10-19\n', keys: ['0022100001', '0022100002'], format: 'id' },
    { name: 'header, chosen column game_date', spec: { column: 'game_date' }, text: 'game_id,game_date\n0022100001,2021-10-19\n0022100002,2021-10-20\n0022100003,2021-10-20\n', keys: ['2021-10-19', '2021-10-20'], format: 'date', duplicates: 1 },
    { name: 'column matched without case', spec: { column: 'GAME_DATE' }, text: 'game_id,game_date\n1,2021-10-19\n', keys: ['2021-10-19'], format: 'date' },
    { name: 'single-column header above dates', text: 'date\n2021-10-19\n', keys: ['2021-10-19'], format: 'date' },
    { name: 'single-column header game_id above codes', text: 'game_id\n0022100001\n', keys: ['0022100001'], format: 'id' },
    { name: 'ids without digits and no header', text: 'LAL\nBOS\n', keys: ['BOS', 'LAL'], format: 'id' },
    { name: 'a header-less CSV whose first column is ids', text: '0022100001,2021-10-19\n0022100002,2021-10-20\n', keys: ['0022100001', '0022100002'], format: 'id' },
    { name: 'format given: ids that look like dates', spec: { format: 'id' as const }, text: '2021-10-19\n', keys: ['2021-10-19'], format: 'id' },
    { name: 'blank lines and duplicates counted', text: '2021-10-19\n\n  \n2021-10-19\n2021-10-20\n', keys: ['2021-10-19', '2021-10-20'], format: 'date', blank: 2, duplicates: 1 },
    { name: 'empty file', text: '', keys: [], format: 'id' },
    // Tester AI13: a CSV written before its rows read `game_date` as the one key (`Launch 1 key? game_date`).
    { name: 'a header with no rows yet: no keys', text: 'game_date\n', keys: [], format: 'id' },
    { name: 'a two-column header with no rows yet: no keys', text: 'game_id,game_date\r\n', keys: [], format: 'id' },
    { name: 'one id without digits and no header is still a key', text: 'LAL\n', keys: ['LAL'], format: 'id' },
  ])('$name', ({ text, spec, keys, format, blank = 0, duplicates = 0 }) => {
    const r = parse(text, spec);
    expect(r).toMatchObject({ keys, format, blank, duplicates, invalid: [], file: 'keys.csv' });
  });

  test('invalid lines are reported with 1-based line numbers, never dropped', () => {
    const text = ['2021-10-19', '2023-02-30', '2021/10/20', '', '2024-02-29', 'oops', '2021-10-21'].join('\r\n');
    const r = parse(text);
    expect(r.keys).toEqual(['2021-10-19', '2021-10-21', '2024-02-29']);
    expect(r.blank).toBe(1);
    expect(r.invalid).toEqual([
      { line: 2, text: '2023-02-30', reason: 'not a calendar date' },
      { line: 3, text: '2021/10/20', reason: 'not a date YYYY-MM-DD' },
      { line: 6, text: 'oops', reason: 'not a date YYYY-MM-DD' },
    ]);
  });

  test('line numbers count the header; rows short of the column and empty cells are invalid', () => {
    const r = parse('game_id,game_date\n1,2021-10-19\n2\n3,\n4,not a date\n', { column: 'game_date' });
    expect(r.keys).toEqual(['2021-10-19']);
    expect(r.invalid).toEqual([
      { line: 3, text: '2', reason: 'no column 2' },
      { line: 4, text: '3,', reason: 'empty key' },
      { line: 5, text: '4,not a date', reason: 'not a date YYYY-MM-DD' },
    ]);
  });

  test('an id with a space or a quote is invalid', () => {
    expect(parse('0022100001\n00221 0002\n', { format: 'id' }).invalid).toEqual([{ line: 2, text: '00221 0002', reason: 'not an id (letters, digits, _ . : -)' }]);
  });

  // Tester AA19: `season,game_date,home` was read by its first column; `missing` offered the season 2021 as a key.
  test('with no column named, a header whose first cell names no keys takes the first cell that does', () => {
    const parsed = parseExpectedKeys('season,game_date,home\n2021,2021-10-19,BOS\n2021,2021-10-20,LAL\n', { file: 'e.csv' });
    expect(parsed.keys).toEqual(['2021-10-19', '2021-10-20']);
    expect(parsed.format).toBe('date');
    expect(parsed.duplicates).toBe(0);
  });

  test('with no column named, a header where no cell names keys is an error that says to set expected.column', () => {
    expect(() => parseExpectedKeys('season,home\n2021,BOS\n2022,LAL\n', { file: 'e.csv' })).toThrow('e.csv: which column holds the keys? No header cell names them (season, home): set expected.column');
  });

  test('game_id,game_date: the first cell names keys, so the ids are the keys (the team\'s file)', () => {
    expect(parseExpectedKeys('game_id,game_date\n0022100001,2021-10-19\n', { file: 'e.csv' }).keys).toEqual(['0022100001']);
  });

  test('a named column missing from the header is an error naming the file and the header', () => {
    expect(() => parse('game_id,game_date\n1,2021-10-19\n', { column: 'date' })).toThrow('keys.csv: no column "date" in the header (game_id, game_date)');
  });
});

describe('readExpectedKeys', () => {
  test('reads the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'expected-'));
    const file = join(dir, 'game_dates_to_scrape.csv');
    try {
      await writeFile(file, '2021-10-19\n2021-10-20\n');
      expect(await readExpectedKeys({ file })).toMatchObject({ keys: ['2021-10-19', '2021-10-20'], format: 'date', file });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a missing file is an error naming it', async () => {
    const file = join(tmpdir(), 'no-such-dir-xyz', 'keys.csv');
    await expect(readExpectedKeys({ file })).rejects.toThrow(`expected keys file not found: ${file}`);
  });
});

describe('dates of id keys (for phases and months)', () => {
  test('a game_id,game_date CSV gives each id its date; a date column can be named', () => {
    const text = 'game_id,game_date\n0022100001,2021-10-19\n0042100101,2022-04-16\n0022100003,not-a-date\n';
    const e = parseExpectedKeys(text, { file: 'ids.csv', column: 'game_id' });
    expect(e.format).toBe('id');
    expect([...(e.dates ?? [])]).toEqual([['0022100001', '2021-10-19'], ['0042100101', '2022-04-16']]);
    const named = parseExpectedKeys('id,season,day\n7,2022,2022-05-01\n', { file: 'x.csv', column: 'id', dateColumn: 'day' });
    expect([...(named.dates ?? [])]).toEqual([['7', '2022-05-01']]);
    expect(() => parseExpectedKeys('id,day\n7,2022-05-01\n', { file: 'x.csv', column: 'id', dateColumn: 'when' })).toThrow(/no column "when"/);
  });

  test('date keys carry no separate dates', () => {
    expect(parseExpectedKeys('2021-10-19\n2021-10-20\n', { file: 'd.csv' }).dates).toBeUndefined();
  });
});
