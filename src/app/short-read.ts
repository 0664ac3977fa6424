import { setFlagsFromString } from 'node:v8';
import { nodeFlags } from '../launch/cache-place.js';

/**
 * Below this many bytes a one-shot read of a log (`status`, `missing`) is over before V8's optimising compiler
 * (TurboFan) pays for itself. Measured on one-run logs (7 interleaved rounds each, load 6-7, CPU ms without →
 * with the cap): 500 KB 185 → 137, 1 MB 240 → 183, 2 MB 247 → 214, 4 MB 290 → 333 (there TurboFan's code wins).
 */
export const SHORT_READ_BYTES = 1 << 20;

/**
 * Whether a short read may cap V8's tiers here: only when Node runs with no flags of its own. A flag may have
 * switched TurboFan off already (`--jitless`, `--no-opt`, `--max-opt`): turning it back on after the read
 * would override that, and under `--jitless` it cannot run at all.
 */
export const mayCapTiers = (flags: string = nodeFlags()): boolean => flags === '';

/**
 * The cap, and V8's defaults it goes back to (the launcher's condition, mayCapTiers, is that Node runs with no flags
 * of its own): all of them, or V8's flag hash would differ after the read and Node's own code caches be refused.
 * Sparkplug compiles each function as soon as it is warm instead of in batches of ~4 KB of bytecode: on a short log
 * the parse and fold functions otherwise wait in the interpreter for the batch to fill (150 KB one-run log, main
 * thread: 674–678 → 667–668 M instructions, callgrind; 500 KB and 950 KB: no difference).
 */
const CAPPED = '--no-turbofan --no-baseline-batch-compilation';
const UNCAPPED = '--turbofan --baseline-batch-compilation';

/**
 * Runs `fn` (synchronous) with TurboFan, V8's optimising compiler, switched off: functions that grow hot in it
 * stay in Sparkplug's baseline code. On a short log the parse functions grow hot within a few hundred lines,
 * and TurboFan's jobs for them (hotLine alone ~40 ms on a compiler thread) end after the read has: a third
 * of what `status --json` on a 150 KB log spent beyond `node -e 0` in CPU (148 → 122 ms, 21 interleaved
 * rounds), on a core the main thread shares on a busy machine, and the process's exit waits for a job still
 * running. TurboFan is back on as `fn` returns or throws. (Not `--max-opt`: it switches TurboFan off through
 * a flag implication that setting it back does not undo.)
 */
export function baselineOnly<T>(fn: () => T): T {
  setFlagsFromString(CAPPED);
  try {
    return fn();
  } finally {
    setFlagsFromString(UNCAPPED);
  }
}
