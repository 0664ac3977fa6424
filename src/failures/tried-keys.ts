import { EXPECTED_MAX_BYTES, readUserText } from '../user-file.js';
import type { FailedFile } from './failed-file.js';
import { keysInKeysFile } from '../runner/keys-file.js';
import { launchBehind, launchFor } from '../state/launch-match.js';

/** A launch as far as matching it to its failed-keys file needs: when it started and ended, and its keys file. */
export interface LaunchedRun {
  startedAt: number;
  endedAt?: number | null;
  keysFile: string | null;
}

/**
 * Which keys each run tried, for the failed-keys files of runs launched from here: the file is matched to
 * its launch by its name's timestamp (the run's start, to the second) as the keys-read note matches a run
 * (launch-match.ts: the newest launch made before it, within two minutes, or a little after it when the file was
 * written after that launch: a writer's clock behind ours), and the tried keys are that launch's keys file.
 * `behindMs`: how far the log's clock is behind ours (the launches are given on the log's clock). Files of runs started elsewhere are left out (unknown, not "tried nothing").
 */
export async function triedKeysForFiles(
  files: FailedFile[],
  runs: LaunchedRun[],
  read: (path: string) => Promise<string> = (p) => readUserText(p, { label: 'keys file', maxBytes: EXPECTED_MAX_BYTES }).then((r) => r.text),
  behindMs: number | null = null,
): Promise<Map<string, Set<string>>> {
  const tried = new Map<string, Set<string>>();
  const withKeys = runs.filter((r): r is LaunchedRun & { keysFile: string } => r.keysFile !== null);
  for (const file of files) {
    if (file.runStartedAt === null) continue;
    // The other files' runs: a launch is the first run's after it, never a later one's too.
    const others = files.map((f) => f.runStartedAt).filter((t): t is number => t !== null && t !== file.runStartedAt);
    const best = launchFor(file.runStartedAt, withKeys, others);
    // A writer a little behind ours names its file "before" its launch (tester AJ3): the skew allowance, proven by the
    // file's modification time (our clock, put on the log's as `runs` are) and by its keys, every one the launch's (a
    // run by hand whose file came after a launch of other keys stays its own: tester V1).
    const behind = best ? null : launchBehind(file.runStartedAt, withKeys, others, file.mtimeMs - (behindMs ?? 0));
    const launch = best ?? behind;
    if (!launch) continue;
    try {
      const keys = new Set(keysInKeysFile(await read(launch.keysFile)));
      if (behind && (file.entries.length === 0 || file.entries.some((e) => !keys.has(e.key)))) continue;
      tried.set(file.path, keys);
    } catch {
      // A keys file that is gone tells us nothing: the run stays "unknown".
    }
  }
  return tried;
}
