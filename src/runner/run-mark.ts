import { readdirSync, readFileSync } from 'node:fs';
import { HAS_PROC, readProcStat, type ProcStart } from './proc.js';
import type { RunRecord } from './runs-file.js';
import type { Survivor } from './session.js';

/**
 * The environment variable a launched run carries: its id in runs.jsonl. Every process it starts inherits it, so a
 * run whose launch record never got its pid (the dashboard killed between the spawn and that write: tester AA13) is
 * still found, by its own mark, never by a guess at a command line or a start time.
 */
export const RUN_MARK = 'BACKFILL_TUI_RUN';

/** What /proc says of the processes carrying a run's mark. */
export interface MarkedRun {
  /** The launched command (the session's leader, which setsid made), or its session's id once it exited. */
  pid: number;
  /** The leader's start time; null when only processes it left are found (then `left` names them). */
  procStart: ProcStart | null;
  /** The leader is gone: the processes of its session that carry the mark and go on. */
  left: Survivor[] | null;
}

/**
 * The processes of this user that carry `RUN_MARK=id` in their environment, by one walk of /proc (environments of
 * other users' processes cannot be read, and a run we launched is ours). Null when none, or where /proc is missing.
 */
export function findMarkedRun(id: string, environOf: (pid: number) => Buffer | null = readEnviron): MarkedRun | null {
  if (!HAS_PROC) return null;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return null;
  }
  const mark = Buffer.from(`${RUN_MARK}=${id}\0`);
  const found: Array<{ pid: number; session: number; startTime: number }> = [];
  for (const entry of entries) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    const pid = Number(entry);
    const env = environOf(pid);
    // At the start of the block or after a NUL: `X_BACKFILL_TUI_RUN=id` is not the mark.
    const at = env?.indexOf(mark) ?? -1;
    if (env === null || at < 0 || (at > 0 && env[at - 1] !== 0)) continue;
    const st = readProcStat(pid);
    if (!st || st.state === 'Z' || st.state === 'X') continue;
    found.push({ pid, session: st.session, startTime: st.startTime });
  }
  // The launched command leads the session setsid gave it: its pid is the session's id.
  const leader = found.find((p) => p.pid === p.session);
  if (leader) return { pid: leader.pid, procStart: leader.startTime, left: null };
  // The command exited and left the backfill going in its session (a wrapper's `nohup … &`, tester W24).
  const sid = found[0]?.session;
  const members = found.filter((p) => p.session === sid);
  if (sid === undefined || members.length === 0) return null;
  return { pid: sid, procStart: null, left: members.map((m) => ({ pid: m.pid, procStart: m.startTime })) };
}

function readEnviron(pid: number): Buffer | null {
  try {
    return readFileSync(`/proc/${pid}/environ`);
  } catch {
    return null;
  }
}

/**
 * Runs recorded without their pid and without an end (a launch whose dashboard died between the spawn and the pid's
 * record) completed from the processes carrying their mark: the pid and its start time, or what the command left
 * going. `found` lists the ones completed so, for a dashboard to record. No walk when no record lacks its pid.
 */
export function withMarkedPids(runs: RunRecord[], find: (id: string) => MarkedRun | null = findMarkedRun): { runs: RunRecord[]; found: RunRecord[] } {
  if (!runs.some(lacksPid)) return { runs, found: [] };
  const found: RunRecord[] = [];
  const out = runs.map((r) => {
    if (!lacksPid(r)) return r;
    const m = find(r.id);
    if (!m) return r;
    // A leader gone: its session's id stands for it, the processes found for what it left (session.ts proves them by
    // their own start times); the earliest of them bounds the session's start, as the leader's would.
    const procStart = m.procStart ?? Math.min(...(m.left ?? []).map((s) => Number(s.procStart)));
    const run: RunRecord = { ...r, pid: m.pid, procStart, ...(m.left ? { left: { at: r.startedAt, exitCode: null, signal: null, pids: m.left } } : {}) };
    found.push(run);
    return run;
  });
  return { runs: out, found };
}

const lacksPid = (r: RunRecord) => r.pid === null && r.end === null && r.execution === undefined;
