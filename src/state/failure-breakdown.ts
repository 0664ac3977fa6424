import { formatCount } from '../format.js';

/** "HTTP 500 72 · timeout 10", biggest first. */
export function failureBreakdown(failures: Record<string, number>): string {
  return Object.entries(failures)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${formatCount(n)}`)
    .join(' · ');
}
