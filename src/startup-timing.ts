import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Start-up stages, for `npm run bench`: with BACKFILL_TUI_TIMING=FILE set, each process appends one
 * JSON line `{ bootstrap, marks: [[stage, ms], …] }` to FILE on `flushStartup()`. Times are ms since
 * the process started (`performance.now()`); `bootstrap` is when Node itself was ready. Unset (the
 * normal case), nothing is recorded.
 */
const file = process.env.BACKFILL_TUI_TIMING;
const marks: [string, number][] = [];

export function markStartup(stage: string): void {
  if (file) marks.push([stage, Math.round(performance.now() * 10) / 10]);
}

export function flushStartup(): void {
  if (!file || marks.length === 0) return;
  const bootstrap = Math.round(performance.nodeTiming.bootstrapComplete * 10) / 10;
  appendFileSync(file, `${JSON.stringify({ pid: process.pid, bootstrap, marks: marks.splice(0) })}\n`);
}
