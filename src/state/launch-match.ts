/**
 * Which launch from here (a runs.jsonl record) started a run known by when it began (its first log line, or
 * the timestamp in its failed-keys file's name). A launch is recorded a moment before the script writes its
 * first line, so a record made after the run began belongs to another run (tester U19: a run started by hand
 * a minute before a launch took that launch's key count). Log times and file names have whole seconds,
 * hence a little slack after; a record older than the window is another run too.
 */

/** A record this long before the run's start is still its launch (a slow interpreter, a big keys file). */
export const LAUNCH_BEFORE_MS = 120_000;
/** A record this much after the run's start (in the same second, rounded down) is still its launch. */
export const LAUNCH_AFTER_MS = 1_000;

/** The latest launch made at most LAUNCH_BEFORE_MS before `runStartedAt` (or within LAUNCH_AFTER_MS after it), or null. */
export function launchFor<T extends { startedAt: number }>(runStartedAt: number, launches: readonly T[]): T | null {
  let best: T | null = null;
  for (const l of launches) {
    const lead = runStartedAt - l.startedAt;
    if (lead > LAUNCH_BEFORE_MS || lead < -LAUNCH_AFTER_MS) continue;
    if (!best || l.startedAt > best.startedAt) best = l;
  }
  return best;
}
