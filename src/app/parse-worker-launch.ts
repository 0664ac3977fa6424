import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { LAUNCH_INFO, type LaunchInfo } from '../launch/launch-info.js';
import { coreFree, CPU_PRESSURE_FILE, cpuPressure, newParseWorker, PARSE_WORKER_MIN_BYTES, parseWorkerMode } from './parse-worker-gate.js';

/*
 * The parse worker started by the launcher (src/bin.ts) for `status` or `missing --log FILE` when FILE is long
 * enough for one (the rule of parse-worker-client.ts parseWorkerChoice, a core free included): it then loads
 * (Node's start of a worker thread, ~30 ms) while the CLI itself loads, where the CLI would start it only once
 * its command and config were read and the log looked at. The CLI takes it for the first history it reads in a
 * worker (ParseWorker.launched), so what is read is the same either way; one never taken (the log was short
 * after all, the command failed) keeps no process alive and ends with it.
 */

/** What the launcher leaves for the CLI, under LAUNCHED_PARSE_WORKER: the worker, and what it did before it was taken. */
export interface LaunchedParseWorker {
  worker: Worker;
  control: SharedArrayBuffer;
  /** Its messages so far (its `ready`), in order: a message with no listener would be lost. */
  messages: unknown[];
  exited: boolean;
  /** Takes the launcher's own listeners off (the taker has put its own on). */
  release: () => void;
}

/** A registered symbol: the launcher's bundle and the CLI's are two copies of this module in one process. */
const LAUNCHED_PARSE_WORKER = Symbol.for('backfill-tui.launched-parse-worker');

type Slot = Record<symbol, LaunchedParseWorker | undefined>;

/** The value of `--log` in the command's arguments (`--log FILE` or `--log=FILE`), or null. */
export function logArgument(args: readonly string[]): string | null {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return null;
    if (arg === '--log') return args[i + 1] ?? null;
    if (arg.startsWith('--log=')) return arg.slice('--log='.length);
  }
  return null;
}

/**
 * Starts the parse worker beside `dir` (dist/src/parse-worker.cjs) when `args` name a log that the CLI would read
 * in one: a file of PARSE_WORKER_MIN_BYTES or more with a core free, or of any length with
 * BACKFILL_TUI_PARSE_WORKER=on; never with =off. Only for the one-shot commands, after the CLI's bundle is
 * compiled: that compile changes V8's flags for a moment (src/launch/code-cache.ts), and a worker loading Node's
 * own modules meanwhile would find their code caches refused.
 */
export function launchParseWorker(args: readonly string[], dir: string, env: NodeJS.ProcessEnv = process.env): void {
  const log = logArgument(args);
  const mode = parseWorkerMode(env);
  if (log === null || mode === 'off') return;
  const file = join(dir, 'parse-worker.cjs');
  if (!existsSync(file)) return;
  let size: number;
  try {
    const st = statSync(log);
    size = st.isFile() ? st.size : 0;
  } catch {
    return;
  }
  if (size < (mode === 'on' ? 1 : PARSE_WORKER_MIN_BYTES)) return;
  if (mode === 'auto' && !coreFreeNow()) return;
  // Loaded here only: every other start of the launcher goes without it.
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  markLaunch('parse worker starting');
  const { worker, control } = newParseWorker(Worker, file);
  const launched: LaunchedParseWorker = { worker, control, messages: [], exited: false, release: () => {} };
  const onMessage = (m: unknown): void => {
    launched.messages.push(m);
  };
  const onExit = (): void => {
    launched.exited = true;
  };
  // A worker that fails leaves the reading to the CLI's own thread, as parse-worker-client.ts has it.
  const onError = (): void => {};
  worker.on('message', onMessage).on('exit', onExit).on('error', onError);
  launched.release = () => {
    worker.off('message', onMessage).off('exit', onExit).off('error', onError);
  };
  worker.unref();
  (globalThis as Slot)[LAUNCHED_PARSE_WORKER] = launched;
}

/** The worker the launcher started for this command, once (later calls, and a process not launched so, get null). */
export function takeLaunchedParseWorker(): LaunchedParseWorker | null {
  const slot = globalThis as Slot;
  const launched = slot[LAUNCHED_PARSE_WORKER] ?? null;
  slot[LAUNCHED_PARSE_WORKER] = undefined;
  return launched;
}

/** parse-worker-client.ts coreIsFree, at once. */
function coreFreeNow(): boolean {
  const { availableParallelism, loadavg } = require('node:os') as typeof import('node:os');
  return coreFree(loadavg()[0], availableParallelism(), cpuPressure(CPU_PRESSURE_FILE));
}

/** A start-up stage of the launcher's (src/startup-timing.ts), when BACKFILL_TUI_TIMING asks for them. */
function markLaunch(stage: string): void {
  const info = (globalThis as Record<symbol, LaunchInfo | undefined>)[LAUNCH_INFO];
  if (!process.env.BACKFILL_TUI_TIMING || !info) return;
  const cpu = process.cpuUsage();
  info.marks.push([stage, Math.round(performance.now() * 10) / 10, Math.round((cpu.user + cpu.system) / 100) / 10]);
}
