import { formatCount } from '../format.js';

/**
 * "HTTP 500 72 · timeout 10", biggest first, ties by name, as the failures' kinds are ordered everywhere
 * (failures/analysis.ts; tester AI10 g: `timeout 3 · HTTP 500 3` above `HTTP 500 3 · timeout 3` in one `status`).
 */
export function failureBreakdown(failures: Record<string, number>): string {
  return Object.entries(failures)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([kind, n]) => `${kind} ${formatCount(n)}`)
    .join(' · ');
}

/**
 * The kinds line, with the failures no line read says when lines were lost (rotation-note.ts failuresShort): `· 17 not
 * read (lines lost)`; `compressed`: the compressed copy they are likely in (`· 17 not read (in bf.log.1.gz)`).
 */
export function failureKindsLine(failures: Record<string, number>, short: number, compressed?: string | null): string {
  const kinds = failureBreakdown(failures);
  const missing = short > 0 ? `${formatCount(short)} not read (${compressed ? `in ${compressed}` : 'lines lost'})` : '';
  return kinds && missing ? `${kinds} · ${missing}` : kinds || missing;
}
