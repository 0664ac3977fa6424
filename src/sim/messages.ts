import type { SimOptions } from './options.js';
import { pyFixed } from './python-format.js';

/** The long rule the script logs around its banner and summary (`"=" * 70`). */
export const RULE = '='.repeat(70);

/** The constructor's lines, optional ones only when the filter is set (the script's `if self.limit:`). */
export function initMessages(o: SimOptions): string[] {
  const lines = [
    'NBA.com Player Boxscore Scraper Backfill (v2) initialized',
    `  Scraper service: ${o.serviceUrl.replace(/\/+$/, '')}`,
    '  GCS bucket: nba-scraped-data',
    `  Workers: ${o.workers}`,
    `  Timeout: ${o.timeout}s`,
  ];
  if (o.limit) lines.push(`  Limit: ${o.limit} dates`);
  if (o.startDate) lines.push(`  Start date: ${o.startDate}`);
  if (o.season) lines.push(`  Season filter: ${o.season}`);
  return lines;
}

/** The banner `run()` opens with. */
export function bannerMessages(o: SimOptions): string[] {
  const lines = [RULE, 'NBA.com Player Boxscore Scraper Backfill (v2)', `Workers: ${o.workers} | Timeout: ${o.timeout}s`];
  if (o.dryRun) lines.push('DRY RUN MODE - no scraping will be performed');
  lines.push(RULE);
  return lines;
}

/** Counts the script keeps; `failed` includes worker crashes. */
export interface Tally {
  total: number;
  processed: number;
  skipped: number;
  failed: number;
}

/** The every-50 Progress line; rate and ETA are the script's own estimate, done / elapsed since start. */
export function progressMessage(t: Tally, elapsedSec: number): string {
  const done = t.processed + t.skipped + t.failed;
  const rate = elapsedSec > 0 ? done / elapsedSec : 0;
  const eta = rate > 0 ? (t.total - done) / rate / 60 : 0;
  return (
    `📊 Progress: ${done}/${t.total} (${pyFixed((done / t.total) * 100, 1)}%) | ` +
    `✅ ${t.processed} | ⏭️ ${t.skipped} | ❌ ${t.failed} | ETA: ${pyFixed(eta, 0)}min`
  );
}

/** The closing block. Python would divide by zero on a zero-length run; we print a 0.0 rate instead. */
export function summaryMessages(t: Tally, elapsedSec: number): string[] {
  const rate = elapsedSec > 0 ? (t.total / elapsedSec) * 60 : 0;
  return [
    RULE,
    'BACKFILL COMPLETE',
    `Total dates: ${t.total}`,
    `✅ Processed: ${t.processed}`,
    `⏭️  Skipped: ${t.skipped}`,
    `❌ Failed: ${t.failed}`,
    `Time: ${pyFixed(elapsedSec / 60, 1)} minutes`,
    `Rate: ${pyFixed(rate, 1)} dates/min`,
    RULE,
  ];
}
