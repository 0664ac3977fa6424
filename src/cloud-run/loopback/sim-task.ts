import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseKeyList } from '../../sim/keys.js';
import { simMain, type SimDeps } from '../../sim/sim-main.js';
import type { TaskRunner } from './world.js';

/** Where the simulated containers run and what they can reach. */
export interface SimTaskOptions {
  /** Scratch directory: each task gets its own working directory (its files are lost, as in a container). */
  scratchDir: string;
  /** A local directory standing in for Cloud Storage: `gs://BUCKET/NAME` reads `gsDir/BUCKET/NAME`. */
  gsDir?: string;
  /** The simulator's clock and sleep (tests inject an instant clock). */
  now?: SimDeps['now'];
  sleep?: SimDeps['sleep'];
}

/**
 * A task runner that runs the simulated backfill in-process, like the container image would run the script:
 * args are the script's flags. Two additions stand in for what a container reads that a laptop would not:
 * `--keys=A,B,C` (a job whose args take the keys themselves, `{keys}`) and `--csv=gs://…` (`{keysUri}`). With
 * more than one task, each task takes every taskCount-th key from its index, as sharded scripts do.
 */
export function simTaskRunner(opts: SimTaskOptions): TaskRunner {
  return async (ctx) => {
    // Absolute: the keys file below is named for the task, which reads it from its own folder (tester AE6: a relative
    // --scratch named it relative to the region's, and every execution failed on FileNotFoundError).
    const cwd = path.resolve(opts.scratchDir, `${ctx.execution}-task${ctx.taskIndex}`);
    await mkdir(cwd, { recursive: true });
    const args: string[] = [];
    let keys: string[] | null = null;
    for (const arg of ctx.args) {
      const list = /^--keys=(.*)$/.exec(arg);
      const gs = /^--csv=gs:\/\/([^/]+)\/(.+)$/.exec(arg);
      if (list) keys = list[1].split(',').filter(Boolean);
      else if (gs) {
        if (!opts.gsDir) throw new Error(`google.api_core.exceptions.NotFound: 404 gs://${gs[1]}/${gs[2]}`);
        keys = parseKeyList(await readFile(path.join(opts.gsDir, gs[1], gs[2]), 'utf8'));
      } else if (/^--csv=/.test(arg) && ctx.taskCount > 1) {
        keys = parseKeyList(await readFile(path.resolve(cwd, arg.slice(6)), 'utf8'));
      } else args.push(arg);
    }
    if (keys === null && ctx.taskIndex > 0) return 0; // generated keys: task 0 takes them all
    if (keys !== null) {
      const mine = ctx.taskCount > 1 ? keys.filter((_, i) => i % ctx.taskCount === ctx.taskIndex) : keys;
      const file = path.join(cwd, 'keys.csv');
      await writeFile(file, mine.length ? `${mine.join('\n')}\n` : '');
      args.push(`--csv=${file}`);
    }
    let partial = '';
    return simMain(args, {
      cwd,
      signal: ctx.signal,
      ...(opts.now ? { now: opts.now } : {}),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      write: (text) => {
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) ctx.log(line);
      },
    });
  };
}
