import type { FailedEntry, FailedFile } from '../failures/failed-file.js';
import { statusOf, writtenMs } from '../failures/verdicts.js';
import { trailTime, type LogTrail } from './log-trail.js';
import type { RunState } from './run.js';

/** A failed-keys file names its run by a start to the second, a moment after the log's banner. */
const NAME_SLACK_MS = 2_000;
/** A file known only by when it was written is written at its run's end. */
const WRITE_SLACK_MS = 60_000;

/** Whether `file` is the failed-keys file of the log's earlier run `run`. */
function fileOf(file: FailedFile, start: number, end: number): boolean {
  if (file.runStartedAt !== null) return file.runStartedAt >= start - NAME_SLACK_MS && file.runStartedAt <= end;
  const written = writtenMs(file);
  return written >= start && written <= end + WRITE_SLACK_MS;
}

const cache = new WeakMap<FailedFile[], { trail: LogTrail | null; history: RunState[]; out: FailedFile[] }>();

/**
 * The failed-keys files, and for each earlier run of the log that failed keys and has no file (killed or
 * asleep before it wrote one, a script that writes none, or no `failed` configured) its failures as a file
 * of its own, named after the run (tester U12: they vanished once another run started, though no run tried
 * them again). Only the keys whose latest failure in the log was in that run (see log-trail.ts): an
 * earlier failure of a key that failed again later is counted in the later run only. One array per
 * (files, trail, history), so folds cached by the files array stay valid.
 */
export function withLogRunFailures(files: FailedFile[], trail: LogTrail | null | undefined, history: RunState[]): FailedFile[] {
  if (!trail) return files;
  const hit = cache.get(files);
  if (hit && hit.trail === trail && hit.history === history) return hit.out;
  const byRun = new Map<number, (FailedEntry & { source: 'log' })[]>();
  for (const [key, e] of trail.keys) {
    let entries = byRun.get(e.failedAt);
    if (!entries) byRun.set(e.failedAt, (entries = []));
    // The runs of the log that failed or tried it before this one, so `N of N` counts them all (tester AA12).
    const before = { failed: (e.failedRuns ?? 1) - 1, tried: (e.triedRuns ?? 1) - 1 };
    entries.push({ key, status: statusOf(e.failure), error: e.error || e.failure, source: 'log', ...(before.tried > 0 ? { runsBefore: before } : {}) });
  }
  const runs = new Map(history.map((r) => [trailTime(r), r]));
  const out = [...files];
  for (const [at, entries] of byRun) {
    const end = runs.get(at)?.lastActivityAt ?? at;
    if (files.some((f) => fileOf(f, at, end))) continue;
    const name = `log run of ${new Date(at).toISOString()}`;
    out.push({ path: `log:${at}`, name, runStartedAt: at, writtenAt: null, mtimeMs: end, totalFailed: entries.length, entries, problems: [] });
  }
  cache.set(files, { trail, history, out });
  return out;
}
