import type { RunRecord } from '../runner/runs-file.js';
import type { LogRuns } from '../state/apply-lines.js';
import type { RunState } from '../state/run.js';
import { allRuns } from '../state/log-runs.js';
import { behindByLaunch, launchBehind } from '../state/launch-match.js';

/** A launched run's banner follows its launch within this (the script starts, then logs). */
const BANNER_AFTER_LAUNCH_MS = 5 * 60_000;
/** Clocks of the launcher and the log's writer may differ a little (and log times have no zone). */
const CLOCK_SLACK_MS = 60_000;

/** How a run that ended while no dashboard watched is recorded: from its own log, not from when we looked. */
export interface UnwatchedEnd {
  /** The log run's last line (its summary when complete); null when the log has no run for it. */
  endedAt: number | null;
  reason: 'complete' | 'ended' | 'gone';
  counts: { succeeded: number; failed: number; skipped: number } | null;
}

/**
 * The log run that a launch record started: the first run of the log that began at or after the launch and soon
 * after it; only when none did, the latest that began within a little clock slack before it (a writer whose clock
 * is behind); further back, up to the skew allowance of launch-match.ts (launchBehind), only the log's current run
 * when the file was written after the launch (`modifiedAt`, our clock: tester AJ3, a writer under 2 min behind whose
 * end was recorded `gone`). Never an earlier run of the slack window when the launch's own run is there (tester W21:
 * three runs stopped within a minute, the first of them taken for a later launch that completed: its end 34 s before
 * its own launch, ✓ 7 for a 40/40 run). The next launch's run is not it. `record` on the log's clock.
 */
export function logRunFor(record: Pick<RunRecord, 'startedAt'>, runs: LogRuns & { modifiedAt?: number | null; clockBehindMs?: number | null }, nextLaunchAt: number | null = null): RunState | null {
  // A second writer's run beside the current one too (tester AA18), in the order they began.
  const all = allRuns(runs);
  const fits = (run: RunState) => run.startedAt !== null && run.startedAt <= record.startedAt + BANNER_AFTER_LAUNCH_MS && (nextLaunchAt === null || run.startedAt < nextLaunchAt - CLOCK_SLACK_MS);
  const after = all.find((run) => run.startedAt !== null && run.startedAt >= record.startedAt);
  if (after) return fits(after) ? after : null;
  // The file's modification time on the log's clock, as `record` is.
  const writtenAt = runs.modifiedAt == null ? null : runs.modifiedAt - (runs.clockBehindMs ?? 0);
  const behind = (run: RunState) => run === runs.current && launchBehind(run.startedAt as number, [record], [], writtenAt) !== null;
  const slack = all.filter((run) => run.startedAt !== null && (run.startedAt >= record.startedAt - CLOCK_SLACK_MS || behind(run)) && fits(run));
  return slack.at(-1) ?? null;
}

/** When the launch recorded after `record` began (epoch ms), or null: its log run is not `record`'s (logRunFor). */
export function nextLaunchAt(record: Pick<RunRecord, 'startedAt'>, records: readonly Pick<RunRecord, 'startedAt'>[]): number | null {
  return records.find((r) => r.startedAt > record.startedAt)?.startedAt ?? null;
}

/** The end of a launched run that ended unwatched, as its log tells it: duration, counts, complete or not. */
export function unwatchedEnd(record: Pick<RunRecord, 'startedAt'>, runs: LogRuns & { lastRecordAt?: number | null; clockBehindMs?: number | null }, nextLaunchAt: number | null = null): UnwatchedEnd {
  // Records are on our clock, the log's lines on its writer's: matched on the log's, ended on ours (tester AA1).
  const behind = runs.clockBehindMs ?? 0;
  const run = logRunFor({ startedAt: record.startedAt - behind }, runs, nextLaunchAt === null ? null : nextLaunchAt - behind);
  if (!run) return { endedAt: null, reason: 'gone', counts: null };
  // The log's newest record is the current run's last line when nothing came after it: a run that stopped winds
  // down with lines that move nothing (`WARNING - Interrupted` 4 s after its last key: tester Y1).
  const last = run === runs.current && !run.complete && runs.lastRecordAt != null && runs.lastRecordAt > (run.lastActivityAt ?? -Infinity) ? runs.lastRecordAt : null;
  const end = last ?? run.lastActivityAt ?? run.finishedAt ?? run.startedAt;
  // A writer a little behind ours, its run begun "before" its launch: on our clock by that much (tester AK3: an end
  // recorded 87 s before its own launch).
  const off = behind || (behindByLaunch(run.startedAt, record.startedAt) ?? 0);
  return {
    endedAt: end === null ? null : end + off,
    reason: run.complete ? 'complete' : 'ended',
    counts: { succeeded: run.succeeded, failed: run.failed, skipped: run.skipped },
  };
}

/**
 * When a run ended whose end was seen only after the moment (tester AD15: its dashboard stopped by Ctrl-Z reaped it at
 * `fg`, or one that woke up found it gone): the latest moment it is proven alive, which is the earliest it is proven
 * gone. `proofs` are times it was alive (its last log line on our clock, the stop's signals sent to it while it ran);
 * never before it was last seen alive, never after it was seen gone (a log clock ahead says nothing past that).
 */
export function provenEnd(seen: { at: number; seenAliveAt: number }, proofs: ReadonlyArray<number | null | undefined>): number {
  const alive = proofs.filter((t): t is number => typeof t === 'number' && Number.isFinite(t) && t <= seen.at);
  return Math.max(Math.min(seen.seenAliveAt, seen.at), ...alive);
}

/**
 * When a run that ended while no dashboard watched is recorded to have ended: its log's end (unwatchedEnd), or a stop's
 * signal recorded after that, sent to it while it ran (a run silent since its last line, ended by its carrier's
 * SIGTERM: tester AD15); its launch when neither is known.
 */
export function unwatchedEndAt(end: Pick<UnwatchedEnd, 'endedAt'>, record: Pick<RunRecord, 'startedAt' | 'stopAskedAt' | 'stopTermAt'>): number {
  return Math.max(end.endedAt ?? record.startedAt, ...[record.stopAskedAt, record.stopTermAt].filter((t): t is number => t !== undefined));
}
