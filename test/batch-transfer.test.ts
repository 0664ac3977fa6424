import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { describe, expect, test } from 'vitest';
import type { LogLine, ParsedBatch } from '../src/log-line.js';
import { fromMessage, toMessage } from '../src/parser/batch-transfer.js';
import { compileGrammar, linesOf, LogClock, parseChunk } from '../src/parser/index.js';

// A batch crosses from the parse worker as a message (typed arrays shared or copied, Progress lines as numbers): what
// arrives must be the batch that was sent, every record in its place, null counts still null.
function across(batch: ParsedBatch): ParsedBatch {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(toMessage(batch));
  const got = receiveMessageOnPort(port2)!.message;
  port1.close();
  return fromMessage(got);
}

const text = [
  '2025-11-26 08:00:00,000 - INFO - 📊 Progress: 50/200 (25.0%) | ✅ 40 | ⏭️ 2 | ❌ 8 | ETA: 3min',
  '2025-11-26 08:00:01,000 - INFO - NBA.com Team Boxscore Scraper Backfill (v2) initialized',
  '2025-11-26 08:00:02,000 - INFO -   ✅ Scraped 0022100001 (2021-10-19)',
  '2025-11-26 08:00:03,000 - INFO - Progress: 60/200 (30.0%)',
  '2025-11-26 08:00:04,000 - WARNING -   ❌ Failed 0022100002: HTTP 500',
  '2025-11-26 08:00:05,000 - INFO - 📊 Progress: 70/200 (35.0%) | ✅ 60 | ❌ 10 | ETA: 2min',
  '2025-11-26 08:00:06,000 - INFO - Loaded 200 games from game_ids.csv',
  '2025-11-26 08:00:07,000 - INFO - 📊 Progress: 80/200 (40.0%) | ✅ 70 | ⏭️ 0 | ❌ 10 | ETA: 1min',
  '',
].join('\n');

describe('a parsed batch as a message', () => {
  test.each([true, false])('comes back the same, Progress lines in their places (keyed %s)', (keyed) => {
    const batch = parseChunk(Buffer.from(text), compileGrammar(), 3, new LogClock('UTC'), keyed);
    const progress = batch.lines.filter((l) => l.kind === 'progress');
    // The shapes this test is about: first and last record, next to others, counts missing (null).
    expect(progress.length).toBe(4);
    expect(batch.lines[0].kind).toBe('progress');
    expect(batch.lines.at(-1)!.kind).toBe('progress');
    expect(progress.some((l) => (l as Extract<LogLine, { kind: 'progress' }>).succeeded === null)).toBe(true);
    expect(progress.some((l) => (l as Extract<LogLine, { kind: 'progress' }>).skipped === null)).toBe(true);
    const expected = linesOf(batch);
    const sent = { ...batch, lines: [...batch.lines] };
    const back = across(batch);
    expect(linesOf(back)).toEqual(expected);
    expect(JSON.stringify(linesOf(back))).toBe(JSON.stringify(expected));
    expect({ ...back, lines: undefined, keyed: undefined }).toEqual({ ...sent, lines: undefined, keyed: undefined });
  });

  test('a batch of Progress lines only, and one with none', () => {
    const only = parseChunk(Buffer.from(`${text.split('\n')[0]}\n${text.split('\n')[7]}\n`), compileGrammar(), 0, new LogClock('UTC'), true);
    expect(only.lines.map((l) => l.kind)).toEqual(['progress', 'progress']);
    // Sent, its typed arrays belong to the other side: what it held is taken first.
    const onlyLines = linesOf(only);
    expect(linesOf(across(only))).toEqual(onlyLines);
    const none = parseChunk(Buffer.from(`${text.split('\n')[1]}\n${text.split('\n')[2]}\n`), compileGrammar(), 0, new LogClock('UTC'), true);
    const noneLines = linesOf(none);
    expect(noneLines.length).toBe(2);
    expect(linesOf(across(none))).toEqual(noneLines);
  });

  test('failures whose kinds and errors repeat, change and come back: each keeps its own kind and error', () => {
    // Runs of the same text, a change of error under the same kind, of kind under the same error, and back.
    const failures = [
      '❌ Failed 0022100001: HTTP 500',
      '❌ Failed 0022100002: HTTP 500',
      '❌ Timeout scraping 0022100003',
      '❌ Failed 0022100004: HTTP 503',
      '❌ Failed 0022100005: HTTP 500',
      '❌ Timeout scraping 0022100006',
      '❌ Timeout scraping 0022100007',
      '❌ Failed 0022100008: Connection refused',
      '❌ Failed 0022100009: Read timed out',
      '❌ Failed 0022100010: HTTP 503',
    ];
    const lines = failures.map((f, i) => `2025-11-26 08:00:${String(i).padStart(2, '0')},000 - WARNING -   ${f}`);
    const batch = parseChunk(Buffer.from(`${lines.join('\n')}\n`), compileGrammar(), 0, new LogClock('UTC'), true);
    const sent = linesOf(batch);
    // What the parser makes of them (the premise): a kind and an error each.
    expect(sent.map((l) => (l.kind === 'failed' ? `${l.failure}|${l.error}` : l.kind))).toEqual([
      'HTTP 500|HTTP 500',
      'HTTP 500|HTTP 500',
      'timeout|timeout',
      'HTTP 503|HTTP 503',
      'HTTP 500|HTTP 500',
      'timeout|timeout',
      'timeout|timeout',
      'failed|Connection refused',
      'timeout|Read timed out',
      'HTTP 503|HTTP 503',
    ]);
    expect(linesOf(across(batch))).toEqual(sent);
  });

  test("a batch of more failures than one call of the worker's text loops reads (256): runs of one text across the calls' edges, a change at an edge", () => {
    // Kinds and errors that hold for 300 lines (across an edge at 256), change every line, and change at 512 exactly.
    const shapes = ['❌ Failed %: HTTP 500', '❌ Timeout scraping %', '❌ Failed %: HTTP 503', '❌ Failed %: Connection refused'];
    const shapeOf = (i: number) => (i < 300 ? 0 : i < 512 ? i % shapes.length : i < 800 ? 1 : i % 3 === 0 ? 2 : 3);
    const lines = Array.from({ length: 1000 }, (_, i) => {
      const at = `2025-11-26 08:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},000`;
      return `${at} - WARNING -   ${shapes[shapeOf(i)].replace('%', String(22100000 + i).padStart(10, '0'))}`;
    });
    const batch = parseChunk(Buffer.from(`${lines.join('\n')}\n`), compileGrammar(), 0, new LogClock('UTC'), true);
    const sent = linesOf(batch);
    expect(sent.filter((l) => l.kind === 'failed').length).toBe(1000);
    expect(new Set(sent.map((l) => (l.kind === 'failed' ? `${l.failure}|${l.error}` : l.kind))).size).toBe(4);
    expect(linesOf(across(batch))).toEqual(sent);
  });
});
