import { describe, expect, test } from 'vitest';
import type { LogLine } from '../src/log-line.js';
import { compileGrammar, GrammarError, parseText } from '../src/parser/index.js';
import { ChunkBytes } from '../src/parser/bytes.js';
import { fastPath } from '../src/parser/fast-path.js';
import { parseText as textRules } from '../src/parser/text-rules.js';

const INFO = '2025-11-26 23:17:12,345 - INFO - ';
const AT = new Date(2025, 10, 26, 23, 17, 12, 345).getTime();

const kinds = (text: string, grammar = compileGrammar()) => parseText(text, grammar).lines.map((l) => l.kind);

describe('compileGrammar errors name the field', () => {
  test.each([
    ['progress', { progress: '(' }, /^grammar\.progress: invalid regular expression: /],
    ['queued without key', { queued: 'Queued (\\S+)' }, /^grammar\.queued: needs a named group \(\?<key>\.\.\.\)$/],
    ['processing without key', { processing: 'Processing (?<id>\\S+)' }, /^grammar\.processing: needs a named group \(\?<key>/],
    ['loaded without total', { loaded: 'Loaded (?<n>\\d+)' }, /^grammar\.loaded: needs a named group \(\?<total>/],
    ['progress without done', { progress: '(?<total>\\d+)' }, /^grammar\.progress: needs a named group \(\?<done>/],
    ['failed without key (tester F18)', { failed: '^FAIL (\\S+)' }, /^grammar\.failed: needs a named group \(\?<key>/],
    ['succeeded without key', { succeeded: '^OK (?<k>\\S+)' }, /^grammar\.succeeded: needs a named group \(\?<key>/],
    ['empty pattern', { complete: '' }, /^grammar\.complete: empty pattern/],
  ])('%s', (_name, cfg, message) => {
    let error: unknown;
    try {
      compileGrammar(cfg);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GrammarError);
    expect((error as GrammarError).message).toMatch(message);
    expect((error as GrammarError).field).toBe(`grammar.${Object.keys(cfg)[0]}`);
  });

  test('optional groups may be missing: a skip without its key, a failure without its error', () => {
    expect(() => compileGrammar({ succeeded: '^OK (?<key>\\S+)$', failed: '^BAD (?<key>\\S+)', skipped: 'SKIP' })).not.toThrow();
  });

  test('an empty config is the built-in grammar', () => {
    const line = INFO + '  ✅ Scraped 2021-10-31';
    expect(parseText(line, compileGrammar({})).lines).toEqual(parseText(line, compileGrammar()).lines);
  });
});

describe('config patterns', () => {
  const cfg = {
    succeeded: '^done (?<key>\\S+)$',
    failed: '^oops (?<key>\\S+) (?<error>.+)$',
    progress: '^at (?<done>\\d+) of (?<total>\\d+)(?: ok=(?<succeeded>\\d+))?$',
    queued: '^q (?<key>\\S+) (?<index>\\d+)/(?<total>\\d+)$',
    loaded: '^keys: (?<total>\\d+)$',
    start: '^== (?<title>.+) ==$',
    failedSaved: '^saved (?<path>\\S+)$',
  };
  const grammar = compileGrammar(cfg);

  test.each([
    ['succeeded', 'done 2021-10-31', { kind: 'succeeded', key: '2021-10-31' }],
    ['failed with HTTP', 'oops 2021-10-31 HTTP 503', { kind: 'failed', key: '2021-10-31', failure: 'HTTP 503', error: 'HTTP 503' }],
    ['failed other', 'oops 2021-10-31 disk full', { kind: 'failed', key: '2021-10-31', failure: 'failed', error: 'disk full' }],
    ['progress with count', 'at 5 of 10 ok=4', { kind: 'progress', done: 5, total: 10, succeeded: 4, skipped: null, failed: null }],
    ['progress without', 'at 5 of 10', { kind: 'progress', done: 5, total: 10, succeeded: null, skipped: null, failed: null }],
    ['queued', 'q 0022100001 3/9', { kind: 'queued', key: '0022100001', index: 3, total: 9 }],
    ['loaded', 'keys: 853', { kind: 'loaded', total: 853 }],
    ['start', '== nightly job ==', { kind: 'start', title: 'nightly job' }],
    ['failedSaved', 'saved /tmp/f.json', { kind: 'failedSaved', path: '/tmp/f.json' }],
  ])('%s: matched on the message, after the prefix', (_name, message, expected) => {
    expect(parseText(INFO + message, grammar).lines).toEqual([{ ...expected, at: AT }]);
  });

  test('a configured kind replaces the built-in rule; the other kinds stay built in', () => {
    // Read by no rule, a built-in outcome line is counted as one that looked like an outcome (tester AA15), never
    // read by the rule the config replaced.
    expect(kinds(INFO + '  ✅ Scraped 2021-10-31', grammar)).toEqual(['unrecognized']);
    expect(kinds(INFO + '  ❌ Failed 2022-04-17: HTTP 500', grammar)).toEqual(['unrecognized']);
    expect(kinds(INFO + '  ⏭️  Skipped (already in GCS)', grammar)).toEqual(['skipped']);
    expect(kinds(INFO + 'BACKFILL COMPLETE', grammar)).toEqual(['complete']);
    expect(kinds(INFO + 'Workers: 6 | Timeout: 180s', grammar)).toEqual(['setting', 'setting']);
  });

  test('lines without the logging prefix are matched whole and take the last time seen', () => {
    const batch = parseText(`done 2021-10-30\n${INFO}hello\ndone 2021-10-31`, grammar);
    expect(batch.lines).toEqual([
      { kind: 'succeeded', at: 0, key: '2021-10-30' },
      { kind: 'succeeded', at: AT, key: '2021-10-31' },
    ]);
  });

  test('a group that caught something other than a number makes no line', () => {
    const loose = compileGrammar({ progress: '^at (?<done>\\S+)' });
    expect(kinds(INFO + 'at five', loose)).toEqual([]);
    expect(kinds(INFO + 'at 5', loose)).toEqual(['progress']);
  });

  test('a failure group names the failure kind', () => {
    const g = compileGrammar({ failed: '^(?<failure>timeout|crash) (?<key>\\S+)' });
    expect(parseText(INFO + 'timeout 2021-10-31', g).lines[0]).toMatchObject({ failure: 'timeout', key: '2021-10-31', error: '' });
  });
});

// The byte fast path must say exactly what the text rules say on every shape it reads; on shapes it declines
// it must push nothing (the text rules then answer). Spacing and variation selectors vary on purpose.
const hot: Array<[string, boolean]> = [
  ['[1/244] Queued 2021-10-31', true],
  ['[12/853] Processing 0022100001', true],
  ['[1/2]  Queued   2021-10-31', true],
  ['[1/2] Queued', false],
  ['✅ Scraped 2021-10-31', true],
  ['✅\uFE0F  Scraped 0022100001 (2021-10-19)', true],
  ['✅ Scraped successfully (attempt 2)', true],
  ['✅ Scraped successfullyish', true],
  ['✅ Scraped LAL-BOS-2021-10-19', true],
  ['✅ Scraped 2021-10-31:', true],
  ['✅ Scraped 12345678 90 (a space in the last two bytes)', true],
  ['✅ Scraped 12345678é', true],
  ['✅ Scraped 1234é5678', true],
  ['✅ Scraped é12345678', true],
  ['✅ Scraped 1 34567890 x', true],
  ['✅ Processed: 42', false],
  ['❌ Failed 2022-04-17: HTTP 500', true],
  ['❌ Failed 2022-04-17: HTTP 5000 things', true],
  ['❌ Failed 2022-04-17:HTTP 500', true],
  ['❌ Failed 2022-04-17', true],
  ['❌ Failed after 5 attempts: HTTP 500', true],
  ['❌ Failed after 3 attempts: Timeout after 300s', true],
  ['❌ Failed after 3 attempts', true],
  ['❌ Failed 2021-10-19T10:00: HTTP 502', true],
  ['❌ Failed 022100001: HTTP 500', true],
  ['❌ Timeout 22100001:', true],
  ['❌ Failed: 202', false],
  ['❌ Timeout 2022-02-01', true],
  ['❌ Timeout scraping 0022100001', true],
  ['❌ Timeout 2022-02-01: slow', true],
  ['⏱️ Timeout 0022100001 (may still succeed server-side)', true],
  ['⏱ Timeout 0022100001', true],
  ['❌ Error 2022-05-02: Connection aborted.', true],
  ['❌ Error scraping 0022100001: Read timed out', true],
  ['❌ Error 2022-05-02', true],
  // Every wording the README names, through the one classifier (tester U11).
  ['❌ Failed 2021-10-20: HTTP Error 503: Service Unavailable', true],
  ['❌ Failed 2021-10-21: 502 Server Error: Bad Gateway for url: https://x', true],
  ['❌ Failed 2021-10-22: Read timed out. (read timeout=180)', true],
  ['❌ Failed 2021-10-24: 404 Client Error: Not Found for url: https://x', true],
  ['❌ Error 2021-10-26: 502 Server Error: Bad Gateway', true],
  ['⏭️  Skipped (already in GCS)', true],
  ['⏭ Skipped 2021-10-31 (already exists)', true],
  ['⏭️  Skipped: 0', false],
  ['📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min', true],
  ['📊\uFE0F Progress:  100/800 (12.5%) | ✅\uFE0F 90 | ⏭ 5 | ❌ 5', true],
  ['📊 Progress: 50/244 (20.5%)', true],
  ['📊 Progress: 12.5% (100/800), ETA: 1.2 hours, Rate: 7.1 games/min', false],
];

describe('fast path and text rules agree', () => {
  test.each(hot)('%s', (message, fastTakesIt) => {
    const bytes = Buffer.from(message);
    const viaBytes: LogLine[] = [];
    const chunk = new ChunkBytes(bytes, viaBytes);
    chunk.at = AT;
    const viaText: LogLine[] = [];
    textRules(message, AT, viaText);
    expect(fastPath(chunk, 0, bytes.length)).toBe(fastTakesIt);
    expect(viaBytes).toEqual(fastTakesIt ? viaText : []);
    // And the whole parser gives the text rules' answer, taken or declined.
    expect(parseText(INFO + '  ' + message, compileGrammar()).lines).toEqual(viaText);
  });
});
