import type { AppState } from './app-state.js';

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

/**
 * The skew allowance (tester AJ3): a writer whose clock is behind ours by less than the 2 min from which the log's
 * clock is read as off (state.log.clockBehindMs stays null) writes its run's first line "before" its own launch, so
 * launchFor finds none (5 s was enough: the keys-read note, the tried keys, the end and `stopped` all missed their
 * launch). The run is the launch's all the same when it began within LAUNCH_BEFORE_MS before it, what it wrote was
 * written at or after the launch by our clock (`writtenAt`: the log's modification time, a failed-keys file's; null
 * proves nothing), no other run begun after it may be the launch's (takes), and `fits` holds for the launch.
 * The newest such launch, or null.
 */
export function launchBehind<T extends LaunchTimes>(runStartedAt: number, launches: readonly T[], otherStarts: readonly number[], writtenAt: number | null, fits: (l: T) => boolean = () => true): T | null {
  if (writtenAt === null) return null;
  let best: T | null = null;
  for (const l of launches) {
    const early = l.startedAt - runStartedAt;
    if (early <= LAUNCH_AFTER_MS || early > LAUNCH_BEFORE_MS || writtenAt < l.startedAt) continue;
    if (otherStarts.some((s) => s > runStartedAt && takes(s, l, early)) || !fits(l)) continue;
    if (!best || l.startedAt > best.startedAt) best = l;
  }
  return best;
}

/**
 * Whether a run begun at `s` (after the one being matched) may be launch `l`'s rather than that one: it began in the
 * launch's own window (launchFor's), or, on our clock by the same skew (`early`: how far the first run reads before
 * the launch), before the launch ended and within its window (tester AK3: a run launched after a stopped one, 90 s
 * behind, took the stopped launch from its run: `h` read it `no summary` with its lines' span).
 */
function takes(s: number, l: LaunchTimes, early: number): boolean {
  const lead = s - l.startedAt;
  // As launchFor has it: in its window, unless the launch had ended before it began.
  if (lead >= -LAUNCH_AFTER_MS && lead <= LAUNCH_BEFORE_MS) return l.endedAt == null || l.endedAt >= s - LAUNCH_AFTER_MS;
  return s + early <= Math.min(l.endedAt ?? Infinity, l.startedAt + LAUNCH_BEFORE_MS);
}

/** launchFor, else the skew allowance (launchBehind): the one rule wherever a run's time meets a launch's. */
export function launchForWritten<T extends LaunchTimes>(runStartedAt: number, launches: readonly T[], otherStarts: readonly number[], writtenAt: number | null, fits?: (l: T) => boolean): T | null {
  return launchFor(runStartedAt, launches, otherStarts) ?? launchBehind(runStartedAt, launches, otherStarts, writtenAt, fits);
}

/**
 * The launch of the log's current run, on our clock (launchForWritten), with what proves it written after a launch:
 * the log file's modification time, once the writers were looked at and none not started here writes it (another's
 * run is not ours). A run that wrote its summary is a launch's only when that launch's end says `complete`: a run by
 * hand that completed just before a silent launch stays its own (tester U19), the launch's first stderr touching the
 * file all the same. `launches`: the records to match (all of them, or the one of interest); `otherStarts`: when the
 * log's other runs began, our clock.
 */
export function launchOfCurrentLogRun<T extends LaunchTimes & { reason?: string | null }>(state: AppState, launches: readonly T[], otherStarts: readonly number[]): T | null {
  const run = state.log.current;
  if (!run || run.startedAt === null) return null;
  const began = onOurClock(run.startedAt, state.log.clockBehindMs);
  const { log, process: p } = state;
  const writtenAt = state.place || !p.writersChecked || p.external || log.modifiedAt == null ? null : log.modifiedAt;
  const normal = launchFor(began, launches, otherStarts);
  const behind = launchBehind(began, launches, otherStarts, writtenAt, (l) => !run.complete || l.reason === 'complete');
  // Its first line in an earlier launch's window, but that launch ended before a later one began and the log was
  // written after that one: the run is the later launch's, its writer behind (tester AK3: stopped 15 s after a launch
  // that followed a complete one, `status` paired it with the complete one).
  if (normal && behind && normal.endedAt != null && normal.endedAt < behind.startedAt) return behind;
  return normal ?? behind;
}

/**
 * How far a writer a little behind ours is behind at least, from its launch (tester AJ3's class: under the 2 min from
 * which the log's clock is read as off, clockBehindMs stays null): its run, its launch's by the skew allowance, wrote
 * its first line that long "before" the launch. Read on its clock by that much, its elapsed runs from its launch to its
 * recorded end or now, never from its first line's time to an end on ours (119 s behind, a 3:04 run read 5:02). Whole
 * seconds: the launch on the log's clock keeps its place in its second, so its elapsed reads to the second as on the
 * dashboard that launched it (11.7 s behind: 0:17 beside that one's 0:18). Null when the run began at or after its
 * launch (in its second: log times have whole seconds).
 */
export function behindByLaunch(runStartedAt: number | null, launchedAt: number | null): number | null {
  return launchedAt !== null && runStartedAt !== null && launchedAt - runStartedAt > LAUNCH_AFTER_MS ? Math.ceil((launchedAt - runStartedAt) / 1000) * 1000 : null;
}
