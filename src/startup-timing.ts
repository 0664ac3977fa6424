import { appendFileSync } from 'node:fs';
import type { performance as NodePerformance } from 'node:perf_hooks';
import { LAUNCH_INFO, type LaunchInfo } from './launch/launch-info.js';

/**
 * Start-up stages, for `npm run bench`: with BACKFILL_TUI_TIMING=FILE set, each process appends one
 * JSON line `{ bootstrap, marks: [[stage, ms, cpuMs], …] }` to FILE on `flushStartup()`. `ms` is the time
 * since the process started (`performance.now()`); `cpuMs` the CPU time (user + system, all threads) the
 * process had used by then, far less disturbed than wall time by other work on the machine; `bootstrap`
 * is when Node itself was ready. Unset (the normal case), nothing is recorded. Uses the global
 * `performance`: importing node:perf_hooks would load its observers and histograms for every command.
 */
const file = process.env.BACKFILL_TUI_TIMING;
const marks: [string, number, number][] = [];

const tenths = (ms: number) => Math.round(ms * 10) / 10;

export function markStartup(stage: string): void {
  if (!file) return;
  const ms = performance.now();
  const cpu = process.cpuUsage();
  marks.push([stage, tenths(ms), tenths((cpu.user + cpu.system) / 1000)]);
}

export function flushStartup(): void {
  if (!file || marks.length === 0) return;
  // The global is Node's perf_hooks object; the DOM typing of `performance` lacks nodeTiming.
  const bootstrap = tenths((performance as unknown as typeof NodePerformance).nodeTiming.bootstrapComplete);
  // Started through the one-shot launcher (src/bin.ts): its own stages first, and whether V8 took the code cache.
  const launch = (globalThis as Record<symbol, LaunchInfo | undefined>)[LAUNCH_INFO];
  const record = { pid: process.pid, bootstrap, ...(launch ? { codeCache: launch.codeCache, cacheKind: launch.cacheKind } : {}), marks: [...(launch?.marks.splice(0) ?? []), ...marks.splice(0)] };
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}
