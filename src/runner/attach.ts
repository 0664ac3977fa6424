import { isAlive } from './proc.js';
import type { RunRecord } from './runs-file.js';

/** Runs recorded without an end: the one still going (to re-attach to) and those found gone. */
export interface AttachFindings {
  /** The latest unended run whose pid is alive with the recorded start time, or null. */
  attachable: RunRecord | null;
  /** Unended runs whose process is gone: they ended unseen (show them as `ended` with the log's last line). */
  ended: RunRecord[];
}

/**
 * Sorts unended runs into the one to re-attach to and the ones that are gone. Only the pid plus its start
 * time identify our process, so a pid now used by something else counts as gone. Older unended runs that are
 * still alive (should not happen: the launch lock prevents it) are not attached but not called gone either.
 */
export function findAttachable(runs: RunRecord[], alive: typeof isAlive = isAlive): AttachFindings {
  let attachable: RunRecord | null = null;
  const ended: RunRecord[] = [];
  const open = runs.filter((r) => r.end === null).sort((a, b) => b.startedAt - a.startedAt);
  for (const run of open) {
    if (!alive(run.pid, run.procStart)) ended.push(run);
    else if (attachable === null) attachable = run;
  }
  return { attachable, ended };
}
