import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { ParsedBatch } from '../../src/log-line.js';
import { compileGrammar, type Grammar } from '../../src/parser/index.js';
import { KeyedLines } from '../../src/parser/keyed-lines.js';
import { readLogOnce } from '../../src/app/read-log-once.js';
import { initialState, type AppState } from '../../src/state/app-state.js';
import type { AppEvent } from '../../src/state/events.js';
import { reduce } from '../../src/state/reducer.js';
import { logLine } from './log-text.js';
// @ts-expect-error: the bench is plain JavaScript
import { oneRunLog } from '../../bench/one-run.js';
import { simulate } from './simulate.js';

/*
 * Logs damaged every way we know, for tests that read a log two ways and want the same state (keyed columns
 * against LogLines, a parse worker against the thread's own reading): several simulated runs each damaged its
 * own way, odd lines no simulator writes, the night clocks fall back, a retry run, and the bench's one-run shape.
 */

export interface TestLog {
  name: string;
  grammar: Grammar;
  file: string;
}

async function sim(dir: string, extra: string[], start = Date.UTC(2025, 10, 26, 23, 17, 10)): Promise<string> {
  const { log, code } = await simulate(['--limit=150', '--workers=6', '--seed=7', `--storage=${join(dir, `s${Math.random()}`)}`, `--failed-dir=${dir}`, ...extra], { start, cwd: dir });
  expect(code).toBe(0);
  return log;
}

/** Lines no simulator writes: key-less retries, a traceback, odd keys, outcomes after a summary, CRLF, a very long line. */
export function oddities(at: number): Buffer {
  const text = [
    logLine(at, 'INFO', 'Retry Backfill initialized'),
    logLine(at + 1, 'INFO', 'Loaded 5 failed dates from failed.json'),
    logLine(at + 2, 'INFO', '[1/5] Processing 2024-01-02'),
    logLine(at + 3, 'INFO', '  ✅ Scraped successfully (attempt 2)'),
    logLine(at + 4, 'INFO', '[2/5] Processing 2024-01-03'),
    logLine(at + 5, 'WARNING', '  ❌ Failed after 5 attempts: HTTP 503'),
    logLine(at + 6, 'INFO', '[3/5] Processing 2024-01-04'),
    logLine(at + 6, 'INFO', '[3/5] Processing 2024-01-04'),
    logLine(at + 7, 'INFO', '  ⏭️  Skipped (already in GCS)'),
    logLine(at + 8, 'INFO', 'Game 2024-01-05 scraped, but by whom'),
    // Keys of every length around the cut, with colons, non-ASCII and control bytes.
    logLine(at + 9, 'INFO', `  ✅ Scraped ${'x'.repeat(300)}`),
    logLine(at + 9, 'INFO', `  ✅ Scraped ${'y'.repeat(200)}`),
    logLine(at + 9, 'WARNING', `  ❌ Failed ${'z'.repeat(201)}: HTTP 500`),
    logLine(at + 9, 'WARNING', `  ❌ Failed ${'w'.repeat(200)}: HTTP 500`),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-01: HTTP 500 Internal Server Error'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-02:: HTTP 502'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-03:x HTTP 502'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-04: Read timed out. (read timeout=180)'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-05:'),
    logLine(at + 9, 'WARNING', '  ❌ Failed : HTTP 500'),
    logLine(at + 9, 'ERROR', '  ❌ Error 2024-02-06: ConnectionResetError(104)'),
    logLine(at + 9, 'ERROR', '  ❌ Error scraping 2024-02-07: boom'),
    logLine(at + 9, 'WARNING', '  ❌ Timeout scraping 2024-02-08'),
    logLine(at + 9, 'WARNING', '  ⏱️  Timeout 2024-02-09 after 180s'),
    logLine(at + 9, 'INFO', '  ⏭️  Skipped 2024-02-10 (already in GCS)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped café-2024 (non-ASCII key)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped a\u0001b (a control byte)'),
    logLine(at + 9, 'INFO', '  ✅ Scraped 2024-02-01'),
    logLine(at + 9, 'INFO', '  ✅ Scraped 2024-02-01'),
    logLine(at + 9, 'WARNING', '  ❌ Failed 2024-02-01: HTTP 504'),
    logLine(at + 9, 'INFO', '  ⏭️  Skipped 2024-02-08'),
    logLine(at + 10, 'INFO', 'BACKFILL COMPLETE'),
    logLine(at + 10, 'INFO', '  ✅ Processed: 5'),
    // A skip after the summary belongs to the run; a success after it starts a new one.
    logLine(at + 11, 'INFO', '  ⏭️  Skipped 2024-03-01'),
    logLine(at + 12, 'INFO', '  ✅ Scraped 2024-03-02'),
    logLine(at + 13, 'WARNING', '  ❌ Failed 2024-03-02: HTTP 500'),
    'Traceback (most recent call last):',
    '  File "backfill.py", line 10, in <module>',
    'FileNotFoundError: [Errno 2] No such file or directory: failed.json',
  ].join('\r\n');
  const bad = Buffer.concat([
    Buffer.from(`${logLine(at + 14, 'INFO', '  ✅ Scraped ')}`),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x41]),
    Buffer.from(` (2024-01-06)\n${logLine(at + 15, 'INFO', `  ❌ Failed 2024-01-07: ${'é'.repeat(40_000)}`)}\n`),
    // A line that ends inside what looks like a ` (date)` after its key: the next line is its own.
    Buffer.from(`${logLine(at + 15, 'INFO', '  ✅ Scraped 2024-04-01 (24')}\n56789ab)\n`),
  ]);
  return Buffer.concat([Buffer.from(`${text}\r\n`), bad, Buffer.alloc(3000, 0), Buffer.from(`${logLine(at + 16, 'INFO', '✅ Scraped 2024-01-08')}\n`)]);
}


/** Writes the logs into `dir` (about 3 MB; takes seconds: the simulator runs six times). */
export async function damagedLogs(dir: string): Promise<TestLog[]> {
  const logs: TestLog[] = [];
  const put = (name: string, bytes: string | Buffer, zone = 'UTC') => {
    const file = join(dir, `${name}.log`);
    writeFileSync(file, bytes);
    logs.push({ name, grammar: compileGrammar(undefined, zone), file });
  };
  // Several runs in one file, each damaged its own way, then the oddities, then a run still going.
  const runs = [await sim(dir, []), await sim(dir, ['--doubled']), await sim(dir, ['--cr-prefix']), await sim(dir, ['--escaped-emoji']), await sim(dir, ['--nul-prefix=70000'])];
  put('damaged-runs', Buffer.concat([...runs.map((r) => Buffer.from(r)), oddities(Date.UTC(2025, 10, 28)), Buffer.from((await sim(dir, ['--limit=40'])).split('\n').slice(0, 30).join('\n'))]));
  // The night clocks fall back: the repeated hour is told apart by the order of the lines (one clock across chunks).
  put('dst-night', await sim(dir, ['--workers=1', '--mean-seconds=40', '--timezone=America/New_York', '--clock-start=2025-11-02T05:20:00Z', '--limit=900']), 'America/New_York');
  // Read in a zone that has neither change (no `timezone`): New York's fall back (a set back), then a run across its
  // spring forward (a skip), each taken by the clock where it comes, the newest said.
  put('dst-unzoned', `${await sim(dir, ['--workers=1', '--mean-seconds=40', '--timezone=America/New_York', '--clock-start=2025-11-02T05:20:00Z', '--limit=200'])}${await sim(dir, ['--workers=1', '--mean-seconds=40', '--timezone=America/New_York', '--clock-start=2026-03-08T06:20:00Z', '--limit=200'])}`);
  // A retry run in the same log: its outcomes follow failures of the run before, and some fail again.
  const rough = ['--fail-months=1,2,3,4,5,6,10,11,12', '--fail-rate=0.4', '--timeout-rate=0.1', '--exception-rate=0.05'];
  put('retries', `${await sim(dir, rough)}${await sim(dir, [...rough, '--seed=8'], Date.UTC(2025, 10, 27, 9))}`);
  // The bench's shape, past the 1 MiB near the end whose chunks carry the log pane's lines.
  const big = oneRunLog(dir, 1_600_000, 7);
  logs.push({ name: 'one-run', grammar: compileGrammar(undefined, 'UTC'), file: big.file });
  return logs;
}

/**
 * Every event of a one-shot read of `file` (readLogOnce with `opts`) and the state they fold into, from a state
 * made at 2025-11-30: what the read-path tests compare between two ways of reading one log.
 */
export async function readEvents(file: string, grammar: Grammar, opts: Parameters<typeof readLogOnce>[4] = {}): Promise<{ events: AppEvent[]; state: AppState }> {
  const events: AppEvent[] = [];
  let state = initialState({ job: 'j', log: file, now: Date.UTC(2025, 10, 30), targets: [95, 98, 100] });
  await readLogOnce(
    file,
    grammar,
    (e) => {
      events.push(kept(e));
      state = reduce(state, e);
    },
    undefined,
    opts,
  );
  return { events, state };
}

/**
 * `batch` with its keyed columns copied when they are a parse worker's: those are shared memory the worker fills
 * again once the batch is folded (keyed-lines.ts lendColumns), so a test that looks at a batch after its handler
 * returned keeps a copy.
 */
export function keptBatch(batch: ParsedBatch): ParsedBatch {
  const k = batch.keyed;
  if (!k || !(k.at.buffer instanceof SharedArrayBuffer)) return batch;
  const copy = KeyedLines.restore({ order: k.order.slice(), size: k.size, count: k.count, at: k.at.slice(), h1: k.h1.slice(), h2: k.h2.slice(), keyEnd: k.keyEnd.slice(), keyBytes: Uint8Array.prototype.slice.call(k.keyBytes), failures: k.failures, errors: k.errors });
  return { ...batch, keyed: copy };
}

/** `e`, a log/batch event's batch kept (see keptBatch). */
export function kept(e: AppEvent): AppEvent {
  return e.type === 'log/batch' ? { ...e, batch: keptBatch(e.batch) } : e;
}
