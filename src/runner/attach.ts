import { isAlive, pidExists } from './proc.js';
import type { RunRecord } from './runs-file.js';
import { runProcesses } from './session.js';

/** The launched command is gone but left processes of its session that go on, provably the run's (session.ts). */
export const leftGoesOn = (run: RunRecord): boolean => run.left !== undefined && run.pid !== null && runProcesses({ pid: run.pid, procStart: run.procStart, left: run.left.pids }).length > 0;

/** Runs recorded without an end: the one still going (to re-attach to), those found gone, those unprovable. */
export interface AttachFindings {
  /** The latest unended run whose pid is alive with the recorded start time, or null. */
  attachable: RunRecord | null;
  /** Unended runs whose process is gone: they ended unseen (show them as `ended` with the log's last line). */
  ended: RunRecord[];
  /**
   * Unended runs that cannot be proven ours: no start time was recorded (or no pid, a launch interrupted between
   * its record and its spawn) while something may still run under that pid. Never attached, never signalled,
   * never called ended either.
   */
  unproven: RunRecord[];
}

/**
 * Sorts unended runs into the one to re-attach to, the ones that are gone and the ones that cannot be proven.
 * Only the pid plus its start time identify our process, so a pid now used by something else counts as gone; once
 * the launched command exited, the processes it left in its session (a `left` record) stand for it.
 * Older unended runs that are still alive (should not happen: the launch lock prevents it) are not attached but
 * not called gone either.
 */
export function findAttachable(runs: RunRecord[], alive: typeof isAlive = isAlive, exists: (pid: number) => boolean = pidExists, goesOn: (run: RunRecord) => boolean = leftGoesOn): AttachFindings {
  let attachable: RunRecord | null = null;
  const ended: RunRecord[] = [];
  const unproven: RunRecord[] = [];
  const open = runs.filter((r) => r.end === null).sort((a, b) => b.startedAt - a.startedAt);
  for (const run of open) {
    if (run.pid === null) unproven.push(run);
    else if (run.procStart === null) (exists(run.pid) ? unproven : ended).push(run);
    // A run whose launched command exited leaving the backfill running in its session is alive (tester W24).
    else if (!alive(run.pid, run.procStart) && !goesOn(run)) ended.push(run);
    else if (attachable === null) attachable = run;
  }
  return { attachable, ended, unproven };
}
