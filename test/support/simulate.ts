import { simMain } from '../../src/sim/sim-main.js';

/**
 * The simulator (the reference script's stand-in) run once on an instant clock from `start` (epoch ms): its sleeps
 * move the clock, not time. Returns what it wrote, its exit code, and the clock at its end (epoch ms).
 */
export async function simulate(args: string[], opts: { start: number; cwd: string }): Promise<{ log: string; code: number; end: number }> {
  let t = opts.start;
  let log = '';
  const code = await simMain(args, {
    now: () => t,
    sleep: async (ms) => void (t += ms),
    write: (text) => void (log += text),
    cwd: opts.cwd,
  });
  return { log, code, end: t };
}
