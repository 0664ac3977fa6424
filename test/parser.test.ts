import { describe, expect, test } from 'vitest';
import type { LogLine } from '../src/log-line.js';
import { compileGrammar, parseChunk, parseText } from '../src/parser/index.js';

const builtin = compileGrammar();
const INFO = '2025-11-26 23:17:12,345 - INFO - ';
const WARN = '2025-11-26 23:17:12,345 - WARNING - ';
const ERR = '2025-11-26 23:17:12,345 - ERROR - ';
const AT = new Date(2025, 10, 26, 23, 17, 12, 345).getTime();

/** The LogLines of one record, without `at` (checked on its own below). */
function facts(line: string): Omit<LogLine, 'at'>[] {
  return parseText(line, builtin).lines.map(({ at: _at, ...rest }) => rest);
}

const fail = (key: string | null, failure: string, error: string) => ({ kind: 'failed', key, failure, error });
const summary = (field: string, value: number) => ({ kind: 'summary', field, value });

// Every line shape of backfill-logs.md, in the order of a run, then the sibling scripts' variants.
const cases: Array<[string, string, object[]]> = [
  ['init line', INFO + 'NBA.com Player Boxscore Scraper Backfill (v2) initialized', [{ kind: 'start', title: 'NBA.com Player Boxscore Scraper Backfill (v2)' }]],
  ['service', INFO + '  Scraper service: https://x-756957797294.us-west2.run.app', [{ kind: 'setting', name: 'service', value: 'https://x-756957797294.us-west2.run.app' }]],
  ['bucket', INFO + '  GCS bucket: nba-scraped-data', [{ kind: 'setting', name: 'bucket', value: 'nba-scraped-data' }]],
  ['workers', INFO + '  Workers: 6', [{ kind: 'setting', name: 'workers', value: '6' }]],
  ['timeout setting', INFO + '  Timeout: 180s', [{ kind: 'setting', name: 'timeout', value: '180s' }]],
  ['separator', INFO + '='.repeat(70), []],
  ['banner title', INFO + 'NBA.com Player Boxscore Scraper Backfill (v2)', [{ kind: 'start', title: 'NBA.com Player Boxscore Scraper Backfill (v2)' }]],
  ['two settings', INFO + 'Workers: 6 | Timeout: 180s', [{ kind: 'setting', name: 'workers', value: '6' }, { kind: 'setting', name: 'timeout', value: '180s' }]],
  ['loaded', INFO + 'Loaded 244 dates from /tmp/dates_missing_from_gcs.txt', [{ kind: 'loaded', total: 244 }]],
  ['queued', INFO + '[1/244] Queued 2021-10-31', [{ kind: 'queued', key: '2021-10-31', index: 1, total: 244 }]],
  ['processing', INFO + '[3/244] Processing 2022-04-17', [{ kind: 'processing', key: '2022-04-17', index: 3, total: 244 }]],
  ['scraped', INFO + '  ✅ Scraped 2021-10-31', [{ kind: 'succeeded', key: '2021-10-31' }]],
  ['failed http', WARN + '  ❌ Failed 2022-04-17: HTTP 500', [fail('2022-04-17', 'HTTP 500', 'HTTP 500')]],
  ['failed other', WARN + '  ❌ Failed 2022-04-17: Bad gateway', [fail('2022-04-17', 'failed', 'Bad gateway')]],
  ['failed http + text', WARN + '  ❌ Failed 2022-04-17: HTTP 503 Service Unavailable', [fail('2022-04-17', 'HTTP 503', 'HTTP 503 Service Unavailable')]],
  ['timeout', WARN + '  ❌ Timeout 2022-02-01', [fail('2022-02-01', 'timeout', 'timeout')]],
  // Any timeout is 'timeout' whatever the line's word (one classifier with the failures table: tester U11).
  ['error', WARN + '  ❌ Error 2022-05-02: HTTPSConnectionPool: Read timed out.', [fail('2022-05-02', 'timeout', 'HTTPSConnectionPool: Read timed out.')]],
  ['exception', ERR + 'Exception processing 2022-05-03: boom', [fail('2022-05-03', 'exception', 'boom')]],
  ['progress', INFO + '📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min', [{ kind: 'progress', done: 50, total: 244, succeeded: 8, skipped: 0, failed: 42 }]],
  ['complete', INFO + 'BACKFILL COMPLETE', [{ kind: 'complete' }]],
  ['total dates', INFO + 'Total dates: 244', [summary('total', 244)]],
  ['processed', INFO + '✅ Processed: 42', [summary('processed', 42)]],
  ['skipped summary', INFO + '⏭️  Skipped: 0', [summary('skipped', 0)]],
  ['failed summary', INFO + '❌ Failed: 202', [summary('failed', 202)]],
  ['time', INFO + 'Time: 32.6 minutes', [summary('durationSec', 1956)]],
  ['rate', INFO + 'Rate: 7.5 dates/min', [summary('ratePerMin', 7.5)]],
  ['failed saved', INFO + '💾 Failed dates saved to: /path/failed_dates_20251126_231710.json', [{ kind: 'failedSaved', path: '/path/failed_dates_20251126_231710.json' }]],
  ['game id scraped', INFO + '  ✅ Scraped 0022100001 (2021-10-19)', [{ kind: 'succeeded', key: '0022100001' }]],
  ['game id failed', WARN + '  ❌ Failed 0022100001: HTTP 500', [fail('0022100001', 'HTTP 500', 'HTTP 500')]],
  ['stopwatch timeout', WARN + '  ⏱️ Timeout 0022100001 (may still succeed server-side)', [fail('0022100001', 'timeout', 'timeout')]],
  ['timeout scraping', WARN + '  ❌ Timeout scraping 0022100001', [fail('0022100001', 'timeout', 'timeout')]],
  ['error scraping', WARN + '  ❌ Error scraping 0022100001: Read timed out', [fail('0022100001', 'timeout', 'Read timed out')]],
  ['flag complete', INFO + '🏁 BACKFILL COMPLETE', [{ kind: 'complete' }]],
  ['ball complete', INFO + '🏀 BACKFILL COMPLETE', [{ kind: 'complete' }]],
  ['retry complete', INFO + 'AGGRESSIVE RETRY COMPLETE', [{ kind: 'complete' }]],
  ['aligned total', INFO + 'Total games:    5299', [summary('total', 5299)]],
  ['aligned processed', INFO + '✅ Processed:   5293', [summary('processed', 5293)]],
  ['aligned skipped', INFO + '⏭️ Skipped:     0', [summary('skipped', 0)]],
  ['aligned failed', INFO + '❌ Failed:      6', [summary('failed', 6)]],
  ['duration', INFO + '⏱️ Duration:    6h 31m 2s', [summary('durationSec', 23462)]],
  ['retry scraped', INFO + '  ✅ Scraped successfully (attempt 2)', [{ kind: 'succeeded', key: null }]],
  ['retry failed', WARN + '  ❌ Failed after 5 attempts: HTTP 500', [fail(null, 'HTTP 500', 'HTTP 500')]],
  ['retry skipped', INFO + '  ⏭️  Skipped (already in GCS)', [{ kind: 'skipped', key: null }]],
  ['debug skip with key', '2025-11-26 23:17:12,345 - DEBUG -   ⏭️  Skipped 2021-10-31 (already exists)', [{ kind: 'skipped', key: '2021-10-31' }]],
  ['percent progress', INFO + '📊 Progress: 12.5% (100/800), ETA: 1.2 hours, Rate: 7.1 games/min', [{ kind: 'progress', done: 100, total: 800, succeeded: null, skipped: null, failed: null }]],
  ['plain progress', INFO + 'Progress: 20.0% (160/800 completed, ~12.3 min remaining)', [{ kind: 'progress', done: 160, total: 800, succeeded: null, skipped: null, failed: null }]],
  ['retry progress', INFO + '📊 Progress: 25/244 (10.2%) | ✅ 20 | ⏭️ 0 | ❌ 5 | 80.0% success | ETA: 12min', [{ kind: 'progress', done: 25, total: 244, succeeded: 20, skipped: 0, failed: 5 }]],
  ['games saved', INFO + '💾 Failed games saved to: /p/failed_games_1.json', [{ kind: 'failedSaved', path: '/p/failed_games_1.json' }]],
  ['team title', INFO + 'NBA.com Team Boxscore Scraper Backfill', [{ kind: 'start', title: 'NBA.com Team Boxscore Scraper Backfill' }]],
  ['retry title', INFO + 'NBA.com Player Boxscore Aggressive Retry', [{ kind: 'start', title: 'NBA.com Player Boxscore Aggressive Retry' }]],
  ['retry loaded', INFO + 'Loaded 35 unique dates from /tmp/failed.txt', [{ kind: 'loaded', total: 35 }]],
  ['games loaded', INFO + 'Loaded 5299 games from game_ids_to_scrape.csv', [{ kind: 'loaded', total: 5299 }]],
  ['team loaded', INFO + 'Total games to process: 5299', [{ kind: 'loaded', total: 5299 }]],
  ['retry succeeded', INFO + '✅ Succeeded: 33', [summary('processed', 33)]],
  ['crash', ERR + 'Unexpected error processing 0022100001: KeyError', [fail('0022100001', 'exception', 'KeyError')]],
  ['no variation selector', INFO + '  ⏭  Skipped (already in GCS)', [{ kind: 'skipped', key: null }]],
  ['one space', INFO + ' ✅ Scraped 2021-10-31', [{ kind: 'succeeded', key: '2021-10-31' }]],
  ['no space after emoji', INFO + '  ✅Scraped 2021-10-31', [{ kind: 'succeeded', key: '2021-10-31' }]],
  ['extra spaces', INFO + '   ✅  Scraped   2021-10-31  ', [{ kind: 'succeeded', key: '2021-10-31' }]],
  ['nine-byte key', WARN + '  ❌ Failed 022100001: HTTP 500', [fail('022100001', 'HTTP 500', 'HTTP 500')]],
  ['colon in key', WARN + '  ❌ Failed 2021-10-19T10:00: HTTP 502', [fail('2021-10-19T10:00', 'HTTP 502', 'HTTP 502')]],
  ['long key', INFO + '[7/9] Queued LAL-BOS-2021-10-19', [{ kind: 'queued', key: 'LAL-BOS-2021-10-19', index: 7, total: 9 }]],
  ['utf-8 key', INFO + '  ✅ Scraped café-2021', [{ kind: 'succeeded', key: 'café-2021' }]],
  ['no milliseconds', '2025-11-26 23:17:12 - INFO - [2/9] Queued 2021-10-31', [{ kind: 'queued', key: '2021-10-31', index: 2, total: 9 }]],
  // The reference script's --dry-run (tester X15): its banner line and its end.
  ['dry run mode', INFO + 'DRY RUN MODE - no scraping will be performed', [{ kind: 'dryRun', done: false }]],
  ['dry run complete', INFO + 'DRY RUN complete. Use without --dry-run to execute.', [{ kind: 'dryRun', done: true }]],
];

// Lines that look close to a state change but are not one.
const nothing: Array<[string, string]> = [
  ['summary saved', INFO + '📊 Summary saved to: /x/retry_summary.json'],
  ['txt list saved', INFO + '💾 Failed dates list saved to: /x/retry_failed_dates.txt'],
  ['success rate', INFO + 'Success rate: 95.0%'],
  ['two-word title', INFO + 'Starting Backfill'],
  ['title with colon', INFO + 'Note: the next Scraper Backfill'],
  ['unknown', INFO + 'Estimated duration: 1.2 hours (with 6 workers)'],
  ['files not found', ERR + '❌ Dates file not found: /tmp/x.txt'],
  ['dry run sample', INFO + 'DRY RUN - Sample dates:'],
  ['empty message', INFO],
  ['continuation that looks like a record', '  ✅ Scraped 2021-10-31'],
  ['bad month digit', '2025-1x-26 23:17:12,345 - INFO - [1/2] Queued 2021-10-31'],
  ['bad seconds digit', '2025-11-26 23:17:1x,345 - INFO - [1/2] Queued 2021-10-31'],
  ['bad millisecond separator', '2025-11-26 23:17:12;345 - INFO - [1/2] Queued 2021-10-31'],
  ['dash without spaces', '2025-11-26 23:17:12 -INFO - [1/2] Queued 2021-10-31'],
  ['no level separator', '2025-11-26 23:17:12,345 INFO [1/2] Queued 2021-10-31'],
];

describe('built-in grammar', () => {
  test.each(cases)('%s', (_name, line, expected) => {
    expect(facts(line)).toEqual(expected);
  });

  test.each(nothing)('%s: no state change', (_name, line) => {
    expect(facts(line)).toEqual([]);
  });

  test('start never fires on the end banners', () => {
    for (const line of ['BACKFILL COMPLETE', '🏁 BACKFILL COMPLETE', 'AGGRESSIVE RETRY COMPLETE']) {
      expect(facts(INFO + line).map((l) => l.kind)).toEqual(['complete']);
    }
  });
});

describe('timestamps', () => {
  test.each([
    ['with milliseconds', '2025-11-26 23:17:12,345 - INFO - x', new Date(2025, 10, 26, 23, 17, 12, 345)],
    ['without milliseconds', '2025-11-26 23:17:12 - INFO - x', new Date(2025, 10, 26, 23, 17, 12)],
    ['dot milliseconds', '2025-01-02 03:04:05.006 - WARNING - x', new Date(2025, 0, 2, 3, 4, 5, 6)],
    ['other level', '2024-02-29 00:00:59,999 - CRITICAL - x', new Date(2024, 1, 29, 0, 0, 59, 999)],
  ])('%s', (_name, line, expected) => {
    expect(parseText(line, builtin).lastAt).toBe(expected.getTime());
  });

  test('each record keeps its own time across minute, hour and day changes within a chunk', () => {
    const stamps = ['2025-11-26 23:58:59,999', '2025-11-26 23:59:00,000', '2025-11-26 23:59:59,500', '2025-11-27 00:00:00,001'];
    const text = stamps.map((t, i) => `${t} - INFO - [${i + 1}/4] Queued 2021-10-3${i}`).join('\n');
    const expected = [
      new Date(2025, 10, 26, 23, 58, 59, 999),
      new Date(2025, 10, 26, 23, 59, 0, 0),
      new Date(2025, 10, 26, 23, 59, 59, 500),
      new Date(2025, 10, 27, 0, 0, 0, 1),
    ].map((d) => d.getTime());
    expect(parseText(text, builtin).lines.map((l) => l.at)).toEqual(expected);
  });

  test('times are read in the log\'s zone: a daylight-saving day in New York', () => {
    const text = ['2025-03-09 01:59:59,000', '2025-03-09 03:00:00,000'].map((t) => `${t} - INFO - [1/1] Queued 2021-10-31`).join('\n');
    const [before, after] = parseText(text, compileGrammar(undefined, 'America/New_York')).lines.map((l) => l.at);
    expect(before).toBe(Date.UTC(2025, 2, 9, 6, 59, 59));
    expect(after - before).toBe(1000); // 02:00 to 03:00 does not exist that night
  });

  test('lastAt is null without records and the newest record otherwise', () => {
    expect(parseText('no prefix here', builtin).lastAt).toBeNull();
    const text = `${INFO}a\n2025-11-26 23:17:10,000 - INFO - older, written by another thread\ncontinuation`;
    expect(parseText(text, builtin).lastAt).toBe(AT);
  });
});

describe('chunks', () => {
  const run = [
    INFO + 'NBA.com Player Boxscore Scraper Backfill (v2) initialized',
    INFO + '[1/2] Queued 2021-10-31',
    INFO + '[2/2] Queued 2021-11-01',
    WARN + '  ❌ Error 2021-10-31: Traceback follows',
    'Traceback (most recent call last):',
    '  File "x.py", line 1, in <module>',
    INFO + '  ✅ Scraped 2021-11-01',
    INFO + '='.repeat(70),
    INFO + 'BACKFILL COMPLETE',
  ];

  test('counts every physical line, makes LogLines only for state changes', () => {
    const batch = parseText(run.join('\n'), builtin);
    expect(batch.lineCount).toBe(9);
    expect(batch.lines.map((l) => l.kind)).toEqual(['start', 'queued', 'queued', 'failed', 'trace', 'succeeded', 'complete']);
  });

  test('tail: the last lines with their tones; continuations and rules are dim, a traceback fails', () => {
    const batch = parseText(run.join('\n'), builtin, 6);
    expect(batch.tail).toEqual([
      { text: run[3], tone: 'fail' },
      { text: run[4], tone: 'fail' },
      { text: run[5], tone: 'dim' },
      { text: run[6], tone: 'ok' },
      { text: run[7], tone: 'dim' },
      { text: run[8], tone: 'progress' },
    ]);
  });

  test.each([
    ['timeout is a warning', WARN + '  ❌ Timeout 2022-02-01', 'warn'],
    ['other warning', WARN + 'GCS client not available: no creds', 'warn'],
    ['error level', ERR + 'something broke', 'fail'],
    ['progress', INFO + '📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min', 'progress'],
    ['summary', INFO + 'Rate: 7.5 dates/min', 'progress'],
    ['queued', INFO + '[1/244] Queued 2021-10-31', 'info'],
    ['unknown', INFO + 'hello', 'info'],
  ])('tone: %s', (_name, line, tone) => {
    expect(parseText(line, builtin).tail).toEqual([{ text: line, tone }]);
  });

  test('tailLimit: the default is 200 lines, 0 keeps none', () => {
    const text = Array.from({ length: 250 }, (_, i) => `line ${i}`).join('\n');
    const tail = parseText(text, builtin).tail;
    expect(tail).toHaveLength(200);
    expect(tail[0].text).toBe('line 50');
    expect(parseText(text, builtin, 0).tail).toEqual([]);
    expect(parseText('a\nb', builtin, 5).tail.map((t) => t.text)).toEqual(['a', 'b']);
  });

  test('a log cut into chunks at any line end parses the same as in one piece', () => {
    const text = run.join('\n') + '\n';
    const whole = parseText(text, builtin).lines;
    const lineEnds = [...text.matchAll(/\n/g)].map((m) => m.index + 1);
    for (const cut of lineEnds.slice(0, -1)) {
      const parts = [text.slice(0, cut), text.slice(cut)].map((part) => parseChunk(Buffer.from(part), builtin).lines);
      expect(parts.flat()).toEqual(whole);
    }
  });
});

describe('robustness', () => {
  test('CRLF line ends are stripped', () => {
    const batch = parseChunk(Buffer.from(`${INFO}  ✅ Scraped 2021-10-31\r\n${WARN}  ❌ Failed 2022-04-17: HTTP 500\r\n`), builtin);
    expect(batch.lines.map((l) => ('key' in l ? l.key : null))).toEqual(['2021-10-31', '2022-04-17']);
    expect(batch.lines[1]).toMatchObject({ error: 'HTTP 500' });
    expect(batch.tail.map((t) => t.text.endsWith('\r'))).toEqual([false, false]);
  });

  test('invalid UTF-8 becomes U+FFFD and control characters do not reach the terminal', () => {
    const bytes = Buffer.concat([Buffer.from(INFO + 'bad '), Buffer.from([0xff, 0xfe, 0x1b]), Buffer.from('[2J\tend\n')]);
    expect(parseChunk(bytes, builtin).tail[0].text).toBe(`${INFO}bad \uFFFD\uFFFD\uFFFD[2J end`);
  });

  test('binary junk never throws and still counts lines', () => {
    let seed = 7;
    const junk = Buffer.alloc(200_000, 0).map(() => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
    const chunk = Buffer.concat([junk, Buffer.from('\n' + INFO + '[1/1] Queued 2021-10-31\n')]);
    const batch = parseChunk(chunk, builtin);
    expect(batch.lineCount).toBe(junk.filter((c) => c === 10).length + 2);
    expect(batch.lines.at(-1)).toMatchObject({ kind: 'queued', key: '2021-10-31' });
  });

  test('a runaway line is cut in the tail', () => {
    const text = parseText(INFO + 'x'.repeat(100_000), builtin).tail[0].text;
    expect(text.length).toBeLessThan(5000);
    expect(text.endsWith('…')).toBe(true);
  });

  test('a chunk without a final newline still yields its last line', () => {
    expect(parseChunk(Buffer.from(INFO + '[1/1] Queued 2021-10-31'), builtin).lines).toHaveLength(1);
  });

  test('thousands of distinct keys all come back as written (the key cache never mixes them up)', () => {
    const keys: string[] = [];
    for (let i = 0; i < 12_000; i++) keys.push(new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10));
    for (let i = 0; i < 12_000; i++) keys.push(String(22_100_001 + i * 7).padStart(10, '0'));
    const text = keys.map((k, i) => `${INFO}[${i + 1}/${keys.length}] Queued ${k}`).join('\n');
    for (let pass = 0; pass < 2; pass++) {
      const got = parseText(text, builtin).lines.map((l) => (l.kind === 'queued' ? l.key : null));
      expect(got).toEqual(keys);
    }
  });
});
