import { readFileSync } from 'node:fs';
import type { Worker as WorkerClass } from 'node:worker_threads';
import type { ParseJob } from '../parser/parse-worker.js';

/*
 * When a parse worker is worth starting, and how one is made: shared by the CLI (parse-worker-client.ts) and the
 * launcher (parse-worker-launch.ts, in src/bin.ts's bundle), which starts one for a long log before the CLI has
 * loaded. Nothing here loads node:worker_threads or node:os: the caller brings what it needs.
 */

/**
 * Below this much history the reading stays in this thread. A worker costs ~30-60 ms to start, and its parse
 * code starts cold in its own isolate (its first megabytes parse several times slower than later ones), so
 * it pays only for a long stretch. One-run logs on an idle machine (status --json, main 502f1d3, load 0-1):
 * 20 MB 350-440 ms with it, ~290 ms without; 80 MB 601 ms with, 603 ms without: the crossover is near 80 MB.
 * Measured again in round 19 (17b2595, BACKFILL_TUI_PARSE_WORKER=on against =off, interleaved, 9-13 rounds, the
 * runs given the machine's CPU first (their autogroup at nice -15) at load 4-12): forced on minus off, medians,
 * 8 MB +40 ms, 16 MB +62, 20 MB +13 to +43, 24-48 MB -22 to +15, 64 MB -7 to -21, 80 MB -61 (on faster in 11 of
 * 11); the worker costs 90-190 ms more CPU and ~20 MB more peak RSS at every size. So it stays at 64 MiB; the scale
 * bench times the other way at every size up to 100 MB (bench/scale.js OTHER_WAY_MAX_BYTES) for the idle answer.
 */
export const PARSE_WORKER_MIN_BYTES = 64 << 20;

/** BACKFILL_TUI_PARSE_WORKER: 'off' never, 'on' for a history of any length (tests, comparisons), else 'auto'. */
export function parseWorkerMode(env: NodeJS.ProcessEnv): 'on' | 'off' | 'auto' {
  const mode = env.BACKFILL_TUI_PARSE_WORKER;
  return mode === 'on' || mode === 'off' ? mode : 'auto';
}

/**
 * Some-waiting share of the last 10 s below this (per cent): a core is free. Idle here it reads 0-3 %; this
 * program's own runs add a little (its V8 helper threads and its reads on the thread pool now and then make a
 * third runnable thread beside the two busy ones); other helpers' test suites at load 2.7 on 2 cores read
 * 20-54 % (where the worker lost wall time at 80 MB), at load 9-12 92-99 %.
 */
export const PRESSURE_FREE_PERCENT = 30;

/** Where Linux says how long threads waited for a CPU. */
export const CPU_PRESSURE_FILE = '/proc/pressure/cpu';

/** `some avg10` of a /proc/pressure/cpu text (per cent), or null when there is none (not Linux, no PSI). */
export function cpuPressure(file: string): number | null {
  try {
    const m = /^some avg10=(\d+(?:\.\d+)?)/.exec(readFileSync(file, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function coreFree(load: number, cores: number, pressure: number | null = null): boolean {
  if (cores < 2) return false;
  return pressure !== null ? pressure < PRESSURE_FREE_PERCENT : load < cores - 0.5;
}

/** Batches the worker may have sent and the CLI not yet folded: about 16 MB of log at 1 MiB reads (~8 MB of columns). */
export const AHEAD = 16;

/** A parse worker loading `file` (the built parse-worker.cjs), and the flags it shares with its caller (ParseJob.control). */
export function newParseWorker(Worker: typeof WorkerClass, file: URL | string): { worker: WorkerClass; control: SharedArrayBuffer } {
  // [0] taken, [1] stop, [2] folded, [3] reads under way (ParseJob.control).
  const control = new SharedArrayBuffer(16);
  // Its heap holds a few batches at a time; the young generation stays small so its share of RSS does too.
  const worker = new Worker(file, { workerData: { control, ahead: AHEAD } satisfies Pick<ParseJob, 'control' | 'ahead'>, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  return { worker, control };
}
