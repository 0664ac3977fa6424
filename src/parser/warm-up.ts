import { toMessage } from './batch-transfer.js';
import { parseChunk } from './chunk.js';
import { compileGrammar } from './index.js';
import { LogClock } from './log-clock.js';

/*
 * A fresh isolate (the parse worker's) optimizes the parser on the first lines it reads, with the type feedback
 * those lines gave: a line shape first met later (the log pane's last lines, read on the general path; a summary;
 * a Processing line) then throws the optimized code away, runs on unoptimized and compiles it again, late in the
 * read and on the compile threads the fold's core shares. Reading a few lines of every usual shape once before
 * the job, both ways a chunk is read (with pane lines: every line on the general path; without: the one-pass
 * path), gives the first optimized code all of them. Nothing read here goes anywhere.
 */

/** One record of each shape the family writes (backfill-logs.md), ten-byte keys as in its logs. */
const SHAPES = [
  'INFO - NBA.com Player Boxscore Scraper Backfill (v2) initialized',
  'INFO -   Workers: 6',
  'INFO -   Timeout: 180s',
  'INFO - ======================================================================',
  'INFO - Loaded 244 dates from /tmp/dates.txt',
  'INFO - [1/244] Queued 2021-10-31',
  'INFO - [2/244] Processing 0022100002',
  'INFO -   ✅ Scraped 2021-10-31',
  'INFO -   ✅ Scraped 0022100001 (2021-10-19)',
  'WARNING -   ❌ Failed 0022100002: HTTP 500',
  // Keys and spacings the fixed shapes of hot-run.ts leave to its general part (and the last lines of every chunk).
  'WARNING -   ❌ Failed 2022-04-16: HTTP 500',
  'WARNING -  ❌ Failed  0022100003:  HTTP 502',
  'WARNING -   ❌ Timeout scraping 2022-02-02',
  'INFO -   ✅ Scraped 22100004',
  'INFO -   ✅ Scraped 0022100005',
  'WARNING -   ❌ Failed 2022-04-17: HTTP Error 503: Service Unavailable',
  'WARNING -   ❌ Timeout 2022-02-01',
  'WARNING -   ❌ Timeout scraping 0022100034',
  'WARNING -   ❌ Error 2022-05-02: ReadTimeout: read timed out',
  'WARNING -   ❌ Failed after 3 attempts: HTTP 500',
  'INFO -   ⏭️  Skipped 2021-11-02 (already in GCS)',
  'INFO -   ✅ Scraped successfully (attempt 2)',
  'ERROR - Exception processing 2022-05-03: KeyError: boxscore',
  'INFO - 📊 Progress: 50/244 (20.5%) | ✅ 8 | ⏭️ 0 | ❌ 42 | ETA: 47min',
  'INFO - BACKFILL COMPLETE',
  'INFO - Total dates: 244',
  'INFO - ✅ Processed: 42',
  'INFO - ❌ Failed: 202',
  'INFO - Time: 32.6 minutes',
  'INFO - 💾 Failed dates saved to: /tmp/failed_dates_20251126_231710.json',
];

/**
 * Times the shapes go round: a function keeps no type feedback until it has run a while (V8 allocates its
 * feedback vector lazily), so shapes met only in its first calls would teach it nothing.
 */
const ROUNDS = 8;

let sample: Buffer | null = null;

/** Reads the sample as the parse worker reads a log in `zone` (its keyed columns, made into a message). */
export function warmParser(zone: string | undefined): void {
  const bytes = warmSample();
  const grammar = compileGrammar(undefined, zone);
  // Each way twice: a call's first steps (before its function keeps feedback) are taught by the next call.
  for (const tailLimit of [ROUNDS * SHAPES.length, 0, ROUNDS * SHAPES.length, 0]) toMessage(parseChunk(bytes, grammar, tailLimit, new LogClock(zone), true));
}

/** The lines `warmParser` reads. */
export function warmSample(): Buffer {
  if (sample === null) {
    const lines: string[] = [];
    // A new minute every four lines (the prefix reader's minute change, on both paths), in order.
    for (let i = 0; i < ROUNDS * SHAPES.length; i++) {
      const minute = 10 + Math.floor(i / 4);
      lines.push(`2025-11-26 ${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},345 - ${SHAPES[i % SHAPES.length]}\n`);
    }
    sample = Buffer.from(lines.join(''));
  }
  return sample;
}
