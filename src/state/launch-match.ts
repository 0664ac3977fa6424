/**
 * Which launch from here (a runs.jsonl record) started a run known by when it began (its first log line, or
 * the timestamp in its failed-keys file's name). One rule for the keys-read note, the keys each run tried
 * and the stopped state, so they never disagree about whose run a run is. A launch is recorded a moment
 * before the script writes its first line, so:
 * - a record made after the run began is another run's (tester U19: a run started by hand a minute before a
 *   launch took that launch's 235-key count);
 * - a record whose run ended before this run began is not this run's (tester V1: a run started by hand after
 *   a stopped launch took its 5,299 keys, and its failed file took the launch's keys file as "tried");
 * - a record matches one run at most: the first to begin after it (`otherStarts`: when the other runs known
 *   began; one that began between the record and this run was the record's).
 * Log times and file names have whole seconds, hence a little slack after; a record older than the window is
 * another run too.
 */

/** A record this long before the run's start is still its launch (a slow interpreter, a big keys file). */
export const LAUNCH_BEFORE_MS = 120_000;
/** A record this much after the run's start (in the same second, rounded down) is still its launch. */
export const LAUNCH_AFTER_MS = 1_000;

/**
 * A time of the log (its lines, a failed-keys file's name: the writer's clock) on this machine's clock, which launch
 * records are on: the log's clock is `behindMs` behind ours (state.log.clockBehindMs; a writer in a VM or on a host
 * whose clock drifted). Compared as they are, a run 10 min behind began 10 min before its own launch, and was
 * none of its (tester AA1: `status` read a phantom `0/60` run beside the real one, the dashboard `0:00` throughout).
 */
export function onOurClock(logMs: number, behindMs: number | null | undefined): number {
  return logMs + (behindMs ?? 0);
}

/** Launch records with their times on the log's clock (`behindMs` behind ours), for a matching that returns no record. */
export function launchesOnLogClock<T extends LaunchTimes>(launches: readonly T[], behindMs: number | null | undefined): T[] {
  if (!behindMs) return [...launches];
  return launches.map((l) => ({ ...l, startedAt: l.startedAt - behindMs, ...(l.endedAt != null ? { endedAt: l.endedAt - behindMs } : {}) }));
}

/** A launch as matching needs it: when it was recorded, and when its run ended (null: not recorded). */
export interface LaunchTimes {
  startedAt: number;
  endedAt?: number | null;
}

/** The latest launch that can have started the run beginning at `runStartedAt` (see above), or null. */
export function launchFor<T extends LaunchTimes>(runStartedAt: number, launches: readonly T[], otherStarts: readonly number[] = []): T | null {
  let best: T | null = null;
  for (const l of launches) {
    const lead = runStartedAt - l.startedAt;
    if (lead > LAUNCH_BEFORE_MS || lead < -LAUNCH_AFTER_MS) continue;
    if (l.endedAt != null && l.endedAt < runStartedAt - LAUNCH_AFTER_MS) continue;
    if (otherStarts.some((s) => s >= l.startedAt - LAUNCH_AFTER_MS && s < runStartedAt)) continue;
    if (!best || l.startedAt > best.startedAt) best = l;
  }
  return best;
}
