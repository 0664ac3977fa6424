/** Builds reference-format log lines for tests: `2025-11-26 23:17:12,345 - INFO - msg`, times in UTC (TZ=UTC in tests). */
export function logLine(at: number, level: 'INFO' | 'WARNING' | 'ERROR' | 'DEBUG', message: string): string {
  const d = new Date(at);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())},${p(d.getUTCMilliseconds(), 3)}`;
  return `${stamp} - ${level} - ${message}`;
}

/** A tiny script of log records, each a second apart from `start` unless `at` says otherwise. */
export function logOf(start: number, records: [string, string][] | string[][]): string {
  return records.map((r, i) => logLine(start + i * 1000, r[0] as 'INFO', r[1])).join('\n') + '\n';
}

export const T0 = Date.UTC(2025, 10, 26, 23, 17, 0);

/** The banner of the v2 script, as it writes it. */
export function banner(workers: number, timeout: number, total: number): string[][] {
  return [
    ['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2) initialized'],
    ['INFO', '  Scraper service: https://scrapers.example.run.app'],
    ['INFO', '  GCS bucket: nba-scraped-data'],
    ['INFO', `  Workers: ${workers}`],
    ['INFO', `  Timeout: ${timeout}s`],
    ['INFO', '='.repeat(70)],
    ['INFO', 'NBA.com Player Boxscore Scraper Backfill (v2)'],
    ['INFO', `Workers: ${workers} | Timeout: ${timeout}s`],
    ['INFO', '='.repeat(70)],
    ['INFO', `Loaded ${total} dates from /tmp/dates.txt`],
  ];
}
